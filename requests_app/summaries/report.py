"""The figures of the yearly report to UNECE, for one calendar year (Europe/Oslo days), as one plain data structure.

The report page, its PDF, the XLSX and the JSON are all rendered from `UneceReport`, so they cannot disagree. The
report goes to Geneva: every label in it is English, whatever the reader's language (`build_report` works under
`translation.override("en")`). It takes a fixed number of queries, however many inquiries the year has.
"""

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import ExtractYear
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


def years_with_data() -> list[int]:
    """The years (local) in which counted inquiries were received, newest first (one query)."""
    years = (
        aggregates.counted_inquiries()
        .order_by()
        .annotate(year=ExtractYear("received_at"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted((year for year in years if year >= FIRST_YEAR), reverse=True)


def is_reportable(year: int, *, today: datetime.date) -> bool:
    """From the year the SDGs were adopted up to the year under way."""
    return FIRST_YEAR <= year <= today.year


def _goals(received: QuerySet[Inquiry], outcomes: QuerySet[Outcome]) -> tuple[GoalRow, ...]:
    by_inquiries = aggregates.count_by_goal(received)
    by_outcomes = aggregates.count_by_goal(Inquiry.objects.filter(pk__in=outcomes.order_by().values("inquiry_id")))
    return tuple(
        GoalRow(number, name, by_inquiries.get(number, 0), by_outcomes.get(number, 0))
        for number, name in SdgGoal.objects.order_by("number").values_list("number", "short_en")
    )


def _targets(received: QuerySet[Inquiry], outcomes: QuerySet[Outcome]) -> tuple[TargetRow, ...]:
    """The targets tagged on the inquiries or addressed by the outcomes (two grouped queries, names included)."""
    fields = ("sdgtarget__code", "sdgtarget__goal_id", "sdgtarget__position", "sdgtarget__title_en")
    by_inquiries = {
        row[:4]: row[4]
        for row in Inquiry.sdg_targets.through.objects.filter(inquiry__in=received.order_by().values("pk"))
        .values(*fields)
        .annotate(n=Count("inquiry_id"))
        .values_list(*fields, "n")
    }
    by_outcomes = {
        row[:4]: row[4]
        for row in Outcome.sdg_targets.through.objects.filter(outcome__in=outcomes.order_by().values("pk"))
        .values(*fields)
        .annotate(n=Count("outcome_id"))
        .values_list(*fields, "n")
    }
    keys = sorted(by_inquiries.keys() | by_outcomes.keys(), key=lambda key: (key[1], key[2]))
    return tuple(
        TargetRow(
            code=key[0], goal=key[1], title=key[3], inquiries=by_inquiries.get(key, 0), outcomes=by_outcomes.get(key, 0)
        )
        for key in keys
    )


def _choice_counts(counts: dict[Any, int], choices: Iterable[tuple[str, Any]]) -> tuple[CountRow, ...]:
    return tuple(CountRow(value, str(label), counts.get(value, 0)) for value, label in choices)


def _countries(received: QuerySet[Inquiry]) -> tuple[CountRow, ...]:
    counts = aggregates.count_by(received, "organisation__country")
    rows = [CountRow(str(code), str(countries.name(code)) or str(code), n) for code, n in counts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.count, row.label)))


def _partnerships(on: datetime.date, ends_before: datetime.datetime) -> tuple[PartnershipRow, ...]:
    """Active on `on`, oldest first, with their targets and their latest follow-up recorded before the year ended
    (three queries: the partnerships, their targets, their follow-ups)."""
    outcomes = (
        aggregates.active_partnerships(on)
        .select_related("inquiry__organisation")
        .prefetch_related(
            Prefetch("sdg_targets", queryset=SdgTarget.objects.order_by("goal_id", "position")),
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.filter(recorded_at__lt=ends_before).order_by("recorded_at", "pk"),
                to_attr="follow_ups_in_year",
            ),
        )
        .order_by("decided_on", "pk")
    )
    rows = []
    for outcome in outcomes:
        inquiry = outcome.inquiry
        follow_ups: list[FollowUp] = outcome.follow_ups_in_year
        latest = follow_ups[-1] if follow_ups else None
        rows.append(
            PartnershipRow(
                reference=inquiry.reference,
                title=inquiry.title,
                organisation=inquiry.organisation.name,
                organisation_type=str(inquiry.organisation.get_kind_display()),
                outcome=str(outcome.get_type_display()),
                decided_on=outcome.decided_on,
                funding_nok=outcome.funding_nok,
                sdg_targets=tuple(TargetRef(target.code, target.title_en) for target in outcome.sdg_targets.all()),
                follow_up=None
                if latest is None
                else FollowUpResult(
                    recorded_on=timezone.localtime(latest.recorded_at).date(),
                    status=latest.collaboration_status,
                    status_label=str(latest.get_collaboration_status_display()),
                    results=latest.results,
                    u4ssc_areas=tuple(latest.area_labels),
                ),
            )
        )
    return tuple(rows)


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


