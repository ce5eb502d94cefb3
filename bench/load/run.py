"""The load test of issue #9: `make load`, or `.venv/bin/python -m bench.load.run [--users 50 --seconds 120 ...]`.

What it does, all on 127.0.0.1, and every process it starts is stopped (by its id) and its database dropped at the
end, also on Ctrl-C or SIGTERM:

1. Creates a PostgreSQL database of its own (`portal_load`, on the server of --server-url), migrates it and fills it
   with generated data (`manage.py generate_load_data`), plus the secretariat logins the staff users need.
2. Starts a redis-server, an SMTP server that keeps what it receives (aiosmtpd), one Celery worker, and gunicorn
   with several workers (with deploy/gunicorn.conf.py when the project has one), all with the production settings
   (DJANGO_DEBUG=false, as behind one TLS-terminating proxy) except two: staff two-factor authentication is off, so
   that the staff users log in with a password, and so is the redirect to HTTPS (the proxy's job; no TLS here).
3. Runs locust headless (bench/load/locustfile.py): partners submitting the public form, staff browsing; first a
   short warm-up that is not measured, then the measured load.
4. Waits (bounded) for the outbox to deliver, then checks (bench/load/checks.py): no 5xx, no failed request,
   p95 under 300 ms, every submission stored once, every receipt sent exactly once, nothing left in the outbox.

Prints the figures, writes var/load/results.json (locust's own CSV files and the processes' logs are beside it),
and exits 1 when a check fails.
"""

import argparse
import contextlib
import datetime
import email
import email.policy
import json
import logging
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from psycopg import sql

from bench.load import checks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = PROJECT_ROOT / "var" / "load"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
GUNICORN_CONFIG = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
DEFAULT_SERVER_URL = "postgres://portal:portal@127.0.0.1:5432/portal"
LOAD_DATABASE = "portal_load"
DATABASE_COMMENT = "Made by bench/load/run.py for one load test; dropped when the test ends."
STOP_TIMEOUT_S = 30  # locust lets each user finish what it is doing before it stops
OUTBOX_WAIT_S = 120
# Before the measured load, a short one that is not measured: each gunicorn worker loads its code and templates on
# its first requests. Its figures are kept in results.json ("warmup"); its submissions are checked with the others.
WARMUP_USERS = 10


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="Concurrent users (default 50).")
    parser.add_argument("--partners", type=int, default=None, help="How many of them are partners (default half).")
    parser.add_argument("--spawn-rate", type=float, default=10, help="Users started per second (default 10).")
    parser.add_argument("--seconds", type=int, default=120, help="How long the load runs (default 120).")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (default 2 × cores + 1).",
    )
    parser.add_argument(
        "--warmup-seconds", type=int, default=20, help=f"Unmeasured warm-up with {WARMUP_USERS} users first (0: none)."
    )
    parser.add_argument("--inquiries", type=int, default=20_000, help="Generated inquiries (default 20,000).")
    parser.add_argument(
        "--server-url",
        default=None,
        help="The PostgreSQL server, as a URL of a database on it whose role may create databases (default: "
        f"DATABASE_URL when it is PostgreSQL, else {DEFAULT_SERVER_URL}). The test makes and drops {LOAD_DATABASE}.",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="Use this existing PostgreSQL database instead of making one (for a role that may not create "
        "databases). It is migrated and filled with generated data, refused if it holds real data, never dropped.",
    )
    args = parser.parse_args(argv)
    if args.partners is None:
        args.partners = args.users // 2
    if not 0 < args.partners < args.users:
        parser.error("--partners must leave at least one partner and one staff user")
    if args.seconds < 10 or args.users < 2 or args.workers < 1 or args.inquiries < 100:
        parser.error("at least 10 seconds, 2 users, 1 worker and 100 inquiries")
    return args


def _server_url(args: argparse.Namespace) -> str:
    if args.server_url:
        return str(args.server_url)
    configured = os.environ.get("DATABASE_URL", "")
    return configured if configured.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER_URL


def _database_on(server_url: str, name: str) -> str:
    return urllib.parse.urlsplit(server_url)._replace(path=f"/{name}").geturl()


