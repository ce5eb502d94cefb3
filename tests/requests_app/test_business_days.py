import datetime

from django.test import SimpleTestCase

from requests_app.business_days import add_business_days, is_business_day


class BusinessDayTests(SimpleTestCase):
    def test_weekends_are_skipped(self) -> None:
        friday = datetime.date(2026, 3, 6)
        self.assertEqual(add_business_days(friday, 1), datetime.date(2026, 3, 9))
        self.assertEqual(add_business_days(friday, 5), datetime.date(2026, 3, 13))

    def test_the_start_day_is_not_counted_and_zero_days_is_the_same_day(self) -> None:
        tuesday = datetime.date(2026, 3, 10)
        self.assertEqual(add_business_days(tuesday, 0), tuesday)
        self.assertEqual(add_business_days(tuesday, 1), datetime.date(2026, 3, 11))

    def test_easter_2026_is_skipped(self) -> None:
        # Skjærtorsdag 2 April, Langfredag 3 April and 2. påskedag 6 April 2026 are public holidays.
        for day in (datetime.date(2026, 4, 2), datetime.date(2026, 4, 3), datetime.date(2026, 4, 6)):
            with self.subTest(day=day):
                self.assertFalse(is_business_day(day))
        self.assertEqual(add_business_days(datetime.date(2026, 4, 1), 1), datetime.date(2026, 4, 7))
        self.assertEqual(add_business_days(datetime.date(2026, 3, 31), 5), datetime.date(2026, 4, 10))

    def test_may_holidays_2026_are_skipped(self) -> None:
        # Arbeidernes dag 1 May (Friday), Kristi himmelfartsdag 14 May (Thursday), 17 May (a Sunday).
        self.assertEqual(add_business_days(datetime.date(2026, 4, 30), 1), datetime.date(2026, 5, 4))
        self.assertEqual(add_business_days(datetime.date(2026, 5, 13), 1), datetime.date(2026, 5, 15))
        self.assertEqual(add_business_days(datetime.date(2026, 5, 12), 5), datetime.date(2026, 5, 20))
        # 2. pinsedag follows on Monday 25 May.
        self.assertEqual(add_business_days(datetime.date(2026, 5, 22), 1), datetime.date(2026, 5, 26))

    def test_constitution_day_on_a_weekday_is_not_a_business_day(self) -> None:
        self.assertFalse(is_business_day(datetime.date(2027, 5, 17)))  # a Monday
        self.assertEqual(add_business_days(datetime.date(2027, 5, 14), 1), datetime.date(2027, 5, 18))

    def test_ordinary_weekdays_are_business_days(self) -> None:
        self.assertTrue(is_business_day(datetime.date(2026, 4, 7)))
        self.assertFalse(is_business_day(datetime.date(2026, 4, 4)))  # Saturday

    def test_negative_days_are_refused(self) -> None:
        with self.assertRaises(ValueError):
            add_business_days(datetime.date(2026, 3, 10), -1)


def test_business_days_between_agrees_with_counting_day_by_day_over_random_spans() -> None:
    """The arithmetic count (weeks, the rest, then the holidays) equals walking the calendar one day at a time."""
    import random

    from requests_app.business_days import business_days_between, is_business_day

    def day_by_day(start: datetime.date, end: datetime.date) -> int:
        return sum(
            1 for offset in range(1, (end - start).days + 1) if is_business_day(start + datetime.timedelta(offset))
        )

    chance = random.Random(2026)
    for _ in range(3000):
        start = datetime.date(2018, 1, 1) + datetime.timedelta(days=chance.randrange(4000))
        end = start + datetime.timedelta(days=chance.randrange(-20, 1500))
        assert business_days_between(start, end) == day_by_day(start, end), (start, end)
