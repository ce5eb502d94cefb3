"""Database aggregates that the dashboard, the digest, the UNECE report and the open statistics share.

Each function is one query (or a fixed few), grouped in the database; none loads inquiries row by row.
"""

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from requests_app.models import Inquiry, Outcome
from requests_app.summaries.periods import Period, local_midnight

S = Inquiry.Status

# Spam is not an inquiry, and a duplicate is the same inquiry twice: neither is counted as received.
NOT_COUNTED = (S.SPAM, S.DUPLICATE)


class DaysBetween(Func):
    """The time from one datetime column to another, in days (a float), on SQLite and PostgreSQL."""

    output_field = FloatField()

    def __init__(self, start: str | Combinable, end: str | Combinable) -> None:
        # The later one first: the SQL reads "end minus start".
        super().__init__(F(end) if isinstance(end, str) else end, F(start) if isinstance(start, str) else start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )


def counted_inquiries() -> QuerySet[Inquiry]:
    """Every inquiry that counts in figures: not spam, not a duplicate."""
    return Inquiry.objects.exclude(status__in=NOT_COUNTED)


def received_q(period: Period) -> Q:
    """Received in the period (local days), as a condition for filters and conditional aggregates."""
    return Q(received_at__gte=period.starts_at, received_at__lt=period.ends_before)


def received_in(period: Period) -> QuerySet[Inquiry]:
    """The counted inquiries received in the period (local days)."""
    return counted_inquiries().filter(received_q(period))


def count_by(queryset: QuerySet[Any], field: str) -> dict[Any, int]:
    """How many rows have each value of `field` (one GROUP BY query); values without rows are absent."""
    rows = queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return dict(rows)


def count_by_goal(inquiries: QuerySet[Inquiry]) -> dict[int, int]:
    """How many of the inquiries are tagged with each SDG goal, by goal number (one query over the tags)."""
    through = Inquiry.sdg_goals.through
    rows = (
        through.objects.filter(inquiry__in=inquiries.order_by().values("pk"))
        .values("sdggoal__number")
        .annotate(n=Count("inquiry_id"))
        .values_list("sdggoal__number", "n")  # type: ignore[misc]  # django-stubs does not see the annotation
    )
    return dict(rows)


def count_without_goal(inquiries: QuerySet[Inquiry]) -> int:
    """How many of the inquiries have no SDG goal at all."""
    tagged = Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"))
    return inquiries.filter(~Exists(tagged)).count()


def days_taken(inquiries: QuerySet[Inquiry], start: str, end: str) -> list[float]:
    """For each inquiry where both are set, the days from `start` to `end` (one query, floats only)."""
    return list(
        inquiries.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .order_by()
        .annotate(days=DaysBetween(start, end))
        .values_list("days", flat=True)
    )


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which `share` (0–1) of the values lie (linear interpolation, as PostgreSQL's
    percentile_cont); None when there are none."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def outcomes_in(period: Period) -> QuerySet[Outcome]:
    """The outcomes decided in the period (their own date, a local date)."""
    return Outcome.objects.filter(decided_on__gte=period.first, decided_on__lte=period.last)


def active_partnerships(on: datetime.date) -> QuerySet[Outcome]:
    """Agreements, joint projects and pilots decided by `on` and not ended by then."""
    return Outcome.objects.filter(type__in=Outcome.PARTNERSHIP_TYPES, decided_on__lte=on).filter(
        Q(partnership_ended_on__isnull=True) | Q(partnership_ended_on__gt=on)
    )


def funding_nok(outcomes: QuerySet[Outcome]) -> int:
    """The funding mobilised by the outcomes, in NOK (0 when none)."""
    return outcomes.aggregate(total=Sum("funding_nok"))["total"] or 0


def ordered_counts(counts: dict[Any, int], keys: Iterable[Any]) -> list[tuple[Any, int]]:
    """The counts in the order of `keys`, with 0 for the keys that have no rows."""
    return [(key, counts.get(key, 0)) for key in keys]


def replied_in_time_q() -> Q:
    """First replied on or before the first-reply due date (the reply's local date)."""
    replied_on = TruncDate("first_replied_at")
    return Q(first_reply_due_on__isnull=False, first_replied_at__isnull=False) & Q(
        LessThanOrEqual(replied_on, F("first_reply_due_on"))
    )


def replied_late_q(today: datetime.date) -> Q:
    """Past the first-reply due date without a reply, or replied after it (the reply's local date)."""
    replied_on = TruncDate("first_replied_at")
    return Q(first_reply_due_on__lt=today) & (
        Q(first_replied_at__isnull=True) | Q(GreaterThan(replied_on, F("first_reply_due_on")))
    )


@dataclass(frozen=True)
class AgeBand:
    """Inquiries received from `first` to `last` days ago (local days; no `last`: any longer)."""

    key: str
    first: int
    last: int | None
    label: str | Promise

    def condition(self, today: datetime.date) -> Q:
        condition = Q()
        if self.last is not None:
            condition &= Q(received_at__gte=local_midnight(today - datetime.timedelta(days=self.last)))
        if self.first > 0:
            condition &= Q(received_at__lt=local_midnight(today - datetime.timedelta(days=self.first - 1)))
        return condition


# The open backlog's age bands, by days since the inquiry was received; an inquiry dated ahead counts as new.
AGE_BANDS = (
    AgeBand("0-7", 0, 7, gettext_lazy("0–7 days")),
    AgeBand("8-30", 8, 30, gettext_lazy("8–30 days")),
    AgeBand("31-90", 31, 90, gettext_lazy("31–90 days")),
    AgeBand("91-", 91, None, gettext_lazy("More than 90 days")),
)


def age_band(key: str) -> AgeBand | None:
    return next((band for band in AGE_BANDS if band.key == key), None)
