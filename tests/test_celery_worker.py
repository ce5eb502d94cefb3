"""A partner's submission through a real web process sends the receipt through Redis and a real Celery worker.

Needs PostgreSQL (the processes share the test database) and TEST_REDIS_URL; .ci/run provides both.
"""

import http.cookiejar
import os
import re
import tempfile
import time
import urllib.parse
import urllib.request
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
    wait_for_http,
    web_command,
)


def _submit(base_url: str) -> str:
    """Fill in and send the public form as a browser does; return the receipt page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form_page = opener.open(f"{base_url}/en/inquiries/new/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
    assert token is not None
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "organisation_name": "Worker Test AS",
        "organisation_kind": "company",
        "country": "NO",
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.com",
        "contact_role": "Manager",
        "inquiry_type": "partnership",
        "title": "Real worker",
        "description": "Sent through Redis to a real Celery worker.",
        "language": "en",
        "consent": "on",
    }
    response = opener.open(f"{base_url}/en/inquiries/new/", urllib.parse.urlencode(data).encode(), timeout=30)
    return response.read().decode()


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
                receipt_page = _submit(f"http://127.0.0.1:{port}")
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
