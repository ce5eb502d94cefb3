"""Business-day arithmetic on the Norwegian calendar: weekends and public holidays are not counted."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _norwegian_holidays(year: int) -> frozenset[datetime.date]:
    # include_sundays=False: python-holidays otherwise lists every Sunday as a Norwegian holiday.
    return frozenset(holidays.Norway(years=year, include_sundays=False).keys())


def is_business_day(day: datetime.date) -> bool:
    """True on Monday to Friday unless the day is a Norwegian public holiday."""
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` business days after `start` (which itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += datetime.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many business days lie after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    # Weekdays by arithmetic (whole weeks, then the days left over), then the holidays on weekdays in between: a
    # unit's stay of years costs the same as one of days.
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    weekdays = weeks * 5 + sum(1 for offset in range(1, rest + 1) if (start.weekday() + offset) % 7 < 5)
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _norwegian_holidays(year)
        if start < day <= end and day.weekday() < 5
    )
    return weekdays - holidays_on_weekdays
