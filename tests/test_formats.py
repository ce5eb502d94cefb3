"""Dates and numbers appear in Norwegian format in bokmål and in British format in English."""

import datetime
import zoneinfo

from django.test import SimpleTestCase
from django.utils import formats, translation

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


class FormatTests(SimpleTestCase):
    def test_bokmaal_dates_times_and_numbers(self) -> None:
        with translation.override("nb"):
            self.assertEqual(formats.date_format(datetime.date(2026, 5, 17), "DATE_FORMAT"), "17. mai 2026")
            moment = datetime.datetime(2026, 5, 17, 9, 5, tzinfo=OSLO)
            self.assertEqual(formats.date_format(moment, "DATETIME_FORMAT"), "17. mai 2026 kl. 09:05")
            self.assertEqual(formats.date_format(datetime.date(2026, 5, 17), "SHORT_DATE_FORMAT"), "17.05.2026")
            self.assertEqual(formats.number_format(12345.5, 1, force_grouping=True), "12\xa0345,5")

    def test_english_dates_are_british(self) -> None:
        with translation.override("en"):
            self.assertEqual(formats.date_format(datetime.date(2026, 5, 17), "DATE_FORMAT"), "17 May 2026")
            self.assertEqual(formats.date_format(datetime.date(2026, 5, 17), "SHORT_DATE_FORMAT"), "17/05/2026")
            self.assertEqual(formats.number_format(12345.5, 1, force_grouping=True), "12,345.5")
