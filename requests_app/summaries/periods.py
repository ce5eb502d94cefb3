"""Periods of whole days in the portal's time zone (Europe/Oslo): this month, a quarter, a year, or custom.

An inquiry received at 23:30 UTC on 31 January was received on 1 February in Trondheim, and counts there: every
boundary is local midnight, made aware in the current time zone.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before, when negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The aware datetime at which `day` begins in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """The days from `first` to `last`, both included."""

    kind: PeriodKind
    first: datetime.date
    last: datetime.date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = datetime.date(year, month, 1)
        return cls(PeriodKind.MONTH, first, _first_of_next_month(first) - datetime.timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        return cls(PeriodKind.QUARTER, first, add_months(first, 3) - datetime.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def custom(cls, first: datetime.date, last: datetime.date) -> "Period":
        return cls(PeriodKind.CUSTOM, first, last)

    @classmethod
    def containing(cls, kind: PeriodKind, day: datetime.date) -> "Period":
        """The month, quarter or year that `day` falls in."""
        if kind == PeriodKind.MONTH:
            return cls.month(day.year, day.month)
        if kind == PeriodKind.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.year(day.year)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def starts_at(self) -> datetime.datetime:
        return local_midnight(self.first)

    @property
    def ends_before(self) -> datetime.datetime:
        """The first moment after the period (exclusive upper bound for datetimes)."""
        return local_midnight(self.last + datetime.timedelta(days=1))

    def previous(self) -> "Period":
        """The period of the same kind and length just before this one."""
        if self.kind == PeriodKind.MONTH:
            return Period.containing(PeriodKind.MONTH, self.first - datetime.timedelta(days=1))
        if self.kind == PeriodKind.QUARTER:
            first = add_months(self.first, -3)
            return Period.quarter(first.year, (first.month - 1) // 3 + 1)
        if self.kind == PeriodKind.YEAR:
            return Period.year(self.first.year - 1)
        last = self.first - datetime.timedelta(days=1)
        return Period.custom(last - datetime.timedelta(days=self.days - 1), last)

    @property
    def label(self) -> str:
        """The period in words, in the active language."""
        if self.kind == PeriodKind.MONTH:
            return date_format(self.first, "F Y").capitalize()
        if self.kind == PeriodKind.QUARTER:
            return _("Quarter %(quarter)s %(year)s") % {
                "quarter": (self.first.month - 1) // 3 + 1,
                "year": self.first.year,
            }
        if self.kind == PeriodKind.YEAR:
            return str(self.first.year)
        return _("%(first)s to %(last)s") % {
            "first": date_format(self.first, "SHORT_DATE_FORMAT"),
            "last": date_format(self.last, "SHORT_DATE_FORMAT"),
        }

    def inbox_query(self) -> dict[str, str]:
        """The inbox filter (received from, received to) that lists the inquiries received in this period."""
        return {"received_after": self.first.isoformat(), "received_before": self.last.isoformat()}


def months_ending(last_month: datetime.date, count: int) -> list[Period]:
    """The `count` whole months ending with the month of `last_month`, oldest first."""
    return [Period.containing(PeriodKind.MONTH, add_months(last_month, -offset)) for offset in range(count - 1, -1, -1)]
