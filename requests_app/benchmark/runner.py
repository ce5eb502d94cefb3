"""Measuring the pages: warm and in-process, through the test client with the real middleware and templates.

For each page: a few warm-up requests (the last one counting its SQL queries), then `reps` timed requests, each
timed with time.perf_counter around the client call (and, for a streamed export, the reading of its body); the
median and 95th percentile of those times. The export is run once more under tracemalloc for its peak memory
growth. A page that has no URL yet, or answers 404, is reported as missing with the reason, never left out.
"""

import gc
import itertools
import logging
import math
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch

from requests_app.benchmark.pages import PAGES, TARGETS, BenchData, Page, Target

MEGABYTE = 1024 * 1024


@dataclass
class Measured:
    queries: int
    p50_ms: float
    p95_ms: float
    peak_mb: float | None = None
    rows: int | None = None  # of the export, for the table

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"queries": self.queries, "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}
        if self.peak_mb is not None:
            result["peak_mb"] = self.peak_mb
        return result


@dataclass
class Missing:
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"missing": True, "reason": self.reason}


class PageUnavailable(Exception):
    """The page cannot be measured (no URL, a 404, another status, an error); the message says why."""


@contextmanager
def bench_environment() -> Iterator[None]:
    """Production-like requests in this process: DEBUG off, no second factor asked of the bench logins (staff
    MFA, portal.access.StaffMfaMiddleware), the test client's host allowed, no HTTPS redirect, e-mail kept in
    memory (receipts are still rendered and written to the outbox), and no 404s or task logs on the console."""
    quiet = {name: logging.getLogger(name) for name in ("django.request", "celery.app.trace", "kombu.connection")}
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():
        logger.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            override_settings(
                DEBUG=False,
                STAFF_MFA_REQUIRED=False,
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                SECURE_SSL_REDIRECT=False,
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
            ),
        ):
            # Whitenoise finds no collected static files; the bench opens pages, not their assets.
            warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
            yield
    finally:
        for name, logger in quiet.items():
            logger.setLevel(levels[name])


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Bench:
    """Opens the pages as their personas; one test client per persona, logged in once."""

    def __init__(self, data: BenchData, *, reps: int, warmup: int) -> None:
        self.data = data
        self.reps = reps
        self.warmup = warmup
        self.clients = {"anonymous": Client(), "secretariat": Client(), "unit_member": Client()}
        self.clients["secretariat"].force_login(data.secretariat)
        self.clients["unit_member"].force_login(data.unit_member)
        self._numbers = itertools.count(1)  # each request's number: a new submission, address and e-mail each

    def _open(self, page: Page) -> tuple[HttpResponseBase, int]:
        """One request, its body read to the end; returns the response and the body's number of lines."""
        try:
            request = page.request(self.data, next(self._numbers))
        except NoReverseMatch as error:
            raise PageUnavailable(f"no URL for it yet ({error})") from None
        client = self.clients[page.persona]
        try:
            if request.method == "post":
                response = client.post(request.path, request.data, REMOTE_ADDR=request.remote_addr)
            else:
                response = client.get(request.path, REMOTE_ADDR=request.remote_addr)
            lines = 0
            if isinstance(response, StreamingHttpResponse):
                # Reading to the end also closes the response, as a WSGI server would (the test client's wrapper).
                for chunk in response.streaming_content:
                    lines += bytes(chunk).count(b"\n")
        except Exception as error:
            raise PageUnavailable(f"{request.path} raised {type(error).__name__}: {error}") from None
        if response.status_code == 404:
            raise PageUnavailable(f"{request.path} answers 404 Not Found (not built yet?)")
        if response.status_code != page.ok_status:
            where = f" to {response['Location']}" if response.has_header("Location") else ""
            raise PageUnavailable(f"{request.path} answers {response.status_code}{where}, not {page.ok_status}")
        return response, lines

    def measure(self, page: Page) -> Measured | Missing:
        try:
            for _ in range(max(self.warmup - 1, 0)):
                self._open(page)
            # What the warm process holds leaves the garbage collector's generations, as deploy/gunicorn.conf.py
            # does for the preloaded application at fork: a full collection then walks only what requests make.
            gc.freeze()
            with CaptureQueriesContext(connection) as queries:
                _response, lines = self._open(page)
            # Counted now: the captured list is read from the connection's log, which later requests reset.
            query_count = len(queries)
            times = []
            for _ in range(self.reps):
                started = time.perf_counter()
                self._open(page)
                times.append((time.perf_counter() - started) * 1000)
            peak = self._peak_memory(page) if page.measures_memory else None
        except PageUnavailable as error:
            return Missing(str(error))
        return Measured(
            queries=query_count,
            p50_ms=round(statistics.median(times), 1),
            p95_ms=round(percentile(times, 0.95), 1),
            peak_mb=peak,
            rows=max(lines - 1, 0) if page.streaming else None,  # without the header line
        )

    def _peak_memory(self, page: Page) -> float:
        """How far memory rose above where it was while one request ran, in MB (2**20 bytes)."""
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            self._open(page)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return round((peak - before) / MEGABYTE, 1)


