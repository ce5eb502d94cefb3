"""The load test's verdicts (bench/load/checks.py) and the runner's small pieces, on made-up figures: no load is
run, no process started, nothing sent over the network. The load test itself is `make load`."""

from email.message import EmailMessage
from pathlib import Path

import pytest

from bench.load import checks, run

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def _stats_csv(folder: Path, rows: list[str]) -> Path:
    path = folder / "locust-load_stats.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _row(kind: str, name: str, count: int, failures: int, p50: str, p95: str, p99: str, rps: str = "5.0") -> str:
    figures = f"{p50},40.5,3,900,5000,{rps},0.0,{p50},60,70,80,90,{p95},200,{p99},900,900,900"
    return f"{kind},{name},{count},{failures},{figures}"


def _aggregated(*, requests: int = 1000, failures: int = 0, p95: float | None = 180.0) -> checks.RequestStats:
    return checks.RequestStats(
        name="Aggregated",
        requests=requests,
        failures=failures,
        per_second=8.3,
        average_ms=50.0,
        p50_ms=30.0,
        p95_ms=p95,
        p99_ms=400.0,
        max_ms=900.0,
    )


def _good_run() -> tuple[list[checks.Submission], checks.Stored]:
    submissions = [
        checks.Submission("load-abc123-l-p01-001", "load-abc123-l-p01-001@load.example", "2026-0001"),
        checks.Submission("load-abc123-l-p02-001", "load-abc123-l-p02-001@load.example", "2026-0002"),
    ]
    stored = checks.Stored(
        inquiries={"load-abc123-l-p01-001": ["2026-0001"], "load-abc123-l-p02-001": ["2026-0002"]},
        receipts_sent={"2026-0001": 1, "2026-0002": 1},
        receipts_at_sink={"2026-0001": 1, "2026-0002": 1},
        outbox_unsent={},
    )
    return submissions, stored


def _verdicts(**changes: object) -> dict[str, checks.Check]:
    submissions, stored = _good_run()
    arguments: dict[str, object] = {
        "aggregated": _aggregated(),
        "status_codes": {"inbox": {200: 500}, "intake_post": {302: 2}},
        "submissions": submissions,
        "stored": stored,
        **changes,
    }
    return {check.name: check for check in checks.evaluate(**arguments)}  # type: ignore[arg-type]


def _failed(verdicts: dict[str, checks.Check]) -> list[str]:
    return [name for name, check in verdicts.items() if not check.passed]


def test_reads_locusts_stats_csv(tmp_path: Path) -> None:
    path = _stats_csv(
        tmp_path,
        [
            _row("GET", "inbox", 400, 0, "35", "120", "210", rps="3.3"),
            _row("POST", "intake_post", 120, 1, "60", "250", "310"),
            _row("GET", "summary", 0, 0, "N/A", "N/A", "N/A", rps="0.0"),
            _row("", "Aggregated", 520, 1, "40", "180", "300", rps="8.7"),
        ],
    )
    rows, aggregated = checks.read_locust_stats(path)
    assert set(rows) == {"inbox", "intake_post", "summary"}
    assert (rows["inbox"].requests, rows["inbox"].p95_ms, rows["inbox"].per_second) == (400, 120.0, 3.3)
    assert rows["intake_post"].failures == 1
    assert rows["summary"].p50_ms is None  # locust writes N/A for a type without requests
    assert (aggregated.requests, aggregated.failures, aggregated.p95_ms, aggregated.p99_ms) == (520, 1, 180.0, 300.0)


def test_a_csv_without_the_aggregated_row_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Aggregated"):
        checks.read_locust_stats(_stats_csv(tmp_path, [_row("GET", "inbox", 4, 0, "35", "120", "210")]))


def test_a_good_run_passes_every_check() -> None:
    verdicts = _verdicts()
    assert _failed(verdicts) == []
    assert len(verdicts) == 7


def test_a_server_error_fails_even_when_locust_was_told_it_was_fine() -> None:
    verdicts = _verdicts(status_codes={"inbox": {200: 499, 500: 1}, "summary": {502: 2}})
    assert _failed(verdicts) == ["no server errors (5xx)"]
    assert verdicts["no server errors (5xx)"].detail == "inbox 500: 1, summary 502: 2"


def test_failed_requests_and_requests_without_an_answer_fail() -> None:
    assert _failed(_verdicts(aggregated=_aggregated(failures=3))) == ["no failed requests"]
    assert _failed(_verdicts(other_failures=1)) == ["no failed requests"]  # in the warm-up
    assert _failed(_verdicts(status_codes={"inbox": {200: 10, 0: 1}})) == ["no failed requests"]


