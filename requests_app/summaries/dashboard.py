"""The summary dashboard's figures for one period: what the centre received, how fast it answered, what came of it.

Counted inquiries are those that are neither spam nor a duplicate, received in the period (Europe/Oslo days).
Every figure is a database aggregate over a fixed number of queries (about a dozen, whatever the number of
inquiries), and carries the link to the inbox that lists exactly what it counts, through the inbox's filters
(requests_app/filters.py). The view only picks the period; the template only draws.

Counting (gather_figures) and drawing (build_dashboard) are apart, so that a large period's figures can be kept as a
snapshot (services/figures.py). The single figures (totals of both periods, the backlog, the 24 months of the
trend, the outcomes) are one query of subqueries (aggregates.in_one_query), each reading its own rows through the
index made for them (migration 0015); the days taken are read as plain numbers, one query per period.
"""

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from partners.counties import COUNTIES
from partners.models import MunicipalUnit, Organisation
from requests_app import filters
from requests_app.models import Inquiry, Outcome, SdgGoal
from requests_app.summaries import aggregates
from requests_app.summaries.aggregates import AGE_BANDS
from requests_app.summaries.charts import BarChart, Datum, LineChart, bar_chart, format_number, line_chart
from requests_app.summaries.periods import Period, PeriodKind, months_ending

INBOX = "requests_app:staff-inquiry-list"
TREND_MONTHS = 24
TOP_ORGANISATIONS = 10


class Unit:
    """How a figure is written."""

    COUNT = "count"
    DAYS = "days"
    SHARE = "share"  # a percentage, 0–100
    NOK = "nok"


def write(value: float | None, unit: str) -> str:
    """The value in words, in the active language; "–" for none (nothing to measure)."""
    if value is None:
        return "–"
    if unit == Unit.DAYS:
        return _("%(days)s days") % {"days": format_number(value, 1)}
    if unit == Unit.SHARE:
        return _("%(percent)s%%") % {"percent": format_number(value)}
    if unit == Unit.NOK:
        return _("NOK %(amount)s") % {"amount": format_number(value)}
    return format_number(value)


def write_change(change: float | None, unit: str) -> str:
    """The change from the previous period, with its sign; "–" when either is missing."""
    if change is None:
        return "–"
    if unit == Unit.SHARE:
        words = _("%(points)s percentage points") % {"points": format_number(abs(change))}
    else:
        words = write(abs(change), unit)
    if round(change, 1) == 0:
        return _("No change")
    return f"+{words}" if change > 0 else f"−{words}"  # a minus sign, not a hyphen


@dataclass(frozen=True)
class Figure:
    """A number for the period, the previous period's, and the inbox lists of each."""

    value: float | None
    previous: float | None
    unit: str = Unit.COUNT
    link: str = ""
    previous_link: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self) -> float | None:
        """The change as a share of the previous value, for counts and amounts; None from zero or nothing."""
        if self.change is None or not self.previous or self.unit in (Unit.SHARE, Unit.DAYS):
            return None
        return 100 * self.change / self.previous

    @property
    def text(self) -> str:
        return write(self.value, self.unit)

    @property
    def previous_text(self) -> str:
        return write(self.previous, self.unit)

    @property
    def change_text(self) -> str:
        words = write_change(self.change, self.unit)
        percent = self.change_percent
        if percent is not None and self.change:
            words += f" ({'+' if percent > 0 else '−'}{write(abs(percent), Unit.SHARE)})"
        return words


@dataclass(frozen=True)
class Headline:
    label: str
    figure: Figure
    note: str = ""


