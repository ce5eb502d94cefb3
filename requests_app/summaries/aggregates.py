"""Database aggregates that the dashboard, the digest, the UNECE report and the open statistics share.

Each function is one query (or a fixed few), grouped in the database; none loads inquiries row by row. Several
single figures can share one query (`in_one_query`), each still reading only its own rows through its own index.
"""

import datetime
import functools
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from partners.models import Organisation
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
        # EXTRACT gives numeric; a float here lets plain_rows() read the driver's value as it is.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0 AS double precision)",
            arg_joiner=" - ",
            **extra,
        )


@functools.cache
def _utc_offsets(zone: datetime.tzinfo) -> tuple[int, int]:
    """The smallest and the largest offset from UTC (seconds) that the zone has at noon on every seventh day from
    1970 to 2100 (worked out once per zone and process, in a few milliseconds)."""
    first = datetime.datetime(1970, 1, 1, 12)
    offsets = {
        offset.total_seconds()
        for day in range(0, 131 * 366, 7)
        if (offset := (first + datetime.timedelta(days=day)).replace(tzinfo=zone).utcoffset()) is not None
    }
    return int(min(offsets, default=0)), int(max(offsets, default=0))


class LocalDayComparison(Func):
    """Whether the local date (the current time zone) of a datetime column is on or before (`after`: after) a date
    column, as TruncDate(moment) <= day would say.

    PostgreSQL converts the time zone itself. SQLite has no time zones: Django converts each row in a Python
    function, which costs about as much as the rest of the dashboard. So on SQLite two plain comparisons decide every
    row whose moment is further from the next local midnight than the zone's offsets from UTC allow, and only the
    rows within those few hours go through the conversion.
    """

    output_field = BooleanField()

    def __init__(self, moment: str, day: str, *, after: bool = False) -> None:
        lookup = GreaterThan if after else LessThanOrEqual
        super().__init__(lookup(TruncDate(moment), F(day)), F(moment), F(day))
        self.after = after

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        exact, _moment, _day = self.get_source_expressions()
        return compiler.compile(exact)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        exact, moment, day = self.get_source_expressions()
        exact_sql, exact_params = compiler.compile(exact)
        moment_sql, moment_params = compiler.compile(moment)
        day_sql, day_params = compiler.compile(day)
        # The next local midnight after `day` is, in UTC, between the day after minus the largest offset and the day
        # after minus the smallest. SQLite keeps datetimes as UTC text ("2026-03-05 22:00:00.123") and dates as
        # "2026-03-05", which compare as they sort.
        smallest, largest = _utc_offsets(timezone.get_current_timezone())
        if smallest > 0 and largest < 86400:
            # East of Greenwich, that midnight is on `day` in UTC: the bound is the day with a time of day.
            bound = f"({day_sql} || %s)"
            earliest, latest = (f" {_clock(86400 - largest)}",), (f" {_clock(86400 - smallest)}",)
        else:
            bound = f"datetime({day_sql}, '+1 day', %s)"
            earliest, latest = (f"{-largest:+d} seconds",), (f"{-smallest:+d} seconds",)
        before, on_or_after = ("0", "1") if self.after else ("1", "0")
        sql = (
            f"(CASE WHEN {moment_sql} < {bound} THEN {before} "
            f"WHEN {moment_sql} >= {bound} THEN {on_or_after} ELSE {exact_sql} END)"
        )
        params = (
            *moment_params,
            *day_params,
            *earliest,
            *moment_params,
            *day_params,
            *latest,
            *exact_params,
        )
        return sql, params


