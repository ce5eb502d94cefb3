"""The users of the load test: partners who send the public inquiry form, and secretariat staff who browse.

Started by bench/load/run.py, which prepares the database and writes the plan this file reads (LOAD_PLAN: the
paths, the staff logins, inquiries to open, filters, searches, what partners write) and collects what it writes
when locust quits (LOAD_OUTCOME: the status codes per type of request and every submission the users made).
Nothing here needs Django: locust runs in its own process with gevent.

Every request goes to the --host that run.py gives, on 127.0.0.1. The requests carry the headers that the
TLS-terminating proxy in front of gunicorn adds in production: X-Forwarded-Proto: https (so the portal runs with
its production settings: secure cookies, CSRF's origin check for HTTPS) and X-Forwarded-For with the client's
address (DJANGO_TRUSTED_PROXY_COUNT=1). Each submission comes from an address of its own and each staff member from
theirs, in 198.18.0.0/15 (the range reserved for benchmarks; only written in a header, never connected to), so the
per-address limits (the intake's 10 an hour, the login's) stay at their production values and count as they would
for many different partners.
"""

import http.cookiejar
import ipaddress
import itertools
import json
import os
import random
import re
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
PATHS: dict[str, str] = PLAN["paths"]
BENCHMARK_RANGE = ipaddress.IPv4Address("198.18.0.0")  # 198.18.0.0/15, RFC 2544
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT_REFERENCE = re.compile(r'class="receipt__reference">[^<]*<strong>([0-9]{4}-[0-9]{4,})</strong>')

_status_codes: defaultdict[str, Counter[int]] = defaultdict(Counter)
_submissions: dict[str, dict[str, str | None]] = {}  # marker → {"email": ..., "reference": ...}
_partner_numbers = itertools.count(1)
_submission_numbers = itertools.count(PLAN["first_address"])
_staff_accounts = itertools.cycle(enumerate(PLAN["logins"]))


def _address(number: int) -> str:
    """The number-th address of the benchmark range, 198.18.0.0/15 (131,072 addresses)."""
    return str(BENCHMARK_RANGE + number % 2**17)


@events.request.add_listener
def _count_status(name: str, response: Any = None, **kwargs: Any) -> None:
    """Every answer's status code, by type of request (0: no answer at all)."""
    _status_codes[name][int(getattr(response, "status_code", 0) or 0)] += 1


@events.quitting.add_listener
def _write_outcome(**kwargs: Any) -> None:
    outcome = {
        "status_codes": {name: dict(codes) for name, codes in _status_codes.items()},
        "submissions": [{"marker": marker, **seen} for marker, seen in _submissions.items()],
    }
    Path(os.environ["LOAD_OUTCOME"]).write_text(json.dumps(outcome, indent=1), encoding="utf-8")


def _form(body: str) -> str | None:
    match = CSRF_TOKEN.search(body)
    return match.group(1) if match else None


def _encoded(data: dict[str, Any]) -> str:
    return urllib.parse.urlencode(data, doseq=True)


class BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """Send the portal's Secure cookies over the plain loopback connection: in production the browser sends them
    over HTTPS to the proxy, which passes them on to gunicorn over plain HTTP, as here."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class PortalUser(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(BehindTheProxy())
        self.proxy_headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address(0)}

    def come_from(self, number: int) -> None:
        """From now on the proxy says the requests come from the number-th address of the benchmark range."""
        self.proxy_headers["X-Forwarded-For"] = _address(number)

    def post_form(self, path: str, data: dict[str, Any], *, name: str, expect_location: str) -> bool:
        """POST a form as a browser does (same-origin Origin and Referer); success is a redirect to the path given."""
        headers = {
            **self.proxy_headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": PLAN["origin"],
            "Referer": PLAN["origin"] + path,
        }
        with self.client.post(
            path, data=_encoded(data), headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = urllib.parse.urlsplit(response.headers.get("Location") or "").path if response.headers else ""
            if response.status_code == 302 and location == expect_location:
                response.success()
                return True
            response.failure(f"expected a redirect to {expect_location}, got {response.status_code} to {location!r}")
            return False

    def get_page(self, path: str, *, name: str) -> str | None:
        """GET a page that must answer 200 itself (a redirect, e.g. to the login, is a failure)."""
        with self.client.get(
            path, headers=self.proxy_headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200:
                response.success()
                return response.text
            response.failure(f"expected 200, got {response.status_code}")
            return None


class Partner(PortalUser):
    """Opens the public form, fills it in for a while, sends it and reads the receipt; then comes back later."""

    fixed_count = PLAN["partners"]
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.number = next(_partner_numbers)
        self.sent = 0
        self.random = random.Random(f"{PLAN['run']}-{self.number}")  # noqa: S311 - load test data, not security

    @task
    def submit_inquiry(self) -> None:
        self.come_from(next(_submission_numbers))  # each submission is another partner's, at another address
        page = self.get_page(PATHS["intake"], name="intake_get")
        token = _form(page) if page else None
        if token is None:
            return
        time.sleep(self.random.uniform(1, 3))  # filling in the form (gevent makes this a cooperative sleep)
        self.sent += 1
        marker = f"{PLAN['marker']}-p{self.number:02d}-{self.sent:03d}"
        email = f"{marker}@{PLAN['email_domain']}"  # a new contact each time: one receipt per address
        text = self.random.choice(PLAN["texts"])
        organisation = self.random.choice(PLAN["organisations"]) if self.random.random() < 0.5 else None
        if organisation is None:  # a first-time partner: an organisation the portal does not know yet
            organisation = {
                "name": f"Lasttest {PLAN['run']} {self.number:02d}-{self.sent:03d} AS",
                "kind": "company",
                "number": "",
                "country": "NO",
            }
        data = {
            "csrfmiddlewaretoken": token,
            "organisation_name": organisation["name"],
            "organisation_kind": organisation["kind"],
            "organisation_number": organisation["number"],
            "country": organisation["country"],
            "contact_name": f"Lasse Lasttest {self.number:02d}",
            "contact_email": email,
            "contact_phone": "",
            "contact_role": "Prosjektleder",
            "inquiry_type": text["inquiry_type"],
            "title": f"{text['title']} ({marker})",
            "description": text["description"],
            "sdg_goals": text["sdg_goals"],
            "sdg_targets": text["sdg_targets"],
            "language": text["language"],
            "consent": "on",
            "website": "",  # the honeypot, left empty as people do
        }
        _submissions[marker] = {"email": email, "reference": None}
        if not self.post_form(PATHS["intake"], data, name="intake_post", expect_location=PATHS["receipt"]):
            return
        receipt = self.get_page(PATHS["receipt"], name="receipt")
        match = RECEIPT_REFERENCE.search(receipt or "")
        _submissions[marker]["reference"] = match.group(1) if match else None


class Staff(PortalUser):
    """A secretariat member: logs in once, then works through the inbox, filters, searches, inquiries, the unit
    queues and the summary dashboard."""

    fixed_count = PLAN["staff"]
    wait_time = between(1, 4)

    def on_start(self) -> None:
        super().on_start()
        number, account = next(_staff_accounts)
        self.come_from(2**17 - 1 - number)  # the top of the range, below the partners' addresses
        self.random = random.Random(account["email"])  # noqa: S311 - load test data, not security
        page = self.get_page(PATHS["login"], name="login_get")
        token = _form(page) if page else None
        if token is None:
            return
        data = {"csrfmiddlewaretoken": token, "login": account["email"], "password": account["password"]}
        self.post_form(PATHS["login"], data, name="login_post", expect_location=PATHS["inbox"])

    def _query(self, path: str, query: str) -> str:
        return f"{path}?{query}" if query else path

    @task(4)
    def inbox(self) -> None:
        self.get_page(PATHS["inbox"], name="inbox")

    @task(2)
    def inbox_filtered(self) -> None:
        self.get_page(self._query(PATHS["inbox"], self.random.choice(PLAN["filters"])), name="inbox_filtered")

    @task(2)
    def inbox_search(self) -> None:
        query = urllib.parse.urlencode({"q": self.random.choice(PLAN["searches"])})
        self.get_page(self._query(PATHS["inbox"], query), name="inbox_search")

    @task(4)
    def inquiry_detail(self) -> None:
        self.get_page(PATHS["inquiry_detail"].format(pk=self.random.choice(PLAN["inquiries"])), name="inquiry_detail")

    @task(2)
    def unit_queue(self) -> None:
        self.get_page(self._query(PATHS["unit_queue"], self.random.choice(PLAN["unit_queues"])), name="unit_queue")

    @task(1)
    def summary(self) -> None:
        self.get_page(self._query(PATHS["summary"], self.random.choice(PLAN["summaries"])), name="summary")
