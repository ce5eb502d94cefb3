"""Run the portal's own processes (web server, Celery worker) against the test database, for end-to-end tests."""

import asyncio
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
REDIS_SERVER = shutil.which("redis-server") or "redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_of_this_test() -> str:
    """The URL of the database this test runs on (PostgreSQL), for processes started by the test."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**overrides: str) -> dict[str, str]:
    """The environment of a portal process: the embedded demo settings, pointed at the test's services."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.pop("EMAIL_HOST", None)
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "true"})
    env.update(overrides)
    return env


@contextmanager
def running(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process with its output in `log`; terminate it (and wait) on the way out."""
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def celery_worker_command(*, queue: str = "celery", name: str | None = None) -> list[str]:
    """A Celery worker process on `queue`; `name` tells several on one machine apart (worker-1@host)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        *(["-n", f"{name}@%h"] if name else []),
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]


def web_command(port: int, *, workers: int = 1, config: Path | None = None) -> list[str]:
    """A gunicorn web process on loopback; `config` is a gunicorn configuration file (deploy/gunicorn.conf.py)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        *(["--config", str(config)] if config else []),
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]


def wait_for_http(url: str, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_until(condition: Callable[[], bool], *, timeout: float, message: Callable[[], str]) -> None:
    """Poll `condition` until it holds; after `timeout` seconds fail with `message()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message())
        time.sleep(0.2)


@contextmanager
def redis_server(port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A private redis-server on loopback, without persistence (a restart loses what was queued, like a crash)."""
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with running(command, env={}, log=log) as process:
        deadline = time.monotonic() + 20
        while b"Ready to accept connections" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield process


class RecordingHandler:
    """An SMTP server's (aiosmtpd) handler that keeps every message it accepted; `stall` holds a session before RCPT."""

    def __init__(self) -> None:
        self.accepted: list[bytes] = []
        self.stall = threading.Event()
        self.stalled = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.stall.is_set():
            self.stalled.set()
            while self.stall.is_set():  # the worker is killed while it waits here
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(envelope.content)
        return "250 Message accepted for delivery"


def submit_inquiry(base_url: str, **fields: str) -> str:
    """Fill in and send the public form as a browser does (`fields` replace the defaults); return the receipt page."""
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
        **fields,
    }
    response = opener.open(f"{base_url}/en/inquiries/new/", urllib.parse.urlencode(data).encode(), timeout=30)
    return response.read().decode()
