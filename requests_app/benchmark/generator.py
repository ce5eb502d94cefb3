"""Invented data at scale for benchmarks (`manage.py generate_load_data`): bulk-inserted, the same for the same seed.

Organisations of every kind (Norwegian municipalities with their municipality numbers, counties, companies with
valid organisation numbers, foreign cities, UN bodies), their contacts, staff in every role, and inquiries spread
over five years, each with the history a Story plays for it: events, messages, unit assignments, outcomes and
follow-ups. References are allocated in the order the inquiries were received, and the yearly reference counters
are left at the last number, so the next real submission gets the next one.

Generated data is recognised by its e-mail addresses: every contact and user is at GENERATED_DOMAIN. The
generator refuses a database that holds anything else (real_data_found), unless forced.
"""

import datetime
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from partners.models import MunicipalUnit
from requests_app.benchmark.bulk import reset_sequences
from requests_app.benchmark.calendar import BusinessCalendar
from requests_app.benchmark.loader import Loader
from requests_app.benchmark.marker import RealDataError, real_data_found
from requests_app.benchmark.population import create_partners, ensure_staff, timestamps_as_given
from requests_app.benchmark.rows import Original, World
from requests_app.benchmark.story import Story
from requests_app.models import Inquiry, ReferenceCounter, SdgTarget, ServiceTargets

BATCH = 2000  # inquiries per transaction
YEARLY_GROWTH = 1.15  # each year brings about 15 % more inquiries than the one before
INQUIRIES_PER_ORGANISATION = 25


@dataclass(frozen=True)
class LoadPlan:
    """How much to generate. `until`: the history ends at the start of that day (default today), so the same
    seed and day give the same data."""

    inquiries: int
    seed: int = 1
    until: datetime.date | None = None
    years: int = 5


@dataclass
class LoadResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- Database speed-ups -------------------------------------------------------------------------------------------


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """On SQLite, no fsync while loading (a crash mid-load leaves a database to throw away anyway)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")


# --- Inquiries ----------------------------------------------------------------------------------------------------


def _received_times(
    rng: random.Random, count: int, first: datetime.date, until: datetime.datetime
) -> list[datetime.datetime]:
    """When the inquiries arrived: growing year on year, mostly on weekdays in office hours; oldest first."""
    zone = timezone.get_current_timezone()
    days = (until.date() - first).days
    years = days / 365.25
    growth = math.log(YEARLY_GROWTH)
    latest = until - datetime.timedelta(hours=1)
    times = []
    for _ in range(count):
        position = math.log(1 + rng.random() * (YEARLY_GROWTH**years - 1)) / growth / years
        day = first + datetime.timedelta(days=min(int(position * days), days - 1))
        if day.weekday() >= 5 and rng.random() < 0.8:
            day -= datetime.timedelta(days=day.weekday() - 4)  # to the Friday before
        # Three in four during office hours; the rest at any time of day.
        seconds = rng.randrange(8 * 3600, 16 * 3600) if rng.random() < 0.75 else rng.randrange(0, 24 * 3600)
        moment = datetime.datetime.combine(day, datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60), zone)
        times.append(min(moment, latest))
    times.sort()
    return times


def generate(plan: LoadPlan, *, force: bool = False, progress: Callable[[str], None] | None = None) -> LoadResult:
    """Add `plan.inquiries` invented inquiries (with organisations, contacts and staff) to the database.

    Raises RealDataError if the database holds data that was not generated, unless `force`. Commits every BATCH
    inquiries; the reference counters are updated in the same transactions.
    """
    if plan.inquiries < 1:
        raise ValueError("Generate at least one inquiry.")
    found = real_data_found()
    if found and not force:
        raise RealDataError(
            "The database holds data that was not generated (" + ", ".join(found) + "); refusing to add load data "
            "to it. Use an empty database (e.g. DATABASE_URL=sqlite:///var/bench/bench.sqlite3), or --force."
        )
    started = time.perf_counter()
    report = progress or (lambda _text: None)
    rng = random.Random(plan.seed)  # noqa: S311 - invented data, not security
    until_day = plan.until or timezone.localdate()
    until = timezone.make_aware(datetime.datetime.combine(until_day, datetime.time.min))
    first_day = until_day - datetime.timedelta(days=round(365.25 * plan.years))
    since = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    targets = ServiceTargets.current()
    with _fast_sqlite(), timestamps_as_given():
        with transaction.atomic():
            secretariat, officers = ensure_staff()
            partners = create_partners(rng, max(20, plan.inquiries // INQUIRIES_PER_ORGANISATION), since)
        units = MunicipalUnit.objects.filter(is_secretariat=False, accepts_inquiries=True)
        world = World(
            rng=rng,
            calendar=BusinessCalendar(
                first_day - datetime.timedelta(days=10), until_day + datetime.timedelta(days=900)
            ),
            until=until,
            secretariat=secretariat,
            officers=officers,
            unit_ids={unit.code: unit.pk for unit in units},
            target_codes=frozenset(SdgTarget.objects.values_list("code", flat=True)),
            first_reply_days=targets.first_reply_business_days,
            decision_days=targets.decision_business_days,
            handshake_days=targets.handshake_business_days,
        )
        weights = list(itertools.accumulate(1 / (rank + 10) ** 0.9 for rank in range(len(partners))))
        counters = dict(ReferenceCounter.objects.values_list("year", "last_number"))
        recent: dict[int, Original] = {}
        loader = Loader()
        received = _received_times(rng, plan.inquiries, first_day, until)
        report_every = max(BATCH, (plan.inquiries // 10) // BATCH * BATCH)
        for start in range(0, plan.inquiries, BATCH):
            batch_times = received[start : start + BATCH]
            chosen = rng.choices(partners, cum_weights=weights, k=len(batch_times))
            stories = []
            for received_at, partner in zip(batch_times, chosen, strict=True):
                year = received_at.year
                counters[year] = counters.get(year, 0) + 1
                contact_id, language = partner.contacts[
                    0 if rng.random() < 0.6 else rng.randrange(len(partner.contacts))
                ]
                original = recent.get(partner.pk)
                story = Story(
                    world,
                    reference=f"{year}-{counters[year]:04d}",
                    received_at=received_at,
                    organisation=partner.story_view,
                    contact_id=contact_id,
                    language=language,
                    original=original if original is not None and original.events < 10 else None,
                ).play()
                if story.merged_into is not None:
                    story.merged_into.events += 1
                    story.merged_into.version += 1
                    story.merged_version = story.merged_into.version
                stories.append(story)
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                loader.insert(stories)
                for year in {received_at.year for received_at in batch_times}:
                    ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": counters[year]})
            _remember_originals(recent, stories)
            done = start + len(batch_times)
            if done % report_every == 0 or done == plan.inquiries:
                report(f"{done:,} of {plan.inquiries:,} inquiries ({time.perf_counter() - started:.0f} s)")
        reset_sequences(loader.tables_with_ids)
    counts = {
        "organisations": len(partners),
        "contacts": sum(len(partner.contacts) for partner in partners),
        **loader.counts,
    }
    return LoadResult(counts=counts, seconds=time.perf_counter() - started)


def _remember_originals(recent: dict[int, Original], stories: list[Story]) -> None:
    """Each organisation's latest inquiry that a later duplicate may point to (not spam, not itself a duplicate)."""
    for story in stories:
        if story.status not in {Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE} and story.pk is not None:
            recent[story.organisation_id] = Original(story.pk, len(story.events), story.version)