def run(data: BenchData, names: list[str], *, reps: int, warmup: int) -> dict[str, Measured | Missing]:
    """Measure the named pages, in the order of PAGES."""
    bench = Bench(data, reps=reps, warmup=warmup)
    return {page.name: bench.measure(page) for page in PAGES if page.name in names}


def as_json(results: dict[str, Measured | Missing], *, inquiries: int) -> dict[str, Any]:
    """The shape issue #9 keeps stable so runs can be compared over time."""
    return {
        "dataset": {"inquiries": inquiries, "database": connection.vendor},
        "pages": {name: result.as_json() for name, result in results.items()},
    }


def misses(name: str, result: Measured | Missing, targets: dict[str, Target] = TARGETS) -> list[str]:
    """Which of the page's targets the result misses (a missing page misses all of them)."""
    target = targets.get(name)
    if target is None:
        return []
    if isinstance(result, Missing):
        return ["missing"]
    missed = []
    if target.p95_ms is not None and result.p95_ms > target.p95_ms:
        missed.append(f"p95 {result.p95_ms:g} ms > {target.p95_ms:g}")
    if target.queries is not None and result.queries > target.queries:
        missed.append(f"{result.queries} queries > {target.queries}")
    if target.peak_mb is not None and result.peak_mb is not None and result.peak_mb > target.peak_mb:
        missed.append(f"peak {result.peak_mb:g} MB > {target.peak_mb:g}")
    return missed


def _target_text(name: str, targets: dict[str, Target]) -> str:
    target = targets.get(name)
    if target is None:
        return ""
    parts = []
    if target.p95_ms is not None:
        parts.append(f"p95 ≤ {target.p95_ms:g} ms")
    if target.queries is not None:
        parts.append(f"≤ {target.queries} queries")
    if target.peak_mb is not None:
        parts.append(f"≤ {target.peak_mb:g} MB")
    return ", ".join(parts)


def table(
    results: dict[str, Measured | Missing],
    *,
    check_targets: bool,
    targets: dict[str, Target] = TARGETS,
    targets_label: str = "100,000 on SQLite",
) -> str:
    """The results as a plain-text table; with check_targets, each page's target (of `targets`, the issue's for
    `targets_label`) and whether it is met."""
    header = f"{'page':<20} {'queries':>7} {'p50 ms':>9} {'p95 ms':>9} {'peak MB':>8}"
    if check_targets:
        header += f"  {'target (' + targets_label + ')':<34} result"
    lines = [header, "-" * len(header)]
    notes = []
    for name, result in results.items():
        if isinstance(result, Missing):
            line = f"{name:<20} {'missing':>7}"
        else:
            peak = f"{result.peak_mb:.1f}" if result.peak_mb is not None else ""
            line = f"{name:<20} {result.queries:>7} {result.p50_ms:>9.1f} {result.p95_ms:>9.1f} {peak:>8}"
        if check_targets and name in targets:
            missed = misses(name, result, targets)
            verdict = "met" if not missed else "MISSED" if missed == ["missing"] else "MISSED: " + "; ".join(missed)
            line = f"{line:<57}  {_target_text(name, targets):<34} {verdict}"
        lines.append(line.rstrip())
        if isinstance(result, Missing):
            notes.append(f"{name} is missing: {result.reason}")
        elif result.rows is not None:
            notes.append(f"{name} exported {result.rows:,} rows.")
    return "\n".join([*lines, "", *notes] if notes else lines)
