"""My inquiries (/my/inquiries/): a partner who logs in sees the inquiries sent from their verified addresses, on the
same page as a status link shows, and lands there after logging in."""

from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import Inquiry, InquiryMessage
from tests.base import PASSWORD, PortalTestCase
from tests.factories import make_contact, make_inquiry_in

S = Inquiry.Status
LIST = "/en/my/inquiries/"
LIST_QUERY_BUDGET = 12


def detail(inquiry: Inquiry, action: str = "") -> str:
    return f"/en/my/inquiries/{inquiry.pk}/" + (f"{action}/" if action else "")


class MyInquiriesTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.partner, email=cls.partner.email, verified=True, primary=True)

    def mine(self, status: str = S.IN_PROGRESS, **fields: object) -> Inquiry:
        """An inquiry sent from the partner's verified address."""
        return make_inquiry_in(status, contact=make_contact(email=self.partner.email), **fields)


class ListAndDetailTests(MyInquiriesTestCase):
    def test_a_verified_partner_sees_their_inquiries_with_plain_status_and_dates(self) -> None:
        waiting = self.mine(S.AWAITING_PARTNER, title="Sykkelparkering ved skolene")
        received = self.mine(S.RECEIVED, title="Grønne tak", first_reply_due_on=timezone.localdate())
        someone_elses = make_inquiry_in(S.IN_PROGRESS, title="Noen andres henvendelse")
        self.client.force_login(self.partner)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        for text in (waiting.reference, "Sykkelparkering ved skolene", "We need more information from you",
                     "Paused while we wait for you", received.reference, "We have received your inquiry",
                     "First reply by"):  # fmt: skip
            self.assertContains(response, text)
        self.assertNotContains(response, someone_elses.reference)
        self.assertNotContains(response, "Noen andres henvendelse")
        self.assertContains(response, f'href="{detail(waiting)}"')

    def test_the_detail_is_the_status_page_with_only_the_partners_messages(self) -> None:
        inquiry = self.mine(S.IN_PROGRESS, title="Solceller")
        kind = InquiryMessage.Kind
        InquiryMessage.objects.create(inquiry=inquiry, kind=kind.TO_PARTNER, body="Vi ser på det.")
        InquiryMessage.objects.create(inquiry=inquiry, kind=kind.NOTE, body="Internt notat.")
        InquiryMessage.objects.create(
            inquiry=inquiry, kind=kind.TO_PARTNER, body="Holdt.", is_decision=True, held_at=timezone.now()
        )
        self.client.force_login(self.partner)
        response = self.client.get(detail(inquiry))
        self.assertTemplateUsed(response, "requests_app/partner_inquiry.html")
        self.assertContains(response, "Solceller")
        self.assertContains(response, "Vi ser på det.")
        self.assertNotContains(response, "Internt notat.")
        self.assertNotContains(response, "Holdt.")
        self.assertContains(response, f'href="{LIST}"')  # back to the list
        self.assertContains(response, f'action="{detail(inquiry, "reply")}"')
        self.assertEqual(response["Referrer-Policy"], "strict-origin")
        self.assertIn("no-store", response["Cache-Control"])

    def test_another_partners_inquiry_is_404_for_the_page_and_its_forms(self) -> None:
        theirs = make_inquiry_in(S.IN_PROGRESS, title="Deres henvendelse")
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(detail(theirs)).status_code, 404)
        self.assertEqual(self.client.post(detail(theirs, "reply"), {"reply-body": "Hei"}).status_code, 404)
        self.assertEqual(self.client.post(detail(theirs, "withdraw"), {}).status_code, 404)
        self.assertFalse(theirs.messages.exists())
        self.assertEqual(Inquiry.objects.get(pk=theirs.pk).status, S.IN_PROGRESS)

    def test_an_unverified_address_unlocks_nothing(self) -> None:
        EmailAddress.objects.filter(user=self.partner).update(verified=False)
        inquiry = self.mine(S.IN_PROGRESS, title="Ubekreftet")
        self.client.force_login(self.partner)
        response = self.client.get(LIST)
        self.assertNotContains(response, inquiry.reference)
        self.assertContains(response, "There are no inquiries for your account yet.")
        self.assertEqual(self.client.get(detail(inquiry)).status_code, 404)

    def test_spam_is_never_shown(self) -> None:
        spam = self.mine(S.SPAM)
        self.client.force_login(self.partner)
        self.assertNotContains(self.client.get(LIST), spam.reference)
        self.assertEqual(self.client.get(detail(spam)).status_code, 404)

    def test_anonymous_goes_to_login(self) -> None:
        inquiry = self.mine()
        for url in (LIST, detail(inquiry)):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"/en/accounts/login/?next={url}", fetch_redirect_response=False)

    def test_staff_see_only_inquiries_of_their_own_addresses(self) -> None:
        make_inquiry_in(S.IN_PROGRESS, title="En partners henvendelse")
        self.client.force_login(self.amina)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "En partners henvendelse")

    def test_the_menu_offers_my_inquiries_to_partners_not_to_staff(self) -> None:
        self.client.force_login(self.partner)
        self.assertContains(self.client.get("/en/"), f'<a href="{LIST}"')
        self.client.force_login(self.amina)
        self.assertNotContains(self.client.get("/en/"), f'<a href="{LIST}"')


