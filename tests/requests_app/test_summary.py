"""The summary dashboard at /staff/summary/: every figure against a hand-computed set of inquiries.

Today is Friday 10 April 2026 (Oslo); the period looked at is March 2026, compared with February. Summer time began
on 29 March, so March's last evening is two hours ahead of UTC and February's first night one hour.
"""

import datetime
import re
import zoneinfo
from html import unescape
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partners.models import MunicipalUnit, Organisation
from requests_app.models import Inquiry, Outcome, SdgGoal
from requests_app.summaries import aggregates
from requests_app.summaries.dashboard import Dashboard, Unit, build_dashboard
from requests_app.summaries.periods import Period, PeriodKind
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry, make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.UTC
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=OSLO)
SUMMARY = "/en/staff/summary/"
MARCH = "period=month&on=2026-03-01"


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def bars(chart: Any) -> dict[str, float]:
    return {bar.label: bar.value for bar in chart.bars}


class SummaryTestCase(PortalTestCase):
    """The known set. Counted inquiries received in March 2026 (Oslo days), with their first reply (due, done,
    days taken), decision (days) and routing suggestion:

    i1 Tech AS       partnership   company       SDG 11, 13 bym      2 Mar 09:00  due 5 Mar: 4 Mar (2 d)   10 d followed
    i2 Tech AS       research      company       SDG 11     oppvekst 3 Mar 00:30  due 6 Mar: 7 Mar (4 d)   –    overrid.
    i3 Malvik        knowledge     municipality  SDG 4      bym      10 Mar 08:00 due 13 Mar: 11 Mar (1 d) 6 d  followed
    i4 Gamle (1601)  funding       municipality  –          –        20 Mar 12:00 due 25 Mar: none         –    –
    i5 Göteborg (SE) research      research      SDG 4, 17  bym      31 Mar 23:30 no due: 2 Apr (2 d)      –    followed
    i6 UN-Habitat    event         international SDG 11, 17 bym      1 Mar 00:30  due 4 Mar: 9 Mar (8 d)   20 d –
    i7 Oslo (0301)   other         municipality  SDG 13     –        30 Mar 12:00 due 14 Apr: none         –    –

    i6 was received at 23:30 UTC on 28 February: March in Oslo. i2's reply at 00:30 on 7 March is 23:30 UTC on the
    6th, its due date: late in Oslo. Not counted: a spam and a duplicate in March. Received 31 March 22:30 UTC is
    1 April in Oslo (x1). February: p1 (31 January 23:30 UTC, 2 days to reply, in time, followed, decided in 19 days)
    and p2 (past due without reply, overridden). January: p3 (31 January 22:30 UTC is still January in Oslo), b3.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        org = make_organisation
        tech = org(name="Trondheim Tech AS", kind=Organisation.Kind.COMPANY)
        malvik = org(name="Malvik kommune", kind=Organisation.Kind.MUNICIPALITY, municipality_number="5031")
        oslo_kommune = org(name="Oslo kommune", kind=Organisation.Kind.MUNICIPALITY, municipality_number="0301")
        # 16xx was Sør-Trøndelag before 2018: not a county in the 2024 table.
        gamle = org(name="Gamle Trondheim kommune", kind=Organisation.Kind.MUNICIPALITY, municipality_number="1601")
        gbg = org(name="Göteborgs universitet", kind=Organisation.Kind.RESEARCH, country="SE")
        unhab = org(name="UN-Habitat", kind=Organisation.Kind.INTERNATIONAL, country="KE")
        goal = {number: SdgGoal.objects.get(number=number) for number in (4, 11, 13, 17)}
        T = Inquiry.Type

        def inquiry(organisation: Organisation, **fields: Any) -> Inquiry:
            return make_inquiry(contact=make_contact(organisation), **fields)

        i1 = inquiry(
            tech, inquiry_type=T.PARTNERSHIP, sdg_goals=[goal[11], goal[13]], unit=cls.bym_unit,
            status=S.DECIDED, received_at=oslo(2026, 3, 2, 9), first_reply_due_on=datetime.date(2026, 3, 5),
            first_replied_at=oslo(2026, 3, 4, 9), decided_at=oslo(2026, 3, 12, 9), suggestion_accepted=True,
        )  # fmt: skip
        inquiry(  # i2
            tech, inquiry_type=T.RESEARCH, sdg_goals=[goal[11]], unit=cls.oppvekst_unit, status=S.IN_PROGRESS,
            received_at=oslo(2026, 3, 3, 0, 30), first_reply_due_on=datetime.date(2026, 3, 6),
            first_replied_at=utc(2026, 3, 6, 23, 30), suggestion_accepted=False,
        )  # fmt: skip
        i3 = inquiry(
            malvik, inquiry_type=T.KNOWLEDGE_EXCHANGE, sdg_goals=[goal[4]], unit=cls.bym_unit, status=S.CLOSED,
            received_at=oslo(2026, 3, 10, 8), first_reply_due_on=datetime.date(2026, 3, 13),
            first_replied_at=oslo(2026, 3, 11, 8), decided_at=oslo(2026, 3, 16, 8), suggestion_accepted=True,
        )  # fmt: skip
        inquiry(  # i4
            gamle, inquiry_type=T.FUNDING, status=S.RECEIVED, received_at=oslo(2026, 3, 20),
            first_reply_due_on=datetime.date(2026, 3, 25),
        )  # fmt: skip
        inquiry(  # i5
            gbg, inquiry_type=T.RESEARCH, sdg_goals=[goal[4], goal[17]], unit=cls.bym_unit, status=S.ROUTED,
            received_at=oslo(2026, 3, 31, 23, 30), first_replied_at=oslo(2026, 4, 2, 23, 30),
            suggestion_accepted=True,
        )  # fmt: skip
        i6 = inquiry(
            unhab, inquiry_type=T.EVENT, sdg_goals=[goal[11], goal[17]], unit=cls.bym_unit, status=S.CLOSED,
            received_at=utc(2026, 2, 28, 23, 30), first_reply_due_on=datetime.date(2026, 3, 4),
            first_replied_at=oslo(2026, 3, 9, 0, 30), decided_at=oslo(2026, 3, 21, 0, 30),
        )  # fmt: skip
        inquiry(  # i7
            oslo_kommune, inquiry_type=T.OTHER, sdg_goals=[goal[13]], status=S.IN_TRIAGE,
            received_at=oslo(2026, 3, 30), first_reply_due_on=datetime.date(2026, 4, 14),
        )  # fmt: skip
        # Not counted anywhere.
        inquiry(tech, status=S.SPAM, received_at=oslo(2026, 3, 5), sdg_goals=[goal[11]])
        inquiry(tech, status=S.DUPLICATE, duplicate_of=i1, received_at=oslo(2026, 3, 6))
        # April in Oslo (00:30 summer time), open; and more of the open backlog.
        inquiry(tech, status=S.RECEIVED, received_at=utc(2026, 3, 31, 22, 30))  # x1: 9 days old
        inquiry(tech, status=S.RECEIVED, received_at=oslo(2026, 4, 3, 0, 30))  # b1: 7 days old
        inquiry(tech, status=S.AWAITING_PARTNER, received_at=oslo(2025, 12, 1))  # b2: 130 days old
        inquiry(tech, status=S.IN_PROGRESS, received_at=oslo(2026, 1, 10, 0, 30))  # b3: 90 days old
        # February: p1 from 1 February 00:30 in Oslo; p2 past due without a reply.
        p1 = inquiry(
            tech, inquiry_type=T.PILOT, status=S.CLOSED, received_at=utc(2026, 1, 31, 23, 30),
            first_reply_due_on=datetime.date(2026, 2, 4), first_replied_at=oslo(2026, 2, 3, 0, 30),
            decided_at=oslo(2026, 2, 20, 0, 30), suggestion_accepted=True,
        )  # fmt: skip
        inquiry(  # p2
            malvik, inquiry_type=T.RESEARCH, status=S.RECEIVED, received_at=oslo(2026, 2, 10),
            first_reply_due_on=datetime.date(2026, 2, 13), suggestion_accepted=False,
        )  # fmt: skip
        # January in Oslo (23:30), closed; and June 2025, an agreement that ended on 10 March.
        p3 = inquiry(tech, status=S.CLOSED, received_at=utc(2026, 1, 31, 22, 30))
        o1 = inquiry(unhab, status=S.CLOSED, received_at=oslo(2025, 6, 1))

        def outcome(inquiry: Inquiry, kind: str, on: datetime.date, **fields: Any) -> None:
            Outcome.objects.create(inquiry=inquiry, type=kind, decided_on=on, recorded_at=NOW, **fields)

        OT = Outcome.Type
        outcome(i1, OT.AGREEMENT, datetime.date(2026, 3, 20), funding_nok=500_000)
        outcome(i3, OT.KNOWLEDGE_SHARED, datetime.date(2026, 3, 16), funding_nok=0)
        outcome(i6, OT.DECLINED, datetime.date(2026, 3, 21))
        outcome(p3, OT.JOINT_PROJECT, datetime.date(2026, 3, 5), funding_nok=250_000)
        outcome(p1, OT.PILOT, datetime.date(2026, 2, 20), funding_nok=100_000)
        outcome(o1, OT.AGREEMENT, datetime.date(2025, 6, 15), partnership_ended_on=datetime.date(2026, 3, 10))

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(mock.patch("django.utils.timezone.now", return_value=NOW))
        self.enterContext(translation.override("en"))

    def board(self, period: Period | None = None) -> Dashboard:
        return build_dashboard(period or Period.month(2026, 3))

    def page(self, query: str = MARCH, **kwargs: Any) -> "TestResponse":
        self.client.force_login(kwargs.get("user", self.dina))
        response = self.client.get(f"{SUMMARY}?{query}" if query else SUMMARY)
        self.assertEqual(response.status_code, 200)
        return response

    def listed(self, link: str) -> int:
        """How many inquiries the inbox lists at `link` (for the secretariat, who sees them all)."""
        self.client.force_login(self.amina)
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200, link)
        self.assertFalse(response.context["filter"].errors, link)
        return int(response.context["paginator"].count)


class FigureTests(SummaryTestCase):
    def test_inquiries_received_against_february(self) -> None:
        board = self.board()
        self.assertEqual((board.received.value, board.received.previous), (7, 2))
        self.assertEqual(board.received.change, 5)
        self.assertEqual(board.received.change_text, "+5 (+250%)")

    def test_by_type_lists_every_type(self) -> None:
        T = Inquiry.Type
        self.assertEqual(
            bars(self.board().by_type),
            {
                str(T.PARTNERSHIP.label): 1,
                str(T.KNOWLEDGE_EXCHANGE.label): 1,
                str(T.RESEARCH.label): 2,
                str(T.FUNDING.label): 1,
                str(T.PILOT.label): 0,
                str(T.EVENT.label): 1,
                str(T.DATA_REQUEST.label): 0,
                str(T.OTHER.label): 1,
            },
        )

    def test_by_kind_of_organisation(self) -> None:
        counts = bars(self.board().by_kind)
        self.assertEqual(len(counts), len(Organisation.Kind.choices))
        K = Organisation.Kind
        self.assertEqual(
            {label: count for label, count in counts.items() if count},
            {str(K.COMPANY.label): 2, str(K.MUNICIPALITY.label): 3, str(K.RESEARCH.label): 1,
             str(K.INTERNATIONAL.label): 1},
        )  # fmt: skip

    def test_by_country_most_first(self) -> None:
        chart = self.board().by_country
        self.assertEqual([(bar.label, bar.value) for bar in chart.bars], [("Norway", 5), ("Kenya", 1), ("Sweden", 1)])

    def test_norway_by_county_from_the_municipality_number(self) -> None:
        chart = self.board().by_county
        # Tech AS has no municipality number and 1601 is no county since 2018: both unknown, and last.
        self.assertEqual(
            [(bar.label, bar.value) for bar in chart.bars], [("Oslo", 1), ("Trøndelag", 1), ("Unknown county", 3)]
        )

    def test_all_seventeen_goals_with_zeros_and_those_without_a_goal(self) -> None:
        board = self.board()
        values = [bar.value for bar in board.by_goal.bars]
        self.assertEqual(len(values), 17)
        self.assertEqual({number: values[number - 1] for number in (4, 11, 13, 17)}, {4: 2, 11: 3, 13: 2, 17: 2})
        self.assertEqual(sum(values), 9)
        self.assertEqual(board.by_goal.bars[10].label, str(SdgGoal.objects.get(number=11)))
        self.assertEqual(board.without_goal.value, 1)

    def test_by_responsible_unit_every_unit_and_those_with_none(self) -> None:
        counts = bars(self.board().by_unit)
        units = MunicipalUnit.objects.filter(is_secretariat=False)
        self.assertEqual(len(counts), units.count() + 1)
        self.assertEqual(counts[self.bym_unit.name], 4)
        self.assertEqual(counts[self.oppvekst_unit.name], 1)
        self.assertEqual(counts["Not with a unit yet"], 2)
        self.assertEqual(sum(counts.values()), 7)

    def test_open_backlog_now_by_age_band(self) -> None:
        board = self.board()
        # 0–7: b1 (7 days); 8–30: i4, i5, i7, x1; 31–90: i2, p2, b3 (90 days); over 90: b2.
        self.assertEqual([bar.value for bar in board.backlog.bars], [1, 4, 3, 1])
        self.assertEqual(board.backlog_total.value, 9)
        # The backlog is now, whatever the period.
        self.assertEqual([bar.value for bar in self.board(Period.month(2025, 3)).backlog.bars], [1, 4, 3, 1])

    def test_median_and_90th_percentile_days_with_linear_interpolation(self) -> None:
        first_reply, decision = self.board().times
        # First replies: 1, 2, 2, 4, 8 days; p90 is at position 3.6: 4 + 0.6 × (8 − 4).
        self.assertEqual(sorted(round(days, 6) for days in first_reply.days), [1, 2, 2, 4, 8])
        self.assertAlmostEqual(first_reply.median.value or 0, 2)
        self.assertAlmostEqual(first_reply.p90.value or 0, 6.4)
        self.assertEqual(first_reply.count.value, 5)
        # Decisions: 6, 10, 20 days; p90 at position 1.8: 10 + 0.8 × 10.
        self.assertAlmostEqual(decision.median.value or 0, 10)
        self.assertAlmostEqual(decision.p90.value or 0, 18)
        # February: p1 only, 2 days to the first reply and 19 to the decision.
        self.assertAlmostEqual(first_reply.median.previous or 0, 2)
        self.assertAlmostEqual(decision.median.previous or 0, 19)
        self.assertAlmostEqual(decision.median.change or 0, -9)
        self.assertEqual(decision.median.change_text, "−9.0 days")

    def test_days_taken_are_elapsed_time_across_the_change_to_summer_time(self) -> None:
        # Noon on Saturday 28 March to noon on Monday 30 March is 47 hours: the clocks went forward in between.
        inquiry = make_inquiry(received_at=oslo(2026, 3, 28), first_replied_at=oslo(2026, 3, 30))
        (days,) = aggregates.days_taken(Inquiry.objects.filter(pk=inquiry.pk), "received_at", "first_replied_at")
        self.assertAlmostEqual(days, 47 / 24)

    def test_share_answered_within_the_target(self) -> None:
        board = self.board()
        # In time: i1, i3. Late: i2 (00:30 the day after, in Oslo), i4 (past due), i6. Not counted: i5 (no due
        # date), i7 (due later).
        self.assertEqual((board.replied_in_time.value, board.replied_late.value), (2, 3))
        self.assertAlmostEqual(board.in_time.value or 0, 40)
        # February: p1 in time, p2 late.
        self.assertEqual((board.replied_in_time.previous, board.replied_late.previous), (1, 1))
        self.assertAlmostEqual(board.in_time.previous or 0, 50)
        self.assertEqual(board.in_time.change_text, "−10 percentage points")

    def test_outcomes_partnerships_and_funding(self) -> None:
        board = self.board()
        OT = Outcome.Type
        counts = bars(board.outcomes_by_type)
        self.assertEqual(len(counts), len(OT.choices))
        self.assertEqual(
            {label: count for label, count in counts.items() if count},
            {str(OT.AGREEMENT.label): 1, str(OT.JOINT_PROJECT.label): 1, str(OT.KNOWLEDGE_SHARED.label): 1,
             str(OT.DECLINED.label): 1},
        )  # fmt: skip
        self.assertEqual((board.outcomes.value, board.outcomes.previous), (4, 1))
        # On 31 March: p1's pilot, p3's joint project and i1's agreement; o1's ended on 10 March. On 28 February:
        # p1's pilot and o1's agreement.
        self.assertEqual(board.partnerships_on, datetime.date(2026, 3, 31))
        self.assertEqual((board.active_partnerships.value, board.active_partnerships.previous), (3, 2))
        self.assertEqual((board.funding.value, board.funding.previous), (750_000, 100_000))
        self.assertEqual((board.funded.value, board.funded.previous), (2, 1))
        self.assertEqual(board.funding.text, "NOK 750,000")
        self.assertEqual(board.funding.change_text, "+NOK 650,000 (+650%)")

    def test_active_partnerships_of_the_running_period_are_counted_today(self) -> None:
        board = self.board(Period.month(2026, 4))
        self.assertEqual(board.partnerships_on, datetime.date(2026, 4, 10))
        self.assertEqual(board.active_partnerships.value, 3)

    def test_routing_suggestions_followed_and_overridden(self) -> None:
        board = self.board()
        self.assertEqual((board.suggestions_followed.value, board.suggestions_overridden.value), (3, 1))
        self.assertAlmostEqual(board.suggestion_accuracy.value or 0, 75)
        self.assertAlmostEqual(board.suggestion_accuracy.previous or 0, 50)
        self.assertEqual(board.suggestion_accuracy.unit, Unit.SHARE)

    def test_most_active_organisations_most_first_then_by_name(self) -> None:
        chart = self.board().top_organisations
        self.assertEqual(
            [(bar.label, bar.value) for bar in chart.bars],
            [
                ("Trondheim Tech AS", 2),
                ("Gamle Trondheim kommune", 1),
                ("Göteborgs universitet", 1),
                ("Malvik kommune", 1),
                ("Oslo kommune", 1),
                ("UN-Habitat", 1),
            ],
        )

    def test_no_more_than_ten_organisations(self) -> None:
        for number in range(12):
            make_inquiry(received_at=oslo(2026, 3, 15), contact=make_contact(make_organisation(name=f"Org {number}")))
        self.assertEqual(len(self.board().top_organisations.bars), 10)

    def test_monthly_trend_over_24_months_in_oslo_months(self) -> None:
        trend = self.board().trend
        self.assertEqual(len(trend.points), 24)
        self.assertEqual((trend.points[0].label, trend.points[-1].label), ("April 2024", "March 2026"))
        counts = {point.label: point.value for point in trend.points if point.value}
        # p3 (31 January 22:30 UTC) is January; p1 (31 January 23:30 UTC) February; x1 (31 March 22:30 UTC) April.
        self.assertEqual(
            counts, {"June 2025": 1, "December 2025": 1, "January 2026": 2, "February 2026": 2, "March 2026": 7}
        )

    def test_midnight_in_oslo_decides_the_month(self) -> None:
        # 31 January 23:30 UTC is 1 February in Oslo (winter time); 31 March 22:30 UTC is 1 April (summer time).
        april = self.board(Period.month(2026, 4))
        self.assertEqual((april.received.value, april.received.previous), (2, 7))  # x1 and b1; i5 is March's
        january = self.board(Period.month(2026, 1))
        self.assertEqual(january.received.value, 2)  # p3 and b3, not p1
        self.assertEqual(january.received.previous, 1)  # b2 in December

    def test_an_empty_period_has_zeros_and_no_division_errors(self) -> None:
        board = self.board(Period.month(2024, 3))
        self.assertEqual((board.received.value, board.received.previous), (0, 0))
        self.assertIsNone(board.received.change_percent)
        self.assertEqual(board.received.change_text, "No change")
        for chart in (board.by_type, board.by_kind, board.by_goal, board.by_unit, board.outcomes_by_type):
            self.assertTrue(chart.is_empty)
            self.assertEqual(chart.total, 0)
            self.assertEqual(chart.description, "No data for this period.")
        self.assertEqual((board.by_country.bars, board.by_county.bars, board.top_organisations.bars), ([], [], []))
        self.assertTrue(board.trend.is_empty)
        for figure in (board.times[0].median, board.times[0].p90, board.times[1].median, board.in_time,
                       board.suggestion_accuracy):  # fmt: skip
            self.assertIsNone(figure.value)
            self.assertEqual((figure.text, figure.change_text), ("–", "–"))
        self.assertEqual((board.funding.value, board.active_partnerships.value, board.outcomes.value), (0, 0, 0))

    def test_a_custom_period_compares_with_as_many_days_before(self) -> None:
        board = self.board(Period.custom(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)))
        self.assertEqual(
            (board.previous.first, board.previous.last), (datetime.date(2026, 2, 19), datetime.date(2026, 2, 28))
        )
        self.assertEqual((board.received.value, board.received.previous), (4, 0))  # i1, i2, i3, i6
        self.assertIsNone(board.received.change_percent)
        self.assertEqual(board.received.change_text, "+4")


class PageTests(SummaryTestCase):
    def test_the_page_shows_the_period_and_the_headline_figures(self) -> None:
        html = self.page().content.decode()
        self.assertIn("Summary: March 2026", html)
        self.assertIn("Previous period (February 2026)", html)
        self.assertInHTML("<dd>+5 (+250%)</dd>", html)
        self.assertIn("NOK 750,000", html)

    def test_in_bokmal_numbers_and_months_are_norwegian(self) -> None:
        self.client.force_login(self.dina)
        with translation.override("nb"):
            html = self.client.get(f"/staff/summary/?{MARCH}").content.decode()
        self.assertIn("Mars 2026", html)
        self.assertIn("750\xa0000", html)
        # The SVG's geometry keeps its decimal points whatever the language.
        self.assertNotRegex(html, r'(?:x[12]?|y[12]?|width|height|cx|cy)="-?\d+,\d')

    def test_this_month_by_default_with_no_next_period(self) -> None:
        response = self.page("")
        self.assertEqual(response.context["period"], Period.month(2026, 4))
        html = response.content.decode()
        self.assertIn('href="?period=month&amp;on=2026-03-01" rel="prev"', html)
        self.assertNotIn('rel="next"', html)

    def test_previous_and_next_periods(self) -> None:
        html = self.page().content.decode()
        self.assertIn('href="?period=month&amp;on=2026-02-01" rel="prev"', html)
        self.assertIn('href="?period=month&amp;on=2026-04-01" rel="next"', html)
        quarter = self.page("period=quarter&on=2026-01-01")
        self.assertEqual(quarter.context["period"], Period.quarter(2026, 1))
        self.assertIn('?period=quarter&amp;on=2025-10-01" rel="prev"', quarter.content.decode())
        year = self.page("period=year")
        self.assertEqual(year.context["period"], Period.year(2026))
        custom = self.page("period=custom&start=2026-03-01&end=2026-03-10")
        self.assertEqual(custom.context["period"], Period.custom(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)))
        self.assertIn('?period=custom&amp;start=2026-02-19&amp;end=2026-02-28" rel="prev"', custom.content.decode())
        self.assertIn('?period=custom&amp;start=2026-03-11&amp;end=2026-03-20" rel="next"', custom.content.decode())

    def test_the_period_form_shows_the_period_shown(self) -> None:
        form = self.page("period=quarter&on=2026-01-01").context["form"]
        self.assertEqual(
            form.initial,
            {"period": PeriodKind.QUARTER, "start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 31)},
        )

    def test_bad_dates_are_explained_kept_and_this_month_is_shown(self) -> None:
        cases = {
            "period=custom&start=2026-13-01&end=2026-03-31": ("start", "Enter a valid date."),
            "period=custom&start=2026-03-31&end=2026-03-01": (
                "end", "The last day must be the same as or after the first day."
            ),
            "period=custom&start=&end=2026-03-01": ("start", "Enter the first day of the period."),
            "period=custom&start=1999-12-31&end=2026-03-01": ("start", "Choose a date from 2000 to 2099."),
            "period=month&on=9999-12-31": ("on", "Choose a date from 2000 to 2099."),
            "period=fortnight": ("period", "Select a valid choice. fortnight is not one of the available choices."),
        }  # fmt: skip
        for query, (field, message) in cases.items():
            with self.subTest(query):
                response = self.page(query)
                self.assertEqual(response.context["period"], Period.month(2026, 4))
                self.assertEqual(response.context["form"].errors[field], [message])
                html = unescape(response.content.decode())
                self.assertIn(message, html)
                self.assertIn('id="error-summary"', html)
        html = self.page("period=custom&start=2026-13-01&end=2026-03-31").content.decode()
        self.assertIn('value="2026-13-01"', html)  # the input is kept as typed
        self.assertIn('value="2026-03-31"', html)

    def test_each_chart_has_a_title_a_description_and_a_table_with_the_same_numbers(self) -> None:
        html = self.page().content.decode()
        figures = re.findall(r'<figure class="chart[^"]*">(.*?)</figure>', html, re.S)
        self.assertEqual(len(figures), 10)
        for figure in figures:
            svg = re.search(r"<svg ([^>]*)>(.*?)</svg>", figure, re.S)
            table = re.search(r"<table.*?</table>", figure, re.S)
            assert svg is not None and table is not None, figure[:300]
            attributes, drawing = svg.groups()
            chart_id = re.search(r'aria-labelledby="([\w-]+)-title"', attributes)
            assert chart_id is not None
            self.assertIn('role="img"', attributes)
            self.assertIn(f'aria-describedby="{chart_id[1]}-desc"', attributes)
            self.assertRegex(drawing, rf'<title id="{chart_id[1]}-title">[^<]+</title>')
            self.assertRegex(drawing, rf'<desc id="{chart_id[1]}-desc">[^<]+</desc>')
            self.assertNotIn("style=", svg[0])
            self.assertRegex(table[0], r'<caption id="[\w-]+">[^<]+</caption>')
            self.assertIn('<th scope="col">', table[0])
            rows = re.findall(r'<th scope="row">(.*?)</th><td class="number">(?:<a [^>]*>)?([^<]*)', table[0])
            self.assertTrue(rows)
            values = re.findall(r'<text class="chart__value"[^>]*>([^<]*)</text>', drawing)
            labels = re.findall(r'<text class="chart__label"[^>]*>([^<]*)</text>', drawing)
            if values:  # a bar chart: each bar's label and value as the table has them
                self.assertEqual(values, [value for _label, value in rows])
                self.assertEqual(len(labels), len(rows))
                for short, (label, _value) in zip(labels, rows, strict=True):
                    self.assertTrue(unescape(label).startswith(unescape(short).rstrip("…")), (short, label))
            else:  # the line: a marked point for each row
                self.assertEqual(drawing.count('<circle class="chart__point"'), len(rows))

    def test_an_empty_period_says_there_is_no_data(self) -> None:
        html = self.page("period=month&on=2024-03-01").content.decode()
        self.assertIn("No data for this period.", html)
        self.assertEqual(html.count('<svg class="chart__svg"'), 1)  # only the open backlog, which is now

    def test_decisions_and_the_unece_report_are_linked(self) -> None:
        html = self.page().content.decode()
        self.assertIn('href="/en/staff/decisions/"', html)
        self.assertIn('href="/en/staff/reports/unece/"', html)


class LinkTests(SummaryTestCase):
    """Every number on the page links to the inbox, filtered to exactly what it counts."""

    def test_every_count_on_the_page_is_what_its_inbox_link_lists(self) -> None:
        html = self.page().content.decode()
        links = re.findall(r'<a class="ds-link" href="(/en/staff/\?[^"]+)">([^<]+)</a>', html)
        counts = [(unescape(href), text) for href, text in links if text.replace(",", "").isdigit()]
        self.assertGreater(len(counts), 70)
        for link, text in counts:
            with self.subTest(link=link):
                self.assertEqual(self.listed(link), int(text.replace(",", "")))

    def test_the_links_of_figures_that_are_not_counts(self) -> None:
        board = self.board()
        checks: list[tuple[str, float | None]] = [
            (board.times[0].median.link, board.times[0].count.value),
            (board.times[1].p90.link, board.times[1].count.value),
            (board.in_time.link, board.replied_in_time.value),
            (board.in_time.previous_link, board.replied_in_time.previous),
            (board.funding.link, board.funded.value),
            (board.funding.previous_link, board.funded.previous),
            (board.suggestion_accuracy.link, board.suggestions_followed.value),
            (board.active_partnerships.previous_link, board.active_partnerships.previous),
        ]
        for link, expected in checks:
            with self.subTest(link=link):
                self.assertEqual(self.listed(link), expected)
        self.client.force_login(self.amina)
        funded = self.client.get(board.funding.link).context["paginator"].object_list
        self.assertEqual(sum(row.outcome.funding_nok for row in funded), 750_000)

    def test_every_figure_of_the_dashboard_has_a_link_that_lists_its_count(self) -> None:
        board = self.board()
        figures = [
            board.received, board.without_goal, board.backlog_total, board.replied_in_time, board.replied_late,
            board.outcomes, board.active_partnerships, board.funded, board.suggestions_followed,
            board.suggestions_overridden, *[time.count for time in board.times],
        ]  # fmt: skip
        for figure in figures:
            with self.subTest(link=figure.link):
                self.assertEqual(self.listed(figure.link), figure.value)
                if figure.previous is not None:
                    self.assertEqual(self.listed(figure.previous_link), figure.previous)
        charts = [board.by_type, board.by_kind, board.by_country, board.by_county, board.by_goal, board.by_unit,
                  board.backlog, board.outcomes_by_type, board.top_organisations]  # fmt: skip
        for chart in charts:
            for bar in chart.bars:
                with self.subTest(chart=chart.id, bar=bar.label):
                    self.assertEqual(self.listed(bar.link), bar.value)
        for point in board.trend.points:
            if point.value or point.label.endswith("2026"):
                with self.subTest(month=point.label):
                    self.assertEqual(self.listed(point.link), point.value)

    def test_the_inbox_shows_the_summarys_filters_in_its_form(self) -> None:
        self.client.force_login(self.amina)
        html = self.client.get("/en/staff/?county=50&outcome=agreement&age=8-30&replied_in_time=no").content.decode()
        for name in ("counted", "country", "county", "without_unit", "without_goal", "age", "with_first_reply",
                     "with_decision", "replied_in_time", "suggestion", "outcome", "decided_after", "decided_before",
                     "funded", "partnership_on"):  # fmt: skip
            self.assertIn(f'name="{name}"', html)
        self.assertIn('<option value="50" selected>Trøndelag</option>', html)


class QueryBudgetTests(SummaryTestCase):
    # Session, user, role groups; the snapshot of a large period (none here: the figures are counted); then the
    # figures: one query for the single figures of both periods (totals, backlog, trend, outcomes), the days taken
    # in each period (two), goals (counts with those without a goal, names), type and unit, the organisations (their
    # counts, then the organisations), outcomes by type, and the units' names.
    BUDGET = 14

    def count_queries(self) -> int:
        self.client.force_login(self.dina)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(f"{SUMMARY}?{MARCH}").status_code, 200)
        return len(queries)

    def test_the_same_number_of_queries_for_few_and_many_inquiries(self) -> None:
        self.client.force_login(self.dina)
        self.client.get(f"{SUMMARY}?{MARCH}")  # the session's first request writes it
        with self.assertNumQueries(self.BUDGET):
            self.client.get(f"{SUMMARY}?{MARCH}")
        goals = list(SdgGoal.objects.all())
        kinds = Organisation.Kind.values
        for number in range(60):
            organisation = make_organisation(
                kind=kinds[number % len(kinds)], country=("NO", "SE", "DK", "FI")[number % 4],
                municipality_number=f"{(3, 50, 46)[number % 3]:02d}{number:02d}" if number % 4 == 0 else "",
            )  # fmt: skip
            inquiry = make_inquiry(
                contact=make_contact(organisation), received_at=oslo(2026, 3, 1 + number % 28, number % 24),
                inquiry_type=Inquiry.Type.values[number % 8], sdg_goals=goals[number % 17 : number % 17 + 2],
                first_reply_due_on=datetime.date(2026, 3, 28), first_replied_at=oslo(2026, 3, 29),
                decided_at=oslo(2026, 3, 30), suggestion_accepted=bool(number % 2),
                unit=self.bym_unit if number % 2 else None, status=S.values[number % len(S.values)],
            )  # fmt: skip
            Outcome.objects.create(
                inquiry=inquiry, type=Outcome.Type.values[number % 9], decided_on=datetime.date(2026, 3, 15),
                funding_nok=number * 1000, recorded_at=NOW,
            )  # fmt: skip
        self.assertGreater(self.board().received.value or 0, 50)
        with self.assertNumQueries(self.BUDGET):
            self.client.get(f"{SUMMARY}?{MARCH}")


class AccessTests(SummaryTestCase):
    def test_executive_secretariat_and_administrators_only(self) -> None:
        for user, status in ((self.dina, 200), (self.amina, 200), (self.admin, 200), (self.bruno, 403),
                             (self.partner, 403)):  # fmt: skip
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(SUMMARY).status_code, status)

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        self.client.logout()
        response = self.client.get(SUMMARY)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(urlsplit(response["Location"]).path, "/en/accounts/login/")
