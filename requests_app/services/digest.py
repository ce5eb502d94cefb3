"""The weekly digest for the chief municipal executive: every Monday morning (Celery beat, portal/celery.py), one
e-mail per active executive with the past week's new inquiries and decisions, what is overdue now, and the questions
waiting for them.

The figures are computed once, in a fixed number of queries whatever the number of inquiries or executives, and
rendered once per language. Each e-mail's outbox key is the ISO week and the address, so a person gets one digest per
week even if beat fires twice or the task is retried.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from requests_app import emails, selectors
from requests_app.decision_selectors import open_decision_requests
from requests_app.models import DecisionRequest, Inquiry, OutboxMessage, Outcome
from requests_app.services.common import local_today
from requests_app.services.decisions import active_executives
from requests_app.summaries.aggregates import counted_inquiries, outcomes_in, received_in
from requests_app.summaries.periods import Period

# How many inquiries each list shows at most; the counts are always complete.
LISTED = 10
OVERDUE_LISTED = 5


@dataclass(frozen=True)
class WeeklyDigest:
    """What one week's digest says; the same for every recipient."""

    today: datetime.date
    week: Period  # the seven days before `today`
    week_key: str  # the ISO week of `today`, e.g. "2026-W48"
    received_count: int
    received: list[Inquiry]  # the first LISTED, oldest first
    decided_count: int
    decided: list[Outcome]  # with their inquiries, the first LISTED
    overdue_count: int
    overdue: list[Inquiry]  # the OVERDUE_LISTED received longest ago
    open_questions: list[DecisionRequest]  # oldest first

    @property
    def received_query(self) -> str:
        """The inbox filter listing the week's inquiries as counted here (spam and duplicates left out)."""
        return urlencode({**self.week.inbox_query(), "counted": "true"})

    @property
    def more_received(self) -> int:
        return self.received_count - len(self.received)

    @property
    def more_decided(self) -> int:
        return self.decided_count - len(self.decided)

    @property
    def more_overdue(self) -> int:
        return self.overdue_count - len(self.overdue)


def iso_week_key(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_digest(*, today: datetime.date) -> WeeklyDigest:
    """The digest for the morning of `today`: the week is the seven days before it (Monday to Sunday on a Monday).

    Decisions are the outcomes dated in the week, withdrawals by the partner left out. Seven queries.
    """
    week = Period.custom(today - datetime.timedelta(days=7), today - datetime.timedelta(days=1))
    received = received_in(week)
    decided = outcomes_in(week).exclude(type=Outcome.Type.WITHDRAWN)
    overdue = counted_inquiries().filter(selectors.overdue_condition(today))
    return WeeklyDigest(
        today=today,
        week=week,
        week_key=iso_week_key(today),
        received_count=received.count(),
        received=list(received.select_related("organisation").order_by("received_at", "pk")[:LISTED]),
        decided_count=decided.count(),
        decided=list(decided.select_related("inquiry", "inquiry__organisation").order_by("decided_on", "pk")[:LISTED]),
        overdue_count=overdue.count(),
        overdue=list(overdue.select_related("organisation").order_by("received_at", "pk")[:OVERDUE_LISTED]),
        open_questions=list(open_decision_requests()),
    )


def digest_recipients() -> list[tuple[str, str]]:
    """Each active executive's address and language (one query)."""
    return [
        (person.email, person.preferred_language) for person in active_executives().only("email", "preferred_language")
    ]


@transaction.atomic
def send_weekly_digest(*, now: datetime.datetime | None = None) -> int:
    """Write this week's digest to the outbox for every active executive who has not had it yet; returns how many
    were written now (0 when the job runs again the same week)."""
    digest = weekly_digest(today=local_today(now or timezone.now()))
    already = set(
        OutboxMessage.objects.filter(key__startswith=emails.digest_key(digest.week_key, "")).values_list(
            "key", flat=True
        )
    )
    people = [
        (address, language)
        for address, language in digest_recipients()
        if emails.digest_key(digest.week_key, address) not in already
    ]
    return len(emails.queue_weekly_digest(digest, people=people))