@dataclass(frozen=True)
class TimeStats:
    """How many inquiries of a period have the moment (first reply, decision), and the median and 90th percentile
    of the days from receipt to it (None when none has)."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, days: list[float]) -> "TimeStats":
        return cls(len(days), aggregates.median(days), aggregates.percentile(days, 0.9))


@dataclass(frozen=True)
class TimeTaken:
    """The days from receipt to a moment (first reply, decision) for the inquiries received in the period."""

    label: str
    stats: TimeStats
    previous_stats: TimeStats
    link: str
    previous_link: str
    period: Period
    previous_period: Period
    moment: str  # the column: "first_replied_at" or "decided_at"

    @property
    def median(self) -> Figure:
        return Figure(self.stats.median, self.previous_stats.median, Unit.DAYS, self.link, self.previous_link)

    @property
    def p90(self) -> Figure:
        return Figure(self.stats.p90, self.previous_stats.p90, Unit.DAYS, self.link, self.previous_link)

    @property
    def count(self) -> Figure:
        return Figure(self.stats.count, self.previous_stats.count, Unit.COUNT, self.link, self.previous_link)

    @functools.cached_property
    def days(self) -> list[float]:
        """The days themselves, in the period (one query; the page needs only the figures above)."""
        return aggregates.days_taken(aggregates.received_in(self.period), "received_at", self.moment)

    @functools.cached_property
    def previous_days(self) -> list[float]:
        return aggregates.days_taken(aggregates.received_in(self.previous_period), "received_at", self.moment)


def share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


class Links:
    """The inbox's address filtered to what a figure counts, for one period."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.base = reverse(INBOX)

    def to(self, *pairs: tuple[str, object]) -> str:
        return f"{self.base}?{urlencode([(name, str(value)) for name, value in pairs])}"

    def received(self, *pairs: tuple[str, object]) -> str:
        """Counted inquiries received in the period, narrowed by `pairs`."""
        return self.to(("counted", "true"), *self.period.inbox_query().items(), *pairs)

    def decided(self, *pairs: tuple[str, object]) -> str:
        """Inquiries whose outcome is dated in the period, narrowed by `pairs`."""
        return self.to(
            ("decided_after", self.period.first.isoformat()),
            ("decided_before", self.period.last.isoformat()),
            *pairs,
        )


def _open_statuses() -> list[tuple[str, object]]:
    return [("status", status) for status in Inquiry.OPEN_STATUSES]


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous: Period
    today: datetime.date
    headlines: list[Headline]
    received: Figure
    trend: LineChart
    by_type: BarChart
    by_kind: BarChart
    by_country: BarChart
    by_county: BarChart
    by_goal: BarChart
    without_goal: Figure
    by_unit: BarChart
    backlog: BarChart
    backlog_total: Figure
    times: list[TimeTaken]
    replied_in_time: Figure
    replied_late: Figure
    in_time: Figure
    outcomes: Figure
    outcomes_by_type: BarChart
    partnerships_on: datetime.date
    previous_partnerships_on: datetime.date
    active_partnerships: Figure
    funding: Figure
    funded: Figure
    suggestions_followed: Figure
    suggestions_overridden: Figure
    suggestion_accuracy: Figure
    top_organisations: BarChart


def next_period(period: Period) -> Period:
    """The period of the same kind and length just after this one."""
    after = period.last + datetime.timedelta(days=1)
    if period.kind == PeriodKind.CUSTOM:
        return Period.custom(after, after + datetime.timedelta(days=period.days - 1))
    return Period.containing(period.kind, after)


def _chart(
    rows: Iterable[Datum], *, id: str, title: str, label_heading: str, value_heading: str | None = None
) -> BarChart:
    return bar_chart(
        list(rows), id=id, title=title, label_heading=label_heading, value_heading=value_heading or _("Inquiries")
    )


def _by_choice(counts: dict[str, int], choices: Iterable[tuple[str, Any]], link: Callable[[str], str]) -> list[Datum]:
    """Every choice in its own order, 0 included."""
    return [(str(label), counts.get(value, 0), link(value)) for value, label in choices]


def _largest_first(rows: Iterable[Datum]) -> list[Datum]:
    return sorted(rows, key=lambda row: (-row[1], row[0]))


