"""A partner's submission through a real web process sends the receipt through Redis and a real Celery worker.

Needs PostgreSQL (the processes share the test database) and TEST_REDIS_URL; .ci/run provides both.
"""

import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from requests_app.models import Inquiry
from tests.live import (
    celery_worker_command,
    database_url_of_this_test,
    free_port,
    process_env,
    running,
    submit_inquiry,
    wait_for_http,
    web_command,
)


@pytest.mark.postgres
@pytest.mark.redis
class CeleryWorkerTests(TransactionTestCase):
    serialized_rollback = True  # keep the reference data that the migrations loaded

    def test_receipt_is_sent_by_a_real_worker_through_redis(self) -> None:
        queue = f"test-{uuid.uuid4().hex}"
        port = free_port()
        with tempfile.TemporaryDirectory() as folder:
            mail_dir = Path(folder) / "mail"
            env = process_env(
                DATABASE_URL=database_url_of_this_test(),
                REDIS_URL=os.environ["TEST_REDIS_URL"],
                EMAIL_FILE_PATH=str(mail_dir),
                CELERY_QUEUE=queue,
                SITE_URL=f"http://127.0.0.1:{port}",
            )
            worker_log, web_log = Path(folder) / "worker.txt", Path(folder) / "web.txt"
            with (
                running(celery_worker_command(queue=queue), env=env, log=worker_log),
                running(web_command(port), env=env, log=web_log),
            ):
                wait_for_http(f"http://127.0.0.1:{port}/healthz")
                receipt_page = submit_inquiry(f"http://127.0.0.1:{port}")
                inquiry = Inquiry.objects.get()
                self.assertIn(inquiry.reference, receipt_page)
                deadline = time.monotonic() + 60
                sent: list[Path] = []
                while time.monotonic() < deadline and not sent:
                    sent = list(mail_dir.glob("*.log")) if mail_dir.exists() else []
                    time.sleep(0.2)
                self.assertEqual(len(sent), 1, f"no receipt within 60 s; the worker said:\n{worker_log.read_text()}")
                message = sent[0].read_text(encoding="utf-8")
                self.assertIn("To: kari@example.com", message)
                self.assertIn(f"We have received your inquiry {inquiry.reference}", message)
            worker_output = worker_log.read_text(errors="replace")
        self.assertRegex(worker_output, r"Task requests_app\.tasks\.deliver_outbox_message\[[0-9a-f-]+\] succeeded")