def _drop(admin: psycopg.Connection[Any], name: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def load_database(server_url: str, name: str = LOAD_DATABASE) -> Iterator[str]:
    """A new database on the server for this run, dropped at the end. One of that name left by an interrupted run
    (it carries DATABASE_COMMENT) is dropped first; any other is refused."""
    with psycopg.connect(server_url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None:
            if row[0] != DATABASE_COMMENT:
                raise SystemExit(f"A database {name} exists that the load test did not make; it is left alone.")
            print(f"Dropping {name}, left by an interrupted load test.")
            _drop(admin, name)
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            raise SystemExit(
                "The PostgreSQL role may not create databases. Give it CREATEDB, or pass --database-url with an "
                "empty database the test may fill."
            ) from None
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(DATABASE_COMMENT))
        )
    try:
        yield _database_on(server_url, name)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with psycopg.connect(server_url, autocommit=True) as admin:
            _drop(admin, name)
        print(f"Dropped the database {name}.")


def _setup_django(database_url: str) -> None:
    """This process's own Django, on the load database: it prepares the data and counts the results."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "true",  # this process serves nothing; the web processes run with DEBUG off
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
        }
    )
    import django

    django.setup()


def _prepare_data(*, inquiries: int, existing_database: bool) -> None:
    from django.core.management import call_command

    from requests_app.benchmark.marker import real_data_found

    print("Migrating the load database …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if existing_database and (found := real_data_found()):
        raise SystemExit(f"The database holds real data ({', '.join(found)}); the load test does not run on it.")
    call_command("generate_load_data", inquiries=inquiries)


def _texts() -> list[dict[str, Any]]:
    """What partners write: a title and a description on one of the generated topics, in either language."""
    from requests_app.benchmark import vocabulary as words

    texts = []
    kinds = list(words.TITLES)
    for number, topic in enumerate(words.TOPICS[:16]):
        language = number % 2  # 0: bokmål, 1: English
        subject = topic.en if language else topic.nb
        kind = kinds[number % len(kinds)]
        values = {"topic": subject, "place": "Sluppen", "event": "Arendalsuka", "org": "Lasttest AS"}
        middles = [line.format(months=12, people=6, place="Sluppen") for line in words.MIDDLES[language][:4]]
        texts.append(
            {
                "language": "en" if language else "nb",
                "inquiry_type": kind,
                "title": words.TITLES[kind][language][number % 3].format(**values),
                "description": " ".join(
                    [words.OPENINGS[language][number % 4].format(**values), *middles, words.CLOSINGS[language][0]]
                ),
                "sdg_goals": [str(goal) for goal in topic.goals],
                "sdg_targets": list(topic.targets),
            }
        )
    return texts


def make_plan(run: str, *, partners: int, staff: int, origin: str) -> dict[str, Any]:
    """What locustfile.py needs: paths, staff logins (made here), inquiries, filters and searches to use."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone, translation

    from partners.models import Contact, Organisation, Role, User
    from partners.services import mark_email_verified
    from requests_app.benchmark.marker import generated_address
    from requests_app.benchmark.vocabulary import GENERATED_DOMAIN
    from requests_app.models import Inquiry

    password = secrets.token_urlsafe(18)
    hashed = make_password(password)  # hashed once: the same password for every login of this run
    secretariat = Group.objects.get(name=Role.SECRETARIAT)
    logins = []
    for number in range(1, staff + 1):
        address = generated_address(f"load.staff.{run}.{number:02d}")
        user = User.objects.create_user(address, None, full_name=f"Lasttest Sekretariat {number:02d}")
        user.password = hashed
        user.save(update_fields=["password"])
        user.groups.add(secretariat)
        mark_email_verified(user)
        logins.append({"email": address, "password": password})

    with translation.override("en"):
        detail = reverse("requests_app:staff-inquiry-detail", args=[987654321]).replace("987654321", "{pk}")
        paths = {
            "intake": reverse("requests_app:inquiry-create"),
            "receipt": reverse("requests_app:inquiry-receipt"),
            "login": reverse("account_login"),
            "inbox": reverse("requests_app:staff-inquiry-list"),
            "unit_queue": reverse("requests_app:unit-queue"),
            "summary": reverse("requests_app:summary"),
            "inquiry_detail": detail,
        }
    today = timezone.localdate()
    busiest_units = (
        Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, unit__isnull=False)
        .values("unit")
        .annotate(open_count=Count("pk"))
        .order_by("-open_count", "unit")
        .values_list("unit", flat=True)[:3]
    )
    status = Inquiry.Status
    # Registered companies with a generated contact: their submissions reuse them, as a returning partner's does.
    returning = (
        Organisation.objects.filter(kind=Organisation.Kind.COMPANY, country="NO")
        .exclude(organisation_number="")
        .filter(pk__in=Contact.objects.filter(email__endswith=GENERATED_DOMAIN).values("organisation"))
    )
    some_reference = Inquiry.objects.order_by("-pk").values_list("reference", flat=True).first() or ""
    return {
        "run": run,
        "marker": f"load-{run}",
        "origin": origin,
        "email_domain": GENERATED_DOMAIN,
        "partners": partners,
        "staff": staff,
        "logins": logins,
        "paths": paths,
        "inquiries": list(Inquiry.objects.order_by("?").values_list("pk", flat=True)[:300]),
        "filters": [
            f"status={status.DECIDED}&status={status.CLOSED}&inquiry_type={Inquiry.Type.PARTNERSHIP}&sdg=11",
            f"status={status.RECEIVED}&status={status.IN_TRIAGE}",
            f"inquiry_type={Inquiry.Type.RESEARCH}&sdg=13",
            f"received_after={(today - datetime.timedelta(days=90)).isoformat()}",
        ],
        "searches": ["mobilitet", "klimabudsjett", "skolemat", "Sparebank", "circular economy", some_reference],
        "unit_queues": ["", *(f"unit={pk}" for pk in busiest_units)],
        "summaries": ["", f"period=year&on={today.year - 1}-01-01"],
        "organisations": [
            {"name": name, "kind": kind, "number": number, "country": str(country)}
            for name, kind, number, country in returning.order_by("pk").values_list(
                "name", "kind", "organisation_number", "country"
            )[:40]
        ],
        "texts": _texts(),
    }


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The tests' web command (tests/live.py) with more workers and the project's gunicorn config when it has one
    (the command line's bind, workers and access log win over the config's)."""
    from tests.live import web_command

    command = web_command(port, workers=workers, config=GUNICORN_CONFIG if GUNICORN_CONFIG.exists() else None)
    return [*command, "--access-logformat", checks.ACCESS_LOG_FORMAT]  # with the time in the worker: server_times()


def locust_command(phase: "Phase", *, base_url: str, spawn_rate: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(phase.users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{phase.seconds}s",
        "--stop-timeout",
        str(STOP_TIMEOUT_S),
        "--host",
        base_url,
        "--csv",
        str(OUTPUT / f"locust-{phase.name}"),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]


def _wait_for_outbox(since: datetime.datetime, *, timeout: float) -> float:
    """Wait until no e-mail written since `since` is pending (at most `timeout` s); returns the seconds waited."""
    from requests_app.models import OutboxMessage

    started = time.monotonic()
    pending = OutboxMessage.objects.filter(created_at__gte=since, status=OutboxMessage.Status.PENDING)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return time.monotonic() - started


def _message_text(content: bytes) -> tuple[set[str], str]:
    """The recipients and the text (subject and plain body) of a message the SMTP server accepted."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    recipients = {address.addr_spec.lower() for address in getattr(message.get("To"), "addresses", ())}
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return recipients, f"{message.get('Subject', '')}\n{text}"