@dataclass(frozen=True)
class PeriodFigures:
    """Every number of the dashboard for a period and the period before, as plain data: counted by gather_figures,
    or read back from a snapshot (requests_app/services/figures.py)."""

    # The shape of as_json(): a snapshot of another shape (kept by an earlier version) is counted again.
    VERSION: ClassVar[int] = 1

    today: datetime.date  # the day they were counted: the open backlog and the active partnerships are on it
    totals: dict[str, int]  # the single figures: now_…, before_…, age_…, month_0 … month_23
    times: dict[str, TimeStats]  # now_first_reply, now_decision, before_first_reply, before_decision
    by_goal: dict[int, int]
    without_goal: int
    by_type: dict[str, int]
    by_unit: dict[int | None, int]  # None: not with a unit yet
    senders: aggregates.Senders
    outcomes_by_type: dict[str, int]

    @property
    def inquiries(self) -> int:
        """The counted inquiries received in the period and the one before: how big the period is."""
        return self.totals["now_received"] + self.totals["before_received"]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready, with every mapping as pairs (JSON keys would be text)."""
        senders = self.senders
        return {
            "version": self.VERSION,
            "today": self.today.isoformat(),
            "totals": self.totals,
            "times": {key: [stats.count, stats.median, stats.p90] for key, stats in self.times.items()},
            "by_goal": list(self.by_goal.items()),
            "without_goal": self.without_goal,
            "by_type": list(self.by_type.items()),
            "by_unit": list(self.by_unit.items()),
            "by_kind": list(senders.by_kind.items()),
            "by_country": list(senders.by_country.items()),
            "by_county": list(senders.by_county.items()),
            "top_organisations": senders.top_organisations,
            "outcomes_by_type": list(self.outcomes_by_type.items()),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PeriodFigures":
        return cls(
            today=datetime.date.fromisoformat(data["today"]),
            totals=data["totals"],
            times={key: TimeStats(*values) for key, values in data["times"].items()},
            by_goal=dict(data["by_goal"]),
            without_goal=data["without_goal"],
            by_type=dict(data["by_type"]),
            by_unit=dict(data["by_unit"]),
            senders=aggregates.Senders(
                dict(data["by_kind"]),
                dict(data["by_country"]),
                dict(data["by_county"]),
                [(pk, name, count) for pk, name, count in data["top_organisations"]],
            ),
            outcomes_by_type=dict(data["outcomes_by_type"]),
        )


def gather_figures(period: Period, *, now: datetime.datetime | None = None) -> PeriodFigures:
    """Count every number of the dashboard for `period` and the period before, as they stand `now`: eight queries,
    whatever the number of inquiries."""
    today = timezone.localdate(now or timezone.now())
    previous = period.previous()
    received = aggregates.received_in(period)
    # Active partnerships at the end of each period, or today for the period under way.
    partnerships_on, previous_partnerships_on = min(period.last, today), min(previous.last, today)
    totals = aggregates.in_one_query(
        [
            *_inquiry_totals(period, previous, today),
            *_outcome_totals(period, previous, partnerships_on, previous_partnerships_on),
            *_month_counts(months_ending(period.last, TREND_MONTHS)),
        ]
    )
    days = _days_taken(period, previous)
    by_goal, without_goal = aggregates.count_by_goal_and_untagged(received)
    by_type, by_unit = _by_type_and_unit(received)
    return PeriodFigures(
        today=today,
        # A sum over no rows is NULL; PostgreSQL sums integers as numeric.
        totals={name: int(value or 0) for name, value in totals.items()},
        times={key: TimeStats.of(values) for key, values in days.items()},
        by_goal=by_goal,
        without_goal=without_goal,
        by_type=by_type,
        by_unit=by_unit,
        senders=aggregates.senders(received, top=TOP_ORGANISATIONS),
        outcomes_by_type=aggregates.count_by(aggregates.outcomes_in(period), "type"),
    )


def build_dashboard(
    period: Period, *, now: datetime.datetime | None = None, figures: PeriodFigures | None = None
) -> Dashboard:
    """Every figure of the summary for `period`, compared with the period before: the `figures` given (a snapshot),
    or counted now (gather_figures). Only the goals' and the units' names are read here."""
    figures = figures or gather_figures(period, now=now)
    today = figures.today
    totals = figures.totals
    previous = period.previous()
    links, before = Links(period), Links(previous)
    partnerships_on, previous_partnerships_on = min(period.last, today), min(previous.last, today)
    months = months_ending(period.last, TREND_MONTHS)

    def pair(name: str, unit: str, link: Callable[[Links], str]) -> Figure:
        """The total `name` of both periods, with the link of each."""
        return Figure(totals[f"now_{name}"], totals[f"before_{name}"], unit, link(links), link(before))

    # How fast: days to the first reply and to the decision, and the first replies in time.
    times = [
        TimeTaken(
            _("Days to the first reply"),
            figures.times["now_first_reply"],
            figures.times["before_first_reply"],
            links.received(("with_first_reply", "true")),
            before.received(("with_first_reply", "true")),
            period,
            previous,
            "first_replied_at",
        ),
        TimeTaken(
            _("Days to the decision"),
            figures.times["now_decision"],
            figures.times["before_decision"],
            links.received(("with_decision", "true")),
            before.received(("with_decision", "true")),
            period,
            previous,
            "decided_at",
        ),
    ]
    replied_in_time = pair("in_time", Unit.COUNT, lambda each: each.received(("replied_in_time", filters.YES)))
    replied_late = pair("late", Unit.COUNT, lambda each: each.received(("replied_in_time", filters.NO)))
    in_time = _share_of(replied_in_time, replied_late)

    # Routing suggestions followed or overridden by the secretariat.
    followed = pair("followed", Unit.COUNT, lambda each: each.received(("suggestion", filters.FOLLOWED)))
    overridden = pair("overridden", Unit.COUNT, lambda each: each.received(("suggestion", filters.OVERRIDDEN)))
    accuracy = _share_of(followed, overridden)

    outcomes = pair("outcomes", Unit.COUNT, lambda each: each.decided())
    funding = pair("funding", Unit.NOK, lambda each: each.decided(("funded", "true")))
    funded = pair("funded", Unit.COUNT, lambda each: each.decided(("funded", "true")))
    active = Figure(
        totals["now_active"],
        totals["before_active"],
        Unit.COUNT,
        links.to(("partnership_on", partnerships_on.isoformat())),
        before.to(("partnership_on", previous_partnerships_on.isoformat())),
    )

    backlog = [
        (str(band.label), totals[f"age_{band.key}"], links.to(*_open_statuses(), ("age", band.key)))
        for band in AGE_BANDS
    ]
    received_figure = pair("received", Unit.COUNT, lambda each: each.received())
    senders = figures.senders
    first_reply = times[0]
    headlines = [
        Headline(_("Inquiries received"), received_figure),
        Headline(
            _("Median days to the first reply"),
            first_reply.median,
            ngettext(
                "Based on %(count)s inquiry with a first reply",
                "Based on %(count)s inquiries with a first reply",
                first_reply.stats.count,
            )
            % {"count": format_number(first_reply.stats.count)},
        ),
        Headline(_("First replies in time"), in_time, _of(replied_in_time, replied_late)),
        Headline(_("Outcomes recorded"), outcomes),
        Headline(
            _("Active partnerships"),
            active,
            _("On %(date)s") % {"date": date_format(partnerships_on, "SHORT_DATE_FORMAT")},
        ),
        Headline(
            _("Funding mobilised"),
            funding,
            ngettext("From %(count)s outcome", "From %(count)s outcomes", int(funded.value or 0))
            % {"count": format_number(funded.value or 0)},
        ),
        Headline(_("Routing suggestions followed"), accuracy, _of(followed, overridden)),
    ]
    return Dashboard(
        period=period,
        previous=previous,
        today=today,
        headlines=headlines,
        received=received_figure,
        trend=_trend(months, totals),
        by_type=_chart(
            _by_choice(
                figures.by_type,
                Inquiry.Type.choices,
                lambda value: links.received(("inquiry_type", value)),
            ),
            id="chart-type",
            title=_("Inquiries by type"),
            label_heading=_("Type of inquiry"),
        ),
        by_kind=_chart(
            _by_choice(
                senders.by_kind,
                Organisation.Kind.choices,
                lambda value: links.received(("organisation_kind", value)),
            ),
            id="chart-kind",
            title=_("Inquiries by kind of organisation"),
            label_heading=_("Kind of organisation"),
        ),
        by_country=_chart(
            _largest_first(
                (countries.name(code) or str(code), count, links.received(("country", code)))
                for code, count in senders.by_country.items()
            ),
            id="chart-country",
            title=_("Inquiries by country"),
            label_heading=_("Country"),
        ),
        by_county=_chart(
            _by_county(senders.by_county, links),
            id="chart-county",
            title=_("Inquiries from Norway by county"),
            label_heading=_("County"),
        ),
        by_goal=_chart(
            _by_goal(figures.by_goal, links),
            id="chart-goal",
            title=_("Inquiries by SDG goal"),
            label_heading=_("SDG goal"),
        ),
        without_goal=Figure(figures.without_goal, None, Unit.COUNT, links.received(("without_goal", "true"))),
        by_unit=_chart(
            _by_unit(figures.by_unit, links),
            id="chart-unit",
            title=_("Inquiries by responsible unit"),
            label_heading=_("Responsible unit"),
        ),
        backlog=_chart(
            backlog,
            id="chart-backlog",
            title=_("Open inquiries now, by days since received"),
            label_heading=_("Days since received"),
            value_heading=_("Open inquiries"),
        ),
        backlog_total=Figure(sum(row[1] for row in backlog), None, Unit.COUNT, links.to(*_open_statuses())),
        times=times,
        replied_in_time=replied_in_time,
        replied_late=replied_late,
        in_time=in_time,
        outcomes=outcomes,
        outcomes_by_type=_chart(
            _by_choice(
                figures.outcomes_by_type,
                Outcome.Type.choices,
                lambda value: links.decided(("outcome", value)),
            ),
            id="chart-outcome",
            title=_("Outcomes by type"),
            label_heading=_("Outcome"),
            value_heading=_("Outcomes"),
        ),
        partnerships_on=partnerships_on,
        previous_partnerships_on=previous_partnerships_on,
        active_partnerships=active,
        funding=funding,
        funded=funded,
        suggestions_followed=followed,
        suggestions_overridden=overridden,
        suggestion_accuracy=accuracy,
        top_organisations=_chart(
            [(name, count, links.received(("organisation", pk))) for pk, name, count in senders.top_organisations],
            id="chart-organisations",
            title=_("The most active partner organisations"),
            label_heading=_("Organisation"),
        ),
    )


def _share_of(part: Figure, rest: Figure) -> Figure:
    """`part` as a percentage of `part` and `rest` together, in both periods, linking to `part`'s list."""
    return Figure(
        share(int(part.value or 0), int((part.value or 0) + (rest.value or 0))),
        share(int(part.previous or 0), int((part.previous or 0) + (rest.previous or 0))),
        Unit.SHARE,
        part.link,
        part.previous_link,
    )


