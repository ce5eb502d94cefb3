"""The secretariat registers inquiries that came by e-mail, phone or in a meeting."""

from typing import Any

from django.core import mail

from requests_app.models import Inquiry, InquiryEvent
from tests.base import PortalTestCase

URL = "/staff/inquiries/new/"


def staff_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "phone",
        "organisation_name": "Molde kommune",
        "organisation_kind": "municipality",
        "organisation_number": "",
        "country": "NO",
        "contact_name": "Per Hansen",
        "contact_email": "per.hansen@molde.example",
        "contact_phone": "",
        "contact_role": "Rådgiver",
        "inquiry_type": "knowledge_exchange",
        "title": "Studietur om klimatilpasning",
        "description": "Ringte sekretariatet og ønsker et besøk i april.",
        "language": "nb",
        "consent": "on",
        "send_receipt": "on",
    }
    data.update(overrides)
    return data


class StaffInquiryCreateTests(PortalTestCase):
    def test_anonymous_goes_to_login(self) -> None:
        response = self.client.get(URL)
        self.assertRedirects(response, f"/accounts/login/?next={URL}", fetch_redirect_response=False)

    def test_unit_member_and_executive_may_not_register(self) -> None:
        for user in (self.bruno, self.dina, self.partner):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
            self.assertEqual(self.client.post(URL, staff_data()).status_code, 403)
        self.assertFalse(Inquiry.objects.exists())

    def test_secretariat_registers_a_phone_inquiry_with_receipt(self) -> None:
        self.client.force_login(self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(URL, staff_data())
        inquiry = Inquiry.objects.get()
        self.assertRedirects(response, f"/staff/inquiries/{inquiry.pk}/", fetch_redirect_response=False)
        self.assertEqual(inquiry.channel, Inquiry.Channel.PHONE)
        self.assertEqual(inquiry.submitted_by, self.amina)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.SUBMITTED)
        self.assertEqual(event.actor, self.amina)
        self.assertEqual(event.data["channel"], "phone")
        self.assertEqual([message.to for message in mail.outbox], [["per.hansen@molde.example"]])
        page = self.client.get(response["Location"]).content.decode()
        self.assertIn(inquiry.reference, page)

    def test_receipt_can_be_left_out(self) -> None:
        self.client.force_login(self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(URL, staff_data(send_receipt=""))
        self.assertEqual(Inquiry.objects.count(), 1)
        self.assertEqual(mail.outbox, [])

    def test_web_is_not_a_channel_staff_can_choose(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.post(URL, staff_data(channel="web"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Inquiry.objects.exists())
        self.assertContains(response, 'href="#id_channel_0"')

    def test_missing_consent_keeps_input_and_stores_nothing(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.post(URL, staff_data(consent=""))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Inquiry.objects.exists())
        self.assertContains(response, "Ringte sekretariatet og ønsker et besøk i april.")
        self.assertContains(response, 'value="per.hansen@molde.example"')
        self.assertContains(response, 'href="#id_consent"')

    def test_the_staff_form_has_no_honeypot(self) -> None:
        self.client.force_login(self.amina)
        self.assertNotContains(self.client.get(URL), 'name="website"')
