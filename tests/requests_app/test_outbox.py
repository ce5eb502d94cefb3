"""The outbox: written with the change, delivered once, retried when the mail server fails, visible to staff."""

import datetime
from unittest import mock

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from requests_app import tasks
from requests_app.models import Inquiry, InquiryEvent, OutboxMessage
from requests_app.services.lifecycle import route_inquiry
from requests_app.services.outbox import (
    MAX_ATTEMPTS,
    SWEEP_AFTER,
    DeliveryFailed,
    deliver_outbox_message,
    requeue_undelivered,
    send_again,
    write_email,
)
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

S = Inquiry.Status
# A real SMTP backend pointed at a port where nothing listens: the connection is refused, as when the relay is down.
MAIL_SERVER_DOWN = override_settings(
    MAILERS={
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
)


def make_row(key: str = "test:1", *, age: datetime.timedelta | None = None, **fields: object) -> OutboxMessage:
    row = write_email(
        key=key,
        template="partner_message",
        to="kari@example.com",
        language="nb",
        subject="Hei",
        body_text="Hei, Kari.",
        body_html="<p>Hei, Kari.</p>",
    )
    if fields:
        OutboxMessage.objects.filter(pk=row.pk).update(**fields)
    if age is not None:
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    row.refresh_from_db()
    return row


class WriteAndDeliverTests(PortalTestCase):
    def test_the_email_is_written_with_the_change_and_sent_only_after_the_commit(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks() as callbacks:
            route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
        [row] = OutboxMessage.objects.all()
        self.assertEqual(row.event, inquiry.events.get(kind=InquiryEvent.Kind.ROUTED))
        self.assertEqual(
            (row.to, row.status, row.inquiry), (self.bym_unit.email, OutboxMessage.Status.PENDING, inquiry)
        )
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        [email] = mail.outbox
        self.assertEqual((email.to, email.subject), ([self.bym_unit.email], row.subject))
        assert isinstance(email, EmailMultiAlternatives)
        self.assertEqual(email.alternatives[0][0], row.body_html)
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.SENT, 1))
        self.assertIsNotNone(row.sent_at)

    def test_the_same_key_written_twice_is_one_email(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first = make_row("event-1:partner_message:kari@example.com")
            second = make_row("event-1:partner_message:kari@example.com")
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(OutboxMessage.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_same_task_run_twice_sends_one_email(self) -> None:
        row = make_row()
        self.assertTrue(tasks.deliver_outbox_message(row.pk))
        self.assertFalse(tasks.deliver_outbox_message(row.pk))
        tasks.deliver_outbox_message.delay(row.pk)
        self.assertEqual(len(mail.outbox), 1)
        row.refresh_from_db()
        self.assertEqual(row.attempts, 1)

    def test_a_missing_row_is_harmless(self) -> None:
        self.assertFalse(deliver_outbox_message(987654))


class MailServerFailureTests(PortalTestCase):
    @MAIL_SERVER_DOWN
    def test_a_refused_connection_keeps_the_row_waiting_with_the_error(self) -> None:
        row = make_row()
        with self.assertRaises(DeliveryFailed):
            deliver_outbox_message(row.pk)
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.PENDING, 1))
        self.assertIn("ConnectionRefusedError", row.last_error)
        self.assertIsNotNone(row.last_attempt_at)

    @MAIL_SERVER_DOWN
    def test_after_the_last_attempt_the_row_is_failed_and_not_retried(self) -> None:
        row = make_row(attempts=MAX_ATTEMPTS - 1)
        self.assertFalse(deliver_outbox_message(row.pk))
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.FAILED, MAX_ATTEMPTS))
        self.assertFalse(deliver_outbox_message(row.pk))  # a failed row is not tried by a stray task either
        row.refresh_from_db()
        self.assertEqual(row.attempts, MAX_ATTEMPTS)

    @MAIL_SERVER_DOWN
    def test_a_failing_mail_server_does_not_break_the_request_that_caused_the_email(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.client.force_login(self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("requests_app:inquiry-route", args=[inquiry.pk]),
                {"route-unit": self.bym_unit.pk, "route-version": inquiry.version},
            )
        self.assertEqual(response.status_code, 302)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.ROUTED)
        row = OutboxMessage.objects.get(inquiry=inquiry)
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.PENDING, 1))

    def test_when_the_broker_is_down_the_change_still_commits_and_the_row_waits_for_the_sweeper(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with (
            mock.patch.object(tasks.deliver_outbox_message, "delay", side_effect=BrokerDown("Connection refused")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.ROUTED)
        row = OutboxMessage.objects.get(inquiry=inquiry)
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.PENDING, 0))
        self.assertEqual(mail.outbox, [])
        later = timezone.now() + SWEEP_AFTER + datetime.timedelta(seconds=1)
        self.assertEqual(requeue_undelivered(now=later), 1)
        row.refresh_from_db()
        self.assertEqual(row.status, OutboxMessage.Status.SENT)
        self.assertEqual(len(mail.outbox), 1)


