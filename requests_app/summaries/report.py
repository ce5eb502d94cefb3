"""The figures of the yearly report to UNECE, for one calendar year (Europe/Oslo days), as one plain data structure.

The report page, its PDF, the XLSX and the JSON are all rendered from `UneceReport`, so they cannot disagree. The
report goes to Geneva: every label in it is English, whatever the reader's language (`build_report` works under
`translation.override("en")`). It takes a fixed number of queries, however many inquiries the year has.
"""

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, QuerySet, Sum, Window
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from partners.models import Organisation
from requests_app import selectors
from requests_app.models import FollowUp, Inquiry, Outcome, ReportHighlight, SdgGoal, SdgTarget
from requests_app.summaries import aggregates
from requests_app.summaries.periods import Period

# The SDGs were adopted in September 2015: no report on them goes further back.
FIRST_YEAR = 2015
# A data-quality flag lists at most this many references (oldest first), with the full count beside them.
REFERENCE_LIMIT = 50
# The report page lists at most this many active partnerships (oldest first); the downloads list them all.
PARTNERSHIPS_ON_PAGE = 100


@dataclass(frozen=True)
class Totals:
    received: int  # counted inquiries received in the year
    decided: int  # counted inquiries decided in the year
    outcomes: int  # outcomes decided in the year
    active_partnerships: int  # on active_partnerships_on
    active_partnerships_on: datetime.date  # the last day of the year, or today for the year under way
    funding_nok: int  # mobilised by the outcomes decided in the year


@dataclass(frozen=True)
class GoalRow:
    number: int
    name: str
    inquiries: int  # received in the year and tagged with the goal
    outcomes: int  # decided in the year, of inquiries tagged with the goal


@dataclass(frozen=True)
class TargetRow:
    code: str
    goal: int
    title: str
    inquiries: int  # received in the year and tagged with the target
    outcomes: int  # decided in the year and addressing the target


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class TargetRef:
    code: str
    title: str


@dataclass(frozen=True)
class GoalRef:
    number: int
    name: str


@dataclass(frozen=True)
class FollowUpResult:
    recorded_on: datetime.date
    status: str
    status_label: str
    results: str
    u4ssc_areas: tuple[str, ...]


@dataclass(frozen=True)
class PartnershipRow:
    reference: str
    title: str
    organisation: str
    organisation_type: str
    outcome: str
    decided_on: datetime.date
    funding_nok: int | None
    sdg_targets: tuple[TargetRef, ...]
    follow_up: FollowUpResult | None  # the latest recorded by the end of the year


@dataclass(frozen=True)
class HighlightRow:
    reference: str
    title: str
    organisation: str
    sdg_goals: tuple[GoalRef, ...]
    text: str


@dataclass(frozen=True)
class QualityFlag:
    key: str
    label: str
    description: str
    count: int
    references: tuple[str, ...]  # the first REFERENCE_LIMIT, oldest first

    @property
    def not_listed(self) -> int:
        return self.count - len(self.references)


