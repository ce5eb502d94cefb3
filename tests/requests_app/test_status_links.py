"""Private status links: /status/<token>/ shows the partner their inquiry, lets them answer and withdraw it; staff
revoke the links and send new ones; every e-mail to the partner carries one."""

import datetime
import hashlib
import html
import re
from typing import TYPE_CHECKING
from unittest import mock

from django.core import mail
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, Outcome, StatusLink
from requests_app.services import conversation, intake, status_links
from requests_app.services.errors import InquiryStateError
from requests_app.services.outcomes import OutcomeDetails, approve_decision_message, decide_inquiry
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
LINK_IN_TEXT = re.compile(r"https?://[^/\s]+(/(?:en/)?status/[A-Za-z0-9_-]+/)")


def status_path(token: str, action: str = "") -> str:
    return f"/en/status/{token}/" + (f"{action}/" if action else "")


def link_paths(body: object) -> list[str]:
    """The status-link paths in an e-mail's text."""
    return LINK_IN_TEXT.findall(str(body))


class StatusLinkTestCase(PortalTestCase):
    def link_to(self, inquiry: Inquiry) -> str:
        return status_links.issue_status_link(inquiry, email=inquiry.contact.email)

    def assertPrivateHeaders(self, response: "TestResponse") -> None:
        self.assertEqual(response["Referrer-Policy"], "strict-origin")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("noindex", response["X-Robots-Tag"])