class SweeperTests(PortalTestCase):
    def test_only_rows_waiting_longer_than_the_sweep_interval_are_queued_again(self) -> None:
        stale = make_row("stale", age=SWEEP_AFTER + datetime.timedelta(minutes=1))
        retried_long_ago = make_row(
            "retried",
            age=datetime.timedelta(hours=2),
            attempts=2,
            last_attempt_at=timezone.now() - SWEEP_AFTER - datetime.timedelta(minutes=1),
        )
        retried_just_now = make_row(
            "recent", age=datetime.timedelta(hours=2), attempts=2, last_attempt_at=timezone.now()
        )
        young = make_row("young")
        sent = make_row("sent", age=datetime.timedelta(hours=1), status=OutboxMessage.Status.SENT)
        failed = make_row("failed", age=datetime.timedelta(hours=1), status=OutboxMessage.Status.FAILED)
        self.assertEqual(tasks.requeue_undelivered_email(), 2)
        statuses = dict(OutboxMessage.objects.values_list("key", "status"))
        self.assertEqual(statuses[stale.key], OutboxMessage.Status.SENT)
        self.assertEqual(statuses[retried_long_ago.key], OutboxMessage.Status.SENT)
        for row in (retried_just_now, young):
            self.assertEqual(statuses[row.key], OutboxMessage.Status.PENDING)
        self.assertEqual(statuses[sent.key], OutboxMessage.Status.SENT)
        self.assertEqual(statuses[failed.key], OutboxMessage.Status.FAILED)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_sweeper_runs_every_five_minutes(self) -> None:
        from portal.celery import app

        entry = app.conf.beat_schedule["requeue-undelivered-email"]
        self.assertEqual(entry["task"], "requests_app.tasks.requeue_undelivered_email")
        self.assertEqual(entry["schedule"], SWEEP_AFTER.total_seconds())


class OutboxPageTests(PortalTestCase):
    url = reverse("requests_app:outbox-list")

    def test_the_secretariat_sees_waiting_and_failed_emails_but_not_sent_ones(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, unit=self.bym_unit)
        make_row("waiting", inquiry=inquiry)
        make_row(
            "failed",
            status=OutboxMessage.Status.FAILED,
            last_error="SMTPRecipientsRefused: unknown user",
            to="feil@example.com",
        )
        make_row("sent", status=OutboxMessage.Status.SENT, to="sendt@example.com")
        self.client.force_login(self.amina)
        response = self.client.get(self.url)
        self.assertContains(response, "kari@example.com")
        self.assertContains(response, inquiry.reference)
        self.assertContains(response, "SMTPRecipientsRefused: unknown user")
        self.assertNotContains(response, "sendt@example.com")
        response = self.client.get(self.url, {"status": "failed"})
        self.assertContains(response, "feil@example.com")
        self.assertNotContains(response, "kari@example.com")

    def test_the_page_says_so_when_everything_is_delivered(self) -> None:
        self.client.force_login(self.amina)
        self.assertContains(self.client.get("/en" + self.url), "Every e-mail has been delivered.")

    def test_the_number_of_queries_does_not_grow_with_the_rows(self) -> None:
        self.client.force_login(self.amina)
        counts = []
        for total in (5, 50):
            OutboxMessage.objects.all().delete()
            for number in range(total):
                make_row(f"row-{number}", inquiry=make_inquiry_in(S.ROUTED, unit=self.bym_unit))
            with CaptureQueriesContext(connection) as context:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            counts.append(len(context))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 10)

    @MAIL_SERVER_DOWN
    def test_send_again_queues_a_failed_email_and_never_resends_a_sent_one(self) -> None:
        failed = make_row("failed", status=OutboxMessage.Status.FAILED, attempts=MAX_ATTEMPTS)
        self.client.force_login(self.amina)
        with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(reverse("requests_app:outbox-send-again", args=[failed.pk]))
            self.assertTrue(response["Location"].endswith(self.url), response["Location"])
            failed.refresh_from_db()
            self.assertEqual((failed.status, failed.attempts), (OutboxMessage.Status.SENT, 1))
            self.assertEqual(len(mail.outbox), 1)
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(reverse("requests_app:outbox-send-again", args=[failed.pk]))
            send_again(failed, actor=self.amina)
            self.assertEqual(len(mail.outbox), 1)

    def test_an_email_whose_recipient_was_removed_is_never_sent(self) -> None:
        row = make_row("anonymised", to="")
        self.assertFalse(deliver_outbox_message(row.pk))
        row.refresh_from_db()
        self.assertEqual(row.status, OutboxMessage.Status.FAILED)
        self.client.force_login(self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("requests_app:outbox-send-again", args=[row.pk]), headers={"accept-language": "en"}
            )
        self.assertTrue(response["Location"].endswith(self.url), response["Location"])
        row.refresh_from_db()
        self.assertEqual(row.status, OutboxMessage.Status.FAILED)
        self.assertEqual(mail.outbox, [])

    def test_unit_members_and_the_executive_may_not_see_the_outbox(self) -> None:
        for person in (self.bruno, self.dina):
            with self.subTest(person=person.email):
                self.client.force_login(person)
                self.assertEqual(self.client.get(self.url).status_code, 403)


class HealthzOutboxTests(PortalTestCase):
    def test_healthz_reports_the_age_of_the_oldest_undelivered_email(self) -> None:
        self.assertEqual(
            self.client.get("/healthz").json()["checks"]["outbox"], {"status": "ok", "oldest_undelivered_seconds": None}
        )
        make_row("old", age=datetime.timedelta(minutes=10))
        make_row("older-but-sent", age=datetime.timedelta(hours=3), status=OutboxMessage.Status.SENT)
        make_row("new")
        body = self.client.get("/healthz").json()
        self.assertEqual(body["status"], "ok")  # a slow mail server does not take the web node out
        self.assertAlmostEqual(body["checks"]["outbox"]["oldest_undelivered_seconds"], 600, delta=5)


def test_every_email_template_has_a_label_on_the_outbox_page() -> None:
    """The outbox page names each e-mail by what it is; a new e-mail template without a label shows its file name."""
    from pathlib import Path

    from django.conf import settings

    from requests_app.models.outbox import EMAIL_LABELS

    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    names = {path.name.split(".")[0] for path in folder.glob("*.subject.txt")}
    assert names, "no e-mail templates found"
    assert sorted(names - EMAIL_LABELS.keys()) == []
