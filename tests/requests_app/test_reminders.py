"""Interim-reply reminders (forvaltningsloven § 11 a): who needs one, once, to whom, and on which schedule."""

import datetime

from celery.schedules import crontab
from django.core import mail
from django.db import transaction
from django.utils import timezone

from requests_app import selectors, tasks
from requests_app.business_days import add_business_days
from requests_app.models import Inquiry, InquiryEvent, OutboxMessage, ServiceTargets
from requests_app.services.reminders import remind_about_interim_reply
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

S = Inquiry.Status
# Monday 30 March 2026: three business days on, past Easter, is Tuesday 7 April.
MONDAY_BEFORE_EASTER = datetime.date(2026, 3, 30)


class InquiriesNeedingInterimReplyTests(PortalTestCase):
    def needing(self, today: datetime.date = MONDAY_BEFORE_EASTER) -> list[Inquiry]:
        return list(selectors.inquiries_needing_interim_reply(today=today))

    def test_decisions_due_within_the_warning_period_need_one(self) -> None:
        due_last_day = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 7))
        make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 8))
        already_late = make_inquiry_in(S.ROUTED, decision_due_on=datetime.date(2026, 3, 20))
        received = make_inquiry_in(S.RECEIVED, decision_due_on=datetime.date(2026, 4, 1))
        make_inquiry_in(S.IN_TRIAGE, decision_due_on=None)
        self.assertEqual(self.needing(), [already_late, received, due_last_day])

    def test_travelling_in_time_moves_the_window(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 8))
        self.assertEqual(self.needing(MONDAY_BEFORE_EASTER), [])
        self.assertEqual(self.needing(MONDAY_BEFORE_EASTER + datetime.timedelta(days=1)), [inquiry])
        self.assertEqual(self.needing(datetime.date(2026, 6, 1)), [inquiry])

    def test_paused_decided_finished_replied_or_reminded_inquiries_do_not(self) -> None:
        due = datetime.date(2026, 4, 1)
        for status in (S.AWAITING_PARTNER, S.DECIDED, S.CLOSED, S.WITHDRAWN, S.DUPLICATE, S.SPAM):
            make_inquiry_in(status, decision_due_on=due)
        now = timezone.now()
        make_inquiry_in(S.IN_PROGRESS, decision_due_on=due, interim_reply_sent_at=now)
        make_inquiry_in(S.IN_PROGRESS, decision_due_on=due, interim_reminder_sent_at=now)
        self.assertEqual(self.needing(), [])

    def test_the_warning_period_comes_from_the_service_targets(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 9))
        self.assertEqual(self.needing(), [])
        ServiceTargets.objects.filter(pk=ServiceTargets.current().pk).update(interim_reply_warning_business_days=5)
        self.assertEqual(self.needing(), [inquiry])


