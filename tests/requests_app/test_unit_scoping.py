"""A member of one unit can neither see nor act on another unit's inquiries, on any channel: the unit queue, the
inbox, the inquiry page, every action, the exports. And a unit's answer moves the inquiry to the right queue:
accepted, it stays in the unit's queue in progress with an owner; declined, it goes back to the secretariat's
triage, flagged, and leaves the unit's queue."""

from typing import TYPE_CHECKING

from partners.models import MunicipalUnit, User
from requests_app.models import Inquiry, InquiryEvent
from requests_app.permissions import Action
from requests_app.services.lifecycle import route_inquiry
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in
from tests.requests_app.test_inbox import csv_references, xlsx_references

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
LISTS = ("/en/staff/", "/en/staff/unit/")
EXPORTS = {
    "/en/staff/export.csv": csv_references,
    "/en/staff/export.xlsx": xlsx_references,
    "/en/staff/unit/export.csv": csv_references,
    "/en/staff/unit/export.xlsx": xlsx_references,
}


class OtherUnitsInquiriesTests(PortalTestCase):
    """Bruno (Byutvikling) against Oppvekst's inquiries, and Chen (Oppvekst) against Byutvikling's."""

    def routed_to(self, unit: MunicipalUnit, **fields: object) -> Inquiry:
        inquiry = route_inquiry(make_inquiry_in(S.IN_TRIAGE, **fields), unit=unit, actor=self.amina)
        inquiry.refresh_from_db()
        return inquiry

    def cases(self) -> list[tuple[User, Inquiry, Inquiry]]:
        """(member, an inquiry of their own unit, one of the other unit's) for both members."""
        return [
            (self.bruno, self.routed_to(self.bym_unit), self.routed_to(self.oppvekst_unit)),
            (self.chen, self.routed_to(self.oppvekst_unit), self.routed_to(self.bym_unit)),
        ]

    def test_the_lists_show_the_own_units_inquiry_and_never_the_other_units(self) -> None:
        for member, own, other in self.cases():
            self.client.force_login(member)
            for url in LISTS:
                # Also when searching for it, or asking for the other unit or its organisation by URL (a search
                # shows the words searched for, so the rows are read rather than the page).
                for query in (
                    "",
                    f"q={other.reference}",
                    f"unit={other.unit_id}",
                    f"organisation={other.organisation_id}",
                ):
                    with self.subTest(member=member.email, url=url, query=query):
                        response = self.client.get(f"{url}?{query}")
                        self.assertEqual(response.status_code, 200)
                        rows = {row.reference for row in response.context["paginator"].object_list}
                        self.assertNotIn(other.reference, rows)
                        if not query:
                            self.assertNotContains(response, other.reference)
                            self.assertIn(own.reference, rows)

    def test_the_exports_hold_the_own_units_inquiry_and_never_the_other_units(self) -> None:
        for member, own, other in self.cases():
            self.client.force_login(member)
            for url, read in EXPORTS.items():
                for query in ("", f"q={other.reference}", f"unit={other.unit_id}"):
                    with self.subTest(member=member.email, url=url, query=query):
                        self.assertNotIn(other.reference, read(self.client.get(f"{url}?{query}")))
                self.assertIn(own.reference, read(self.client.get(url)))

    def test_the_other_units_inquiry_page_and_every_action_are_a_404_and_change_nothing(self) -> None:
        for member, own, other in self.cases():
            self.client.force_login(member)
            before = (other.status, other.version, InquiryEvent.objects.filter(inquiry=other).count())
            with self.subTest(member=member.email, page="inquiry"):
                self.assertEqual(self.client.get(f"/en/staff/inquiries/{other.pk}/").status_code, 404)
                self.assertEqual(self.client.get(f"/en/staff/inquiries/{own.pk}/").status_code, 200)
            for action in Action:
                with self.subTest(member=member.email, action=action.value):
                    response = self.client.post(
                        f"/en/staff/inquiries/{other.pk}/{action.value}/", {f"{action.value}-reason": "Vi tar den."}
                    )
                    self.assertEqual(response.status_code, 404)
            other.refresh_from_db()
            after = (other.status, other.version, InquiryEvent.objects.filter(inquiry=other).count())
            self.assertEqual(after, before)


class AnswerLandsInTheRightQueueTests(PortalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = route_inquiry(make_inquiry_in(S.IN_TRIAGE), unit=self.bym_unit, actor=self.amina)

    def queue_of(self, user: User, url: str = "/en/staff/unit/", query: str = "") -> dict[str, Inquiry]:
        self.client.force_login(user)
        response: TestResponse = self.client.get(f"{url}?{query}")
        self.assertEqual(response.status_code, 200)
        return {row.reference: row for row in response.context["paginator"].object_list}

    def test_accepted_it_stays_in_the_units_queue_in_progress_with_an_owner(self) -> None:
        self.assertIn(self.inquiry.reference, self.queue_of(self.bruno, query="status=routed"))
        self.client.force_login(self.bruno)
        response = self.client.post(f"/en/staff/inquiries/{self.inquiry.pk}/accept/")
        self.assertRedirects(response, f"/en/staff/inquiries/{self.inquiry.pk}/", fetch_redirect_response=False)

        row = self.queue_of(self.bruno)[self.inquiry.reference]
        self.assertEqual((row.status, row.owner), (S.IN_PROGRESS, self.bruno))
        self.assertIsNone(row.respond_by)  # type: ignore[attr-defined]  # answered: no date to accept or decline by
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.bruno, query="status=routed"))
        self.assertIn(self.inquiry.reference, self.queue_of(self.bruno, query="owner=me"))
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.chen))
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.amina, "/en/staff/", "returned=true"))

    def test_declined_it_goes_back_to_the_secretariats_triage_flagged_and_leaves_the_units_queue(self) -> None:
        self.client.force_login(self.bruno)
        response = self.client.post(
            f"/en/staff/inquiries/{self.inquiry.pk}/decline/", {"decline-reason": "Hører hjemme i Oppvekst."}
        )
        self.assertEqual(response.status_code, 302)

        triage = self.queue_of(self.amina, "/en/staff/", "status=in_triage&returned=true")
        self.assertEqual(list(triage), [self.inquiry.reference])
        self.assertEqual(triage[self.inquiry.reference].returned_by_unit, self.bym_unit)
        self.assertContains(
            self.client.get("/en/staff/?status=in_triage"), "Declined by Urban Development and Environment"
        )
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.amina))  # no unit has it now
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.bruno))
        self.assertNotIn(self.inquiry.reference, self.queue_of(self.bruno, "/en/staff/"))
        self.client.force_login(self.bruno)
        self.assertEqual(self.client.get(f"/en/staff/inquiries/{self.inquiry.pk}/").status_code, 404)