@dataclass(frozen=True)
class ReportTable:
    """One section as a table: a title, the column headings and the rows (for the XLSX, one sheet each)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class UneceReport:
    year: int
    generated_at: datetime.datetime  # local time
    today: datetime.date
    totals: Totals
    goals: tuple[GoalRow, ...]  # all 17, in order
    targets: tuple[TargetRow, ...]  # those with inquiries or outcomes, in SDG order
    partner_types: tuple[CountRow, ...]  # every kind of organisation, in the register's order
    countries: tuple[CountRow, ...]  # those with inquiries, most first
    outcome_types: tuple[CountRow, ...]  # every type of outcome
    partnerships: tuple[PartnershipRow, ...]
    highlights: tuple[HighlightRow, ...]
    quality_flags: tuple[QualityFlag, ...]

    @property
    def period(self) -> Period:
        return Period.year(self.year)

    @property
    def is_complete(self) -> bool:
        """Whether the year is over (the figures of the year under way still change)."""
        return self.today > self.period.last

    @property
    def partnerships_not_listed(self) -> int:
        """How many active partnerships the list leaves out (the page lists the first PARTNERSHIPS_ON_PAGE)."""
        return self.totals.active_partnerships - len(self.partnerships)

    @property
    def is_empty(self) -> bool:
        return not (self.totals.received or self.totals.outcomes or self.partnerships or self.highlights)

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data with stable keys (dates and times as ISO 8601 text)."""
        period = self.period
        return {
            "year": self.year,
            "generated_at": self.generated_at.isoformat(),
            "period": {
                "first_day": period.first.isoformat(),
                "last_day": period.last.isoformat(),
                "time_zone": timezone.get_current_timezone_name(),
                "complete": self.is_complete,
            },
            "totals": _plain(asdict(self.totals)),
            "sdg_goals": [_plain(asdict(row)) for row in self.goals],
            "sdg_targets": [_plain(asdict(row)) for row in self.targets],
            "partner_types": [_plain(asdict(row)) for row in self.partner_types],
            "countries": [_plain(asdict(row)) for row in self.countries],
            "outcomes": [_plain(asdict(row)) for row in self.outcome_types],
            "active_partnerships": [_plain(asdict(row)) for row in self.partnerships],
            "highlights": [_plain(asdict(row)) for row in self.highlights],
            "data_quality": [
                {**_plain(asdict(flag)), "references_not_listed": flag.not_listed} for flag in self.quality_flags
            ],
        }

    def tables(self) -> list[ReportTable]:
        """Every section as a table with English headings (one XLSX sheet each)."""
        with translation.override("en"):
            return [
                ReportTable(
                    _("Report"),
                    (_("Item"), _("Value")),
                    (
                        (_("Year"), self.year),
                        (_("First day"), self.period.first),
                        (_("Last day"), self.period.last),
                        (_("Time zone"), timezone.get_current_timezone_name()),
                        (_("Generated"), self.generated_at.strftime("%Y-%m-%d %H:%M")),
                    ),
                ),
                ReportTable(
                    _("Totals"),
                    (_("Figure"), _("Value")),
                    tuple((label, value) for _key, label, value in self.total_rows()),
                ),
                ReportTable(
                    _("SDG goals"),
                    (_("Goal"), _("Name"), _("Inquiries received"), _("Outcomes decided")),
                    tuple((row.number, row.name, row.inquiries, row.outcomes) for row in self.goals),
                ),
                ReportTable(
                    _("SDG targets"),
                    (_("Target"), _("Goal"), _("Title"), _("Inquiries received"), _("Outcomes decided")),
                    tuple((row.code, row.goal, row.title, row.inquiries, row.outcomes) for row in self.targets),
                ),
                ReportTable(
                    _("Partner types"),
                    (_("Type of organisation"), _("Inquiries received")),
                    tuple((row.label, row.count) for row in self.partner_types),
                ),
                ReportTable(
                    _("Countries"),
                    (_("Country code"), _("Country"), _("Inquiries received")),
                    tuple((row.key, row.label, row.count) for row in self.countries),
                ),
                ReportTable(
                    _("Outcomes"),
                    (_("Outcome"), _("Outcomes decided")),
                    tuple((row.label, row.count) for row in self.outcome_types),
                ),
                ReportTable(
                    _("Partnerships"),
                    (
                        _("Reference"),
                        _("Title"),
                        _("Organisation"),
                        _("Type of organisation"),
                        _("Outcome"),
                        _("Decided"),
                        _("Funding (NOK)"),
                        _("SDG targets"),
                        _("Followed up"),
                        _("Status of the collaboration"),
                        _("Results"),
                        _("U4SSC areas"),
                    ),
                    tuple(_partnership_cells(row) for row in self.partnerships),
                ),
                ReportTable(
                    _("Highlights"),
                    (_("Reference"), _("Title"), _("Organisation"), _("SDG goals"), _("Highlight")),
                    tuple(
                        (
                            row.reference,
                            row.title,
                            row.organisation,
                            ", ".join(str(goal.number) for goal in row.sdg_goals),
                            row.text,
                        )
                        for row in self.highlights
                    ),
                ),
                ReportTable(
                    _("Data quality"),
                    (_("Flag"), _("Inquiries"), _("References")),
                    tuple((flag.label, flag.count, ", ".join(flag.references)) for flag in self.quality_flags),
                ),
            ]

    def total_rows(self) -> list[tuple[str, str, int]]:
        """The totals as (key, English label, value)."""
        totals = self.totals
        with translation.override("en"):
            return [
                ("received", _("Inquiries received"), totals.received),
                ("decided", _("Inquiries decided"), totals.decided),
                ("outcomes", _("Outcomes decided"), totals.outcomes),
                (
                    "active_partnerships",
                    _("Active partnerships on %(day)s") % {"day": date_format(totals.active_partnerships_on, "j F Y")},
                    totals.active_partnerships,
                ),
                ("funding_nok", _("Funding mobilised (NOK)"), totals.funding_nok),
            ]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO text and tuples as lists, all the way down."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [convert(item) for item in value]
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        return value

    return {key: convert(value) for key, value in data.items()}


