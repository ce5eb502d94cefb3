"""The summary dashboard's figures for one period: what the centre received, how fast it answered, what came of it.

Counted inquiries are those that are neither spam nor a duplicate, received in the period (Europe/Oslo days).
Every figure is a database aggregate over a fixed number of queries (about 20, whatever the number of inquiries),
and carries the link to the inbox that lists exactly what it counts, through the inbox's filters
(requests_app/filters.py). The view only picks the period; the template only draws.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
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
class TimeTaken:
    """The days from receipt to a moment (first reply, decision) for the inquiries received in the period."""

    label: str
    days: list[float]
    previous_days: list[float]
    link: str
    previous_link: str

    @property
    def median(self) -> Figure:
        median, previous = aggregates.median(self.days), aggregates.median(self.previous_days)
        return Figure(median, previous, Unit.DAYS, self.link, self.previous_link)

    @property
    def p90(self) -> Figure:
        return Figure(
            aggregates.percentile(self.days, 0.9),
            aggregates.percentile(self.previous_days, 0.9),
            Unit.DAYS,
            self.link,
            self.previous_link,
        )

    @property
    def count(self) -> Figure:
        return Figure(len(self.days), len(self.previous_days), Unit.COUNT, self.link, self.previous_link)


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


def build_dashboard(period: Period, *, now: datetime.datetime | None = None) -> Dashboard:
    """Every figure of the summary for `period`, compared with the period before; a fixed number of queries."""
    today = timezone.localdate(now or timezone.now())
    previous = period.previous()
    links, before = Links(period), Links(previous)
    received = aggregates.received_in(period)
    previous_received = aggregates.received_in(previous)
    totals = _inquiry_totals(period, previous, today)

    def pair(name: str, unit: str, link: Callable[[Links], str]) -> Figure:
        """The total `name` of both periods, with the link of each."""
        return Figure(totals[f"now_{name}"], totals[f"before_{name}"], unit, link(links), link(before))

    # How fast: days to the first reply and to the decision, and the first replies in time.
    times = [
        TimeTaken(
            _("Days to the first reply"),
            aggregates.days_taken(received, "received_at", "first_replied_at"),
            aggregates.days_taken(previous_received, "received_at", "first_replied_at"),
            links.received(("with_first_reply", "true")),
            before.received(("with_first_reply", "true")),
        ),
        TimeTaken(
            _("Days to the decision"),
            aggregates.days_taken(received, "received_at", "decided_at"),
            aggregates.days_taken(previous_received, "received_at", "decided_at"),
            links.received(("with_decision", "true")),
            before.received(("with_decision", "true")),
        ),
    ]
    replied_in_time = pair("in_time", Unit.COUNT, lambda each: each.received(("replied_in_time", filters.YES)))
    replied_late = pair("late", Unit.COUNT, lambda each: each.received(("replied_in_time", filters.NO)))
    in_time = _share_of(replied_in_time, replied_late)

    # Routing suggestions followed or overridden by the secretariat.
    followed = pair("followed", Unit.COUNT, lambda each: each.received(("suggestion", filters.FOLLOWED)))
    overridden = pair("overridden", Unit.COUNT, lambda each: each.received(("suggestion", filters.OVERRIDDEN)))
    accuracy = _share_of(followed, overridden)

    # What came of it: outcomes, active partnerships (at the end of the period, or today), funding.
    partnerships_on, previous_partnerships_on = min(period.last, today), min(previous.last, today)
    outcome_totals = _outcome_totals(period, previous, partnerships_on, previous_partnerships_on)

    def outcome_pair(name: str, unit: str, link: Callable[[Links], str]) -> Figure:
        now_value, before_value = outcome_totals[f"now_{name}"] or 0, outcome_totals[f"before_{name}"] or 0
        return Figure(now_value, before_value, unit, link(links), link(before))

    outcomes = outcome_pair("outcomes", Unit.COUNT, lambda each: each.decided())
    funding = outcome_pair("funding", Unit.NOK, lambda each: each.decided(("funded", "true")))
    funded = outcome_pair("funded", Unit.COUNT, lambda each: each.decided(("funded", "true")))
    active = Figure(
        outcome_totals["now_active"] or 0,
        outcome_totals["before_active"] or 0,
        Unit.COUNT,
        links.to(("partnership_on", partnerships_on.isoformat())),
        before.to(("partnership_on", previous_partnerships_on.isoformat())),
    )

    backlog = [
        (str(band.label), totals[f"age_{band.key}"], links.to(*_open_statuses(), ("age", band.key)))
        for band in AGE_BANDS
    ]
    received_figure = pair("received", Unit.COUNT, lambda each: each.received())
    first_reply = times[0]
    headlines = [
        Headline(_("Inquiries received"), received_figure),
        Headline(
            _("Median days to the first reply"),
            first_reply.median,
            ngettext(
                "Based on %(count)s inquiry with a first reply",
                "Based on %(count)s inquiries with a first reply",
                len(first_reply.days),
            )
            % {"count": format_number(len(first_reply.days))},
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
        trend=_trend(period),
        by_type=_chart(
            _by_choice(
                aggregates.count_by(received, "inquiry_type"),
                Inquiry.Type.choices,
                lambda value: links.received(("inquiry_type", value)),
            ),
            id="chart-type",
            title=_("Inquiries by type"),
            label_heading=_("Type of inquiry"),
        ),
        by_kind=_chart(
            _by_choice(
                aggregates.count_by(received, "organisation__kind"),
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
                for code, count in aggregates.count_by(received, "organisation__country").items()
            ),
            id="chart-country",
            title=_("Inquiries by country"),
            label_heading=_("Country"),
        ),
        by_county=_chart(
            _by_county(received, links),
            id="chart-county",
            title=_("Inquiries from Norway by county"),
            label_heading=_("County"),
        ),
        by_goal=_chart(
            _by_goal(received, links), id="chart-goal", title=_("Inquiries by SDG goal"), label_heading=_("SDG goal")
        ),
        without_goal=Figure(
            aggregates.count_without_goal(received), None, Unit.COUNT, links.received(("without_goal", "true"))
        ),
        by_unit=_chart(
            _by_unit(received, links),
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
                aggregates.count_by(aggregates.outcomes_in(period), "type"),
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
            _top_organisations(received, links),
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


def _inquiry_totals(period: Period, previous: Period, today: datetime.date) -> dict[str, int]:
    """The counts over the counted inquiries of both periods, and the open ones now by age, in one query."""
    conditions: dict[str, Q] = {}
    for prefix, each in (("now", period), ("before", previous)):
        within = aggregates.received_q(each)
        conditions |= {
            f"{prefix}_received": within,
            f"{prefix}_in_time": within & aggregates.replied_in_time_q(),
            f"{prefix}_late": within & aggregates.replied_late_q(today),
            f"{prefix}_followed": within & Q(suggestion_accepted=True),
            f"{prefix}_overridden": within & Q(suggestion_accepted=False),
        }
    is_open = Q(status__in=Inquiry.OPEN_STATUSES)
    conditions |= {f"age_{band.key}": is_open & band.condition(today) for band in AGE_BANDS}
    return aggregates.counted_inquiries().aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )


def _outcome_totals(
    period: Period, previous: Period, on: datetime.date, previous_on: datetime.date
) -> dict[str, int | None]:
    """Outcomes, funding and active partnerships of both periods, in one query."""
    aggregations: dict[str, Count | Sum] = {}
    for prefix, each, day in (("now", period, on), ("before", previous, previous_on)):
        in_period = Q(pk__in=aggregates.outcomes_in(each).values("pk"))
        aggregations |= {
            f"{prefix}_outcomes": Count("pk", filter=in_period),
            f"{prefix}_funding": Sum("funding_nok", filter=in_period),
            f"{prefix}_funded": Count("pk", filter=in_period & Q(funding_nok__gt=0)),
            f"{prefix}_active": Count("pk", filter=Q(pk__in=aggregates.active_partnerships(day).values("pk"))),
        }
    return Outcome.objects.aggregate(**aggregations)


def _by_goal(received: QuerySet[Inquiry], links: Links) -> list[Datum]:
    """All 17 goals in their order, 0 included (one query for the goals, one for the counts)."""
    counts = aggregates.count_by_goal(received)
    return [
        (str(goal), counts.get(goal.number, 0), links.received(("sdg", goal.number)))
        for goal in SdgGoal.objects.order_by("number")
    ]


def _top_organisations(received: QuerySet[Inquiry], links: Links) -> list[Datum]:
    """The organisations with the most inquiries received in the period, most first, then by name."""
    rows = (
        received.order_by()
        .values("organisation", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation__name", "organisation")[:TOP_ORGANISATIONS]
    )
    return [
        (row["organisation__name"], row["n"], links.received(("organisation", row["organisation"]))) for row in rows
    ]


def _by_county(received: QuerySet[Inquiry], links: Links) -> list[Datum]:
    """Norway's counties with inquiries, by the first two digits of the municipality number (grouped in the
    database); organisations without a known county last."""
    counts = aggregates.count_by(
        received.filter(organisation__country="NO").annotate(county=Substr("organisation__municipality_number", 1, 2)),
        "county",
    )
    rows = _largest_first(
        (COUNTIES[number], count, links.received(("county", number)))
        for number, count in counts.items()
        if number in COUNTIES
    )
    unknown = sum(count for number, count in counts.items() if number not in COUNTIES)
    if unknown:
        rows.append((_("Unknown county"), unknown, links.received(("county", filters.UNKNOWN_COUNTY))))
    return rows


def _by_unit(received: QuerySet[Inquiry], links: Links) -> list[Datum]:
    """Every unit that takes inquiries (0 included), any other unit with inquiries, and those with no unit yet."""
    counts = aggregates.count_by(received, "unit")
    units = MunicipalUnit.objects.filter(Q(is_secretariat=False) | Q(pk__in=[pk for pk in counts if pk]))
    rows = _largest_first((unit.name, counts.get(unit.pk, 0), links.received(("unit", unit.pk))) for unit in units)
    rows.append((_("Not with a unit yet"), counts.get(None, 0), links.received(("without_unit", "true"))))
    return rows


def _trend(period: Period) -> LineChart:
    """Inquiries received in each of the 24 months ending with the period's last month (one query)."""
    months = months_ending(period.last, TREND_MONTHS)
    rows = (
        aggregates.counted_inquiries()
        .filter(received_at__gte=months[0].starts_at, received_at__lt=months[-1].ends_before)
        .annotate(month=TruncMonth("received_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counts = {
        timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month: n for month, n in rows
    }
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