def _flag(key: str, label: str, description: str, inquiries: QuerySet[Inquiry]) -> QualityFlag:
    """Two queries: the count, and the first references."""
    references = inquiries.order_by("received_at", "pk").values_list("reference", flat=True)[:REFERENCE_LIMIT]
    return QualityFlag(key, label, description, inquiries.count(), tuple(references))


def _quality_flags(received: QuerySet[Inquiry], period: Period, today: datetime.date) -> tuple[QualityFlag, ...]:
    # Every chosen target adds its goal, so an inquiry without a goal has no SDG tag at all.
    tagged = Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"))
    finished = (Inquiry.Status.DECIDED, Inquiry.Status.CLOSED)
    return (
        _flag(
            "without_sdg_tags",
            _("Without SDG tags"),
            _("Inquiries received in %(year)s that are tagged with no SDG goal or target.") % {"year": period.label},
            received.filter(~Exists(tagged)),
        ),
        _flag(
            "finished_without_outcome",
            _("Finished without an outcome"),
            _("Inquiries received in %(year)s that are decided or closed but have no outcome recorded.")
            % {"year": period.label},
            received.filter(status__in=finished, outcome__isnull=True),
        ),
        _flag(
            "overdue",
            _("Overdue"),
            _("Inquiries received in %(year)s that are past their first-reply or decision date on %(today)s.")
            % {"year": period.label, "today": date_format(today, "j F Y")},
            received.filter(selectors.overdue_condition(today)),
        ),
    )


def build_report(year: int, *, now: datetime.datetime) -> UneceReport:
    """The figures of `year` as they stand at `now`, in English, in 22 queries whatever the number of inquiries
    (19 when there is no partnership and no highlight to prefetch for).

    Counted inquiries are those neither spam nor duplicates (aggregates.counted_inquiries); the year is made of
    local days, so an inquiry received at 23:30 UTC on 31 December belongs to the next year in Trondheim.
    """
    period = Period.year(year)
    today = timezone.localtime(now).date()
    received = aggregates.received_in(period)
    outcomes = aggregates.outcomes_in(period).exclude(inquiry__status__in=aggregates.NOT_COUNTED)
    decided = aggregates.counted_inquiries().filter(decided_at__gte=period.starts_at, decided_at__lt=period.ends_before)
    partnerships_on = min(period.last, today)
    with translation.override("en"):
        outcome_types = _choice_counts(aggregates.count_by(outcomes, "type"), Outcome.Type.choices)
        partnerships = _partnerships(partnerships_on, period.ends_before)
        totals = Totals(
            received=received.count(),
            decided=decided.count(),
            outcomes=sum(row.count for row in outcome_types),
            active_partnerships=len(partnerships),
            active_partnerships_on=partnerships_on,
            funding_nok=aggregates.funding_nok(outcomes),
        )
        return UneceReport(
            year=year,
            generated_at=timezone.localtime(now),
            today=today,
            totals=totals,
            goals=_goals(received, outcomes),
            targets=_targets(received, outcomes),
            partner_types=_choice_counts(
                aggregates.count_by(received, "organisation__kind"), Organisation.Kind.choices
            ),
            countries=_countries(received),
            outcome_types=outcome_types,
            partnerships=partnerships,
            highlights=_highlights(year),
            quality_flags=_quality_flags(received, period, today),
        )