def _partnership_cells(row: PartnershipRow) -> tuple[Any, ...]:
    follow_up = row.follow_up
    return (
        row.reference,
        row.title,
        row.organisation,
        row.organisation_type,
        row.outcome,
        row.decided_on,
        row.funding_nok,
        ", ".join(target.code for target in row.sdg_targets),
        follow_up.recorded_on if follow_up else None,
        follow_up.status_label if follow_up else "",
        follow_up.results if follow_up else "",
        ", ".join(follow_up.u4ssc_areas) if follow_up else "",
    )


def years_with_data(*, today: datetime.date) -> list[int]:
    """The years (local) from FIRST_YEAR to today's in which counted inquiries were received, newest first.

    One query: for each year, the first counted inquiry received in it, which the index finds without reading the
    year (grouping by the local year would convert every inquiry's time zone, on SQLite in Python).
    """
    years = range(FIRST_YEAR, today.year + 1)
    first = aggregates.in_one_query(
        aggregates.one_row(aggregates.received_in(Period.year(year)), **{f"year_{year}": Min("received_at")})
        for year in years
    )
    return sorted((year for year in years if first[f"year_{year}"] is not None), reverse=True)


def is_reportable(year: int, *, today: datetime.date) -> bool:
    """From the year the SDGs were adopted up to the year under way."""
    return FIRST_YEAR <= year <= today.year


def _goals(received: QuerySet[Inquiry], outcomes: QuerySet[Outcome]) -> tuple[GoalRow, ...]:
    """Two grouped queries (the inquiries' tags, the decided inquiries' tags), each read from the year's rows, and
    the goals' names."""
    by_inquiries, _untagged = aggregates.count_by_goal_and_untagged(received)
    # The tags looked up by the decided inquiries' ids, which the outcomes hold: no inquiry row is read.
    by_outcomes = aggregates.count_by(
        Inquiry.sdg_goals.through.objects.filter(inquiry_id__in=outcomes.order_by().values("inquiry_id")), "sdggoal"
    )
    return tuple(
        GoalRow(number, name, by_inquiries.get(number, 0), by_outcomes.get(number, 0))
        for number, name in SdgGoal.objects.order_by("number").values_list("number", "short_en")
    )


def _targets(received: QuerySet[Inquiry], outcomes: QuerySet[Outcome]) -> tuple[TargetRow, ...]:
    """The targets tagged on the inquiries or addressed by the outcomes: two queries grouped by the target's code
    alone (from the year's rows through their tags), and one for those targets' titles."""
    by_inquiries = {code: n for code, n in aggregates.count_by(received, "sdg_targets").items() if code is not None}
    by_outcomes = {code: n for code, n in aggregates.count_by(outcomes, "sdg_targets").items() if code is not None}
    targets = SdgTarget.objects.filter(code__in=by_inquiries.keys() | by_outcomes.keys()).order_by("goal", "position")
    return tuple(
        TargetRow(
            code=code,
            goal=goal,
            title=title,
            inquiries=by_inquiries.get(code, 0),
            outcomes=by_outcomes.get(code, 0),
        )
        for code, goal, title in targets.values_list("code", "goal_id", "title_en")
    )


def _choice_counts(counts: dict[Any, int], choices: Iterable[tuple[str, Any]]) -> tuple[CountRow, ...]:
    return tuple(CountRow(value, str(label), counts.get(value, 0)) for value, label in choices)


def _countries(counts: dict[str, int]) -> tuple[CountRow, ...]:
    rows = [CountRow(str(code), str(countries.name(code)) or str(code), n) for code, n in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.count, row.label)))


