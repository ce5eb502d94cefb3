"""The pages `manage.py bench` measures, the requests that open them, and the targets from issue #9.

Each page is one request as its usual visitor makes it: a partner (anonymous) for the public pages and the intake,
the secretariat for the staff pages, a unit member for the unit queue. BenchData chooses (or creates) what the
requests need in the generated database: the bench logins, an inquiry with 50 events, the organisation with the
most inquiries, an export of about 10,000 rows.
"""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import MunicipalUnit, Organisation, Role, User
from requests_app.benchmark import vocabulary as words
from requests_app.benchmark.bulk import Table, reset_sequences
from requests_app.benchmark.marker import generated_address
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage

DETAIL_EVENTS = 50
EXPORT_ROWS = 10_000
SEARCH_WORD = "mobilitet"
SECRETARIAT_EMAIL = generated_address("bench.secretariat")
UNIT_MEMBER_EMAIL = generated_address("bench.unit")


@dataclass(frozen=True)
class Target:
    """What issue #9 asks of a page at 100,000 inquiries on SQLite: p95 server time, queries, memory growth."""

    p95_ms: float | None = None
    queries: int | None = None
    peak_mb: float | None = None


TARGETS = {
    "inbox": Target(p95_ms=40, queries=12),
    "inbox_filtered": Target(p95_ms=30, queries=12),
    "inbox_search": Target(p95_ms=75, queries=12),
    "inquiry_detail": Target(p95_ms=20, queries=15),
    "unit_queue": Target(p95_ms=40, queries=12),
    "summary_year": Target(p95_ms=250),
    "report_year": Target(p95_ms=600),
    "intake_post": Target(p95_ms=30),
    "export_csv_10k": Target(p95_ms=1500, peak_mb=50),
}

# At 1,000,000 inquiries on PostgreSQL: three times, and the query counts (which do not grow with the data).
POSTGRESQL_TARGETS = {
    "inbox": Target(p95_ms=80, queries=12),
    "inbox_filtered": Target(queries=12),
    "inbox_search": Target(p95_ms=150, queries=12),
    "inquiry_detail": Target(queries=15),
    "unit_queue": Target(queries=12),
    "summary_year": Target(p95_ms=400),
}


def targets_for(vendor: str) -> tuple[str, dict[str, Target]]:
    """The targets for a run on this database (connection.vendor), with what they are for."""
    if vendor == "postgresql":
        return "1,000,000 on PostgreSQL", POSTGRESQL_TARGETS
    return "100,000 on SQLite", TARGETS


@dataclass
class BenchData:
    """What the requests need, found or made once before measuring."""

    secretariat: User
    unit_member: User
    inquiry: Inquiry
    organisation: Organisation
    report_year: int
    export_since: datetime.date
    intake_organisation: Organisation
    run: str  # hexadecimal, new for each run: the submissions' addresses and e-mail addresses differ per run


@dataclass(frozen=True)
class Request:
    method: str  # "get" or "post"
    path: str
    data: dict[str, Any] | None = None
    remote_addr: str = "127.0.0.1"


@dataclass(frozen=True)
class Page:
    """One measured page: who opens it, the request (a new one for each repetition), what a good answer is."""

    name: str
    persona: str  # "anonymous", "secretariat" or "unit_member"
    request: Callable[[BenchData, int], Request]
    ok_status: int = 200
    streaming: bool = False
    measures_memory: bool = False


def _url(name: str, *args: object) -> str:
    """The page's English address (/en/...): the tables are compared in one language."""
    with translation.override("en"):
        return reverse(f"requests_app:{name}", args=args)


def _get(name: str, *args: object, query: str = "") -> Callable[[BenchData, int], Request]:
    def build(data: BenchData, rep: int) -> Request:
        path = _url(name, *args)
        return Request("get", f"{path}?{query}" if query else path)

    return build


def _inquiry_detail(data: BenchData, rep: int) -> Request:
    return Request("get", _url("staff-inquiry-detail", data.inquiry.pk))


def _organisation_detail(data: BenchData, rep: int) -> Request:
    return Request("get", _url("organisation-detail", data.organisation.pk))


def _summary_year(data: BenchData, rep: int) -> Request:
    """The dashboard for the whole of last year (the period form's `on` chooses the year containing it)."""
    return Request("get", _url("summary") + f"?period=year&on={data.report_year}-01-01")


