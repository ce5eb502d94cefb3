"""Business days over a fixed span, looked up instead of counted: the load generator asks for millions of them."""

import bisect
import datetime

from requests_app.business_days import is_business_day


class BusinessCalendar:
    """add_business_days and business_days_between (requests_app.business_days) for days within [first, last].

    Built once by asking is_business_day for every day of the span, so the answers are the same as the portal's.
    """

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self.first = first
        self.business_days: list[datetime.date] = []
        # _counted[i]: how many business days fall on or before first + i days.
        self._counted: list[int] = []
        day = first
        while day <= last:
            if is_business_day(day):
                self.business_days.append(day)
            self._counted.append(len(self.business_days))
            day += datetime.timedelta(days=1)

    def _count_up_to(self, day: datetime.date) -> int:
        index = (day - self.first).days
        if index < 0 or index >= len(self._counted):
            raise ValueError(f"{day} is outside the calendar's span")
        return self._counted[index]

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` business days after `start` (which itself is not counted)."""
        if days <= 0:
            return start
        return self.business_days[self._count_up_to(start) + days - 1]

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """How many business days lie after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        return self._count_up_to(end) - self._count_up_to(start)

    def before(self, day: datetime.date, days: int) -> datetime.date:
        """The business day `days` business days before `day` (for an interim reply sent ahead of a due date)."""
        index = bisect.bisect_left(self.business_days, day) - days
        return self.business_days[max(index, 0)]
