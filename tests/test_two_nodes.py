"""Two machines' worth of processes on one database and one Redis: two gunicorn web processes (deploy/gunicorn.conf.py,
two workers each) and two Celery workers, as docs/deployment.md's scale-out describes.

Partners submit through both web processes at once. Every submission is stored once, the references are unique and
without gaps, and every receipt reaches the mail server exactly once, whichever worker took it.

Like the outbox's fault tests, this starts its own redis-server and SMTP server (aiosmtpd) on loopback, and needs
PostgreSQL (all processes share the test database) and TEST_REDIS_URL; .ci/run provides all.
"""

import email
import email.policy
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.test import TransactionTestCase

from requests_app.models import Inquiry, OutboxMessage
from tests.live import (
    GUNICORN_CONFIG,
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

SUBMISSIONS = 40
# Partners submitting at the same moment: each thread is one browser, sending to the two web processes in turn.
BROWSERS = 8


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.postgres
@pytest.mark.redis
class TwoNodeTests(TransactionTestCase):
    serialized_rollback = True  # keep the reference data that the migrations loaded

    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="two-nodes-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def logs(self) -> str:
        logs = sorted(self.folder.glob("*.txt"))
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)

    def test_submissions_through_two_web_processes_are_stored_once_and_each_receipt_is_sent_once(self) -> None:
        smtp_handler = RecordingHandler()
        smtp = Controller(smtp_handler, hostname="127.0.0.1", port=free_port())
        smtp.start()
        self.addCleanup(smtp.stop)
        redis_port = free_port()
        web_ports = [free_port(), free_port()]
        env = process_env(
            DATABASE_URL=database_url_of_this_test(),
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CELERY_QUEUE=f"test-{uuid.uuid4().hex}",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="false",
            # All submissions come from 127.0.0.1; the shared counter in Redis must not stop them at 10 an hour.
            INTAKE_RATE_LIMIT="1000/h",
            SITE_URL="https://portal.example.no",
        )

        def submit(number: int) -> tuple[str, str]:
            base_url = f"http://127.0.0.1:{web_ports[number % 2]}"
            address = f"partner-{number}@example.com"
            page = submit_inquiry(
                base_url,
                organisation_name=f"Two Nodes {number} AS",
                contact_name=f"Partner {number}",
                contact_email=address,
                title=f"Two nodes, submission {number}",
            )
            return address, page

        with ExitStack() as processes:
            processes.enter_context(redis_server(redis_port, self.folder / "redis.txt"))
            nodes = []
            for node, port in enumerate(web_ports, start=1):
                command = web_command(port, workers=2, config=GUNICORN_CONFIG)
                nodes.append(processes.enter_context(running(command, env=env, log=self.folder / f"web-{node}.txt")))
            for node in (1, 2):
                command = celery_worker_command(queue=env["CELERY_QUEUE"], name=f"worker-{node}")
                nodes.append(processes.enter_context(running(command, env=env, log=self.folder / f"worker-{node}.txt")))
            for port in web_ports:
                wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)

            with ThreadPoolExecutor(max_workers=BROWSERS) as browsers:
                receipt_pages = dict(browsers.map(submit, range(SUBMISSIONS)))

            wait_until(
                lambda: (
                    len(smtp_handler.accepted) >= SUBMISSIONS
                    and not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
                ),
                timeout=60,
                message=lambda: f"{len(smtp_handler.accepted)} of {SUBMISSIONS} receipts sent:\n{self.logs()}",
            )
            time.sleep(2)  # a receipt sent twice would arrive now
            for process in nodes:  # all at once; leaving the block waits for each (and kills one that hangs)
                process.terminate()

        inquiries = list(Inquiry.objects.select_related("contact").order_by("reference"))
        self.assertEqual(sorted(inquiry.contact.email for inquiry in inquiries), sorted(receipt_pages))
        references = [inquiry.reference for inquiry in inquiries]
        numbers = sorted(int(reference.split("-")[1]) for reference in references)
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + SUBMISSIONS)), "references with gaps")
        for inquiry in inquiries:
            self.assertIn(inquiry.reference, receipt_pages[inquiry.contact.email])

        self.assertEqual(len(smtp_handler.accepted), SUBMISSIONS, "a receipt was sent more than once")
        receipts = {str(message["To"]): message for message in map(_parse, smtp_handler.accepted)}
        self.assertEqual(len(receipts), SUBMISSIONS, "some partner got two receipts and another none")
        for inquiry in inquiries:
            receipt = receipts[inquiry.contact.email]
            self.assertIn(f"We have received your inquiry {inquiry.reference}", str(receipt["Subject"]))
            body = receipt.get_body(("plain",))
            assert body is not None
            self.assertIn(f"Reference: {inquiry.reference}", body.get_content())

        outbox = OutboxMessage.objects.all()
        self.assertEqual(outbox.count(), SUBMISSIONS)
        self.assertEqual(set(outbox.values_list("status", "attempts")), {(OutboxMessage.Status.SENT, 1)})
        # Both web processes took submissions (the access log of deploy/gunicorn.conf.py shows each POST).
        for node in (1, 2):
            posts = (self.folder / f"web-{node}.txt").read_text().count('"POST /en/inquiries/new/ HTTP/1.1" 302')
            self.assertEqual(posts, SUBMISSIONS // 2, self.logs())
