"""A partner's own data: "Download my data" holds exactly what the partner may see (never internal notes, never a
held message), "Delete my account" scrubs and closes the account but keeps the inquiries, and both are recorded for
the secretariat, who mark them handled at /staff/privacy-requests/."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import OrganisationMembership, User
from requests_app.models import Inquiry, InquiryMessage, PrivacyRequest
from requests_app.partner_selectors import partner_outcome
from requests_app.services.attachments import attach_files
from requests_app.services.partner_accounts import record_data_download
from tests.base import PASSWORD, PortalTestCase
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation
from tests.requests_app.test_attachments import PDF, upload

# These tests read the English texts: reverse() gives /en/ addresses and messages are in English.
pytestmark = pytest.mark.usefixtures("in_english")


with translation.override("en"):
    DATA = reverse("requests_app:account-data")
    DATA_JSON = reverse("requests_app:account-data-json")
    DELETE = reverse("requests_app:account-delete")
    LIST = reverse("requests_app:privacy-request-list")

NOTE = "Intern vurdering: partneren virker lite seriøs."
HELD = "Vi sier nei til dette (venter på godkjenning)."
RETURNED = "Et utkast som ble sendt tilbake."
SENT = "Takk for henvendelsen, vi ser på den."
REPLY = "Her er tidsplanen dere ba om."


class PartnerDataTestCase(PortalTestCase):
    organisation_inquiry: Inquiry
    own_inquiry: Inquiry
    other_inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.partner, email=cls.partner.email, verified=True, primary=True)
        organisation = make_organisation(name="Nidaros Klimalab AS")
        OrganisationMembership.objects.create(user=cls.partner, organisation=organisation, is_admin=True)
        cls.own_inquiry = make_inquiry_in(
            Inquiry.Status.IN_PROGRESS,
            organisation=organisation,
            contact=make_contact(organisation, email=cls.partner.email, phone="+47 912 34 567"),
            title="Grønne tak på skolene",
            submitted_by=cls.partner,
        )
        cls.organisation_inquiry = make_inquiry(
            organisation=organisation,
            contact=make_contact(organisation, name="Kari Kollega", email="kari@klimalab.no", phone="+47 999 99 999"),
        )
        cls.other_inquiry = make_inquiry(title="Noen andres henvendelse")
        messages = InquiryMessage.objects
        messages.create(inquiry=cls.own_inquiry, kind=InquiryMessage.Kind.NOTE, body=NOTE, author=cls.bruno)
        messages.create(inquiry=cls.own_inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body=SENT, author=cls.bruno)
        messages.create(inquiry=cls.own_inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body=REPLY)
        messages.create(
            inquiry=cls.own_inquiry,
            kind=InquiryMessage.Kind.TO_PARTNER,
            body=HELD,
            is_decision=True,
            held_at=timezone.now(),
        )
        messages.create(
            inquiry=cls.own_inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body=RETURNED, returned_at=timezone.now()
        )
        messages.create(inquiry=cls.other_inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body="Til noen andre.")


class DownloadMyDataTests(PartnerDataTestCase):
    def test_the_file_holds_exactly_what_the_partner_may_see(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.get(DATA_JSON)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        document = response.json()
        self.assertEqual(document["account"]["email"], self.partner.email)
        self.assertEqual(document["account"]["full_name"], "Per Partner")
        self.assertEqual(
            document["email_addresses"], [{"email": self.partner.email, "verified": True, "primary": True}]
        )
        self.assertEqual(
            document["organisations"],
            [
                {
                    "name": "Nidaros Klimalab AS",
                    "organisation_admin": True,
                    "member_since": document["organisations"][0]["member_since"],
                }
            ],
        )
        by_reference = {row["reference"]: row for row in document["inquiries"]}
        self.assertEqual(set(by_reference), {self.own_inquiry.reference, self.organisation_inquiry.reference})
        own = by_reference[self.own_inquiry.reference]
        self.assertEqual(
            [(message["from"], message["text"]) for message in own["messages"]], [("centre", SENT), ("partner", REPLY)]
        )
        self.assertEqual(own["contact"]["phone"], "+47 912 34 567")
        # A colleague's contact details are theirs: only the name.
        self.assertEqual(by_reference[self.organisation_inquiry.reference]["contact"], {"name": "Kari Kollega"})
        text = response.content.decode()
        for secret in (NOTE, HELD, RETURNED, "Til noen andre.", "Noen andres henvendelse", "+47 999 99 999"):
            self.assertNotIn(secret, text)

    def test_the_outcome_and_what_files_were_attached_are_in_it_once_the_partner_may_see_them(self) -> None:
        decided = make_inquiry_in(
            Inquiry.Status.DECIDED, organisation=self.own_inquiry.organisation, contact=self.own_inquiry.contact
        )
        message = InquiryMessage.objects.create(inquiry=decided, kind=InquiryMessage.Kind.TO_PARTNER, body="Vedlagt.")
        with transaction.atomic():
            attach_files(message, [upload("avtale-utkast.pdf", PDF)], uploaded_by=self.bruno)
        self.client.force_login(self.partner)
        with translation.override("en"):
            document = {row["reference"]: row for row in self.client.get(DATA_JSON).json()["inquiries"]}
            page = self.client.get(DATA)
        row = document[decided.reference]
        self.assertEqual(
            row["outcome"],
            {
                "text": partner_outcome(decided.outcome),
                "summary": "Vi inngår et samarbeid.",
                "decided_on": timezone.localdate().isoformat(),
            },
        )
        self.assertEqual(
            row["messages"][0]["attachments"],
            [{"name": "avtale-utkast.pdf", "type": "PDF", "size_bytes": len(PDF)}],
        )
        self.assertIsNone(document[self.own_inquiry.reference]["outcome"])  # not decided
        self.assertContains(page, "Vi inngår et samarbeid.")
        self.assertContains(page, "avtale-utkast.pdf (PDF,")
        # While the decision message waits for the secretariat's approval, the outcome is not the partner's yet.
        InquiryMessage.objects.create(
            inquiry=decided,
            kind=InquiryMessage.Kind.TO_PARTNER,
            body="Vedtak",
            is_decision=True,
            held_at=timezone.now(),
        )
        row = {row["reference"]: row for row in self.client.get(DATA_JSON).json()["inquiries"]}[decided.reference]
        self.assertIsNone(row["outcome"])

    def test_the_page_shows_the_same_and_no_note(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.get(DATA)
        for shown in (
            self.own_inquiry.reference,
            self.organisation_inquiry.reference,
            SENT,
            REPLY,
            "Nidaros Klimalab AS",
        ):
            self.assertContains(response, shown)
        for secret in (NOTE, HELD, RETURNED, self.other_inquiry.reference):
            self.assertNotContains(response, secret)
        self.assertContains(response, f'href="{DATA_JSON}"')

    def test_a_download_is_recorded_for_the_secretariat_once_a_day(self) -> None:
        self.client.force_login(self.partner)
        self.client.get(DATA)
        self.client.get(DATA_JSON)
        request = PrivacyRequest.objects.get()
        self.assertEqual(
            (request.kind, request.email, request.user, request.handled_at),
            (PrivacyRequest.Kind.EXPORT, self.partner.email, self.partner, None),
        )
        record_data_download(self.partner, now=timezone.now() + datetime.timedelta(days=1))
        self.assertEqual(PrivacyRequest.objects.count(), 2)

    def test_the_download_costs_the_same_queries_however_many_inquiries(self) -> None:
        self.client.force_login(self.partner)
        self.client.get(DATA_JSON)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(DATA_JSON).status_code, 200)
            return len(queries)

        few = count()
        for _ in range(5):
            inquiry = make_inquiry(organisation=self.own_inquiry.organisation)
            InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body="Hei")
        self.assertEqual(count(), few)

    def test_an_account_without_a_verified_address_gets_its_account_but_no_inquiries(self) -> None:
        EmailAddress.objects.filter(user=self.partner).update(verified=False)
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(DATA_JSON).json()["inquiries"], [])

    def test_anonymous_visitors_go_to_the_login(self) -> None:
        for url in (DATA, DATA_JSON, DELETE, reverse("requests_app:my-organisation")):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('account_login')}?next={url}", fetch_redirect_response=False)


class DeleteMyAccountTests(PartnerDataTestCase):
    def log_in(self, client: Client | None = None) -> Client:
        """A real login (usersessions tracks it), then the password given again, as allauth asks before this."""
        client = client or self.client
        response = client.post(reverse("account_login"), {"login": self.partner.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        return client

    def test_deleting_scrubs_and_closes_the_account_keeps_the_inquiries_and_tells_the_secretariat(self) -> None:
        other_browser = self.log_in(Client())
        self.log_in()
        page = self.client.get(DELETE)
        self.assertContains(page, "stay: they are records of Trondheim kommune")
        response = self.client.post(DELETE, {"confirm": "yes"})
        self.assertRedirects(response, reverse("requests_app:landing"), fetch_redirect_response=False)
        self.assertNotIn(SESSION_KEY, self.client.session)

        user = User.objects.get(pk=self.partner.pk)
        self.assertEqual(
            (user.full_name, user.email, user.is_active), ("", f"deleted-{user.pk}@deleted.invalid", False)
        )
        self.assertFalse(user.has_usable_password())
        self.assertFalse(EmailAddress.objects.filter(user=user).exists())
        self.assertFalse(OrganisationMembership.objects.filter(user=user).exists())
        self.assertFalse(UserSession.objects.filter(user=user).exists())
        # Logged out in the other browser too.
        self.assertEqual(other_browser.get(DATA).status_code, 302)
        # The inquiries are the municipality's records; their contacts go by the retention rules.
        self.own_inquiry.refresh_from_db()
        self.assertEqual(self.own_inquiry.submitted_by, user)
        self.assertEqual(self.own_inquiry.contact.email, "partner@example.no")
        privacy_request = PrivacyRequest.objects.get(kind=PrivacyRequest.Kind.DELETION)
        self.assertEqual((privacy_request.email, privacy_request.user), ("partner@example.no", user))
        # The old address can sign up again as a new account.
        self.assertFalse(User.objects.filter(email="partner@example.no").exists())

    def test_without_the_confirmation_nothing_happens(self) -> None:
        self.log_in()
        response = self.client.post(DELETE, {})
        self.assertContains(response, "Tick the box", status_code=400)
        self.assertTrue(User.objects.get(pk=self.partner.pk).is_active)
        self.assertFalse(PrivacyRequest.objects.exists())

    def test_the_password_is_asked_again_first_and_the_deletion_then_goes_ahead(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.post(DELETE, {"confirm": "yes"})
        self.assertRedirects(
            response, f"{reverse('account_reauthenticate')}?next={DELETE}", fetch_redirect_response=False
        )
        self.assertTrue(User.objects.get(pk=self.partner.pk).is_active)
        response = self.client.post(f"{reverse('account_reauthenticate')}?next={DELETE}", {"password": PASSWORD})
        self.assertRedirects(response, reverse("requests_app:landing"), fetch_redirect_response=False)
        self.assertFalse(User.objects.get(pk=self.partner.pk).is_active)

    def test_staff_accounts_are_not_deleted_here(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(DELETE).status_code, 403)
        self.assertTrue(User.objects.get(pk=self.amina.pk).is_active)


class PrivacyRequestListTests(PortalTestCase):
    def test_the_secretariat_sees_the_requests_waiting_first_and_marks_one_handled(self) -> None:
        handled = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.EXPORT, email="old@example.no", handled_at=timezone.now(), handled_by=self.admin
        )
        waiting = PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.DELETION, email="gone@example.no")
        self.client.force_login(self.amina)
        response = self.client.get(LIST)
        self.assertEqual(list(response.context["privacy_requests"]), [waiting, handled])
        self.assertContains(response, "Deleted their account")
        response = self.client.post(reverse("requests_app:privacy-request-handle", args=[waiting.pk]))
        self.assertRedirects(response, LIST, fetch_redirect_response=False)
        waiting.refresh_from_db()
        self.assertEqual(waiting.handled_by, self.amina)
        self.assertIsNotNone(waiting.handled_at)
        response = self.client.post(reverse("requests_app:privacy-request-handle", args=[waiting.pk]), follow=True)
        self.assertContains(response, "already been marked as handled")

    def test_only_the_secretariat_and_administrators_see_the_list(self) -> None:
        for user, expected in ((self.admin, 200), (self.dina, 403), (self.bruno, 403), (self.partner, 403)):
            with self.subTest(user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(LIST).status_code, expected)

    def test_the_list_costs_the_same_queries_at_any_length(self) -> None:
        self.client.force_login(self.amina)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(LIST).status_code, 200)
            return len(queries)

        PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.EXPORT, email="a@example.no", user=self.partner)
        few = count()
        for number in range(60):
            PrivacyRequest.objects.create(
                kind=PrivacyRequest.Kind.DELETION,
                email=f"p{number}@example.no",
                user=self.partner,
                handled_at=timezone.now(),
                handled_by=self.amina,
            )
        self.assertEqual(count(), few)
        self.assertContains(self.client.get(LIST), "page=2")