def _of(part: Figure, rest: Figure) -> str:
    return _("%(part)s of %(all)s") % {
        "part": format_number(part.value or 0),
        "all": format_number((part.value or 0) + (rest.value or 0)),
    }


def _inquiry_totals(period: Period, previous: Period, today: datetime.date) -> list[QuerySet[Any]]:
    """The counts over the counted inquiries of each period, and over the open ones now by age (for
    in_one_query)."""
    parts = []
    for prefix, each in (("now", period), ("before", previous)):
        parts.append(
            aggregates.one_row(
                aggregates.received_in(each),
                **{
                    f"{prefix}_received": aggregates.row_count(),
                    f"{prefix}_in_time": aggregates.row_count(filter=aggregates.replied_in_time_q()),
                    f"{prefix}_late": aggregates.row_count(filter=aggregates.replied_late_q(today)),
                    f"{prefix}_followed": aggregates.row_count(filter=Q(suggestion_accepted=True)),
                    f"{prefix}_overridden": aggregates.row_count(filter=Q(suggestion_accepted=False)),
                },
            )
        )
    is_open = aggregates.counted_inquiries().filter(status__in=Inquiry.OPEN_STATUSES)
    parts.append(
        aggregates.one_row(
            is_open, **{f"age_{band.key}": aggregates.row_count(filter=band.condition(today)) for band in AGE_BANDS}
        )
    )
    return parts


