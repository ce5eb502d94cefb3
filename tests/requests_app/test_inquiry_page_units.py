"""The inquiry page's "Units" section (every stay with a unit: routed, accepted, how it ended, how long, why
declined) and the flag on an inquiry a unit declined, within the page's query budget."""

import datetime
import re
import zoneinfo
from typing import TYPE_CHECKING

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import MunicipalUnit
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.lifecycle import accept_inquiry, decline_referral, route_inquiry
from tests.base import PortalTestCase
from tests.factories import make_inquiry, make_inquiry_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
REASON = "Dette gjelder skolene, ikke byutvikling."


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=OSLO)


def units_section(response: "TestResponse") -> str:
    match = re.search(
        r'<section aria-labelledby="units-heading" id="units">(.*?)</section>', response.content.decode(), re.S
    )
    assert match is not None, "no Units section"
    return match.group(1)


class UnitChainPageTests(PortalTestCase):
    def open(self, inquiry: Inquiry) -> "TestResponse":
        self.client.force_login(self.amina)
        response = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertEqual(response.status_code, 200)
        return response

    def route(self, inquiry: Inquiry, unit: MunicipalUnit, when: datetime.datetime) -> Inquiry:
        return route_inquiry(inquiry, unit=unit, actor=self.amina, now=when)

    def declined_by_bym(self) -> Inquiry:
        """Routed to Byutvikling on the Friday before Whit Monday, declined by it a week later."""
        inquiry = self.route(make_inquiry_in(S.IN_TRIAGE), self.bym_unit, at(5, 22))
        return decline_referral(inquiry, reason=REASON, actor=self.bruno, now=at(5, 29))

    def test_the_chain_lists_every_stay_in_order_with_how_it_went(self) -> None:
        inquiry = self.declined_by_bym()
        self.route(inquiry, self.oppvekst_unit, at(6, 1))
        self.route(inquiry, self.bym_unit, at(6, 3))
        accept_inquiry(inquiry, actor=self.bruno)
        section = units_section(self.open(inquiry))
        stays = section.split('<li class="timeline__entry">')[1:]
        self.assertEqual(len(stays), 3)
        first, second, third = stays
        self.assertIn("Urban Development and Environment", first)
        self.assertIn("Amina Haddad", first)  # who routed it
        self.assertIn("Declined by the unit", first)
        self.assertIn(REASON, first)
        # Friday 22 May to Friday 29 May: Whit Monday is not counted.
        self.assertIn("4 business days", first)
        self.assertIn("Childhood and Education", second)
        self.assertIn("Transferred to another unit", second)
        self.assertIn("2 business days", second)
        self.assertNotIn("Reason for declining", second)
        self.assertIn("Urban Development and Environment", third)
        self.assertIn("Still with the unit", third)
        self.assertNotIn("Not yet", third)  # accepted

    def test_a_stay_waiting_for_an_answer_shows_its_date_and_the_reminders(self) -> None:
        inquiry = self.route(make_inquiry_in(S.IN_TRIAGE), self.bym_unit, at(5, 22))
        inquiry.assignments.update(reminded_at=at(5, 28, 7), escalated_at=at(5, 29, 7))
        section = units_section(self.open(inquiry))
        self.assertIn("Not yet: to accept or decline by 28/05/2026", section)
        self.assertIn("Unit reminded", section)
        self.assertIn("Escalated to the secretariat", section)

    def test_an_inquiry_never_routed_has_no_units_section(self) -> None:
        self.assertNotContains(self.open(make_inquiry_in(S.IN_TRIAGE)), 'id="units-heading"')

    def test_a_declined_inquiry_in_triage_is_flagged_with_the_units_reason_until_it_is_routed_again(self) -> None:
        inquiry = self.declined_by_bym()
        response = self.open(inquiry)
        self.assertContains(response, "Declined by Urban Development and Environment", count=1)
        alert = re.search(
            r'<div class="ds-alert"[^>]*id="declined-by-unit">(.*?)</div>', response.content.decode(), re.S
        )
        assert alert is not None
        self.assertIn("Urban Development and Environment declined the inquiry on 29/05/2026", alert.group(1))
        self.assertIn(REASON, alert.group(1))

        self.route(inquiry, self.oppvekst_unit, at(6, 1))
        response = self.open(inquiry)
        self.assertNotContains(response, "Declined by Urban Development and Environment")
        self.assertNotContains(response, 'id="declined-by-unit"')
        self.assertContains(response, REASON)  # still in the chain, and in the timeline

    def test_the_reason_shown_is_that_of_the_last_decline(self) -> None:
        inquiry = self.declined_by_bym()
        self.route(inquiry, self.bym_unit, at(6, 1))
        decline_referral(inquiry, reason="Fortsatt ikke vårt.", actor=self.bruno, now=at(6, 2))
        alert = re.search(r'id="declined-by-unit">(.*?)</div>', self.open(inquiry).content.decode(), re.S)
        assert alert is not None
        self.assertIn("Fortsatt ikke vårt.", alert.group(1))
        self.assertNotIn(REASON, alert.group(1))


class UnitChainQueryTests(PortalTestCase):
    def count_queries(self, inquiry: Inquiry) -> int:
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="units-heading"')
        return len(queries)

    def add_history(self, inquiry: Inquiry) -> None:
        """Timeline lines that name a person and another inquiry (the units are named by the routings)."""
        other = make_inquiry()
        InquiryEvent.objects.bulk_create(
            [
                InquiryEvent(
                    inquiry=inquiry, kind=InquiryEvent.Kind.OWNER_CHANGED, data={"before": None, "after": self.bruno.pk}
                ),
                InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.DUPLICATE_MERGED, data={"duplicate": other.pk}),
            ]
        )

    def test_the_chain_costs_one_query_whatever_its_length_and_the_page_keeps_its_budget(self) -> None:
        inquiry = route_inquiry(make_inquiry_in(S.IN_TRIAGE), unit=self.bym_unit, actor=self.amina, now=at(5, 4))
        self.add_history(inquiry)
        short = self.count_queries(inquiry)
        for day, unit in enumerate((self.oppvekst_unit, self.bym_unit, self.oppvekst_unit, self.bym_unit), start=5):
            route_inquiry(inquiry, unit=unit, actor=self.amina, now=at(5, day))
        self.assertEqual(self.count_queries(inquiry), short)
        # The performance issue's budget for a detail page.
        self.assertLessEqual(short, 15)