def test_p95_must_be_under_the_limit() -> None:
    assert _failed(_verdicts(aggregated=_aggregated(p95=299.0))) == []
    assert _failed(_verdicts(aggregated=_aggregated(p95=300.0))) == ["p95 under 300 ms"]
    assert _failed(_verdicts(aggregated=_aggregated(p95=None))) == ["p95 under 300 ms"]


def test_a_submission_missing_stored_twice_or_unanswered_fails() -> None:
    submissions, stored = _good_run()
    del stored.inquiries["load-abc123-l-p02-001"]
    verdicts = _verdicts(stored=stored)
    assert "every submission stored, once" in _failed(verdicts)
    assert "not stored: load-abc123-l-p02-001" in verdicts["every submission stored, once"].detail

    submissions, stored = _good_run()
    stored.inquiries["load-abc123-l-p01-001"].append("2026-0003")
    stored.receipts_sent["2026-0003"] = stored.receipts_at_sink["2026-0003"] = 1
    verdicts = _verdicts(stored=stored)
    assert _failed(verdicts) == ["every submission stored, once"]
    assert "stored more than once" in verdicts["every submission stored, once"].detail

    submissions, stored = _good_run()
    verdicts = _verdicts(submissions=submissions[:1], stored=stored)  # the user never saw the second one's answer
    assert _failed(verdicts) == ["every submission stored, once"]


def test_a_receipt_page_showing_another_reference_fails() -> None:
    submissions, _ = _good_run()
    submissions[0] = checks.Submission(submissions[0].marker, submissions[0].email, "2026-0999")
    assert _failed(_verdicts(submissions=submissions)) == ["every submission stored, once"]


def test_a_receipt_sent_twice_or_never_fails() -> None:
    _, stored = _good_run()
    stored.receipts_at_sink["2026-0001"] = 2
    verdicts = _verdicts(stored=stored)
    assert _failed(verdicts) == ["every receipt sent exactly once"]
    assert "2026-0001 ×2" in verdicts["every receipt sent exactly once"].detail

    _, stored = _good_run()
    del stored.receipts_sent["2026-0002"]
    assert _failed(_verdicts(stored=stored)) == ["every receipt sent exactly once"]


def test_an_outbox_not_drained_fails() -> None:
    _, stored = _good_run()
    stored.outbox_unsent = {"pending": 3, "failed": 1}
    verdicts = _verdicts(stored=stored)
    assert _failed(verdicts) == ["outbox drained (nothing pending or failed)"]
    assert verdicts["outbox drained (nothing pending or failed)"].detail == "1 failed, 3 pending"


def test_a_run_without_requests_or_submissions_fails() -> None:
    verdicts = _verdicts(aggregated=_aggregated(requests=0), submissions=[], stored=checks.Stored())
    assert "the load ran" in _failed(verdicts)
    assert "every submission stored, once" in _failed(verdicts)


def test_the_table_lists_every_type_then_the_aggregate() -> None:
    rows = {"inbox": checks.RequestStats("inbox", 10, 0, 1.25, 20.0, 18.0, 42.0, 60.0, 61.0)}
    table = checks.stats_table(rows, _aggregated())
    assert table[2] == "| `inbox` | 10 | 0 | 1.2 | 18 | 42 | 60 | 61 |"
    assert table[-1].startswith("| **Aggregated** | 1000 | 0 | 8.3 | 30 | 180 | 400 |")


def test_the_runner_reads_its_arguments() -> None:
    args = run._arguments([])
    assert (args.users, args.partners, args.seconds, args.inquiries) == (50, 25, 120, 20_000)
    assert run._arguments(["--users", "10", "--partners", "3"]).partners == 3
    with pytest.raises(SystemExit):
        run._arguments(["--users", "10", "--partners", "10"])  # no staff left


def test_the_load_database_is_on_the_same_server() -> None:
    url = run._database_on("postgres://portal:portal@127.0.0.1:5432/portal", "portal_load")
    assert url == "postgres://portal:portal@127.0.0.1:5432/portal_load"