def _outcome_totals(
    period: Period, previous: Period, on: datetime.date, previous_on: datetime.date
) -> list[QuerySet[Any]]:
    """Outcomes, funding and active partnerships of both periods (for in_one_query)."""
    parts = []
    for prefix, each, day in (("now", period, on), ("before", previous, previous_on)):
        parts += [
            aggregates.one_row(
                aggregates.outcomes_in(each),
                **{
                    f"{prefix}_outcomes": aggregates.row_count(),
                    f"{prefix}_funding": Sum("funding_nok"),
                    f"{prefix}_funded": aggregates.row_count(filter=Q(funding_nok__gt=0)),
                },
            ),
            aggregates.count_of(aggregates.active_partnerships(day), f"{prefix}_active"),
        ]
    return parts


def _month_counts(months: list[Period]) -> list[QuerySet[Any]]:
    """The counted inquiries received in each month of the trend (for in_one_query): a range of the index each,
    where grouping by the local month would convert every row's time zone (on SQLite, in Python)."""
    return [aggregates.count_of(aggregates.received_in(month), f"month_{index}") for index, month in enumerate(months)]


def _days_taken(period: Period, previous: Period) -> dict[str, list[float]]:
    """The days from receipt to the first reply and to the decision of the counted inquiries received in each
    period, where there is one, each list in order (one query per period, plain numbers)."""
    days: dict[str, list[float]] = {}
    for prefix, each in (("now", period), ("before", previous)):
        rows = aggregates.plain_rows(
            aggregates.received_in(each)
            .filter(Q(first_replied_at__isnull=False) | Q(decided_at__isnull=False))
            .order_by()
            .annotate(
                first_reply=aggregates.DaysBetween("received_at", "first_replied_at"),
                decision=aggregates.DaysBetween("received_at", "decided_at"),
            )
            .values_list("first_reply", "decision")
        )
        days[f"{prefix}_first_reply"] = sorted(
            first_reply for first_reply, _decision in rows if first_reply is not None
        )
        days[f"{prefix}_decision"] = sorted(decision for _first_reply, decision in rows if decision is not None)
    return days


