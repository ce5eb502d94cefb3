"""The referral handshake chased by beat: the unit is reminded on its accept-or-decline date, the secretariat is
told on the next business day; each once, never for an inquiry the unit has answered or no longer has.

Time travels: the services take `now` and the selectors `today`; the tasks are run with `timezone.now` set to a
weekday morning, as beat would run them.
"""

import datetime
import zoneinfo
from unittest import mock

from celery.schedules import crontab
from django.core import mail
from django.db import transaction

from partners.models import MunicipalUnit
from requests_app import selectors, tasks
from requests_app.models import Inquiry, InquiryEvent, OutboxMessage, UnitAssignment
from requests_app.services.conversation import request_information
from requests_app.services.handshake import escalate_unanswered_referral, escalation_date, remind_unit_to_respond
from requests_app.services.lifecycle import accept_inquiry, decline_referral, route_inquiry
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

S = Inquiry.Status
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# 2026: Whit Monday is 25 May; Maundy Thursday, Good Friday and Easter Monday are 2, 3 and 6 April.
FRIDAY_BEFORE_WHIT_MONDAY = datetime.date(2026, 5, 22)
FRIDAY_BEFORE_EASTER_WEEK = datetime.date(2026, 3, 27)
TUESDAY_AFTER_WHIT_MONDAY = datetime.date(2026, 5, 26)


def day(month: int, number: int) -> datetime.date:
    return datetime.date(2026, month, number)


def morning(on: datetime.date) -> datetime.datetime:
    """The time of the beat jobs (Europe/Oslo)."""
    return datetime.datetime.combine(on, datetime.time(7, 40), tzinfo=OSLO)


class HandshakeTestCase(PortalTestCase):
    def route(self, on: datetime.date, unit: MunicipalUnit | None = None, inquiry: Inquiry | None = None) -> Inquiry:
        """Route an inquiry at 10:00 on `on` (the routing e-mail to the unit is cleared away)."""
        inquiry = inquiry or make_inquiry_in(S.IN_TRIAGE)
        routed_at = datetime.datetime.combine(on, datetime.time(10), tzinfo=OSLO)
        with self.captureOnCommitCallbacks(execute=True):
            route_inquiry(inquiry, unit=unit or self.bym_unit, actor=self.amina, now=routed_at)
        mail.outbox.clear()
        inquiry.refresh_from_db()
        return inquiry

    def run_jobs(self, on: datetime.date) -> tuple[int, int]:
        """Both beat jobs on the morning of `on`, in their order; how many reminders and escalations they made."""
        with mock.patch("django.utils.timezone.now", return_value=morning(on)):
            with self.captureOnCommitCallbacks(execute=True):
                reminded = tasks.remind_units_to_respond()
            with self.captureOnCommitCallbacks(execute=True):
                escalated = tasks.escalate_unanswered_referrals()
        return reminded, escalated

    def kinds(self, inquiry: Inquiry) -> list[str]:
        return list(
            inquiry.events.filter(
                kind__in=[InquiryEvent.Kind.HANDSHAKE_REMINDED, InquiryEvent.Kind.HANDSHAKE_ESCALATED]
            ).values_list("kind", flat=True)
        )