def test_locust_runs_headless_and_bounded_against_the_loopback_host() -> None:
    phase = run.Phase("load", users=50, partners=25, seconds=120)
    command = run.locust_command(phase, base_url="http://127.0.0.1:8123", spawn_rate=10)
    assert "--headless" in command
    assert command[command.index("--run-time") + 1] == "120s"
    assert command[command.index("--host") + 1] == "http://127.0.0.1:8123"
    assert command[command.index("--users") + 1] == "50"


def test_a_received_message_gives_its_recipients_and_text() -> None:
    message = EmailMessage()
    message["To"] = "Lasse Lasttest <Load-abc123-l-p01-001@load.example>"
    message["Subject"] = "Vi har mottatt henvendelsen din (referanse 2026-0001)"
    message.set_content("Referanse: 2026-0001\nHilsen FN-senteret")
    recipients, text = run._message_text(message.as_bytes())
    assert recipients == {"load-abc123-l-p01-001@load.example"}
    assert "referanse 2026-0001" in text
    assert "Hilsen FN-senteret" in text


PATHS = {
    "intake": "/en/inquiries/new/",
    "receipt": "/en/inquiries/submitted/",
    "login": "/en/accounts/login/",
    "inbox": "/en/staff/",
    "unit_queue": "/en/staff/unit/",
    "summary": "/en/staff/summary/",
    "inquiry_detail": "/en/staff/inquiries/{pk}/",
}


def test_access_log_lines_are_named_as_the_locustfile_names_them() -> None:
    lines = [
        '198.18.0.7 "GET /en/inquiries/new/ HTTP/1.1" 200 97763 120ms "-" "python/gevent-http-client"',
        '198.18.0.7 "POST /en/inquiries/new/ HTTP/1.1" 302 0 35ms "-" "python/gevent-http-client"',
        '198.19.255.254 "GET /en/staff/?q=mobilitet HTTP/1.1" 200 80000 90ms',
        '198.19.255.254 "GET /en/staff/?status=received&status=in_triage HTTP/1.1" 200 80000 70ms',
        '198.19.255.254 "GET /en/staff/ HTTP/1.1" 200 80000 60ms',
        '198.19.255.254 "GET /en/staff/ HTTP/1.1" 200 80000 80ms',
        '198.19.255.254 "GET /en/staff/inquiries/4711/ HTTP/1.1" 200 50000 40ms',
        '127.0.0.1 "GET /healthz HTTP/1.1" 200 120 3ms',
        "[2026-11-28 23:00:00 +0100] [123] [INFO] Booting worker with pid: 123",
    ]
    times = checks.server_times(lines, PATHS)
    assert times == {
        "intake_get": [120],
        "intake_post": [35],
        "inbox_search": [90],
        "inbox_filtered": [70],
        "inbox": [60, 80],
        "inquiry_detail": [40],
    }
    assert checks.request_name("GET", "/en/staff/inquiries/new/", PATHS) is None  # not an inquiry's page


def test_percentile_is_the_nearest_rank() -> None:
    values = list(range(1, 101))
    assert (checks.percentile(values, 0.5), checks.percentile(values, 0.95), checks.percentile(values, 1)) == (
        50,
        95,
        100,
    )
    assert checks.percentile([7], 0.95) == 7
    assert checks.percentile([], 0.95) is None


def test_cpu_is_counted_per_process_tree_and_for_the_databases_backends() -> None:
    before = {
        10: (1, 1.0, "python -m gunicorn portal.wsgi"),
        11: (10, 2.0, "python -m gunicorn portal.wsgi"),
        20: (1, 0.5, "python -m celery -A portal worker"),
        30: (2, 4.0, "postgres: 15/main: portal portal_load 127.0.0.1(5000) idle"),
        31: (2, 9.0, "postgres: 15/main: portal portal 127.0.0.1(5001) idle"),
    }
    after = {
        10: (1, 1.5, "python -m gunicorn portal.wsgi"),
        11: (10, 12.0, "python -m gunicorn portal.wsgi"),
        12: (10, 3.0, "python -m gunicorn portal.wsgi"),  # a worker started during the load
        20: (1, 1.5, "python -m celery -A portal worker"),
        30: (2, 10.0, "postgres: 15/main: portal portal_load 127.0.0.1(5000) idle"),
        31: (2, 50.0, "postgres: 15/main: portal portal 127.0.0.1(5001) idle"),  # another database's: not ours
    }
    cpu = run.cpu_used(before, after, roots={"gunicorn": 10, "celery": 20, "redis": 40}, database="portal_load")
    assert cpu == {"gunicorn": 13.5, "celery": 1.0, "redis": 0.0, "postgresql": 6.0}
