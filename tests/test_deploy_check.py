"""`manage.py check --deploy` finds nothing to warn about with production settings."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

# Only what a process needs to start: nothing from the test run (DJANGO_SETTINGS_MODULE, REDIS_URL, DATABASE_URL,
# or DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set and async.E001 rightly reports) may leak in.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def _production_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in _PASSED_THROUGH if key in os.environ}
    env |= {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:60],
        "DJANGO_ALLOWED_HOSTS": "portal.example.no",
        # Production sends e-mail over SMTP; without EMAIL_HOST the console backend is used, which Django's
        # mail.E001 rightly reports. Nothing is sent: the check does not connect.
        "EMAIL_HOST": "smtp.example.no",
        "DJANGO_HSTS_SECONDS": "31536000",
    }
    return env


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_reports_nothing_with_production_settings() -> None:
    result = _deploy_check(_production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_deploy_check_warns_when_staff_two_factor_is_turned_off() -> None:
    result = _deploy_check({**_production_env(), "PORTAL_STAFF_MFA_REQUIRED": "false"})
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "portal.W001" in output, output