class RemindInterimRepliesTaskTests(PortalTestCase):
    def due_soon(self) -> datetime.date:
        return add_business_days(timezone.localdate(), 1)

    def run_task(self) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return tasks.remind_interim_replies()

    def test_one_reminder_per_inquiry_and_none_the_second_time(self) -> None:
        first = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon())
        second = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon())
        self.assertEqual(self.run_task(), 2)
        self.assertEqual(len(mail.outbox), 2)
        subjects = " ".join(str(email.subject) for email in mail.outbox)
        self.assertIn(first.reference, subjects)
        self.assertIn(second.reference, subjects)
        for inquiry in (first, second):
            inquiry.refresh_from_db()
            self.assertIsNotNone(inquiry.interim_reminder_sent_at)
            event = inquiry.events.get()
            self.assertEqual(event.kind, InquiryEvent.Kind.INTERIM_REMINDER_SENT)
            self.assertIsNone(event.actor)
            self.assertEqual(event.data["decision_due_on"], self.due_soon().isoformat())
            self.assertEqual(event.data["recipient"], self.bruno.pk)

        mail.outbox.clear()
        self.assertEqual(self.run_task(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.INTERIM_REMINDER_SENT).count(), 2)

    def test_paused_decided_and_replied_inquiries_are_skipped(self) -> None:
        make_inquiry_in(S.AWAITING_PARTNER, owner=self.bruno, decision_due_on=self.due_soon())
        make_inquiry_in(S.DECIDED, owner=self.bruno, decision_due_on=self.due_soon())
        make_inquiry_in(
            S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon(), interim_reply_sent_at=timezone.now()
        )
        make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=add_business_days(timezone.localdate(), 10))
        self.assertEqual(self.run_task(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(InquiryEvent.objects.exists())

    def test_the_owner_is_reminded(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon())
        self.run_task()
        [email] = mail.outbox
        self.assertEqual(email.to, [self.bruno.email])
        self.assertIn(inquiry.reference, email.subject)
        self.assertIn(inquiry.reference, email.body)

    def test_without_an_owner_the_unit_is_reminded(self) -> None:
        make_inquiry_in(S.ROUTED, decision_due_on=self.due_soon())
        self.run_task()
        self.assertEqual([email.to for email in mail.outbox], [[self.bym_unit.email]])

    def test_without_owner_or_unit_the_secretariat_is_reminded(self) -> None:
        make_inquiry_in(S.IN_TRIAGE, decision_due_on=self.due_soon())
        self.run_task()
        self.assertEqual([email.to for email in mail.outbox], [[self.secretariat_unit.email]])

    def test_an_inactive_owner_is_passed_over_for_the_unit(self) -> None:
        self.bruno.is_active = False
        self.bruno.save(update_fields=["is_active"])
        make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon())
        self.run_task()
        self.assertEqual([email.to for email in mail.outbox], [[self.bym_unit.email]])

    def test_the_reminder_is_only_written_once_the_transaction_commits(self) -> None:
        make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=self.due_soon())
        with self.captureOnCommitCallbacks() as callbacks:
            tasks.remind_interim_replies()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)
        callbacks[0]()
        self.assertEqual(len(mail.outbox), 1)


class RemindAboutInterimReplyTests(PortalTestCase):
    def test_an_inquiry_that_no_longer_needs_it_is_not_reminded(self) -> None:
        now = timezone.now()
        cases = {
            "paused": make_inquiry_in(S.AWAITING_PARTNER),
            "decided": make_inquiry_in(S.DECIDED),
            "replied": make_inquiry_in(S.IN_PROGRESS, interim_reply_sent_at=now),
            "reminded": make_inquiry_in(S.IN_PROGRESS, interim_reminder_sent_at=now),
        }
        for case, inquiry in cases.items():
            with self.subTest(case=case):
                with self.captureOnCommitCallbacks(execute=True) as callbacks:
                    self.assertFalse(remind_about_interim_reply(inquiry, now=now))
                self.assertEqual(callbacks, [])
                self.assertFalse(inquiry.events.exists())
        self.assertEqual(mail.outbox, [])

    def test_the_reminder_is_written_to_the_outbox_with_its_event_and_goes_nowhere_if_rolled_back(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=datetime.date(2026, 4, 7))
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertTrue(remind_about_interim_reply(inquiry))
        [row] = OutboxMessage.objects.all()
        self.assertEqual(row.event, inquiry.events.get(kind=InquiryEvent.Kind.INTERIM_REMINDER_SENT))
        self.assertEqual((row.to, row.status), (self.bruno.email, OutboxMessage.Status.PENDING))
        self.assertEqual(mail.outbox, [])  # nothing leaves before the commit
        for callback in callbacks:
            callback()
        self.assertEqual([email.to for email in mail.outbox], [[self.bruno.email]])

        other = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=datetime.date(2026, 4, 7))
        with self.assertRaises(RuntimeError), transaction.atomic():
            remind_about_interim_reply(other)
            raise RuntimeError("the transaction fails after the reminder was written")
        self.assertFalse(OutboxMessage.objects.filter(inquiry=other).exists())


class BeatScheduleTests(PortalTestCase):
    def test_the_interim_reply_reminders_run_every_weekday_morning(self) -> None:
        from portal.celery import app

        [entry] = [
            entry for entry in app.conf.beat_schedule.values() if entry["task"] == tasks.remind_interim_replies.name
        ]
        self.assertEqual(tasks.remind_interim_replies.name, "requests_app.tasks.remind_interim_replies")
        self.assertEqual(entry["schedule"], crontab(minute=30, hour=7, day_of_week="mon-fri"))
        self.assertIn(tasks.remind_interim_replies.name, app.tasks)
