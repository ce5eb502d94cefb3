from unittest import mock

from django.db import OperationalError
from django.test import TestCase, override_settings

URL = "/healthz"


class HealthzTests(TestCase):
    def test_healthy_portal_answers_200_with_each_check(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["checks"]["database"]["status"], "ok")
        self.assertEqual(body["checks"]["redis"], {"status": "not_configured"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_database_failure_answers_503(self) -> None:
        with mock.patch("portal.views.connection") as connection:
            connection.cursor.side_effect = OperationalError("database is locked")
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["status"], "error")
        self.assertEqual(body["checks"]["database"], {"status": "error", "error": "OperationalError"})

    @override_settings(REDIS_URL="redis://127.0.0.1:1/0")
    def test_unreachable_redis_answers_503(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["status"], "error")
        self.assertEqual(body["checks"]["database"]["status"], "ok")
        self.assertEqual(body["checks"]["redis"]["status"], "error")

    def test_only_get_is_allowed(self) -> None:
        self.assertEqual(self.client.post(URL).status_code, 405)