def _by_goal(counts: dict[int, int], links: Links) -> list[Datum]:
    """All 17 goals in their order, 0 included (one query for the goals)."""
    return [
        (str(goal), counts.get(goal.number, 0), links.received(("sdg", goal.number)))
        for goal in SdgGoal.objects.order_by("number")
    ]


def _by_type_and_unit(received: QuerySet[Inquiry]) -> tuple[dict[str, int], dict[int | None, int]]:
    """The inquiries by type and by responsible unit (None: none yet), from one grouped query."""
    by_type: Counter[str] = Counter()
    by_unit: Counter[int | None] = Counter()
    rows = (
        received.order_by()
        .values("inquiry_type", "unit")
        .annotate(n=aggregates.row_count())
        .values_list("inquiry_type", "unit", "n")
    )
    for inquiry_type, unit, count in rows:
        by_type[inquiry_type] += count
        by_unit[unit] += count
    return dict(by_type), dict(by_unit)


def _by_county(counts: dict[str, int], links: Links) -> list[Datum]:
    """Norway's counties with inquiries, by the first two digits of the municipality number; organisations without
    a known county last."""
    rows = _largest_first(
        (COUNTIES[number], count, links.received(("county", number)))
        for number, count in counts.items()
        if number in COUNTIES
    )
    unknown = sum(count for number, count in counts.items() if number not in COUNTIES)
    if unknown:
        rows.append((_("Unknown county"), unknown, links.received(("county", filters.UNKNOWN_COUNTY))))
    return rows


def _by_unit(counts: dict[int | None, int], links: Links) -> list[Datum]:
    """Every unit that takes inquiries (0 included), any other unit with inquiries, and those with no unit yet."""
    units = MunicipalUnit.objects.filter(Q(is_secretariat=False) | Q(pk__in=[pk for pk in counts if pk]))
    rows = _largest_first((unit.name, counts.get(unit.pk, 0), links.received(("unit", unit.pk))) for unit in units)
    rows.append((_("Not with a unit yet"), counts.get(None, 0), links.received(("without_unit", "true"))))
    return rows


def _trend(months: list[Period], totals: dict[str, Any]) -> LineChart:
    """Inquiries received in each of the 24 months ending with the period's last month (counted by _month_counts)."""
    counts = {month.first: totals[f"month_{index}"] for index, month in enumerate(months)}
    data = [(month.label, counts.get(month.first, 0), Links(month).received()) for month in months]
    # Every fourth month is named under the axis, counting back from the last.
    axis_labels = [
        date_format(month.first, "M Y") if (len(months) - 1 - index) % 4 == 0 else ""
        for index, month in enumerate(months)
    ]
    total = sum(count for _label, count, _link in data)
    return line_chart(
        data,
        id="chart-trend",
        title=_("Inquiries received per month"),
        label_heading=_("Month"),
        value_heading=_("Inquiries"),
        axis_labels=axis_labels,
        description=ngettext(
            "%(total)s inquiry received from %(first)s to %(last)s. The numbers are in the table after the chart.",
            "%(total)s inquiries received from %(first)s to %(last)s. The numbers are in the table after the chart.",
            total,
        )
        % {"total": format_number(total), "first": months[0].label, "last": months[-1].label},
    )
