"""Decisions needed: the secretariat asks the chief municipal executive about an inquiry, the executive answers
(approve, comment, decline) in a queue at /staff/decisions/ or on the inquiry's page, and the answer lands in the
timeline and with the inquiry's owner. Each step is one service and one event; the e-mails go through the outbox."""

import datetime
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from partners.models import MunicipalUnit, Role, User
from requests_app.models import DecisionRequest, Inquiry, InquiryEvent, OutboxMessage
from requests_app.services import decisions, highlights
from requests_app.services.errors import InquiryStateError
from tests.base import PortalTestCase, make_user
from tests.factories import make_inquiry_in

pytestmark = pytest.mark.usefixtures("in_english")

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
Reason = DecisionRequest.Reason
Answer = DecisionRequest.Answer
QUEUE = "/en/staff/decisions/"


def answer_url(question: DecisionRequest) -> str:
    return f"/en/staff/decisions/{question.pk}/answer/"


def page_url(inquiry: Inquiry) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/"


def action_url(inquiry: Inquiry, action: str) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/{action}/"


class DecisionTestCase(PortalTestCase):
    erik: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A second executive who reads in English, and a former one whose account is closed.
        cls.erik = make_user(
            "erik@trondheim.kommune.no", full_name="Erik Eng", groups=(Role.EXECUTIVE,), preferred_language="en"
        )
        make_user("tidligere@trondheim.kommune.no", groups=(Role.EXECUTIVE,), is_active=False)

    def ask(self, inquiry: Inquiry, question: str = "Skal vi takke ja til tilbudet?") -> DecisionRequest:
        with self.captureOnCommitCallbacks(execute=True):
            asked = decisions.request_decision(inquiry, reason=Reason.FUNDING, question=question, actor=self.amina)
        mail.outbox.clear()
        return asked

    def events(self, inquiry: Inquiry, kind: str) -> list[InquiryEvent]:
        return list(InquiryEvent.objects.filter(inquiry=inquiry, kind=kind))


