"""A task sent through a real Redis is picked up by a real Celery worker and done (PostgreSQL + Redis)."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings

from portal.celery import app as celery_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _database_url_of_test_database() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
class CeleryWorkerTests(TransactionTestCase):
    serialized_rollback = True

    def test_receipt_is_sent_by_a_real_worker_through_redis(self) -> None:
        redis_url = os.environ["TEST_REDIS_URL"]
        queue = f"test-{uuid.uuid4().hex}"
        with tempfile.TemporaryDirectory() as mail_dir:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DJANGO_DEBUG": "true",
                "DATABASE_URL": _database_url_of_test_database(),
                "REDIS_URL": redis_url,
                "EMAIL_FILE_PATH": mail_dir,
            }
            env.pop("EMAIL_HOST", None)
            worker = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue,
                 "--without-gossip", "--without-mingle", "--loglevel=INFO"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            previous = {
                "broker_url": celery_app.conf.broker_url,
                "task_always_eager": celery_app.conf.task_always_eager,
                "task_default_queue": celery_app.conf.task_default_queue,
            }
            celery_app.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue=queue)
            try:
                with override_settings(RATELIMIT_ENABLE=False):
                    response = self.client.post("/en/inquiries/new/", _valid_post(), REMOTE_ADDR="10.9.8.7")
                self.assertEqual(response.status_code, 302)
                deadline = time.monotonic() + 60
                files: list[Path] = []
                while time.monotonic() < deadline and not files:
                    files = list(Path(mail_dir).glob("*.log"))
                    time.sleep(0.2)
                self.assertEqual(len(files), 1, "the worker did not send the receipt within 60 seconds")
                message = files[0].read_text(encoding="utf-8")
                self.assertIn("To: kari@example.com", message)
                self.assertIn("We have received your inquiry", message)
            finally:
                celery_app.conf.update(**previous)
                celery_app.pool.force_close_all()
                worker.terminate()
                output = worker.communicate(timeout=30)[0].decode(errors="replace")
            self.assertIn("send_inquiry_receipt", output)
            self.assertIn("succeeded", output)
        self.assertTrue(settings.CELERY_TASK_ALWAYS_EAGER)


def _valid_post() -> dict[str, str]:
    return {
        "organisation_name": "Worker Test AS",
        "organisation_kind": "company",
        "organisation_number": "",
        "country": "NO",
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.com",
        "contact_phone": "",
        "contact_role": "Manager",
        "inquiry_type": "partnership",
        "title": "Real worker",
        "description": "Sent through Redis to a real Celery worker.",
        "language": "en",
        "consent": "on",
        "website": "",
    }