class ReplyAndWithdrawTests(MyInquiriesTestCase):
    def test_a_reply_resumes_the_inquiry_with_the_partner_as_author_and_tells_the_owner(self) -> None:
        inquiry = self.mine(S.AWAITING_PARTNER, owner=self.bruno)
        self.client.force_login(self.partner)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(detail(inquiry, "reply"), {"reply-body": "Vi blir 12 personer."})
        self.assertRedirects(response, detail(inquiry), fetch_redirect_response=False)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        message = inquiry.messages.get()
        self.assertEqual((message.author, message.body), (self.partner, "Vi blir 12 personer."))
        self.assertEqual(inquiry.events.get().actor, self.partner)
        self.assertEqual([email.to for email in mail.outbox], [[self.bruno.email]])

    def test_withdrawing_from_my_inquiries(self) -> None:
        inquiry = self.mine(S.IN_TRIAGE)
        self.client.force_login(self.partner)
        response = self.client.post(detail(inquiry, "withdraw"), {"withdraw-reason": ""})
        self.assertRedirects(response, detail(inquiry), fetch_redirect_response=False)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.WITHDRAWN)
        self.assertEqual(inquiry.events.get().actor, self.partner)
        self.assertContains(self.client.get(LIST), "Withdrawn")


class LoginRedirectTests(MyInquiriesTestCase):
    def log_in(self, email: str) -> str:
        response = self.client.post("/en/accounts/login/", {"login": email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        return str(response["Location"])

    def test_a_partner_lands_on_my_inquiries(self) -> None:
        self.assertEqual(self.log_in(self.partner.email), LIST)
        self.assertEqual(self.client.get(LIST).status_code, 200)

    def test_staff_land_on_the_inbox(self) -> None:
        EmailAddress.objects.create(user=self.amina, email=self.amina.email, verified=True, primary=True)
        self.assertEqual(self.log_in(self.amina.email), "/en/staff/")

    def test_in_bokmal_the_partner_lands_on_the_bokmal_page(self) -> None:
        response = self.client.post("/accounts/login/", {"login": self.partner.email, "password": PASSWORD})
        self.assertEqual(response["Location"], "/my/inquiries/")


class QueryBudgetTests(MyInquiriesTestCase):
    def queries_for(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_list_costs_the_same_at_5_and_50_inquiries(self) -> None:
        self.client.force_login(self.partner)
        contact = make_contact(email=self.partner.email)
        statuses = [S.RECEIVED, S.AWAITING_PARTNER, S.DECIDED, S.CLOSED, S.WITHDRAWN]
        for number in range(5):
            make_inquiry_in(statuses[number % 5], contact=contact, organisation=contact.organisation)
        at_five = self.queries_for(LIST)
        for number in range(45):
            make_inquiry_in(statuses[number % 5], contact=contact, organisation=contact.organisation)
        at_fifty = self.queries_for(LIST)
        self.assertEqual(at_five, at_fifty)
        self.assertLessEqual(at_fifty, LIST_QUERY_BUDGET)

    def test_the_detail_costs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.partner)
        inquiry = self.mine(S.DECIDED)
        for number in range(10):
            InquiryMessage.objects.create(
                inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body=f"Melding {number}"
            )
        self.assertLessEqual(self.queries_for(detail(inquiry)), LIST_QUERY_BUDGET)