def _report_year(data: BenchData, rep: int) -> Request:
    return Request("get", _url("unece-report", data.report_year))


def _export(data: BenchData, rep: int) -> Request:
    return Request("get", _url("staff-inquiry-export-csv") + f"?received_after={data.export_since.isoformat()}")


def _intake_post(data: BenchData, rep: int) -> Request:
    """A new valid submission each time, from its own address (198.18.0.0/15, the benchmarking range; a different
    stretch of it in each run), so the per-address rate limit counts it as any partner's first; the honeypot stays
    empty."""
    organisation = data.intake_organisation
    number = (int(data.run, 16) + rep) % 2**17
    address = f"198.{18 + (number >> 16)}.{(number >> 8) % 256}.{number % 256}"
    return Request(
        "post",
        _url("inquiry-create"),
        {
            "organisation_name": organisation.name,
            "organisation_kind": organisation.kind,
            "organisation_number": organisation.organisation_number,
            "country": str(organisation.country),
            "contact_name": "Benk Marksen",
            "contact_email": generated_address(f"bench.{data.run}.{rep}"),
            "contact_phone": "",
            "contact_role": "Prosjektleder",
            "inquiry_type": Inquiry.Type.KNOWLEDGE_EXCHANGE,
            "title": f"Erfaringsutveksling om mobilitet ({data.run}-{rep})",
            "description": " ".join(words.MIDDLES[0][:5]).format(months=12, people=6, place="Sluppen"),
            "sdg_goals": ["11"],
            "sdg_targets": ["11.2"],
            "language": "nb",
            "consent": "on",
            "website": "",
        },
        remote_addr=address,
    )


_FINISHED = "&".join(f"status={status}" for status in (Inquiry.Status.DECIDED, Inquiry.Status.CLOSED))

PAGES = [
    Page("landing", "anonymous", _get("landing")),
    Page("intake_get", "anonymous", _get("inquiry-create")),
    Page("intake_post", "anonymous", _intake_post, ok_status=302),
    Page("inbox", "secretariat", _get("staff-inquiry-list")),
    Page(
        "inbox_filtered",
        "secretariat",
        # Three filters: decided or closed, partnerships, SDG 11.
        _get("staff-inquiry-list", query=f"{_FINISHED}&inquiry_type={Inquiry.Type.PARTNERSHIP}&sdg=11"),
    ),
    Page("inbox_search", "secretariat", _get("staff-inquiry-list", query=f"q={SEARCH_WORD}")),
    Page("inquiry_detail", "secretariat", _inquiry_detail),
    Page("unit_queue", "unit_member", _get("unit-queue")),
    Page("organisation_detail", "secretariat", _organisation_detail),
    Page("summary_year", "secretariat", _summary_year),
    Page("report_year", "secretariat", _report_year),
    Page("export_csv_10k", "secretariat", _export, streaming=True, measures_memory=True),
]
PAGE_NAMES = [page.name for page in PAGES]


# --- The data the requests need ------------------------------------------------------------------------------------


def _bench_user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name, preferred_language="en")
    return user


def _busiest_unit() -> MunicipalUnit:
    """The unit with the most open inquiries (its queue is the longest)."""
    busiest = (
        Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, unit__isnull=False)
        .values("unit")
        .annotate(open_count=Count("pk"))
        .order_by("-open_count", "unit")
        .first()
    )
    units = MunicipalUnit.objects.filter(is_secretariat=False)
    return units.get(pk=busiest["unit"]) if busiest else units.order_by("pk").first() or units.get()


