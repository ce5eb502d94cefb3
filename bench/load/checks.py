"""What the load test must show, judged from locust's statistics and from what was stored and sent.

Pure functions on plain data (no Django, no network), so that tests/test_load_runner.py can check the verdicts on
made-up figures. bench/load/run.py gathers the figures; issue #9 sets the bar: no server errors, p95 under 300 ms,
every submission stored and its receipt sent exactly once.
"""

import csv
import math
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

P95_LIMIT_MS = 300.0
AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class RequestStats:
    """One row of locust's <prefix>_stats.csv: a type of request (by its name), or the aggregated row."""

    name: str
    requests: int
    failures: int
    per_second: float
    average_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


def _number(value: str) -> float | None:
    """A figure from the CSV; locust writes N/A where a type had no requests."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read_locust_stats(path: Path) -> tuple[dict[str, RequestStats], RequestStats]:
    """The rows of locust's stats CSV by request name, and the aggregated row."""
    rows: dict[str, RequestStats] = {}
    aggregated: RequestStats | None = None
    with path.open(newline="", encoding="utf-8") as csv_file:
        for row in csv.DictReader(csv_file):
            stats = RequestStats(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                per_second=_number(row["Requests/s"]) or 0.0,
                average_ms=_number(row["Average Response Time"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
                max_ms=_number(row["Max Response Time"]),
            )
            if row["Name"] == AGGREGATED and not row["Type"]:
                aggregated = stats
            else:
                rows[stats.name] = stats
    if aggregated is None:
        raise ValueError(f"{path} has no {AGGREGATED} row: is it locust's stats CSV?")
    return rows, aggregated


@dataclass(frozen=True)
class Submission:
    """A partner's submission as the load test's user saw it: the marker in its title, the contact's address (new
    for each submission) and the reference from the receipt page (None if the receipt page did not show one)."""

    marker: str
    email: str
    reference: str | None


@dataclass
class Stored:
    """What the database and the SMTP sink hold after the run and the wait for the outbox."""

    # Marker → references of the inquiries whose title carries that marker.
    inquiries: dict[str, list[str]] = field(default_factory=dict)
    # Reference → receipt rows in the outbox marked sent.
    receipts_sent: dict[str, int] = field(default_factory=dict)
    # Reference → messages the SMTP sink accepted that went to the submission's address and name the reference.
    receipts_at_sink: dict[str, int] = field(default_factory=dict)
    # Status → outbox rows (any e-mail, not only receipts) that were not sent: pending or failed.
    outbox_unsent: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def _listed(items: Iterable[str], *, limit: int = 5) -> str:
    items = sorted(items)
    shown = ", ".join(items[:limit])
    return f"{shown}, … ({len(items)} in all)" if len(items) > limit else shown


def server_errors(status_codes: Mapping[str, Mapping[int, int]]) -> dict[str, int]:
    """Responses with a 5xx status, as "name 500" → count."""
    return {
        f"{name} {code}": count
        for name, codes in status_codes.items()
        for code, count in codes.items()
        if 500 <= int(code) <= 599 and count
    }


def evaluate(
    *,
    aggregated: RequestStats,
    status_codes: Mapping[str, Mapping[int, int]],
    submissions: list[Submission],
    stored: Stored,
    other_failures: int = 0,
    p95_limit_ms: float = P95_LIMIT_MS,
) -> list[Check]:
    """Every check of the load test, passed or not, with what was seen.

    `aggregated` is the measured load's; `other_failures` counts failed requests outside it (the warm-up), while
    `status_codes` and `submissions` cover every phase."""
    checks = [
        Check(
            "the load ran",
            aggregated.requests > 0 and bool(submissions),
            f"{aggregated.requests} requests, {len(submissions)} submissions",
        )
    ]

    errors = server_errors(status_codes)
    checks.append(
        Check(
            "no server errors (5xx)",
            not errors,
            ", ".join(f"{key}: {count}" for key, count in sorted(errors.items())) or "none",
        )
    )
    no_answer = sum(codes.get(0, 0) for codes in status_codes.values())
    failed = aggregated.failures + other_failures
    checks.append(
        Check(
            "no failed requests",
            failed == 0 and no_answer == 0,
            f"{failed} failed (unexpected status or no answer), {no_answer} of them without an answer",
        )
    )
    p95 = aggregated.p95_ms
    checks.append(
        Check(
            f"p95 under {p95_limit_ms:.0f} ms",
            p95 is not None and p95 < p95_limit_ms,
            f"p95 {p95:.0f} ms over all requests" if p95 is not None else "no response times",
        )
    )

    submitted = {submission.marker: submission for submission in submissions}
    missing = [marker for marker in submitted if not stored.inquiries.get(marker)]
    twice = [marker for marker, references in stored.inquiries.items() if len(references) > 1]
    unanswered = [marker for marker in stored.inquiries if marker not in submitted]
    wrong_reference = [
        marker
        for marker, submission in submitted.items()
        if submission.reference is not None
        and stored.inquiries.get(marker)
        and stored.inquiries[marker] != [submission.reference]
    ]
    problems = []
    if missing:
        problems.append(f"not stored: {_listed(missing)}")
    if twice:
        problems.append(f"stored more than once: {_listed(twice)}")
    if unanswered:
        problems.append(f"stored but the user saw no answer: {_listed(unanswered)}")
    if wrong_reference:
        problems.append(f"stored under another reference than the receipt page showed: {_listed(wrong_reference)}")
    checks.append(
        Check(
            "every submission stored, once",
            bool(submitted) and not problems,
            "; ".join(problems) or f"{len(submitted)} submitted, {len(stored.inquiries)} stored",
        )
    )

    references = [reference for refs in stored.inquiries.values() for reference in refs]
    not_once_outbox = [
        f"{ref} ×{stored.receipts_sent.get(ref, 0)}" for ref in references if stored.receipts_sent.get(ref, 0) != 1
    ]
    not_once_sink = [
        f"{ref} ×{stored.receipts_at_sink.get(ref, 0)}"
        for ref in references
        if stored.receipts_at_sink.get(ref, 0) != 1
    ]
    problems = []
    if not_once_outbox:
        problems.append(f"outbox not sent exactly once: {_listed(not_once_outbox)}")
    if not_once_sink:
        problems.append(f"SMTP server did not get exactly one: {_listed(not_once_sink)}")
    checks.append(
        Check(
            "every receipt sent exactly once",
            bool(references) and not problems,
            "; ".join(problems) or f"{len(references)} receipts, one each at the SMTP server",
        )
    )

    unsent = {status: count for status, count in stored.outbox_unsent.items() if count}
    checks.append(
        Check(
            "outbox drained (nothing pending or failed)",
            not unsent,
            ", ".join(f"{count} {status}" for status, count in sorted(unsent.items())) or "all sent",
        )
    )
    return checks


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def stats_table(rows: Mapping[str, RequestStats], aggregated: RequestStats) -> list[str]:
    """A Markdown table of the figures per type of request, the aggregated row last."""
    lines = [
        "| Request | Requests | Failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for stats in [*sorted(rows.values(), key=lambda stats: stats.name), aggregated]:
        name = f"**{stats.name}**" if stats is aggregated else f"`{stats.name}`"
        lines.append(
            f"| {name} | {stats.requests} | {stats.failures} | {stats.per_second:.1f} | {_ms(stats.p50_ms)} | "
            f"{_ms(stats.p95_ms)} | {_ms(stats.p99_ms)} | {_ms(stats.max_ms)} |"
        )
    return lines


# A line of gunicorn's access log in the format run.py gives it: '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
_ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def request_name(method: str, target: str, paths: Mapping[str, str]) -> str | None:
    """The locustfile's name for a request seen in the access log (None for anything else, e.g. /healthz)."""
    url = urllib.parse.urlsplit(target)
    path, query = url.path, urllib.parse.parse_qs(url.query)
    if path == paths["intake"]:
        return "intake_get" if method == "GET" else "intake_post"
    if path == paths["login"]:
        return "login_get" if method == "GET" else "login_post"
    if path == paths["inbox"]:
        return "inbox_search" if "q" in query else "inbox_filtered" if query else "inbox"
    simple = {paths["receipt"]: "receipt", paths["unit_queue"]: "unit_queue", paths["summary"]: "summary"}
    if path in simple:
        return simple[path]
    before, _, after = paths["inquiry_detail"].partition("{pk}")
    if path.startswith(before) and path.endswith(after) and path[len(before) : len(path) - len(after)].isdigit():
        return "inquiry_detail"
    return None


def server_times(lines: Iterable[str], paths: Mapping[str, str]) -> dict[str, list[int]]:
    """Milliseconds each request spent in a gunicorn worker, by request name, from access log lines. Unlike the
    client's figures these leave out the time a request waited for a free worker."""
    times: dict[str, list[int]] = {}
    for line in lines:
        match = _ACCESS_LINE.search(line)
        name = match and request_name(match["method"], match["target"], paths)
        if match and name:
            times.setdefault(name, []).append(int(match["ms"]))
    return times


def percentile(values: list[int], fraction: float) -> int | None:
    """The nearest-rank percentile (fraction 0.95 for p95); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]
