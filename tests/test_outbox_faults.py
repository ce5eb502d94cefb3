"""Faults the outbox must survive, with a real redis-server, real Celery workers, a web process and an SMTP server.

- Redis stopped while a partner submits: the submission succeeds at once; the receipt goes out, exactly once,
  after Redis is back.
- A worker killed (SIGKILL) in the middle of delivering: the e-mail is delivered once, by another worker.
- The same delivery task run twice by a real worker: one e-mail.

Each test starts its own redis-server (stopping the shared one would break other tests), so these need the
`redis-server` binary, PostgreSQL (the processes share the test database) and TEST_REDIS_URL; .ci/run provides all.
"""

import datetime
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.test import TransactionTestCase
from django.utils import timezone

from requests_app.models import Inquiry, OutboxMessage
from tests.live import (
    RecordingHandler,
    celery_worker_command,
    database_url_of_this_test,
    free_port,
    process_env,
    redis_server,
    running,
    submit_inquiry,
    wait_for_http,
    wait_until,
    web_command,
)


def _age_outbox(minutes: int = 10) -> None:
    """Time travel: make every waiting row old enough for the sweeper."""
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


@pytest.mark.postgres
@pytest.mark.redis
class OutboxFaultTests(TransactionTestCase):
    serialized_rollback = True  # keep the reference data that the migrations loaded

    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-faults-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.queue = f"test-{uuid.uuid4().hex}"
        self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self, **overrides: str) -> dict[str, str]:
        return process_env(
            DATABASE_URL=database_url_of_this_test(),
            REDIS_URL=self.redis_url,
            CELERY_QUEUE=self.queue,
            **overrides,
        )

    def send_task(self, name: str, *args: object) -> None:
        """Queue a task on this test's Redis the way beat or a web process would."""
        app = Celery(broker=self.redis_url)
        try:
            app.send_task(name, args=args, queue=self.queue)
        finally:
            app.close()

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.txt"

    def test_redis_down_during_a_submission_then_back_sends_exactly_one_receipt(self) -> None:
        port = free_port()
        mail_dir = self.folder / "mail"
        env = self.env(EMAIL_FILE_PATH=str(mail_dir), SITE_URL=f"http://127.0.0.1:{port}")
        with running(web_command(port), env=env, log=self.log("web")):
            with redis_server(self.redis_port, self.log("redis-1")):
                wait_for_http(f"http://127.0.0.1:{port}/healthz")
            # Redis is stopped now. The partner submits.
            started = time.monotonic()
            receipt_page = submit_inquiry(f"http://127.0.0.1:{port}")
            elapsed = time.monotonic() - started
            inquiry = Inquiry.objects.get()
            self.assertIn(inquiry.reference, receipt_page)
            self.assertLess(elapsed, 15, "the submission waited for Redis")
            row = OutboxMessage.objects.get(inquiry=inquiry)
            self.assertEqual(row.status, OutboxMessage.Status.PENDING)
            self.assertFalse(mail_dir.exists() and any(mail_dir.iterdir()))

            with (
                redis_server(self.redis_port, self.log("redis-2")),
                running(celery_worker_command(queue=self.queue), env=env, log=self.log("worker")),
            ):
                _age_outbox()
                self.send_task("requests_app.tasks.requeue_undelivered_email")
                wait_until(
                    lambda: OutboxMessage.objects.get(pk=row.pk).status == OutboxMessage.Status.SENT,
                    timeout=60,
                    message=lambda: f"not delivered; the worker said:\n{self.log('worker').read_text()}",
                )
                # The sweeper and a redelivered task come again: nothing more is sent.
                self.send_task("requests_app.tasks.requeue_undelivered_email")
                self.send_task("requests_app.tasks.deliver_outbox_message", row.pk)
                time.sleep(2)
        sent = list(mail_dir.glob("*.log"))
        self.assertEqual(len(sent), 1)
        self.assertIn(f"We have received your inquiry {inquiry.reference}", sent[0].read_text(encoding="utf-8"))
        row.refresh_from_db()
        self.assertEqual(row.attempts, 1)

    def test_a_worker_killed_while_delivering_leaves_the_email_to_another_worker_which_sends_it_once(self) -> None:
        handler = RecordingHandler()
        smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
        smtp.start()
        self.addCleanup(smtp.stop)
        env = self.env(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false")
        row = OutboxMessage.objects.create(  # created directly: in this process delivery would run eagerly
            key=f"fault-test:{uuid.uuid4()}",
            template="partner_message",
            to="kari@example.com",
            language="nb",
            subject="Svar på henvendelsen",
            body_text="Hei, Kari.",
        )
        with redis_server(self.redis_port, self.log("redis")):
            handler.stall.set()
            with running(celery_worker_command(queue=self.queue), env=env, log=self.log("worker-1")) as worker:
                self.send_task("requests_app.tasks.deliver_outbox_message", row.pk)
                self.assertTrue(handler.stalled.wait(60), self.log("worker-1").read_text())
                worker.send_signal(signal.SIGKILL)  # in the middle of the SMTP conversation
                worker.wait(timeout=30)
            handler.stall.clear()
            self.assertEqual(handler.accepted, [])
            row.refresh_from_db()
            self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.PENDING, 0))  # rolled back with it

            with running(celery_worker_command(queue=self.queue), env=env, log=self.log("worker-2")):
                _age_outbox()
                self.send_task("requests_app.tasks.requeue_undelivered_email")
                wait_until(
                    lambda: len(handler.accepted) == 1,
                    timeout=60,
                    message=lambda: f"not delivered; the worker said:\n{self.log('worker-2').read_text()}",
                )
                # The same task twice more, as a redelivery would: still one e-mail.
                self.send_task("requests_app.tasks.deliver_outbox_message", row.pk)
                self.send_task("requests_app.tasks.deliver_outbox_message", row.pk)
                self.send_task("requests_app.tasks.requeue_undelivered_email")
                wait_until(
                    lambda: self.log("worker-2").read_text().count("succeeded") >= 4,
                    timeout=60,
                    message=lambda: self.log("worker-2").read_text(),
                )
        self.assertEqual(len(handler.accepted), 1)
        self.assertIn(b"Hei, Kari.", handler.accepted[0])
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.SENT, 1))
