import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from portal.env import env, env_bool, env_int, env_list, env_optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k" * 60


class EnvHelperTests(SimpleTestCase):
    def test_env_bool_accepts_only_true_or_false_words(self) -> None:
        for raw, expected in [("true", True), ("FALSE", False), ("1", True), ("off", False), ("", True)]:
            with self.subTest(raw=raw), mock.patch.dict(os.environ, {"PORTAL_FLAG": raw}):
                self.assertIs(env_bool("PORTAL_FLAG", default=True), expected)
        with (
            mock.patch.dict(os.environ, {"PORTAL_FLAG": "maybe"}),
            self.assertRaisesMessage(ImproperlyConfigured, "PORTAL_FLAG must be true or false, not 'maybe'."),
        ):
            env_bool("PORTAL_FLAG", default=False)

    def test_env_int_refuses_words_and_values_below_the_minimum(self) -> None:
        with (
            mock.patch.dict(os.environ, {"PORTAL_PORT": "abc"}),
            self.assertRaisesMessage(ImproperlyConfigured, "PORTAL_PORT must be a whole number, not 'abc'."),
        ):
            env_int("PORTAL_PORT", default=587)
        with (
            mock.patch.dict(os.environ, {"PORTAL_PORT": "0"}),
            self.assertRaisesMessage(ImproperlyConfigured, "PORTAL_PORT must be at least 1, not 0."),
        ):
            env_int("PORTAL_PORT", default=587, minimum=1)
        with mock.patch.dict(os.environ, {"PORTAL_PORT": " 2525 "}):
            self.assertEqual(env_int("PORTAL_PORT", default=587, minimum=1), 2525)

    def test_env_without_a_default_is_required(self) -> None:
        with mock.patch.dict(os.environ, {"PORTAL_REQUIRED": ""}):
            with self.assertRaisesMessage(
                ImproperlyConfigured, "The environment variable PORTAL_REQUIRED must be set."
            ):
                env("PORTAL_REQUIRED")
            self.assertEqual(env("PORTAL_REQUIRED", default="fallback"), "fallback")

    def test_env_optional_and_env_list(self) -> None:
        with mock.patch.dict(os.environ, {"PORTAL_OPTIONAL": "  ", "PORTAL_HOSTS": " a.no, ,b.no ,"}):
            self.assertIsNone(env_optional("PORTAL_OPTIONAL"))
            self.assertEqual(env_list("PORTAL_HOSTS"), ["a.no", "b.no"])
            self.assertEqual(env_list("PORTAL_UNSET_LIST", default=["x"]), ["x"])


class ProductionSettingsTests(SimpleTestCase):
    """Production (DJANGO_DEBUG=false) refuses to start with settings that are missing or unsafe."""

    def start(self, **variables: str) -> subprocess.CompletedProcess[str]:
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "REDIS_", "DATABASE_", "EMAIL_")) and name != "INTAKE_RATE_LIMIT"
        }
        environment.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "false", **variables})
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def test_starts_when_configured(self) -> None:
        result = self.start(DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="fn.trondheim.kommune.no")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_refuses_to_start_without_a_secret_key(self) -> None:
        result = self.start(DJANGO_ALLOWED_HOSTS="fn.trondheim.kommune.no")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImproperlyConfigured: The environment variable DJANGO_SECRET_KEY must be set.", result.stderr)

    def test_refuses_a_short_secret_key(self) -> None:
        result = self.start(DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="fn.trondheim.kommune.no")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY must be a random value of at least 50 characters", result.stderr)

    def test_refuses_to_start_without_allowed_hosts(self) -> None:
        result = self.start(DJANGO_SECRET_KEY=PRODUCTION_KEY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_ALLOWED_HOSTS must list the portal's host names in production.", result.stderr)

    def test_refuses_a_misspelt_debug_flag(self) -> None:
        result = self.start(DJANGO_DEBUG="flase")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_DEBUG must be true or false, not 'flase'.", result.stderr)
