"""What makes the summaries fast at scale: the local-day comparison without a per-row time-zone function, several
figures in one query, the snapshots of large periods (with the page saying when they were counted), the report
page's shortened list of partnerships, and the years with data read from the index.

The figures themselves are checked against hand-computed sets in test_summary.py and test_unece_report.py.
"""

import datetime
import json
import zoneinfo
from typing import Any
from unittest import mock

from django.db import connection
from django.db.models import Max, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import Inquiry, Outcome, SummarySnapshot
from requests_app.services import figures
from requests_app.summaries import aggregates
from requests_app.summaries.dashboard import PeriodFigures, build_dashboard, gather_figures
from requests_app.summaries.periods import Period
from requests_app.summaries.report import FIRST_YEAR, build_report, years_with_data
from requests_app.tasks import refresh_summary_snapshots
from tests.base import PortalTestCase
from tests.factories import make_inquiry
from tests.requests_app.test_summary import MARCH, NOW, SUMMARY, SummaryTestCase
from tests.requests_app.test_unece_report import NOW as REPORT_NOW
from tests.requests_app.test_unece_report import ReportYearTestCase

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.UTC


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> Any:
    return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


class LocalDayComparisonTests(PortalTestCase):
    """Replied on or before the due date in Oslo, around the UTC hours where the local midnight can fall."""

    # (due date, reply in UTC, in time?) — winter: midnight is 23:00 UTC; summer: 22:00 UTC.
    CASES = (
        (datetime.date(2026, 3, 5), utc(2026, 3, 5, 21, 59, 59), True),
        (datetime.date(2026, 3, 5), utc(2026, 3, 5, 22, 30), True),  # 23:30 in Oslo: between the two bounds
        (datetime.date(2026, 3, 5), utc(2026, 3, 5, 22, 59, 59, 999999), True),
        (datetime.date(2026, 3, 5), utc(2026, 3, 5, 23, 0), False),  # midnight in Oslo: the next day
        (datetime.date(2026, 3, 5), utc(2026, 3, 4, 23, 0), True),
        (datetime.date(2026, 6, 5), utc(2026, 6, 5, 21, 59, 59, 500000), True),
        (datetime.date(2026, 6, 5), utc(2026, 6, 5, 22, 0), False),  # midnight in Oslo (summer time)
        (datetime.date(2026, 6, 5), utc(2026, 6, 5, 22, 30), False),  # between the bounds, late
        (datetime.date(2026, 6, 5), utc(2026, 6, 6, 1, 0), False),
        # The night summer time begins (29 March, 02:00 → 03:00): midnight after the 28th is 23:00 UTC.
        (datetime.date(2026, 3, 28), utc(2026, 3, 28, 22, 30), True),
        (datetime.date(2026, 3, 28), utc(2026, 3, 28, 23, 0), False),
        # And the night it ends (25 October): midnight after the 25th is 23:00 UTC, after the 24th 22:00 UTC.
        (datetime.date(2026, 10, 24), utc(2026, 10, 24, 22, 0), False),
        (datetime.date(2026, 10, 25), utc(2026, 10, 25, 22, 30), True),
    )

    def test_in_time_and_late_as_the_local_date_says(self) -> None:
        inquiries = {
            make_inquiry(received_at=utc(2026, 1, 1, 12), first_reply_due_on=due, first_replied_at=replied).pk: expected
            for due, replied, expected in self.CASES
        }
        today = datetime.date(2026, 12, 1)
        for inquiry in Inquiry.objects.filter(pk__in=inquiries):
            assert inquiry.first_replied_at is not None and inquiry.first_reply_due_on is not None
            local = timezone.localtime(inquiry.first_replied_at, OSLO).date()
            self.assertEqual(local <= inquiry.first_reply_due_on, inquiries[inquiry.pk], inquiry.first_replied_at)
        in_time = set(Inquiry.objects.filter(aggregates.replied_in_time_q()).values_list("pk", flat=True))
        late = set(Inquiry.objects.filter(aggregates.replied_late_q(today)).values_list("pk", flat=True))
        self.assertEqual(in_time, {pk for pk, expected in inquiries.items() if expected})
        self.assertEqual(late, {pk for pk, expected in inquiries.items() if not expected})

    def test_no_reply_yet_is_late_only_after_the_due_date(self) -> None:
        waiting = make_inquiry(received_at=utc(2026, 3, 1, 12), first_reply_due_on=datetime.date(2026, 3, 5))
        self.assertFalse(Inquiry.objects.filter(aggregates.replied_in_time_q(), pk=waiting.pk).exists())
        self.assertFalse(
            Inquiry.objects.filter(aggregates.replied_late_q(datetime.date(2026, 3, 5)), pk=waiting.pk).exists()
        )
        self.assertTrue(
            Inquiry.objects.filter(aggregates.replied_late_q(datetime.date(2026, 3, 6)), pk=waiting.pk).exists()
        )

    def test_the_zone_offsets_cover_summer_and_winter(self) -> None:
        self.assertEqual(aggregates._utc_offsets(OSLO), (3600, 7200))