def _partnerships(
    on: datetime.date, ends_before: datetime.datetime, *, limit: int | None = None
) -> tuple[PartnershipRow, ...]:
    """Active on `on`, oldest first (the first `limit`, or all), with their targets and their latest follow-up
    recorded before the year ended: three queries (the partnerships, their targets, their follow-ups), as plain rows,
    with each English label looked up once per choice rather than once per row."""
    active = aggregates.active_partnerships(on).order_by("decided_on", "pk")
    fields = (
        "pk",
        "inquiry__reference",
        "inquiry__title",
        "inquiry__organisation__name",
        "inquiry__organisation__kind",
        "type",
        "decided_on",
        "funding_nok",
    )
    if limit is not None:
        # The first ids from the index alone, then only their rows joined to their inquiries and organisations.
        active = Outcome.objects.filter(pk__in=active.values("pk")[:limit]).order_by("decided_on", "pk")
    rows = list(active.values_list(*fields))
    if not rows:
        return ()
    # The few shown by their ids; all of them through the same condition, however many.
    shown: Any = [row[0] for row in rows] if limit is not None else active.order_by().values("pk")
    targets: dict[int, list[TargetRef]] = {}
    for outcome_id, code, title in (
        Outcome.sdg_targets.through.objects.filter(outcome__in=shown)
        .order_by("sdgtarget__goal_id", "sdgtarget__position")
        .values_list("outcome_id", "sdgtarget__code", "sdgtarget__title_en")
    ):
        targets.setdefault(outcome_id, []).append(TargetRef(code, title))
    latest: dict[int, tuple[Any, ...]] = {}
    for follow_up in (
        FollowUp.objects.filter(outcome__in=shown, recorded_at__lt=ends_before)
        .order_by("recorded_at", "pk")
        .values_list("outcome_id", "recorded_at", "collaboration_status", "results", "u4ssc_areas")
    ):
        latest[follow_up[0]] = follow_up  # the last one recorded wins
    kinds = _labels(Organisation.Kind.choices)
    types = _labels(Outcome.Type.choices)
    statuses = _labels(FollowUp.CollaborationStatus.choices)
    areas = _labels(FollowUp.Area.choices)
    return tuple(
        PartnershipRow(
            reference=reference,
            title=title,
            organisation=organisation,
            organisation_type=kinds.get(kind, kind),
            outcome=types.get(outcome_type, outcome_type),
            decided_on=decided_on,
            funding_nok=funding_nok,
            sdg_targets=tuple(targets.get(pk, ())),
            follow_up=_follow_up(latest.get(pk), statuses, areas),
        )
        for pk, reference, title, organisation, kind, outcome_type, decided_on, funding_nok in rows
    )


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Each choice's label in the active language (English here), looked up once."""
    return {value: str(label) for value, label in choices}


def _follow_up(row: tuple[Any, ...] | None, statuses: dict[str, str], areas: dict[str, str]) -> FollowUpResult | None:
    if row is None:
        return None
    _outcome_id, recorded_at, status, results, u4ssc_areas = row
    return FollowUpResult(
        recorded_on=timezone.localtime(recorded_at).date(),
        status=status,
        status_label=statuses.get(status, status),
        results=results,
        u4ssc_areas=tuple(areas[area] for area in u4ssc_areas if area in areas),
    )


def _highlights(year: int) -> tuple[HighlightRow, ...]:
    highlights = (
        ReportHighlight.objects.filter(year=year)
        .select_related("inquiry__organisation")
        .prefetch_related(Prefetch("inquiry__sdg_goals", queryset=SdgGoal.objects.order_by("number")))
        .order_by("created_at", "pk")
    )
    return tuple(
        HighlightRow(
            reference=highlight.inquiry.reference,
            title=highlight.inquiry.title,
            organisation=highlight.inquiry.organisation.name,
            sdg_goals=tuple(GoalRef(goal.number, goal.short_en) for goal in highlight.inquiry.sdg_goals.all()),
            text=highlight.text,
        )
        for highlight in highlights
    )