class StatusPageTests(StatusLinkTestCase):
    def test_a_valid_link_shows_the_inquiry_and_only_the_messages_the_partner_may_see(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, title="Solceller på skoletak", description="Vi vil prøve solceller.")
        message = InquiryMessage.Kind
        InquiryMessage.objects.create(inquiry=inquiry, kind=message.TO_PARTNER, body="Takk, vi ser på det.")
        InquiryMessage.objects.create(inquiry=inquiry, kind=message.FROM_PARTNER, body="Her er tegningene.")
        InquiryMessage.objects.create(inquiry=inquiry, kind=message.NOTE, body="Internt: budsjettet er tomt.")
        now = timezone.now()
        InquiryMessage.objects.create(
            inquiry=inquiry, kind=message.TO_PARTNER, body="Holdt vedtaksbrev.", is_decision=True, held_at=now
        )
        InquiryMessage.objects.create(
            inquiry=inquiry, kind=message.TO_PARTNER, body="Returnert vedtaksbrev.", is_decision=True, returned_at=now
        )
        response = self.client.get(status_path(self.link_to(inquiry)))
        self.assertEqual(response.status_code, 200)
        for shown in (inquiry.reference, "Solceller på skoletak", "Vi vil prøve solceller.", "Takk, vi ser på det.",
                      "Her er tegningene.", "The responsible unit is looking at it"):  # fmt: skip
            self.assertContains(response, shown)
        for hidden in ("Internt: budsjettet er tomt.", "Holdt vedtaksbrev.", "Returnert vedtaksbrev."):
            self.assertNotContains(response, hidden)

    def test_status_and_dates_in_plain_words(self) -> None:
        cases = {
            S.RECEIVED: "We have received your inquiry",
            S.IN_TRIAGE: "We are looking at who should handle it",
            S.ROUTED: "The responsible unit is looking at it",
            S.AWAITING_PARTNER: "We need more information from you",
            S.DECIDED: "We have decided",
            S.CLOSED: "Closed",
            S.WITHDRAWN: "Withdrawn",
        }
        due = datetime.date(2031, 5, 2)
        for status, text in cases.items():
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status, decision_due_on=due)
                response = self.client.get(status_path(self.link_to(inquiry)))
                self.assertContains(response, f"Status: {text}")
                if status == S.AWAITING_PARTNER:
                    self.assertContains(response, "Our deadlines are paused while we wait for you")
                    self.assertNotContains(response, "We expect to decide by")
                elif inquiry.is_open:
                    self.assertContains(response, "We expect to decide by 2 May 2031")
                else:
                    self.assertNotContains(response, "We expect to decide by")

    def test_a_decided_inquiry_shows_its_outcome_in_plain_words(self) -> None:
        inquiry = make_inquiry_in(S.DECIDED)
        Outcome.objects.filter(inquiry=inquiry).update(
            type=Outcome.Type.DECLINED,
            decline_reason=Outcome.DeclineReason.NO_CAPACITY,
            summary="Vi har dessverre ikke folk til dette i år.",
        )
        response = self.client.get(status_path(self.link_to(inquiry)))
        self.assertContains(response, "We cannot take your inquiry further: no capacity at the moment.")
        self.assertContains(response, "Vi har dessverre ikke folk til dette i år.")

    def test_while_the_decision_message_awaits_approval_the_decision_is_not_shown(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        decide_inquiry(
            inquiry,
            outcome=OutcomeDetails(
                type=Outcome.Type.NOT_OUR_REMIT, decided_on=timezone.localdate(), summary="Utenfor."
            ),
            message="Vi kan dessverre ikke hjelpe.",
            hold_message_for_approval=True,
            actor=self.bruno,
        )
        token = self.link_to(inquiry)
        response = self.client.get(status_path(token))
        self.assertContains(response, "Status: The responsible unit is looking at it")
        self.assertNotContains(response, "Your inquiry is outside what the centre works on.")
        self.assertNotContains(response, "Vi kan dessverre ikke hjelpe.")
        approve_decision_message(inquiry.messages.get(), actor=self.amina)
        response = self.client.get(status_path(token))
        self.assertContains(response, "Status: We have decided")
        self.assertContains(response, "Your inquiry is outside what the centre works on.")
        self.assertContains(response, "Vi kan dessverre ikke hjelpe.")

    def test_opening_the_page_marks_the_link_used(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        token = self.link_to(inquiry)
        self.client.get(status_path(token))
        self.assertIsNotNone(StatusLink.objects.get(inquiry=inquiry).last_used_at)

    def test_the_page_sends_only_the_origin_as_referer_is_not_stored_and_not_indexed(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        token = self.link_to(inquiry)
        self.assertPrivateHeaders(self.client.get(status_path(token)))
        self.assertPrivateHeaders(self.client.get(f"/status/{token}/"))  # bokmål
        self.assertPrivateHeaders(self.client.post(status_path(token, "reply"), {"reply-body": ""}))
        StatusLink.objects.update(revoked_at=timezone.now())
        self.assertPrivateHeaders(self.client.get(status_path(token)))
        guessed = self.client.get(status_path("x" * 43))
        self.assertEqual(guessed.status_code, 404)
        self.assertPrivateHeaders(guessed)

    def test_a_link_shows_only_its_own_inquiry_and_guessed_tokens_are_404(self) -> None:
        mine = make_inquiry_in(S.IN_PROGRESS, title="Min henvendelse")
        theirs = make_inquiry_in(S.IN_PROGRESS, title="Deres henvendelse")
        my_token, their_token = self.link_to(mine), self.link_to(theirs)
        response = self.client.get(status_path(their_token))
        self.assertContains(response, "Deres henvendelse")
        self.assertNotContains(response, "Min henvendelse")
        self.assertNotContains(response, mine.reference)
        # The token is the only key: there is no inquiry id in the address to change.
        for guess in (my_token[:-1] + ("A" if my_token[-1] != "A" else "B"), "a" * 43, str(mine.pk), "", "-"):
            if guess:
                with self.subTest(guess=guess):
                    self.assertEqual(self.client.get(status_path(guess)).status_code, 404)

    def test_a_link_to_an_inquiry_rejected_as_spam_is_404(self) -> None:
        inquiry = make_inquiry_in(S.SPAM)
        self.assertEqual(self.client.get(status_path(self.link_to(inquiry))).status_code, 404)

    def test_only_the_hash_of_the_token_is_stored(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        token = self.link_to(inquiry)
        link = StatusLink.objects.get()
        self.assertEqual(link.token_hash, hashlib.sha256(token.encode()).hexdigest())
        stored = [str(value) for value in StatusLink.objects.values_list().get()]
        self.assertFalse([value for value in stored if token in value])
        self.assertGreaterEqual(len(token), 43)  # 32 random bytes


class ExpiryTests(StatusLinkTestCase):
    def test_a_link_works_until_90_days_after_the_inquiry_closed(self) -> None:
        now = timezone.now()
        recent = make_inquiry_in(S.CLOSED, closed_at=now - datetime.timedelta(days=89))
        response = self.client.get(status_path(self.link_to(recent)))
        self.assertContains(response, recent.reference)
        self.assertContains(response, "Status: Closed")

    def test_a_link_to_an_inquiry_closed_91_days_ago_has_expired(self) -> None:
        now = timezone.now()
        old = make_inquiry_in(S.CLOSED, closed_at=now - datetime.timedelta(days=91))
        token = self.link_to(old)
        response = self.client.get(status_path(token))
        self.assertContains(response, "This link has expired")
        self.assertContains(response, "stop working 90 days after")
        self.assertNotContains(response, old.reference)
        self.assertNotContains(response, old.title)
        self.assertEqual(self.client.post(status_path(token, "reply"), {"reply-body": "Hei"}).status_code, 200)
        self.assertFalse(old.messages.exists())

    def test_a_withdrawn_inquiry_and_a_decided_one_expire_from_their_end(self) -> None:
        long_ago = timezone.now() - datetime.timedelta(days=91)
        withdrawn = make_inquiry_in(S.WITHDRAWN, closed_at=long_ago)
        decided = make_inquiry_in(S.DECIDED, decided_at=long_ago)
        for inquiry in (withdrawn, decided):
            with self.subTest(status=inquiry.status):
                self.assertContains(self.client.get(status_path(self.link_to(inquiry))), "This link has expired")

    def test_a_reopened_inquiry_opens_again(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, decided_at=timezone.now() - datetime.timedelta(days=200))
        self.assertContains(self.client.get(status_path(self.link_to(inquiry))), inquiry.reference)


class ReplyAndWithdrawTests(StatusLinkTestCase):
    def test_a_reply_resumes_an_inquiry_awaiting_the_partner_and_emails_the_owner(self) -> None:
        inquiry = make_inquiry_in(S.AWAITING_PARTNER, owner=self.bruno)
        token = self.link_to(inquiry)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(status_path(token, "reply"), {"reply-body": "Her er budsjettet."})
        self.assertRedirects(response, status_path(token), fetch_redirect_response=False)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        message = inquiry.messages.get()
        self.assertEqual((message.kind, message.body, message.author), ("from_partner", "Her er budsjettet.", None))
        event = inquiry.events.get()
        self.assertEqual((event.kind, event.actor), (InquiryEvent.Kind.PARTNER_REPLIED, None))
        self.assertEqual([email.to for email in mail.outbox], [[self.bruno.email]])
        page = self.client.get(status_path(token))
        self.assertContains(page, "Her er budsjettet.")
        self.assertContains(page, "Your message has been sent")

    def test_an_empty_reply_is_refused_and_changes_nothing(self) -> None:
        inquiry = make_inquiry_in(S.AWAITING_PARTNER)
        response = self.client.post(status_path(self.link_to(inquiry), "reply"), {"reply-body": "  "})
        self.assertContains(response, "Write your message.", status_code=400)
        self.assertFalse(inquiry.messages.exists())
        self.assertFalse(inquiry.events.exists())

    def test_withdrawing_through_the_link(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        token = self.link_to(inquiry)
        response = self.client.post(status_path(token, "withdraw"), {"withdraw-reason": "Vi fant en annen løsning."})
        self.assertRedirects(response, status_path(token))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.WITHDRAWN)
        event = inquiry.events.get()
        self.assertEqual(
            (event.kind, event.actor, event.data["note"]), ("inquiry.withdrawn", None, "Vi fant en annen løsning.")
        )
        self.assertEqual(inquiry.outcome.type, Outcome.Type.WITHDRAWN)
        page = self.client.get(status_path(token))
        self.assertContains(page, "Status: Withdrawn")
        self.assertNotContains(page, 'action="' + status_path(token, "withdraw"))
        self.assertNotContains(page, 'action="' + status_path(token, "reply"))

    def test_a_finished_inquiry_offers_no_forms_and_refuses_a_post(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        token = self.link_to(inquiry)
        self.assertNotContains(self.client.get(status_path(token)), "<textarea")
        response = self.client.post(status_path(token, "withdraw"), {})
        self.assertRedirects(response, status_path(token), fetch_redirect_response=False)
        self.assertEqual(Inquiry.objects.get(pk=inquiry.pk).status, S.CLOSED)
        self.assertFalse(inquiry.events.exists())

    def test_replies_are_limited_per_inquiry_with_the_text_kept_and_nothing_stored(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        token = self.link_to(inquiry)
        with mock.patch("requests_app.views.partner.REPLY_RATE_PER_INQUIRY", "3/d"):
            for number in range(3):  # each from another address: the inquiry's limit, not the address's
                response = self.client.post(
                    status_path(token, "reply"), {"reply-body": f"Svar {number}"}, REMOTE_ADDR=f"192.0.2.{number + 1}"
                )
                self.assertRedirects(response, status_path(token), fetch_redirect_response=False)
            with translation.override("en"):
                response = self.client.post(
                    status_path(token, "reply"), {"reply-body": "Det fjerde <svaret>"}, REMOTE_ADDR="192.0.2.9"
                )
            self.assertEqual(response.status_code, 429)
            self.assertGreater(int(response["Retry-After"]), 0)
            self.assertContains(response, "so this one was not sent", status_code=429)
            self.assertContains(response, "Det fjerde &lt;svaret&gt;</textarea>", status_code=429)  # kept, escaped
            self.assertPrivateHeaders(response)
            self.assertEqual(inquiry.messages.count(), 3)
            # Another inquiry's link is not held back by this one's replies.
            other = self.link_to(make_inquiry_in(S.IN_PROGRESS))
            response = self.client.post(status_path(other, "reply"), {"reply-body": "Hei"}, REMOTE_ADDR="192.0.2.9")
            self.assertEqual(response.status_code, 302)

    def test_replies_are_limited_per_address_across_inquiries_counting_only_stored_ones(self) -> None:
        tokens = [self.link_to(make_inquiry_in(S.IN_PROGRESS)) for _ in range(3)]
        with mock.patch("requests_app.views.partner.REPLY_RATE_PER_ADDRESS", "2/h"):
            self.assertEqual(self.client.post(status_path(tokens[0], "reply"), {"reply-body": "Svar"}).status_code, 302)
            # An invalid reply is not counted: the next valid one is the second, and goes through.
            self.assertEqual(self.client.post(status_path(tokens[1], "reply"), {"reply-body": " "}).status_code, 400)
            self.assertEqual(self.client.post(status_path(tokens[1], "reply"), {"reply-body": "Svar"}).status_code, 302)
            response = self.client.post(status_path(tokens[2], "reply"), {"reply-body": "Svar"})
            self.assertEqual(response.status_code, 429)
            self.assertEqual(InquiryMessage.objects.count(), 2)
            # From another address the third inquiry's reply goes through.
            other_address = "192.0.2.7"
            response = self.client.post(
                status_path(tokens[2], "reply"), {"reply-body": "Svar"}, REMOTE_ADDR=other_address
            )
            self.assertEqual(response.status_code, 302)

    def test_replies_go_through_when_the_limit_cannot_be_counted(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with (
            mock.patch("requests_app.views.partner.get_usage", side_effect=ConnectionError("cache down")),
            self.assertLogs("requests_app.views.partner", level="WARNING"),
        ):
            response = self.client.post(status_path(self.link_to(inquiry), "reply"), {"reply-body": "Svar"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(inquiry.messages.count(), 1)

    def test_the_forms_are_posts_only(self) -> None:
        token = self.link_to(make_inquiry_in(S.ROUTED))
        for action in ("reply", "withdraw", "fresh"):
            with self.subTest(action=action):
                self.assertEqual(self.client.get(status_path(token, action)).status_code, 405)


class RevokedLinkTests(StatusLinkTestCase):
    def test_a_revoked_link_says_so_and_offers_a_new_one(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        token = self.link_to(inquiry)
        status_links.revoke_status_links(inquiry, actor=self.amina)
        response = self.client.get(status_path(token))
        self.assertContains(response, "This link has been withdrawn")
        self.assertContains(response, f'action="{status_path(token, "fresh")}"')
        self.assertNotContains(response, inquiry.reference)
        self.assertNotContains(response, inquiry.title)

    def test_a_new_link_goes_to_the_original_address_only(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        original = inquiry.contact.email
        token = self.link_to(inquiry)
        status_links.revoke_status_links(inquiry, actor=self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                status_path(token, "fresh"), {"email": "attacker@example.com", "to": "attacker@example.com"}
            )
        self.assertRedirects(response, status_path(token), fetch_redirect_response=False)
        [email] = mail.outbox
        self.assertEqual(email.to, [original])
        self.assertNotIn("attacker", str(email.message()))
        [new_path] = link_paths(email.body)
        self.assertContains(self.client.get(new_path), inquiry.reference)
        self.assertEqual(inquiry.events.last().kind, InquiryEvent.Kind.STATUS_LINK_SENT)  # type: ignore[union-attr]

    def test_the_answer_is_the_same_whether_or_not_a_link_was_sent(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        token = self.link_to(inquiry)
        status_links.revoke_status_links(inquiry, actor=self.amina)
        answers = []
        with self.captureOnCommitCallbacks(execute=True):
            for _ in range(5):  # three per link and day: the last two send nothing
                response = self.client.post(status_path(token, "fresh"), follow=True)
                answers.append([str(message) for message in response.context["messages"]])
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(len({tuple(answer) for answer in answers}), 1, answers)

    def test_a_link_that_still_works_or_has_expired_gets_no_new_one(self) -> None:
        working = make_inquiry_in(S.IN_PROGRESS)
        expired = make_inquiry_in(S.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=91))
        expired_token = self.link_to(expired)
        StatusLink.objects.filter(inquiry=expired).update(revoked_at=timezone.now())
        with self.captureOnCommitCallbacks(execute=True):
            for token in (self.link_to(working), expired_token):
                self.assertEqual(self.client.post(status_path(token, "fresh")).status_code, 302)
        self.assertEqual(mail.outbox, [])
        self.assertContains(self.client.get(status_path(expired_token)), "This link has been withdrawn")


class StaffActionTests(StatusLinkTestCase):
    def action_url(self, inquiry: Inquiry, action: str) -> str:
        return f"/en/staff/inquiries/{inquiry.pk}/{action}/"

    def test_the_unit_revokes_the_links_with_one_event(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit)
        tokens = [self.link_to(inquiry), self.link_to(inquiry)]
        self.client.force_login(self.bruno)
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertContains(page, "Revoke the partner's status links")
        self.assertContains(page, "The partner's links work")
        response = self.client.post(self.action_url(inquiry, "revoke-status-links"))
        self.assertRedirects(response, f"/en/staff/inquiries/{inquiry.pk}/", fetch_redirect_response=False)
        self.assertFalse(StatusLink.objects.filter(inquiry=inquiry, revoked_at__isnull=True).exists())
        event = inquiry.events.get()
        self.assertEqual(
            (event.kind, event.actor, event.data["count"]), ("inquiry.status_links_revoked", self.bruno, 2)
        )
        for token in tokens:
            self.assertContains(self.client.get(status_path(token)), "This link has been withdrawn")
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertNotContains(page, "Revoke the partner's status links")

    def test_the_page_says_whether_a_link_works_and_when_one_was_last_opened(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit)
        self.client.force_login(self.bruno)

        def facts() -> str:
            page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/").content.decode()
            found = re.search(r'<dd id="status-links">(.*?)</dd>', page)
            assert found is not None
            return html.unescape(found[1])

        self.assertEqual(facts(), "None that works (revoked, or none sent)")
        never_opened, opened = self.link_to(inquiry), self.link_to(inquiry)
        self.assertEqual(facts(), "The partner's links work")
        self.client.logout()
        self.client.get(status_path(opened))
        last = StatusLink.objects.get(inquiry=inquiry, last_used_at__isnull=False).last_used_at
        self.client.force_login(self.bruno)
        with translation.override("en"):
            when = date_filter(timezone.localtime(last), "SHORT_DATETIME_FORMAT")
        self.assertEqual(facts(), f"The partner's links work; last opened {when}")
        StatusLink.objects.filter(inquiry=inquiry, last_used_at__isnull=False).update(revoked_at=timezone.now())
        self.assertEqual(facts(), "The partner's links work")  # the one left, never opened, still works
        self.client.logout()
        self.assertEqual(self.client.get(status_path(never_opened)).status_code, 200)

    def test_revoking_when_no_link_works_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with self.assertRaises(InquiryStateError):
            status_links.revoke_status_links(inquiry, actor=self.amina)
        self.assertFalse(inquiry.events.exists())

    def test_the_secretariat_sends_a_new_link_to_the_contact(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, language="en")
        self.client.force_login(self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.action_url(inquiry, "send-status-link"))
        self.assertEqual(response.status_code, 302)
        [email] = mail.outbox
        self.assertEqual(email.to, [inquiry.contact.email])
        self.assertIn(f"A new link to your inquiry {inquiry.reference}", email.subject)
        self.assertContains(self.client.get(link_paths(email.body)[0]), inquiry.reference)
        event = inquiry.events.get()
        self.assertEqual((event.kind, event.actor), (InquiryEvent.Kind.STATUS_LINK_SENT, self.amina))

    def test_no_link_is_offered_or_sent_once_links_have_expired(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=91))
        self.link_to(inquiry)
        self.client.force_login(self.amina)
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertNotContains(page, "status-link/")
        self.assertContains(page, "Expired: the inquiry finished more than 90 days ago")
        with self.assertRaises(InquiryStateError):
            status_links.send_status_link_to_contact(inquiry, actor=self.amina)

    def test_an_executive_may_not_revoke_or_send(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        self.link_to(inquiry)
        self.client.force_login(self.dina)
        for action in ("revoke-status-links", "send-status-link"):
            with self.subTest(action=action):
                self.assertEqual(self.client.post(self.action_url(inquiry, action)).status_code, 403)
        self.assertFalse(StatusLink.objects.filter(revoked_at__isnull=False).exists())


class EmailLinkTests(StatusLinkTestCase):
    def submit(self, email: str = "kari@example.no") -> Inquiry:
        return intake.submit_inquiry(
            organisation=OrganisationDetails(name="Klimalab AS", kind="company", country="NO"),
            contact=ContactDetails(name="Kari Nordmann", email=email, preferred_language="en"),
            title="Utslippsfrie byggeplasser",
            description="Vi vil samarbeide.",
            inquiry_type=Inquiry.Type.PILOT,
            language="en",
        )

    def test_the_receipt_carries_a_working_status_link(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            inquiry = self.submit()
        [email] = mail.outbox
        [path] = link_paths(email.body)
        self.assertTrue(path.startswith("/en/status/"), path)  # in the inquiry's language
        self.assertIn(path, email.alternatives[0].content)  # type: ignore[union-attr]
        response = self.client.get(path)
        self.assertContains(response, inquiry.reference)
        self.assertContains(response, "Utslippsfrie byggeplasser")
        self.assertNotIn("/my/inquiries/", email.body)  # no account with this address

    def test_every_email_to_the_partner_has_a_link_of_its_own(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            conversation.send_message(inquiry, body="Første melding.", actor=self.bruno)
            conversation.request_information(inquiry, body="Hvor mange deltar?", actor=self.bruno)
            conversation.add_note(inquiry, body="Internt notat.", actor=self.bruno)
        paths = [link_paths(email.body)[0] for email in mail.outbox]
        self.assertEqual(len(paths), 2)
        self.assertEqual(len(set(paths)), 2)
        self.assertEqual(StatusLink.objects.filter(inquiry=inquiry).count(), 2)
        for email in mail.outbox:
            self.assertNotIn("Internt notat.", email.body)
        self.assertContains(self.client.get(paths[0]), "Hvor mange deltar?")

    def test_the_decision_message_carries_a_link_only_when_it_is_actually_sent(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            decide_inquiry(
                inquiry,
                outcome=OutcomeDetails(
                    type=Outcome.Type.KNOWLEDGE_SHARED, decided_on=timezone.localdate(), summary="Møte holdt."
                ),
                message="Takk for møtet!",
                hold_message_for_approval=True,
                actor=self.bruno,
            )
        self.assertEqual(mail.outbox, [])
        self.assertFalse(StatusLink.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            approve_decision_message(inquiry.messages.get(), actor=self.amina)
        [email] = mail.outbox
        self.assertContains(self.client.get(link_paths(email.body)[0]), "Takk for møtet!")

    def test_a_contact_with_a_verified_account_is_told_about_my_inquiries(self) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self.partner, email=self.partner.email, verified=True, primary=True)
        with self.captureOnCommitCallbacks(execute=True):
            self.submit(email=self.partner.email)
        [email] = mail.outbox
        self.assertIn("/en/my/inquiries/", email.body)
        self.assertIn("log in with your account", email.body)

    def test_the_outbox_keeps_the_token_only_in_the_body(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.submit()
        row = OutboxMessage.objects.get()
        [path] = link_paths(row.body_text)
        token = path.rstrip("/").rsplit("/", 1)[-1]
        self.assertNotIn(token, row.subject + row.key + str(row.headers))


class LogTests(StatusLinkTestCase):
    def test_tokens_are_redacted_from_the_logs(self) -> None:
        import logging

        from django.conf import settings

        from portal.log_filters import RedactStatusLinkTokens

        token = self.link_to(make_inquiry_in(S.RECEIVED))
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (status_path(token, "reply"),), None
        )
        self.assertTrue(RedactStatusLinkTokens().filter(record))
        self.assertEqual(record.getMessage(), "Bad Request: /en/status/[redacted]/reply/")
        # The handler every logger writes to (Django's request log included) applies the filter.
        self.assertIn("redact_status_link_tokens", settings.LOGGING["handlers"]["console"]["filters"])  # type: ignore[index]
        root_filters = [type(f) for handler in logging.getLogger().handlers for f in handler.filters]
        self.assertIn(RedactStatusLinkTokens, root_filters)