class ReminderTests(HandshakeTestCase):
    def test_routed_on_the_friday_before_whit_monday_the_unit_answers_by_thursday(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        self.assertEqual(inquiry.assignments.get().respond_by, day(5, 28))  # Mon 25 is a holiday

    def test_no_reminder_the_day_before_the_date(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        self.assertEqual(self.run_jobs(day(5, 27)), (0, 0))
        self.assertEqual(self.kinds(inquiry), [])
        self.assertEqual(mail.outbox, [])
        self.assertIsNone(inquiry.assignments.get().reminded_at)

    def test_the_unit_is_reminded_on_the_date_once(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        self.assertEqual(self.run_jobs(day(5, 28)), (1, 0))
        assignment = inquiry.assignments.get()
        self.assertEqual(assignment.reminded_at, morning(day(5, 28)))
        self.assertIsNone(assignment.escalated_at)
        event = inquiry.events.get(kind=InquiryEvent.Kind.HANDSHAKE_REMINDED)
        self.assertIsNone(event.actor)
        self.assertEqual(
            (event.data["assignment"], event.data["unit"], event.data["respond_by"]),
            (assignment.pk, self.bym_unit.pk, "2026-05-28"),
        )
        [email] = mail.outbox
        self.assertEqual(email.to, [self.bym_unit.email])
        self.assertIn(inquiry.reference, email.subject)
        self.assertIn(inquiry.reference, email.body)
        self.assertIn(f"/staff/inquiries/{inquiry.pk}/", email.body)
        # Staff e-mails are in bokmål, whatever the partner's language.
        self.assertEqual(OutboxMessage.objects.get(template="handshake_reminder").language, "nb")

        mail.outbox.clear()
        self.assertEqual(self.run_jobs(day(5, 28)), (0, 0))
        self.assertEqual(self.run_jobs(day(5, 29))[0], 0)
        self.assertEqual(self.kinds(inquiry).count(InquiryEvent.Kind.HANDSHAKE_REMINDED), 1)
        self.assertNotIn([self.bym_unit.email], [email.to for email in mail.outbox])

    def test_a_missed_date_is_caught_up_reminder_first(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        self.assertEqual(self.run_jobs(day(6, 10)), (1, 1))
        self.assertEqual(
            self.kinds(inquiry), [InquiryEvent.Kind.HANDSHAKE_REMINDED, InquiryEvent.Kind.HANDSHAKE_ESCALATED]
        )
        self.assertEqual([email.to for email in mail.outbox], [[self.bym_unit.email], [self.secretariat_unit.email]])

    def test_the_reminder_is_written_with_its_event_and_only_sent_after_the_commit(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        assignment = inquiry.assignments.get()
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertTrue(remind_unit_to_respond(assignment, now=morning(day(5, 28))))
        row = OutboxMessage.objects.get(template="handshake_reminder")
        self.assertEqual(row.event, inquiry.events.get(kind=InquiryEvent.Kind.HANDSHAKE_REMINDED))
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual([email.to for email in mail.outbox], [[self.bym_unit.email]])

        other = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        with self.assertRaises(RuntimeError), transaction.atomic():
            remind_unit_to_respond(other.assignments.get(), now=morning(day(5, 28)))
            raise RuntimeError("the transaction fails after the reminder was written")
        self.assertFalse(OutboxMessage.objects.filter(inquiry=other, template="handshake_reminder").exists())
        self.assertIsNone(other.assignments.get().reminded_at)

    def test_a_service_with_nothing_to_do_returns_false_and_writes_nothing(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        assignment = inquiry.assignments.get()
        version = inquiry.version
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            self.assertFalse(remind_unit_to_respond(assignment, now=morning(day(5, 27))))
            self.assertFalse(escalate_unanswered_referral(assignment, now=morning(day(5, 28))))
        self.assertEqual(callbacks, [])
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.version, version)
        self.assertEqual(self.kinds(inquiry), [])


class EscalationTests(HandshakeTestCase):
    def test_the_secretariat_is_told_on_the_next_business_day_once(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        self.assertEqual(self.run_jobs(day(5, 28)), (1, 0))
        mail.outbox.clear()
        self.assertEqual(self.run_jobs(day(5, 29)), (0, 1))
        assignment = inquiry.assignments.get()
        self.assertEqual(assignment.escalated_at, morning(day(5, 29)))
        event = inquiry.events.get(kind=InquiryEvent.Kind.HANDSHAKE_ESCALATED)
        self.assertIsNone(event.actor)
        self.assertEqual(event.data["unit"], self.bym_unit.pk)
        [email] = mail.outbox
        self.assertEqual(email.to, [self.secretariat_unit.email])
        self.assertIn(inquiry.reference, email.subject)
        self.assertIn(inquiry.reference, email.body)
        self.assertEqual(OutboxMessage.objects.get(template="handshake_escalated").language, "nb")

        mail.outbox.clear()
        for later in (day(5, 29), day(6, 1), day(6, 2)):
            self.assertEqual(self.run_jobs(later), (0, 0))
        self.assertEqual(mail.outbox, [])
        self.assertEqual(self.kinds(inquiry).count(InquiryEvent.Kind.HANDSHAKE_ESCALATED), 1)

    def test_easter_is_skipped(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_EASTER_WEEK)
        self.assertEqual(inquiry.assignments.get().respond_by, day(4, 1))
        self.assertEqual(escalation_date(day(4, 1)), day(4, 7))
        self.assertEqual(self.run_jobs(day(3, 31)), (0, 0))
        self.assertEqual(self.run_jobs(day(4, 1)), (1, 0))
        # Maundy Thursday, Good Friday, the weekend and Easter Monday: not business days.
        for holiday in (day(4, 2), day(4, 3), day(4, 4), day(4, 5), day(4, 6)):
            with self.subTest(holiday=holiday):
                self.assertEqual(self.run_jobs(holiday), (0, 0))
        self.assertEqual(self.run_jobs(day(4, 7)), (0, 1))

    def test_the_weekend_is_skipped(self) -> None:
        inquiry = self.route(TUESDAY_AFTER_WHIT_MONDAY)
        self.assertEqual(inquiry.assignments.get().respond_by, day(5, 29))  # a Friday
        self.assertEqual(self.run_jobs(day(5, 29)), (1, 0))
        self.assertEqual(self.run_jobs(day(5, 30)), (0, 0))
        self.assertEqual(self.run_jobs(day(5, 31)), (0, 0))
        self.assertEqual(self.run_jobs(day(6, 1)), (0, 1))


class AnsweredReferralTests(HandshakeTestCase):
    def test_accepted_declined_and_transferred_inquiries_are_neither_reminded_nor_escalated(self) -> None:
        accepted = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        accept_inquiry(accepted, actor=self.bruno)
        declined = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        decline_referral(declined, reason="Ikke vårt område.", actor=self.bruno, now=morning(day(5, 26)))
        transferred = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        # Moved to Oppvekst on Wednesday 27 May: Oppvekst answers by Monday 1 June, Byutvikling no longer at all.
        self.route(day(5, 27), unit=self.oppvekst_unit, inquiry=transferred)
        waiting_for_the_partner = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        request_information(waiting_for_the_partner, body="Hvor mange deltakere?", actor=self.bruno)
        mail.outbox.clear()

        for on in (day(5, 28), day(5, 29)):
            self.assertEqual(self.run_jobs(on), (0, 0))
        for inquiry in (accepted, declined, transferred, waiting_for_the_partner):
            self.assertEqual(self.kinds(inquiry), [])
        self.assertEqual(mail.outbox, [])
        ended = transferred.assignments.get(unit=self.bym_unit)
        self.assertEqual(ended.end, UnitAssignment.End.TRANSFERRED)
        self.assertIsNone(ended.reminded_at)

        # The new unit gets its own reminder, on its own date; the old unit never hears of it again.
        self.assertEqual(self.run_jobs(day(6, 1)), (1, 0))
        self.assertEqual([email.to for email in mail.outbox], [[self.oppvekst_unit.email]])
        self.assertIsNotNone(transferred.assignments.get(unit=self.oppvekst_unit).reminded_at)

    def test_an_answer_between_selection_and_locking_wins(self) -> None:
        """The job selected the assignment, then the unit accepted before the service locked it: nothing is sent."""
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        [selected] = selectors.referrals_to_remind(today=day(5, 28))
        accept_inquiry(inquiry, actor=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertFalse(remind_unit_to_respond(selected, now=morning(day(5, 28))))
            self.assertFalse(escalate_unanswered_referral(selected, now=morning(day(5, 29))))
        self.assertEqual(self.kinds(inquiry), [])
        self.assertEqual(mail.outbox, [])


class SelectorTests(HandshakeTestCase):
    def test_the_due_referrals_come_in_one_query_with_their_inquiry_and_unit(self) -> None:
        for _ in range(3):
            self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        with self.assertNumQueries(2):
            to_remind = [
                (row.inquiry.reference, row.unit.email) for row in selectors.referrals_to_remind(today=day(6, 1))
            ]
            to_escalate = [
                (row.inquiry.reference, row.unit.email) for row in selectors.referrals_to_escalate(today=day(6, 1))
            ]
        self.assertEqual((len(to_remind), len(to_escalate)), (3, 3))

    def test_travelling_in_time_moves_what_is_due(self) -> None:
        inquiry = self.route(FRIDAY_BEFORE_WHIT_MONDAY)
        assignment = inquiry.assignments.get()
        self.assertEqual(list(selectors.referrals_to_remind(today=day(5, 27))), [])
        self.assertEqual(list(selectors.referrals_to_remind(today=day(5, 28))), [assignment])
        self.assertEqual(list(selectors.referrals_to_escalate(today=day(5, 28))), [])
        self.assertEqual(list(selectors.referrals_to_escalate(today=day(5, 29))), [assignment])


class BeatScheduleTests(PortalTestCase):
    def test_the_handshake_jobs_run_every_weekday_morning_reminder_first(self) -> None:
        from portal.celery import app

        schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
        self.assertEqual(
            schedules[tasks.remind_units_to_respond.name], crontab(minute=40, hour=7, day_of_week="mon-fri")
        )
        self.assertEqual(
            schedules[tasks.escalate_unanswered_referrals.name], crontab(minute=50, hour=7, day_of_week="mon-fri")
        )
        self.assertEqual(app.conf.timezone, "Europe/Oslo")
        for task in (tasks.remind_units_to_respond, tasks.escalate_unanswered_referrals):
            self.assertIn(task.name, app.tasks)