def _flag_inquiries(received: QuerySet[Inquiry], today: datetime.date) -> dict[str, QuerySet[Inquiry]]:
    """What each data-quality flag counts, by its key."""
    # Every chosen target adds its goal, so an inquiry without a goal has no SDG tag at all.
    tagged = Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"))
    finished = (Inquiry.Status.DECIDED, Inquiry.Status.CLOSED)
    return {
        "without_sdg_tags": received.filter(~Exists(tagged)),
        "finished_without_outcome": received.filter(status__in=finished, outcome__isnull=True),
        "overdue": received.filter(selectors.overdue_condition(today)),
    }


def _quality_flags(
    flagged: dict[str, QuerySet[Inquiry]], period: Period, today: datetime.date
) -> tuple[QualityFlag, ...]:
    """Each flag with its count and its first references, oldest first (one query each)."""
    texts = {
        "without_sdg_tags": (
            _("Without SDG tags"),
            _("Inquiries received in %(year)s that are tagged with no SDG goal or target.") % {"year": period.label},
        ),
        "finished_without_outcome": (
            _("Finished without an outcome"),
            _("Inquiries received in %(year)s that are decided or closed but have no outcome recorded.")
            % {"year": period.label},
        ),
        "overdue": (
            _("Overdue"),
            _("Inquiries received in %(year)s that are past their first-reply or decision date on %(today)s.")
            % {"year": period.label, "today": date_format(today, "j F Y")},
        ),
    }
    flags = []
    for key, (label, description) in texts.items():
        # The first references with the count of them all beside each (COUNT … OVER ()): one reading of the rows.
        first = list(
            flagged[key]
            .annotate(flagged=Window(Count("pk")))
            .order_by("received_at", "pk")
            .values_list("reference", "flagged")[:REFERENCE_LIMIT]
        )
        count = first[0][1] if first else 0
        flags.append(QualityFlag(key, label, description, count, tuple(reference for reference, _count in first)))
    return tuple(flags)


def build_report(year: int, *, now: datetime.datetime, partnership_limit: int | None = None) -> UneceReport:
    """The figures of `year` as they stand at `now`, in English, in 18 queries whatever the number of inquiries
    (16 when there is no partnership, 15 when there is no highlight either).

    With `partnership_limit` (the page), only the first partnerships are listed, and the single figures' query counts
    them all; the downloads list every one. Counted inquiries are those neither spam nor duplicates
    (aggregates.counted_inquiries); the year is made of local days, so an inquiry received at 23:30 UTC on
    31 December belongs to the next year in Trondheim.
    """
    period = Period.year(year)
    today = timezone.localtime(now).date()
    received = aggregates.received_in(period)
    outcomes = aggregates.counted_outcomes_in(period)
    decided = aggregates.counted_inquiries().filter(decided_at__gte=period.starts_at, decided_at__lt=period.ends_before)
    partnerships_on = min(period.last, today)
    flagged = _flag_inquiries(received, today)
    # The single figures in one query, each from its own rows.
    parts = [
        aggregates.count_of(received, "received"),
        aggregates.count_of(decided, "decided"),
    ]
    if partnership_limit is not None:
        parts.append(aggregates.count_of(aggregates.active_partnerships(partnerships_on), "partnerships"))
    counts = aggregates.in_one_query(parts)
    senders = aggregates.senders(received, top=0)
    with translation.override("en"):
        by_type = outcomes.order_by().values("type").annotate(n=aggregates.row_count(), funding=Sum("funding_nok"))
        outcome_types = _choice_counts({row["type"]: row["n"] for row in by_type}, Outcome.Type.choices)
        partnerships = _partnerships(partnerships_on, period.ends_before, limit=partnership_limit)
        totals = Totals(
            received=counts["received"],
            decided=counts["decided"],
            outcomes=sum(row.count for row in outcome_types),
            active_partnerships=counts["partnerships"] if partnership_limit is not None else len(partnerships),
            active_partnerships_on=partnerships_on,
            # A sum over no rows is NULL.
            funding_nok=sum(row["funding"] or 0 for row in by_type),
        )
        return UneceReport(
            year=year,
            generated_at=timezone.localtime(now),
            today=today,
            totals=totals,
            goals=_goals(received, outcomes),
            targets=_targets(received, outcomes),
            partner_types=_choice_counts(senders.by_kind, Organisation.Kind.choices),
            countries=_countries(senders.by_country),
            outcome_types=outcome_types,
            partnerships=partnerships,
            highlights=_highlights(year),
            quality_flags=_quality_flags(flagged, period, today),
        )
