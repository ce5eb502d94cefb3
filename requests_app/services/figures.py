"""The summary dashboard's figures: counted on every visit for an ordinary period, kept as a snapshot for a large one.

Counting a period takes time in proportion to its inquiries (and the period before, which the dashboard compares it
with): about 5 µs per inquiry on SQLite, so a year at 100,000 inquiries (some 40,000 with the year before) takes
about 200 ms, too close to the page's budget of 250 ms; a year at a million on PostgreSQL takes seconds. So a period
with LIVE_LIMIT counted inquiries or more (with the period before) is counted once and kept (SummarySnapshot):
visits in the next FRESH_FOR show those figures with the time they were counted, and refresh_snapshots (Celery beat,
every REFRESH_EVERY) counts again the snapshots that people are looking at, so they rarely wait. Smaller periods (a
month or a quarter at 100,000 inquiries; any period at the centre's own few thousand a year) are counted on every
visit, and nothing is stored.
"""

import datetime
from dataclasses import dataclass

from requests_app.models import SummarySnapshot
from requests_app.summaries.dashboard import PeriodFigures, gather_figures
from requests_app.summaries.periods import Period, PeriodKind

# Periods with at least this many counted inquiries (with the period before) are kept as snapshots: counting them
# takes about 100 ms on SQLite, which leaves room for the rest of the page and a busy machine.
LIVE_LIMIT = 20_000
# A snapshot is shown for this long after it was counted; after that the next visit counts the period again.
FRESH_FOR = datetime.timedelta(minutes=10)
# Celery beat runs refresh_snapshots this often (portal/celery.py); each run counts again the snapshots counted in
# an earlier run (REFRESH_AFTER or longer ago) that were shown within VIEWED_WITHIN.
REFRESH_EVERY = datetime.timedelta(minutes=5)
REFRESH_AFTER = REFRESH_EVERY - datetime.timedelta(minutes=1)
VIEWED_WITHIN = datetime.timedelta(days=1)
# When a snapshot was last shown is written at most this often, and snapshots not shown for FORGET_AFTER go.
VIEW_NOTED_EVERY = datetime.timedelta(minutes=30)
FORGET_AFTER = datetime.timedelta(days=7)


@dataclass(frozen=True)
class DashboardFigures:
    figures: PeriodFigures
    counted_at: datetime.datetime
    from_snapshot: bool  # False: counted for this visit


def figures_for(period: Period, *, now: datetime.datetime) -> DashboardFigures:
    """The dashboard's figures of `period`: a fresh snapshot's for a large period, otherwise counted now (and kept
    if the period turns out to be large). One query for the snapshot, and the counting when it is needed."""
    snapshot = SummarySnapshot.objects.filter(period_kind=period.kind, first=period.first, last=period.last).first()
    if (
        snapshot is not None
        and snapshot.inquiries >= LIVE_LIMIT
        and snapshot.counted_at > now - FRESH_FOR
        and snapshot.figures.get("version") == PeriodFigures.VERSION
    ):
        if snapshot.viewed_at < now - VIEW_NOTED_EVERY:
            SummarySnapshot.objects.filter(pk=snapshot.pk).update(viewed_at=now)
        return DashboardFigures(PeriodFigures.from_json(snapshot.figures), snapshot.counted_at, from_snapshot=True)
    figures = gather_figures(period, now=now)
    if figures.inquiries >= LIVE_LIMIT:
        _keep(period, figures, counted_at=now, viewed_at=now)
    elif snapshot is not None:
        snapshot.delete()  # the period has become small enough to count on every visit
    return DashboardFigures(figures, now, from_snapshot=False)


def refresh_snapshots(*, now: datetime.datetime) -> int:
    """Count again the snapshots shown within VIEWED_WITHIN and older than REFRESH_AFTER, and forget those not shown
    for FORGET_AFTER. Returns how many were counted again."""
    SummarySnapshot.objects.filter(viewed_at__lt=now - FORGET_AFTER).delete()
    due = SummarySnapshot.objects.filter(viewed_at__gte=now - VIEWED_WITHIN, counted_at__lte=now - REFRESH_AFTER)
    refreshed = 0
    for snapshot in due.order_by("counted_at"):
        period = Period(PeriodKind(snapshot.period_kind), snapshot.first, snapshot.last)
        _keep(period, gather_figures(period, now=now), counted_at=now, viewed_at=snapshot.viewed_at)
        refreshed += 1
    return refreshed


def _keep(
    period: Period, figures: PeriodFigures, *, counted_at: datetime.datetime, viewed_at: datetime.datetime
) -> None:
    SummarySnapshot.objects.update_or_create(
        period_kind=period.kind,
        first=period.first,
        last=period.last,
        defaults={
            "figures": figures.as_json(),
            "inquiries": figures.inquiries,
            "counted_at": counted_at,
            "viewed_at": viewed_at,
        },
    )