def _inquiry_with_events(actor: User) -> Inquiry:
    """The first inquiry in progress, brought up to 50 events: notes, messages both ways and priority changes
    spread between its last event and now, as a long-running case collects them (done once; later runs find it)."""
    inquiry = Inquiry.objects.filter(status=Inquiry.Status.IN_PROGRESS).order_by("pk").first()
    if inquiry is None:
        inquiry = Inquiry.objects.exclude(status=Inquiry.Status.SPAM).order_by("pk").first()
    if inquiry is None:
        raise ValueError("The database has no inquiries: run generate_load_data first.")
    missing = DETAIL_EVENTS - inquiry.events.count()
    if missing <= 0:
        return inquiry
    last = inquiry.events.order_by("-created_at").values_list("created_at", flat=True).first() or inquiry.received_at
    step = max((timezone.now() - last) / (missing + 1), datetime.timedelta(minutes=1))
    messages, events = Table(InquiryMessage, with_ids=True), Table(InquiryEvent)
    author = inquiry.owner_id or actor.pk
    message_rows, event_rows = [], []
    kinds = itertools.cycle(["note", "to_partner", "from_partner", "priority"])
    priority = inquiry.priority
    version = inquiry.version
    for number, kind in zip(range(1, missing + 1), kinds, strict=False):
        at = last + step * number
        version += 1
        data: dict[str, Any] = {"version": version}
        if kind == "priority":
            after = Inquiry.Priority.HIGH if priority != Inquiry.Priority.HIGH else Inquiry.Priority.NORMAL
            data.update(before=priority, after=after)
            priority = after
            event_kind = InquiryEvent.Kind.PRIORITY_CHANGED
        else:
            pk = messages.allocate_id()
            data["message"] = pk
            body = {
                "note": words.NOTES[number % len(words.NOTES)],
                "to_partner": words.REPLIES_TO_PARTNER[number % len(words.REPLIES_TO_PARTNER)],
                "from_partner": words.PARTNER_REPLIES[number % len(words.PARTNER_REPLIES)],
            }[kind]
            message_rows.append(
                {
                    "id": pk,
                    "inquiry_id": inquiry.pk,
                    "kind": kind,
                    "author_id": None if kind == "from_partner" else author,
                    "body": body,
                    "created_at": at,
                    "sent_at": at if kind == "to_partner" else None,
                }
            )
            event_kind = {
                "note": InquiryEvent.Kind.NOTE_ADDED,
                "to_partner": InquiryEvent.Kind.MESSAGE_SENT,
                "from_partner": InquiryEvent.Kind.PARTNER_REPLIED,
            }[kind]
        actor_id = None if kind == "from_partner" else author
        event_rows.append(
            {"inquiry_id": inquiry.pk, "kind": event_kind, "actor_id": actor_id, "data": data, "created_at": at}
        )
    with transaction.atomic():
        messages.insert(message_rows)
        events.insert(event_rows)
        reset_sequences([InquiryMessage])
        Inquiry.objects.filter(pk=inquiry.pk).update(version=version, priority=priority, updated_at=timezone.now())
    inquiry.refresh_from_db()
    return inquiry


def prepare(run: str) -> BenchData:
    """Find or make what the pages need. Writes only generated rows: the bench logins (at the generated domain,
    without a password: they are logged in by the test client) and, once, the events of the 50-event inquiry."""
    secretariat = _bench_user(SECRETARIAT_EMAIL, "Bench Secretariat")
    secretariat.groups.add(Group.objects.get(name=Role.SECRETARIAT))
    unit_member = _bench_user(UNIT_MEMBER_EMAIL, "Bench Unit Member")
    unit = _busiest_unit()
    if not unit.members.filter(pk=unit_member.pk).exists():
        unit_member.units.clear()
        unit.members.add(unit_member)
    newest = Inquiry.objects.order_by("-received_at", "-pk").values_list("received_at", flat=True)
    tenth_thousand = newest[EXPORT_ROWS - 1 : EXPORT_ROWS].first() or newest.last() or timezone.now()
    export_since = timezone.localtime(tenth_thousand).date()
    busiest_organisation = (
        Inquiry.objects.values("organisation").annotate(count=Count("pk")).order_by("-count", "organisation").first()
    )
    organisation = (
        Organisation.objects.get(pk=busiest_organisation["organisation"])
        if busiest_organisation
        else Organisation.objects.order_by("pk").first()
    )
    if organisation is None:
        raise ValueError("The database has no organisations: run generate_load_data first.")
    intake_organisation = (
        Organisation.objects.filter(kind=Organisation.Kind.COMPANY, country="NO")
        .exclude(organisation_number="")
        # A registered company with a generated contact: the submission reuses it, as a returning partner's does.
        .filter(contacts__email__endswith=words.GENERATED_DOMAIN)
        .order_by("pk")
        .first()
        or organisation
    )
    return BenchData(
        secretariat=secretariat,
        unit_member=unit_member,
        inquiry=_inquiry_with_events(secretariat),
        organisation=organisation,
        report_year=timezone.localdate().year - 1,
        export_since=export_since,
        intake_organisation=intake_organisation,
        run=run,
    )