class InOneQueryTests(PortalTestCase):
    def test_single_and_several_values_in_one_query(self) -> None:
        for day in (1, 2, 3):
            make_inquiry(received_at=utc(2026, 3, day, 12), suggestion_accepted=day != 2)
        march = aggregates.received_in(Period.month(2026, 3))
        with CaptureQueriesContext(connection) as queries:
            values = aggregates.in_one_query(
                [
                    aggregates.count_of(march, "received"),
                    aggregates.one_row(
                        march,
                        followed=aggregates.row_count(filter=Q(suggestion_accepted=True)),
                        latest=Max("received_at"),
                    ),
                    aggregates.count_of(aggregates.received_in(Period.month(2026, 4)), "april"),
                    aggregates.one_row(Outcome.objects.all(), funding=Sum("funding_nok")),
                ]
            )
        self.assertEqual(len(queries), 1)
        self.assertEqual(
            {key: value for key, value in values.items() if key != "latest"},
            {"received": 3, "followed": 2, "april": 0, "funding": None},
        )
        self.assertIsNotNone(values["latest"])

    def test_nothing_to_ask_asks_nothing(self) -> None:
        with self.assertNumQueries(0):
            self.assertEqual(aggregates.in_one_query([]), {})

    def test_names_must_not_repeat(self) -> None:
        everything = Inquiry.objects.all()
        with self.assertRaises(ValueError):
            aggregates.in_one_query([aggregates.count_of(everything, "n"), aggregates.count_of(everything, "n")])

    def test_goals_and_those_without_in_one_grouped_query(self) -> None:
        make_inquiry(received_at=utc(2026, 3, 1, 12), sdg_goals=[11, 13])
        make_inquiry(received_at=utc(2026, 3, 2, 12), sdg_goals=[11])
        make_inquiry(received_at=utc(2026, 3, 3, 12))
        with self.assertNumQueries(1):
            self.assertEqual(aggregates.count_by_goal_and_untagged(Inquiry.objects.all()), ({11: 2, 13: 1}, 1))