class AskTests(DecisionTestCase):
    def test_asking_stores_the_question_writes_one_event_and_emails_each_active_executive_in_their_language(
        self,
    ) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks(execute=True):
            question = decisions.request_decision(
                inquiry, reason=Reason.LEADERSHIP, question="  Bør ordføreren ta imot delegasjonen?  ", actor=self.amina
            )
        question.refresh_from_db()
        self.assertEqual(
            (question.reason, question.question, question.requested_by, question.is_open),
            (Reason.LEADERSHIP, "Bør ordføreren ta imot delegasjonen?", self.amina, True),
        )
        (event,) = InquiryEvent.objects.filter(inquiry=inquiry)
        self.assertEqual((event.kind, event.actor), (InquiryEvent.Kind.DECISION_REQUESTED, self.amina))
        self.assertEqual(event.data["decision_request"], question.pk)
        self.assertEqual(event.data["reason"], Reason.LEADERSHIP)
        self.assertEqual(event.data["question"], "Bør ordføreren ta imot delegasjonen?")

        rows = {row.to: row for row in OutboxMessage.objects.filter(template="decision_requested")}
        self.assertEqual(set(rows), {self.dina.email, self.erik.email})  # not the closed account
        self.assertEqual((rows[self.dina.email].language, rows[self.erik.email].language), ("nb", "en"))
        self.assertEqual(rows[self.erik.email].headers, {"Content-Language": "en"})
        # Links to the queue and the inquiry, absolute, each in the reader's language.
        self.assertIn(f"{settings.SITE_URL}/en/staff/decisions/", rows[self.erik.email].body_text)
        self.assertIn(f"{settings.SITE_URL}/staff/decisions/", rows[self.dina.email].body_text)
        self.assertIn(f"{settings.SITE_URL}/staff/inquiries/{inquiry.pk}/", rows[self.dina.email].body_html)
        self.assertIn("Bør ordføreren ta imot delegasjonen?", rows[self.erik.email].body_text)
        self.assertEqual(rows[self.erik.email].subject, f"Decision needed: {inquiry.reference}")
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), sorted(rows))

    def test_a_second_open_question_is_refused_and_nothing_changes(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.ask(inquiry)
        with self.assertRaisesMessage(InquiryStateError, "Withdraw it before you ask another"):
            decisions.request_decision(inquiry, reason=Reason.OTHER, question="En til?", actor=self.amina)
        self.assertEqual(DecisionRequest.objects.filter(inquiry=inquiry).count(), 1)
        self.assertEqual(InquiryEvent.objects.filter(inquiry=inquiry).count(), 1)

    def test_spam_and_duplicates_cannot_be_put_to_the_executive(self) -> None:
        for status in (S.SPAM, S.DUPLICATE):
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                with self.assertRaises(InquiryStateError):
                    decisions.request_decision(inquiry, reason=Reason.OTHER, question="?", actor=self.amina)
                self.assertFalse(DecisionRequest.objects.filter(inquiry=inquiry).exists())
                self.assertFalse(InquiryEvent.objects.filter(inquiry=inquiry).exists())

    def test_a_blank_question_or_an_unknown_reason_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        for reason, question in ((Reason.OTHER, "   "), ("whim", "Skal vi?")):
            with self.subTest(reason=reason), self.assertRaises(InquiryStateError):
                decisions.request_decision(inquiry, reason=reason, question=question, actor=self.amina)
        self.assertFalse(DecisionRequest.objects.exists())

    def test_once_answered_or_withdrawn_a_new_question_may_be_asked(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        first = self.ask(inquiry)
        decisions.answer_decision_request(first, answer=Answer.APPROVE, text="", actor=self.dina)
        self.ask(inquiry, "Og neste år?")
        decisions.withdraw_decision_request(inquiry, actor=self.amina)
        self.ask(inquiry, "Tredje gang?")
        self.assertEqual(DecisionRequest.objects.filter(inquiry=inquiry).count(), 3)
        self.assertEqual(DecisionRequest.objects.filter(decisions.OPEN, inquiry=inquiry).count(), 1)


class AnswerTests(DecisionTestCase):
    def test_the_answer_is_one_event_and_the_owner_and_the_asker_are_emailed_only_after_commit(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        question = self.ask(inquiry)
        with self.captureOnCommitCallbacks() as callbacks:
            decisions.answer_decision_request(
                question, answer=Answer.DECLINE, text=" Ikke i år: budsjettet er brukt. ", actor=self.dina
            )
            self.assertEqual(mail.outbox, [])  # written to the outbox, not sent, inside the transaction
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), [self.amina.email, self.bruno.email])

        question.refresh_from_db()
        self.assertEqual(
            (question.answer, question.answer_text, question.answered_by, question.is_open),
            (Answer.DECLINE, "Ikke i år: budsjettet er brukt.", self.dina, False),
        )
        (event,) = self.events(inquiry, InquiryEvent.Kind.DECISION_ANSWERED)
        self.assertEqual(event.actor, self.dina)
        self.assertEqual(
            {key: event.data[key] for key in ("decision_request", "answer", "text")},
            {"decision_request": question.pk, "answer": "decline", "text": "Ikke i år: budsjettet er brukt."},
        )
        (to_owner,) = OutboxMessage.objects.filter(template="decision_answered", to=self.bruno.email)
        self.assertEqual(to_owner.event, event)
        self.assertIn("Ikke i år: budsjettet er brukt.", to_owner.body_text)
        self.assertIn(f"{settings.SITE_URL}/staff/inquiries/{inquiry.pk}/", to_owner.body_text)

    def test_the_owner_reads_it_in_their_language(self) -> None:
        owner = make_user("olav@trondheim.kommune.no", units=(self.bym_unit,), preferred_language="en")
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=owner)
        question = self.ask(inquiry)
        with self.captureOnCommitCallbacks(execute=True):
            decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=self.dina)
        row = OutboxMessage.objects.get(template="decision_answered", to=owner.email)
        self.assertEqual(row.language, "en")
        self.assertEqual(row.subject, f"The chief municipal executive on {inquiry.reference}: Approved")
        self.assertIn(f"{settings.SITE_URL}/en/staff/inquiries/{inquiry.pk}/", row.body_text)
        # The secretariat member who asked reads bokmål (the default).
        self.assertEqual(OutboxMessage.objects.get(template="decision_answered", to=self.amina.email).language, "nb")

    def test_without_an_owner_the_units_mailbox_is_told_and_without_a_unit_the_secretariats(self) -> None:
        cases = ((make_inquiry_in(S.ROUTED), self.bym_unit.email), (make_inquiry_in(S.IN_TRIAGE), None))
        for inquiry, expected in cases:
            with self.subTest(status=inquiry.status):
                question = self.ask(inquiry)
                question.requested_by = None  # asked by an account since deleted
                DecisionRequest.objects.filter(pk=question.pk).update(requested_by=None)
                with self.captureOnCommitCallbacks(execute=True):
                    decisions.answer_decision_request(
                        question, answer=Answer.COMMENT, text="Ta det opp.", actor=self.dina
                    )
                rows = OutboxMessage.objects.filter(template="decision_answered", inquiry=inquiry)
                self.assertEqual(
                    [(row.to, row.language) for row in rows], [(expected or self.secretariat_unit.email, "nb")]
                )

    def test_comment_and_decline_need_words_approve_does_not(self) -> None:
        for answer in (Answer.COMMENT, Answer.DECLINE):
            with self.subTest(answer=answer):
                question = self.ask(make_inquiry_in(S.IN_TRIAGE))
                with self.assertRaises(InquiryStateError):
                    decisions.answer_decision_request(question, answer=answer, text="  ", actor=self.dina)
                question.refresh_from_db()
                self.assertTrue(question.is_open)
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=self.dina)
        self.assertEqual(DecisionRequest.objects.get(pk=question.pk).answer, Answer.APPROVE)

    def test_an_answered_or_withdrawn_question_is_refused_and_nothing_changes(self) -> None:
        answered = self.ask(make_inquiry_in(S.IN_TRIAGE))
        decisions.answer_decision_request(answered, answer=Answer.APPROVE, text="", actor=self.dina)
        withdrawn = self.ask(make_inquiry_in(S.IN_TRIAGE))
        decisions.withdraw_decision_request(withdrawn.inquiry, actor=self.amina)
        for question, message in ((answered, "already answered"), (withdrawn, "withdrew this question")):
            with self.subTest(message=message):
                events = InquiryEvent.objects.count()
                before = DecisionRequest.objects.filter(pk=question.pk).values().get()
                with self.assertRaisesMessage(InquiryStateError, message):
                    decisions.answer_decision_request(question, answer=Answer.DECLINE, text="Nei.", actor=self.erik)
                self.assertEqual(DecisionRequest.objects.filter(pk=question.pk).values().get(), before)
                self.assertEqual(InquiryEvent.objects.count(), events)

    def test_only_an_executive_answers(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        for person in (self.amina, self.admin, self.bruno):
            with self.subTest(person=person.email), self.assertRaises(InquiryStateError):
                decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=person)
        self.assertTrue(DecisionRequest.objects.get(pk=question.pk).is_open)