def collect(marker: str, since: datetime.datetime, accepted: list[bytes]) -> checks.Stored:
    """What the database and the SMTP server hold for this run's submissions."""
    from requests_app.models import Inquiry, OutboxMessage

    in_title = f"({marker}-"
    pattern = re.compile(rf"\(({re.escape(marker)}-[a-z]-p\d+-\d+)\)$")
    stored = checks.Stored()
    reference_of_address: dict[str, str] = {}
    for title, reference, address in Inquiry.objects.filter(title__contains=in_title).values_list(
        "title", "reference", "contact__email"
    ):
        found = pattern.search(title)
        if found:
            stored.inquiries.setdefault(found.group(1), []).append(reference)
            reference_of_address[address.lower()] = reference
    stored.receipts_sent = dict(
        Counter(
            OutboxMessage.objects.filter(
                template="inquiry_receipt", status=OutboxMessage.Status.SENT, inquiry__title__contains=in_title
            ).values_list("inquiry__reference", flat=True)
        )
    )
    at_sink: Counter[str] = Counter()
    with (OUTPUT / "logs" / "received-mail.txt").open("wb") as mailbox:  # what the SMTP server got, to look at
        for content in accepted:
            mailbox.write(content + b"\n\n" + b"=" * 78 + b"\n\n")
    for content in list(accepted):
        recipients, text = _message_text(content)
        for address in recipients:
            receipt_for = reference_of_address.get(address)
            if receipt_for is not None and receipt_for in text:
                at_sink[receipt_for] += 1
    stored.receipts_at_sink = dict(at_sink)
    stored.outbox_unsent = dict(
        Counter(
            OutboxMessage.objects.filter(created_at__gte=since)
            .exclude(status=OutboxMessage.Status.SENT)
            .values_list("status", flat=True)
        )
    )
    return stored


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    postgres = str(row[0]) if row else "?"
    redis = subprocess.run(  # noqa: S603 - a fixed command
        [shutil.which("redis-server") or "redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "celery": version("celery"),
        "locust": version("locust"),
        "postgresql": postgres,
        "redis": redis.split(" v=")[1].split()[0] if " v=" in redis else redis,
    }


def _stats_dict(stats: checks.RequestStats) -> dict[str, Any]:
    return {
        "requests": stats.requests,
        "failures": stats.failures,
        "per_second": round(stats.per_second, 2),
        "average_ms": stats.average_ms,
        "p50_ms": stats.p50_ms,
        "p95_ms": stats.p95_ms,
        "p99_ms": stats.p99_ms,
        "max_ms": stats.max_ms,
    }


def _process_table() -> dict[int, tuple[int, float, str]]:
    """Every process: pid → (parent pid, CPU seconds used so far, command line), from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        # After the command's name: state, ppid, …, utime and stime (fields 14 and 15 of proc(5)).
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks, command)
    return table


class CpuWatch:
    """Reads /proc twice a second while the load runs, so that a process that ends meanwhile (a PostgreSQL backend
    whose connection reached DB_CONN_MAX_AGE) still counts, up to its last reading."""

    def __init__(self) -> None:
        self.before = _process_table()
        self.latest = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self.latest.update(_process_table())

    def stop(self) -> dict[int, tuple[int, float, str]]:
        self._stop.set()
        self._thread.join()
        self.latest.update(_process_table())
        return self.latest


def cpu_used(
    before: dict[int, tuple[int, float, str]],
    after: dict[int, tuple[int, float, str]],
    *,
    roots: dict[str, int],
    database: str,
) -> dict[str, float]:
    """CPU seconds used between the two tables by each started process with its descendants (gunicorn's workers),
    and by the PostgreSQL server processes that serve `database` (only the load test's processes use it)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu, _command) in after.items():
        children.setdefault(parent, []).append(pid)

    def used(pid: int) -> float:
        return after[pid][1] - before.get(pid, (0, 0.0, ""))[1] if pid in after else 0.0

    def tree(pid: int) -> float:
        return used(pid) + sum(tree(child) for child in children.get(pid, []))

    cpu = {name: tree(pid) for name, pid in roots.items()}
    # A backend's title: "postgres: 15/main: portal portal_load 127.0.0.1(51234) idle".
    cpu["postgresql"] = sum(
        used(pid)
        for pid, (_parent, _cpu, command) in after.items()
        if command.startswith("postgres:") and f" {database} " in command
    )
    return cpu


def _database_name(database_url: str) -> str:
    return urllib.parse.urlsplit(database_url).path.lstrip("/")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class Phase:
    """One run of locust: the warm-up (not measured) or the load (measured)."""

    name: str
    users: int
    partners: int
    seconds: int


@dataclass
class PhaseOutcome:
    rows: dict[str, checks.RequestStats]
    aggregated: checks.RequestStats
    status_codes: dict[str, dict[int, int]]
    submissions: list[checks.Submission]
    seconds: float


def run_phase(phase: Phase, plan: dict[str, Any], *, base_url: str, spawn_rate: float, work: Path) -> PhaseOutcome:
    """Run locust headless for one phase and read what it measured and what its users saw."""
    from tests.live import running

    plan_file, outcome_file = work / f"{phase.name}-plan.json", work / f"{phase.name}-outcome.json"
    plan_file.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    command = locust_command(phase, base_url=base_url, spawn_rate=spawn_rate)
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_OUTCOME": str(outcome_file)}
    log = OUTPUT / "logs" / f"locust-{phase.name}.txt"
    started = time.monotonic()
    with running(command, env=env, log=log) as locust:
        locust.wait(timeout=phase.seconds + STOP_TIMEOUT_S + 120)
    seconds = time.monotonic() - started
    if locust.returncode != 0 or not outcome_file.exists():
        raise SystemExit(f"locust failed (exit status {locust.returncode}): see {log.relative_to(PROJECT_ROOT)}")
    outcome = json.loads(outcome_file.read_text(encoding="utf-8"))
    rows, aggregated = checks.read_locust_stats(OUTPUT / f"locust-{phase.name}_stats.csv")
    return PhaseOutcome(
        rows=rows,
        aggregated=aggregated,
        status_codes={
            name: {int(code): count for code, count in codes.items()} for name, codes in outcome["status_codes"].items()
        },
        submissions=[
            checks.Submission(marker=item["marker"], email=item["email"], reference=item["reference"])
            for item in outcome["submissions"]
        ],
        seconds=seconds,
    )


def run_load_test(args: argparse.Namespace) -> dict[str, Any]:
    """Everything from the database to the verdict; whatever was started is stopped on the way out."""
    run = secrets.token_hex(3)
    logs = OUTPUT / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for old in [OUTPUT / "results.json", *OUTPUT.glob("locust-*.csv")]:
        old.unlink(missing_ok=True)
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        if args.database_url:
            database_url = str(args.database_url)
        else:
            database_url = stack.enter_context(load_database(_server_url(args)))
        _setup_django(database_url)
        _prepare_data(inquiries=args.inquiries, existing_database=bool(args.database_url))

        from aiosmtpd.controller import Controller
        from django.utils import timezone

        from tests.live import (
            RecordingHandler,
            celery_worker_command,
            free_port,
            process_env,
            redis_server,
            running,
            wait_for_http,
        )

        web_port = free_port()
        base_url = f"http://127.0.0.1:{web_port}"
        plan = make_plan(
            run, partners=args.partners, staff=args.users - args.partners, origin=f"https://{base_url[7:]}"
        )
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))

        redis_port = free_port()
        redis = stack.enter_context(redis_server(redis_port, logs / "redis.txt"))
        handler = RecordingHandler()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per connection
        smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        env = process_env(
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CELERY_QUEUE=f"load-{run}",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="false",
            SITE_URL=plan["origin"],
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            # TLS would end at a proxy in front of gunicorn; the users say so with X-Forwarded-Proto.
            DJANGO_SECURE_SSL_REDIRECT="false",
            PORTAL_STAFF_MFA_REQUIRED="false",
            # One proxy in front: the client's address is the last entry of X-Forwarded-For (see locustfile.py).
            DJANGO_TRUSTED_PROXY_COUNT="1",
            LOG_LEVEL="WARNING",
        )
        # The production settings serve static files through WhiteNoise's manifest, which collectstatic writes.
        with (logs / "collectstatic.txt").open("wb") as log:
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        celery = stack.enter_context(
            running(celery_worker_command(queue=f"load-{run}"), env=env, log=logs / "worker.txt")
        )
        web = gunicorn_command(web_port, args.workers)
        gunicorn = stack.enter_context(running(web, env=env, log=logs / "web.txt"))
        roots = {"gunicorn": gunicorn.pid, "celery": celery.pid, "redis": redis.pid}
        wait_for_http(f"{base_url}/healthz", timeout=60)

        phases = []
        if args.warmup_seconds:
            phases.append(Phase("warmup", users=WARMUP_USERS, partners=WARMUP_USERS // 2, seconds=args.warmup_seconds))
        phases.append(Phase("load", users=args.users, partners=args.partners, seconds=args.seconds))
        since = timezone.now()
        outcomes = {}
        cpu: dict[str, float] = {}
        in_workers: dict[str, list[int]] = {}
        for number, phase in enumerate(phases):
            print(
                f"{phase.name}: {phase.users} users ({phase.partners} partners, {phase.users - phase.partners} staff) "
                f"for {phase.seconds} s against {base_url} ({args.workers} gunicorn workers) …",
                flush=True,
            )
            phase_plan = {
                **plan,
                "marker": f"{plan['marker']}-{phase.name[0]}",
                "partners": phase.partners,
                "staff": phase.users - phase.partners,
                "first_address": number * 2**16,
            }
            if phase.name == "load":
                log_start, watch = (logs / "web.txt").stat().st_size, CpuWatch()
                locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            outcomes[phase.name] = run_phase(
                phase, phase_plan, base_url=base_url, spawn_rate=args.spawn_rate, work=work
            )
            if phase.name == "load":
                cpu = cpu_used(watch.before, watch.stop(), roots=roots, database=_database_name(database_url))
                locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu["locust (the load generator)"] = (locust_after.ru_utime + locust_after.ru_stime) - (
                    locust_before.ru_utime + locust_before.ru_stime
                )
                with (logs / "web.txt").open(encoding="utf-8", errors="replace") as web_log:
                    web_log.seek(log_start)
                    in_workers = checks.server_times(web_log, plan["paths"])
        print("Waiting for the outbox to deliver …", flush=True)
        outbox_wait = _wait_for_outbox(since, timeout=OUTBOX_WAIT_S)
        time.sleep(2)  # a duplicate delivery, if there were one, would arrive now
        load_after = os.getloadavg()

        measured = outcomes["load"]
        status_codes: dict[str, dict[int, int]] = {}
        for outcome in outcomes.values():
            for name, codes in outcome.status_codes.items():
                for code, count in codes.items():
                    status_codes.setdefault(name, {}).setdefault(code, 0)
                    status_codes[name][code] += count
        submissions = [submission for outcome in outcomes.values() for submission in outcome.submissions]
        stored = collect(plan["marker"], since, handler.accepted)
        verdicts = checks.evaluate(
            aggregated=measured.aggregated,
            status_codes=status_codes,
            submissions=submissions,
            stored=stored,
            other_failures=sum(outcome.aggregated.failures for name, outcome in outcomes.items() if name != "load"),
        )
        return {
            "run": run,
            "finished_at": timezone.now().isoformat(timespec="seconds"),
            "passed": all(check.passed for check in verdicts),
            "checks": [{"name": check.name, "passed": check.passed, "detail": check.detail} for check in verdicts],
            "setup": {
                "users": args.users,
                "partners": args.partners,
                "staff": args.users - args.partners,
                "spawn_rate": args.spawn_rate,
                "seconds": args.seconds,
                "warmup": {"users": WARMUP_USERS, "seconds": args.warmup_seconds} if args.warmup_seconds else None,
                "gunicorn_workers": args.workers,
                "gunicorn_config": str(GUNICORN_CONFIG.relative_to(PROJECT_ROOT)) if GUNICORN_CONFIG.exists() else None,
                "gunicorn_command": " ".join(web[2:]),
                "celery_workers": "1 (solo pool)",
                "generated_inquiries": args.inquiries,
                "cores": os.cpu_count(),
                "versions": _versions(),
            },
            "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
            "load_seconds": round(measured.seconds, 1),
            "outbox_wait_seconds": round(outbox_wait, 1),
            "overall": _stats_dict(measured.aggregated),
            "requests": {name: _stats_dict(stats) for name, stats in sorted(measured.rows.items())},
            "warmup": {
                name: {"overall": _stats_dict(outcome.aggregated), "requests": len(outcome.rows)}
                for name, outcome in outcomes.items()
                if name != "load"
            },
            "server_ms": {
                name: {
                    "requests": len(times),
                    "p50_ms": checks.percentile(times, 0.5),
                    "p95_ms": checks.percentile(times, 0.95),
                    "p99_ms": checks.percentile(times, 0.99),
                }
                for name, times in sorted(in_workers.items())
            },
            "cpu_seconds": {name: round(seconds, 1) for name, seconds in cpu.items()},
            "cpu_ms_per_request": round(
                1000
                * sum(seconds for name, seconds in cpu.items() if not name.startswith("locust"))
                / max(1, measured.aggregated.requests),
                1,
            ),
            "status_codes": status_codes,
            "submissions": len(submissions),
            "stored": sum(len(references) for references in stored.inquiries.values()),
            "receipts_at_smtp_server": sum(stored.receipts_at_sink.values()),
            "table": checks.stats_table(measured.rows, measured.aggregated),
        }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        results = run_load_test(args)
    except KeyboardInterrupt:
        print("Interrupted: every process the load test started is stopped and its database dropped.")
        return 130
    table = results.pop("table")
    (OUTPUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print("\n".join(table))
    print()
    for check in results["checks"]:
        print(f"{'PASS' if check['passed'] else 'FAIL'}  {check['name']}: {check['detail']}")
    cpu = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in results["cpu_seconds"].items())
    print(f"CPU used during the load: {cpu}; {results['cpu_ms_per_request']} ms per request without locust.")
    average = results["load_average"]
    print(f"Load average before {average['before']}, after {average['after']} ({results['setup']['cores']} cores).")
    print(f"Results: {(OUTPUT / 'results.json').relative_to(PROJECT_ROOT)}; logs in var/load/logs/.")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