class SnapshotTests(SummaryTestCase):
    """March 2026 has 7 counted inquiries and February 2: a period of 9. With LIVE_LIMIT at 9 it is large."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.dina)

    def large(self) -> Any:
        return mock.patch.object(figures, "LIVE_LIMIT", 9)

    def received_now(self, response: Any) -> Any:
        return response.context["dashboard"].received.value

    def test_an_ordinary_period_is_counted_on_every_visit_and_not_kept(self) -> None:
        response = self.client.get(f"{SUMMARY}?{MARCH}")
        self.assertFalse(response.context["from_snapshot"])
        self.assertEqual(response.context["counted_at"], NOW)
        self.assertContains(response, "Counted at 12:00 on 10/04/2026, when you opened the page.")
        self.assertFalse(SummarySnapshot.objects.exists())
        make_inquiry(received_at=datetime.datetime(2026, 3, 3, 12, tzinfo=OSLO))
        self.assertEqual(self.received_now(self.client.get(f"{SUMMARY}?{MARCH}")), 8)

    def test_a_large_period_is_kept_and_shown_with_when_it_was_counted(self) -> None:
        with self.large():
            first = self.client.get(f"{SUMMARY}?{MARCH}")
            self.assertFalse(first.context["from_snapshot"])
            snapshot = SummarySnapshot.objects.get()
            self.assertEqual((snapshot.period_kind, snapshot.first, snapshot.last), ("month", *MARCH_DAYS))
            self.assertEqual((snapshot.inquiries, snapshot.counted_at), (9, NOW))
            make_inquiry(received_at=datetime.datetime(2026, 3, 3, 12, tzinfo=OSLO))
            later = NOW + figures.FRESH_FOR - datetime.timedelta(seconds=1)
            with mock.patch("django.utils.timezone.now", return_value=later):
                kept = self.client.get(f"{SUMMARY}?{MARCH}")
            self.assertTrue(kept.context["from_snapshot"])
            self.assertEqual(self.received_now(kept), 7)  # as counted at 12:00
            self.assertContains(kept, "Counted at 12:00 on 10/04/2026. This period has so many inquiries")
            self.assertContains(kept, "they are at most 10 minutes old")
            with mock.patch("django.utils.timezone.now", return_value=NOW + figures.FRESH_FOR):
                recounted = self.client.get(f"{SUMMARY}?{MARCH}")
            self.assertFalse(recounted.context["from_snapshot"])
            self.assertEqual(self.received_now(recounted), 8)
            self.assertEqual(SummarySnapshot.objects.get().inquiries, 10)

    def test_the_snapshot_shows_the_same_figures_as_counting(self) -> None:
        counted = gather_figures(Period.month(2026, 3), now=NOW)
        stored = PeriodFigures.from_json(json.loads(json.dumps(counted.as_json())))
        self.assertEqual(stored, counted)
        with self.large():
            self.client.get(f"{SUMMARY}?{MARCH}")
            live = self.client.get(f"{SUMMARY}?{MARCH}")
        self.assertTrue(live.context["from_snapshot"])
        fresh = build_dashboard(Period.month(2026, 3))
        shown = live.context["dashboard"]
        for name in ("received", "outcomes", "funding", "active_partnerships", "in_time", "suggestion_accuracy"):
            self.assertEqual(getattr(shown, name), getattr(fresh, name), name)
        for name in ("by_type", "by_kind", "by_country", "by_county", "by_goal", "by_unit", "top_organisations"):
            self.assertEqual(getattr(shown, name).bars, getattr(fresh, name).bars, name)
        self.assertEqual(shown.trend.points, fresh.trend.points)
        self.assertEqual(
            [(time.median, time.p90, time.count) for time in shown.times],
            [(time.median, time.p90, time.count) for time in fresh.times],
        )

    def test_a_snapshot_of_another_shape_is_counted_again(self) -> None:
        with self.large():
            self.client.get(f"{SUMMARY}?{MARCH}")
            snapshot = SummarySnapshot.objects.get()
            snapshot.figures = {**snapshot.figures, "version": PeriodFigures.VERSION + 1}
            snapshot.save(update_fields=["figures"])
            self.assertFalse(self.client.get(f"{SUMMARY}?{MARCH}").context["from_snapshot"])
            self.assertEqual(SummarySnapshot.objects.get().figures["version"], PeriodFigures.VERSION)

    def test_a_snapshot_takes_fewer_queries_than_counting(self) -> None:
        with self.large():
            self.client.get(f"{SUMMARY}?{MARCH}")
            with CaptureQueriesContext(connection) as queries:
                self.client.get(f"{SUMMARY}?{MARCH}")
        # Session, user, groups, the snapshot, and the goals' and units' names.
        self.assertEqual(len(queries), 6)

    def test_the_periodic_task_counts_again_what_people_look_at_and_forgets_the_rest(self) -> None:
        with self.large():
            self.client.get(f"{SUMMARY}?{MARCH}")
            self.client.get(f"{SUMMARY}?period=month&on=2026-02-01")  # February with January: too few
            self.assertEqual(SummarySnapshot.objects.count(), 1)
            make_inquiry(received_at=datetime.datetime(2026, 3, 3, 12, tzinfo=OSLO))
            with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(minutes=1)):
                self.assertEqual(refresh_summary_snapshots(), 0)  # counted a minute ago
            with mock.patch("django.utils.timezone.now", return_value=NOW + figures.REFRESH_AFTER):
                self.assertEqual(refresh_summary_snapshots(), 1)
            snapshot = SummarySnapshot.objects.get()
            self.assertEqual((snapshot.inquiries, snapshot.counted_at), (10, NOW + figures.REFRESH_AFTER))
            self.assertEqual(snapshot.viewed_at, NOW)
            # Not looked at for a day: no longer counted; for a week: forgotten.
            with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(days=2)):
                self.assertEqual(refresh_summary_snapshots(), 0)
            with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(days=8)):
                refresh_summary_snapshots()
            self.assertFalse(SummarySnapshot.objects.exists())

    def test_days_taken_are_read_only_when_asked_for(self) -> None:
        board = build_dashboard(Period.month(2026, 3))
        with self.assertNumQueries(1):
            self.assertEqual(sorted(round(days, 6) for days in board.times[0].days), [1, 2, 2, 4, 8])
        with self.assertNumQueries(0):
            self.assertEqual(board.times[0].count.value, 5)


MARCH_DAYS = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


class ReportPageListTests(ReportYearTestCase):
    """2025 has three active partnerships on 31 December (test_unece_report.py)."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.amina)
        self.enterContext(mock.patch("django.utils.timezone.now", return_value=REPORT_NOW))

    def test_the_page_lists_the_first_partnerships_and_says_where_the_rest_are(self) -> None:
        with mock.patch("requests_app.views.reports.PARTNERSHIPS_ON_PAGE", 2):
            response = self.client.get("/en/staff/reports/unece/2025/")
        report = response.context["report"]
        self.assertEqual((len(report.partnerships), report.totals.active_partnerships), (2, 3))
        self.assertEqual(report.partnerships, build_report(2025, now=REPORT_NOW).partnerships[:2])
        self.assertContains(response, "3 active partnerships: the first 2 of 3, oldest first")
        self.assertContains(
            response,
            "Showing the first 2; 1 more partnership is in the downloads (spreadsheet, JSON and PDF), "
            "which list every one.",
        )
        document = json.loads(self.client.get("/en/staff/reports/unece/2025/report.json").content)
        self.assertEqual(len(document["active_partnerships"]), 3)
        self.assertEqual(document["totals"]["active_partnerships"], 3)

    def test_a_short_list_is_shown_whole(self) -> None:
        response = self.client.get("/en/staff/reports/unece/2025/")
        self.assertEqual(len(response.context["report"].partnerships), 3)
        self.assertNotContains(response, "Showing the first")

    def test_the_page_takes_as_many_queries_as_the_downloads(self) -> None:
        full, short = CaptureQueriesContext(connection), CaptureQueriesContext(connection)
        with full:
            build_report(2025, now=REPORT_NOW)
        with short:
            build_report(2025, now=REPORT_NOW, partnership_limit=2)
        self.assertEqual(len(short), len(full))  # the count joins the single figures' query


class YearsWithDataTests(PortalTestCase):
    def test_the_local_years_with_counted_inquiries_newest_first(self) -> None:
        make_inquiry(received_at=utc(2016, 12, 31, 23, 30))  # 2017 in Oslo
        make_inquiry(received_at=utc(2019, 6, 1, 12))
        make_inquiry(received_at=utc(2020, 6, 1, 12), status=Inquiry.Status.SPAM)
        make_inquiry(received_at=utc(2014, 6, 1, 12))  # before the SDGs
        with self.assertNumQueries(1):
            years = years_with_data(today=datetime.date(2026, 4, 1))
        self.assertEqual(years, [2019, 2017])
        self.assertGreaterEqual(min(years), FIRST_YEAR)