class WithdrawTests(DecisionTestCase):
    def test_withdrawing_closes_the_question_with_one_event_and_no_email(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        question = self.ask(inquiry)
        with self.captureOnCommitCallbacks(execute=True):
            decisions.withdraw_decision_request(inquiry, actor=self.amina)
        question.refresh_from_db()
        self.assertIsNotNone(question.withdrawn_at)
        self.assertEqual(question.answer, "")
        (event,) = self.events(inquiry, InquiryEvent.Kind.DECISION_REQUEST_WITHDRAWN)
        self.assertEqual((event.actor, event.data["decision_request"]), (self.amina, question.pk))
        self.assertEqual(mail.outbox, [])

    def test_without_an_open_question_there_is_nothing_to_withdraw(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.assertRaisesMessage(InquiryStateError, "No question about this inquiry is waiting"):
            decisions.withdraw_decision_request(inquiry, actor=self.amina)
        self.assertFalse(InquiryEvent.objects.filter(inquiry=inquiry).exists())


class QueuePageTests(DecisionTestCase):
    def open_queue(self, user: User) -> "TestResponse":
        self.client.force_login(user)
        return self.client.get(QUEUE)

    def test_who_may_open_the_queue(self) -> None:
        self.assertRedirects(self.client.get(QUEUE), f"/en/accounts/login/?next={QUEUE}")
        for user, status in (
            (self.partner, 403),
            (self.bruno, 403),
            (self.dina, 200),
            (self.amina, 200),
            (self.admin, 200),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.open_queue(user).status_code, status)

    def test_the_queue_lists_the_open_questions_oldest_first_and_the_answered_below(self) -> None:
        now = timezone.now()
        newer = self.ask(make_inquiry_in(S.IN_TRIAGE, title="Nyere sak"), "Den nyere?")
        older = self.ask(make_inquiry_in(S.ROUTED, title="Eldre sak"), "Den eldre?")
        DecisionRequest.objects.filter(pk=older.pk).update(requested_at=now - datetime.timedelta(days=6))
        answered = self.ask(make_inquiry_in(S.IN_TRIAGE, title="Besvart sak"), "Den besvarte?")
        decisions.answer_decision_request(answered, answer=Answer.COMMENT, text="Snakk med rådmannen.", actor=self.dina)

        response = self.open_queue(self.dina)
        rows = response.context["waiting"]
        self.assertEqual([row["question"].pk for row in rows], [older.pk, newer.pk])
        self.assertEqual([row["days_waiting"] for row in rows], [6, 0])
        self.assertEqual([question.pk for question in response.context["answered"]], [answered.pk])
        content = response.content.decode()
        self.assertLess(content.index("Eldre sak"), content.index("Nyere sak"))
        self.assertLess(content.index("Nyere sak"), content.index("Besvart sak"))
        self.assertContains(response, "6 days")
        self.assertContains(response, "Funding offer above the threshold")
        self.assertContains(response, "Snakk med rådmannen.")
        self.assertContains(response, older.inquiry.organisation.name)
        self.assertContains(response, f'href="/en/staff/inquiries/{older.inquiry_id}/"')
        self.assertContains(response, "Amina Haddad")
        # The executive gets an answer form per question, each with its own ids; no withdraw buttons.
        self.assertContains(response, f'action="{answer_url(older)}"')
        self.assertContains(response, f'id="id_answer-{older.pk}-answer_0"')
        self.assertContains(response, f'id="id_answer-{newer.pk}-answer_0"')
        self.assertNotContains(response, "/withdraw-question/")

    def test_the_secretariat_reads_the_queue_and_may_withdraw_but_not_answer(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        for user in (self.amina, self.admin):
            with self.subTest(user=user.email):
                response = self.open_queue(user)
                self.assertNotContains(response, answer_url(question))
                self.assertContains(response, f'action="{action_url(question.inquiry, "withdraw-question")}"')
                self.assertIsNone(response.context["waiting"][0]["form"])

    def count_queries(self, user: User) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(QUEUE)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_number_of_queries_is_the_same_for_2_and_20_open_questions(self) -> None:
        def add(count: int) -> None:
            for _ in range(count):
                inquiry = make_inquiry_in(S.IN_TRIAGE)
                question = self.ask(inquiry)
                if _ % 2:  # and as many answered, in the lower list
                    answered = self.ask(make_inquiry_in(S.IN_TRIAGE))
                    decisions.answer_decision_request(answered, answer=Answer.APPROVE, text="", actor=self.dina)
                self.assertTrue(question.is_open)

        add(2)
        few = {user.email: self.count_queries(user) for user in (self.dina, self.amina)}
        add(18)
        self.assertEqual(len(self.open_queue(self.dina).context["waiting"]), 20)
        self.client.force_login(self.dina)
        with self.assertNumQueries(few[self.dina.email]):
            self.client.get(QUEUE)
        self.assertEqual({user.email: self.count_queries(user) for user in (self.dina, self.amina)}, few)


class AnswerViewTests(DecisionTestCase):
    def test_the_executive_answers_from_the_queue(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_PROGRESS, owner=self.bruno))
        self.client.force_login(self.dina)
        prefix = f"answer-{question.pk}"
        response = self.client.post(answer_url(question), {f"{prefix}-answer": "comment", f"{prefix}-text": "Ja, men."})
        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        question.refresh_from_db()
        self.assertEqual(
            (question.answer, question.answer_text, question.answered_by), ("comment", "Ja, men.", self.dina)
        )
        self.assertEqual(len(self.events(question.inquiry, InquiryEvent.Kind.DECISION_ANSWERED)), 1)
        page = self.client.get(QUEUE)
        self.assertContains(page, "Your answer on")
        self.assertEqual(page.context["waiting"], [])

    def test_a_decline_without_words_comes_back_with_the_error_and_the_choice_kept(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        self.client.force_login(self.dina)
        prefix = f"answer-{question.pk}"
        response = self.client.post(answer_url(question), {f"{prefix}-answer": "decline", f"{prefix}-text": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Write why you decline, so the owner knows what to do.", status_code=400)
        self.assertContains(response, 'id="error-summary"', status_code=400)
        self.assertContains(
            response, f'value="decline" class="ds-input" required id="id_{prefix}-answer_2" checked', status_code=400
        )
        self.assertTrue(DecisionRequest.objects.get(pk=question.pk).is_open)
        self.assertFalse(self.events(question.inquiry, InquiryEvent.Kind.DECISION_ANSWERED))

    def test_without_a_choice_the_error_is_translated_and_the_words_kept(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        self.client.force_login(self.dina)
        prefix = f"answer-{question.pk}"
        response = self.client.post(answer_url(question), {f"{prefix}-text": "Mine ord her."})
        self.assertContains(response, "Choose whether you approve, comment or decline.", status_code=400)
        self.assertContains(response, "Mine ord her.</textarea>", status_code=400)

    def test_the_secretariat_administrators_and_unit_members_cannot_answer(self) -> None:
        question = self.ask(make_inquiry_in(S.ROUTED))
        prefix = f"answer-{question.pk}"
        for user in (self.amina, self.admin, self.bruno, self.partner):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                response = self.client.post(answer_url(question), {f"{prefix}-answer": "approve"})
                self.assertEqual(response.status_code, 403)
        self.assertTrue(DecisionRequest.objects.get(pk=question.pk).is_open)
        self.client.force_login(self.dina)
        self.assertEqual(self.client.get(answer_url(question)).status_code, 405)

    def test_answering_a_question_answered_meanwhile_says_so_and_changes_nothing(self) -> None:
        question = self.ask(make_inquiry_in(S.IN_TRIAGE))
        decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=self.erik)
        self.client.force_login(self.dina)
        prefix = f"answer-{question.pk}"
        response = self.client.post(
            answer_url(question), {f"{prefix}-answer": "decline", f"{prefix}-text": "Nei."}, follow=True
        )
        self.assertContains(response, "This question was already answered on")
        question.refresh_from_db()
        self.assertEqual((question.answer, question.answered_by), ("approve", self.erik))
        self.assertEqual(len(self.events(question.inquiry, InquiryEvent.Kind.DECISION_ANSWERED)), 1)

    def test_an_unknown_question_is_a_404(self) -> None:
        self.client.force_login(self.dina)
        self.assertEqual(self.client.post("/en/staff/decisions/999999/answer/", {}).status_code, 404)


class InquiryPageTests(DecisionTestCase):
    def open(self, inquiry: Inquiry, user: User, **query: str) -> "TestResponse":
        self.client.force_login(user)
        response = self.client.get(page_url(inquiry), query)
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_secretariat_asks_from_the_page(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        page = self.open(inquiry, self.amina)
        self.assertContains(page, 'href="?action=ask-executive#action-ask-executive"')
        opened = self.open(inquiry, self.amina, action="ask-executive")
        self.assertContains(opened, f'action="{action_url(inquiry, "ask-executive")}"')
        self.assertContains(opened, "Question to the chief municipal executive")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                action_url(inquiry, "ask-executive"),
                {"ask-executive-reason": "political", "ask-executive-question": "Passer dette med vedtaket?"},
            )
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        question = DecisionRequest.objects.get(inquiry=inquiry)
        self.assertEqual((question.reason, question.question), ("political", "Passer dette med vedtaket?"))
        self.assertEqual(len(mail.outbox), 2)

        page = self.open(inquiry, self.amina)
        self.assertContains(page, "Waiting for the executive's answer")
        self.assertContains(page, "Politically sensitive or of principle")
        self.assertContains(page, f'action="{action_url(inquiry, "withdraw-question")}"')
        self.assertNotContains(page, "?action=ask-executive")
        self.assertNotContains(page, 'action="/en/staff/decisions/')  # no answer form for the secretariat

    def test_bad_input_comes_back_with_translated_errors_and_what_was_typed(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.client.force_login(self.amina)
        response = self.client.post(
            action_url(inquiry, "ask-executive"), {"ask-executive-question": "Hva mener du om dette?"}
        )
        self.assertContains(response, "Choose why the chief municipal executive must decide.", status_code=400)
        self.assertContains(response, "Hva mener du om dette?</textarea>", status_code=400)
        too_long = "x" * (DecisionRequest.QUESTION_MAX_LENGTH + 1)
        response = self.client.post(
            action_url(inquiry, "ask-executive"),
            {"ask-executive-reason": "other", "ask-executive-question": too_long},
        )
        self.assertContains(response, "The question can be at most 2000 characters (it has 2001).", status_code=400)
        self.assertContains(response, '<option value="other" selected>', status_code=400)
        self.assertFalse(DecisionRequest.objects.exists())
        self.assertFalse(InquiryEvent.objects.filter(inquiry=inquiry).exists())

    def test_asking_again_while_a_question_is_open_is_refused_with_the_text_kept(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.ask(inquiry)
        self.client.force_login(self.admin)
        response = self.client.post(
            action_url(inquiry, "ask-executive"),
            {"ask-executive-reason": "other", "ask-executive-question": "Et spørsmål til?"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Withdraw it before you ask another.", status_code=409)
        self.assertContains(response, "Et spørsmål til?</textarea>", status_code=409)
        self.assertEqual(DecisionRequest.objects.filter(inquiry=inquiry).count(), 1)

    def test_the_secretariat_withdraws_from_the_page(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        question = self.ask(inquiry)
        self.client.force_login(self.amina)
        response = self.client.post(action_url(inquiry, "withdraw-question"))
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        self.assertIsNotNone(DecisionRequest.objects.get(pk=question.pk).withdrawn_at)
        again = self.client.post(action_url(inquiry, "withdraw-question"))
        self.assertContains(again, "No question about this inquiry is waiting", status_code=409)
        self.assertEqual(len(self.events(inquiry, InquiryEvent.Kind.DECISION_REQUEST_WITHDRAWN)), 1)
        page = self.open(inquiry, self.amina)
        self.assertContains(page, "Earlier questions")
        self.assertContains(page, "Withdrawn by the secretariat on")

    def test_the_executive_answers_on_the_page_and_the_timeline_shows_question_and_answer(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        question = self.ask(inquiry, "Kan vi love 200 000 kroner?")
        page = self.open(inquiry, self.dina)
        self.assertContains(page, f'action="{answer_url(question)}"')
        self.assertContains(page, '<input type="hidden" name="from" value="inquiry">')
        self.assertNotContains(page, "withdraw-question")
        prefix = f"answer-{question.pk}"
        invalid = self.client.post(answer_url(question), {"from": "inquiry", f"{prefix}-answer": "comment"})
        self.assertContains(invalid, "Write your comment.", status_code=400)
        self.assertContains(invalid, "Kan vi love 200 000 kroner?", status_code=400)
        response = self.client.post(
            answer_url(question),
            {"from": "inquiry", f"{prefix}-answer": "comment", f"{prefix}-text": "Ja, hvis fylket blir med."},
        )
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)

        # Whoever handles the inquiry reads the question and the answer in the timeline and the panel.
        page = self.open(inquiry, self.bruno)
        timeline = page.content.decode().split('id="timeline"')[1]
        self.assertIn(
            "Decision asked of the chief municipal executive</strong>: Funding offer above the threshold", timeline
        )
        self.assertIn("Kan vi love 200 000 kroner?", timeline)
        self.assertIn("The chief municipal executive answered</strong>: Commented", timeline)
        self.assertIn("Ja, hvis fylket blir med.", timeline)
        self.assertContains(page, "Answer: Commented")
        self.assertNotContains(page, "?action=ask-executive")  # the unit does not ask

    def test_a_unit_member_and_the_executive_cannot_ask_or_withdraw(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        self.ask(inquiry)
        data = {"ask-executive-reason": "other", "ask-executive-question": "?"}
        for user, status in ((self.bruno, 403), (self.chen, 404), (self.dina, 403)):
            for action in ("ask-executive", "withdraw-question"):
                with self.subTest(user=user.email, action=action):
                    self.client.force_login(user)
                    self.assertEqual(self.client.post(action_url(inquiry, action), data).status_code, status)
        self.assertEqual(DecisionRequest.objects.filter(decisions.OPEN, inquiry=inquiry).count(), 1)
        self.assertEqual(InquiryEvent.objects.filter(inquiry=inquiry).count(), 1)

    def count_queries(self, inquiry: Inquiry) -> int:
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(page_url(inquiry))
        return len(queries)

    def test_questions_and_highlights_cost_one_query_whatever_their_number_and_none_without(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        without = self.count_queries(inquiry)
        self.ask(inquiry, "Det første?")
        with_one = self.count_queries(inquiry)
        self.assertEqual(with_one, without + 1)
        question = DecisionRequest.objects.get(inquiry=inquiry)
        decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=self.dina)
        for number in range(1, 3):
            question = self.ask(inquiry, f'Spørsmål {number}, med «sitat», komma og "hermetegn"?')
            if number < 2:
                decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=self.dina)
        highlights.set_report_highlight(inquiry, year=2025, text="A case, with commas.", actor=self.amina)
        highlights.set_report_highlight(inquiry, year=2026, text="Another one.", actor=self.amina)
        self.assertEqual(self.count_queries(inquiry), with_one)
        self.assertLessEqual(with_one, 15)  # the inquiry page's budget (issue #9)
        # A highlight alone (no question) is read too.
        highlighted = make_inquiry_in(S.CLOSED)
        highlights.set_report_highlight(highlighted, year=2026, text="Only a highlight.", actor=self.amina)
        response = self.open(highlighted, self.amina)
        self.assertEqual(
            [(item.year, item.text) for item in response.context["highlights"]], [(2026, "Only a highlight.")]
        )
        response = self.open(inquiry, self.amina)
        earlier = response.context["decision_requests"]
        self.assertEqual([question.answer for question in earlier], ["approve", "approve"])
        self.assertEqual([question.answered_by.get_full_name() for question in earlier], ["Dina Berg"] * 2)
        waiting = response.context["open_decision_request"]
        self.assertEqual(waiting.question, 'Spørsmål 2, med «sitat», komma og "hermetegn"?')
        self.assertEqual(waiting.requested_by.get_full_name(), "Amina Haddad")
        self.assertEqual(timezone.localtime(waiting.requested_at).date(), timezone.localdate())
        self.assertEqual(
            [(item.year, item.text) for item in response.context["highlights"]],
            [(2026, "Another one."), (2025, "A case, with commas.")],
        )


@pytest.mark.postgres
class SimultaneousQuestionTests(TransactionTestCase):
    """Ten people pressing the same button at once (PostgreSQL, a connection per thread): one question is asked,
    one answer given; the others are refused with the page's message, never a database error."""

    serialized_rollback = True  # keep the units and groups that the migrations loaded
    THREADS = 10

    def run_at_once(self, act: Callable[[], object]) -> tuple[int, list[BaseException]]:
        barrier = threading.Barrier(self.THREADS)
        lock = threading.Lock()
        successes, errors = 0, []

        def worker() -> None:
            nonlocal successes
            try:
                with translation.override("en"):
                    barrier.wait(timeout=30)
                    act()
            except BaseException as error:
                with lock:
                    errors.append(error)
            else:
                with lock:
                    successes += 1
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return successes, errors

    def test_one_question_is_asked_and_one_answer_given(self) -> None:
        amina = make_user("amina@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        dina = make_user("dina@trondheim.kommune.no", groups=(Role.EXECUTIVE,))
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        successes, errors = self.run_at_once(
            lambda: decisions.request_decision(inquiry, reason=Reason.OTHER, question="Skal vi?", actor=amina)
        )
        self.assertEqual(successes, 1, errors)
        self.assertTrue(all(type(error) is InquiryStateError for error in errors), errors)
        self.assertTrue(all("Withdraw it before you ask another." in str(error) for error in errors), errors)
        question = DecisionRequest.objects.get(inquiry=inquiry)

        successes, errors = self.run_at_once(
            lambda: decisions.answer_decision_request(question, answer=Answer.APPROVE, text="", actor=dina)
        )
        self.assertEqual(successes, 1, errors)
        self.assertTrue(all("already answered" in str(error) for error in errors), errors)
        kinds = list(InquiryEvent.objects.filter(inquiry=inquiry).values_list("kind", flat=True))
        self.assertEqual(kinds, [InquiryEvent.Kind.DECISION_REQUESTED, InquiryEvent.Kind.DECISION_ANSWERED])
        # The executive was told once; the answer went once to the secretariat's mailbox and once to the asker.
        self.assertEqual(
            sorted(message.to[0] for message in mail.outbox),
            sorted([dina.email, MunicipalUnit.objects.get(is_secretariat=True).email, amina.email]),
        )