def _clock(seconds: int) -> str:
    """A time of day written as SQLite writes it ("22:00:00")."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def row_count(filter: Q | None = None) -> Count:
    """How many rows (that meet `filter`): COUNT(1), which needs no column, so that an index without the primary
    key can answer it alone (PostgreSQL reads the table for a column that its index lacks)."""
    return Count(Value(1), filter=filter)


def one_row(queryset: QuerySet[Any], **aggregations: Aggregate) -> QuerySet[Any]:
    """The aggregations over the queryset's rows, as a one-row queryset for `in_one_query` (its names become the
    names of the values)."""
    return queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(**aggregations).values(*aggregations)


def count_of(queryset: QuerySet[Any], name: str) -> QuerySet[Any]:
    """How many rows the queryset has, as a one-row queryset for `in_one_query`."""
    return one_row(queryset, **{name: row_count()})


def in_one_query(parts: Iterable[QuerySet[Any]]) -> dict[str, Any]:
    """The values of one-row querysets (one_row, count_of) by their names, from one query.

    Each part keeps its own conditions, so each reads only its own rows, through its own index: a part with one
    value is a subquery in the SELECT list, a part with several is a subquery in the FROM list (SELECT (…), p1.a,
    p1.b … FROM (…) p1 CROSS JOIN (…) p2). One aggregate with a FILTER for every figure would read every row that any
    of them needs, and test every condition on each.
    """
    parts = list(parts)
    if not parts:
        return {}
    database = parts[0].db
    connection = connections[database]
    names: list[str] = []
    columns, tables, column_params, table_params = [], [], [], []
    for index, part in enumerate(parts):
        part_names = list(part.query.annotation_select)
        sql, params = part.query.get_compiler(using=database).as_sql()
        names.extend(part_names)
        if len(part_names) == 1:
            columns.append(f"({sql})")
            column_params.extend(params)
        else:
            alias = f"part_{index}"
            columns.extend(f"{alias}.{connection.ops.quote_name(name)}" for name in part_names)
            tables.append(f"({sql}) {alias}")
            table_params.extend(params)
    if len(set(names)) != len(names):
        raise ValueError("Every value of in_one_query needs a name of its own.")
    query = f"SELECT {', '.join(columns)}"
    if tables:
        query += f" FROM {' CROSS JOIN '.join(tables)}"
    with connection.cursor() as cursor:
        # The SELECT list's parameters come before the FROM list's.
        cursor.execute(query, [*column_params, *table_params])
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def plain_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list() queryset as the database driver reads them, without Django's conversion of each
    value: for many plain numbers (integers, floats), where converting every value costs more than reading it."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    rows = queryset.order_by().values(field).annotate(n=row_count()).values_list(field, "n")
    return dict(rows)


# Up to this many organisations are looked up by their ids; more, and all are read in order (see senders).
_ORGANISATIONS_BY_ID = 1000


@dataclass(frozen=True)
class Senders:
    """The counted inquiries of a period by what their organisations are: kind, country, county (Norway only: the
    first two digits of the municipality number), and the organisations that sent the most."""

    by_kind: dict[str, int]
    by_country: dict[str, int]
    by_county: dict[str, int]
    top_organisations: list[tuple[int, str, int]]  # the `top` (pk, name, inquiries): most first, then by name


def senders(received: QuerySet[Inquiry], *, top: int) -> Senders:
    """Two queries: the inquiries counted by organisation (from the index alone), and those organisations in the
    order of their names (the database's collation). Grouping the inquiries by each of the organisation's columns in
    turn would join every inquiry to its organisation four times."""
    counts = count_by(received, "organisation")
    organisations = Organisation.objects.order_by("name", "pk")
    if len(counts) <= _ORGANISATIONS_BY_ID:
        organisations = organisations.filter(pk__in=list(counts))
    # Many: reading every organisation in the order of their names costs less than finding each of them, then
    # sorting; those without inquiries in the period are passed over below.
    by_kind: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    by_county: Counter[str] = Counter()
    named = []
    for pk, name, kind, country, municipality_number in organisations.values_list(
        "pk", "name", "kind", "country", "municipality_number"
    ):
        count = counts.get(pk)
        if count is None:
            continue
        by_kind[kind] += count
        by_country[country] += count
        if country == "NO":
            by_county[(municipality_number or "")[:2]] += count
        named.append((pk, name, count))
    # A stable sort keeps the names' order among organisations with as many inquiries.
    return Senders(dict(by_kind), dict(by_country), dict(by_county), sorted(named, key=lambda row: -row[2])[:top])


def count_by_goal_and_untagged(inquiries: QuerySet[Inquiry]) -> tuple[dict[int, int], int]:
    """How many of the inquiries are tagged with each SDG goal (by goal number), and how many with none, in one
    query: the inquiries joined to their tags, grouped by goal; those without a tag make the group without one."""
    rows = inquiries.order_by().values("sdg_goals").annotate(n=row_count()).values_list("sdg_goals", "n")
    counts: dict[int | None, int] = dict(rows)
    return {number: n for number, n in counts.items() if number is not None}, counts.get(None, 0)


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


def counted_outcomes_in(period: Period) -> QuerySet[Outcome]:
    """The outcomes decided in the period of counted inquiries (not spam, not duplicates). The few inquiries that
    are not counted are looked up once, where joining each outcome to its inquiry would read a row per outcome."""
    not_counted = Inquiry.objects.filter(status__in=NOT_COUNTED).values("pk")
    return outcomes_in(period).exclude(inquiry_id__in=not_counted)


def active_partnerships(on: datetime.date) -> QuerySet[Outcome]:
    """Agreements, joint projects and pilots decided by `on` and not ended by then."""
    return Outcome.objects.filter(type__in=Outcome.PARTNERSHIP_TYPES, decided_on__lte=on).filter(
        Q(partnership_ended_on__isnull=True) | Q(partnership_ended_on__gt=on)
    )


def replied_in_time_q() -> Q:
    """First replied on or before the first-reply due date (the reply's local date)."""
    return Q(first_reply_due_on__isnull=False, first_replied_at__isnull=False) & Q(
        LocalDayComparison("first_replied_at", "first_reply_due_on")
    )


def replied_late_q(today: datetime.date) -> Q:
    """Past the first-reply due date without a reply, or replied after it (the reply's local date)."""
    return Q(first_reply_due_on__lt=today) & (
        Q(first_replied_at__isnull=True) | Q(LocalDayComparison("first_replied_at", "first_reply_due_on", after=True))
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
