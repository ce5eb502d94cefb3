"""The referral handshake, chased by Celery beat: a unit that has neither accepted nor declined a routed inquiry
is reminded on its accept-or-decline date, and the secretariat is told on the next business day.

Each function is one arrow: it locks the inquiry (then the assignment), re-checks that the step is still due,
saves, writes exactly one event and writes its e-mail to the outbox in the same transaction. It returns False and
does nothing when the step is not (or no longer) due, so beat may run it any number of times.
"""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from requests_app import emails
from requests_app.business_days import add_business_days
from requests_app.models import Inquiry, InquiryEvent, UnitAssignment
from requests_app.services.common import local_today, lock, record


def escalation_date(respond_by: datetime.date) -> datetime.date:
    """The day an unanswered referral goes to the secretariat: the first business day after the respond-by date."""
    return add_business_days(respond_by, 1)


def _chase(
    assignment: UnitAssignment,
    *,
    now: datetime.datetime | None,
    stamp: str,
    kind: str,
    due_on: Callable[[datetime.date], datetime.date],
    queue_email: Callable[..., object],
) -> bool:
    """Lock the inquiry, then the assignment; if the unit still owes an answer (open, not accepted, the inquiry
    routed), the step's date has come and its time stamp is empty, set the stamp, write the event and the e-mail.

    While the inquiry waits for the partner (the unit asked before accepting) the handshake waits too.
    """
    now = now or timezone.now()
    inquiry = lock(assignment.inquiry)
    waiting = UnitAssignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    if (
        waiting.ended_at is not None
        or waiting.accepted_at is not None
        or inquiry.status != Inquiry.Status.ROUTED
        or getattr(waiting, stamp) is not None
        or local_today(now) < due_on(waiting.respond_by)
    ):
        return False
    setattr(waiting, stamp, now)
    waiting.save(update_fields=[stamp])
    event = record(
        inquiry,
        kind,
        actor=None,
        fields=[],
        assignment=waiting.pk,
        unit=waiting.unit_id,
        respond_by=waiting.respond_by.isoformat(),
    )
    queue_email(inquiry, assignment=waiting, event=event)
    return True


@transaction.atomic
def remind_unit_to_respond(assignment: UnitAssignment, *, now: datetime.datetime | None = None) -> bool:
    """Remind the unit, once, on (or after) its accept-or-decline date that the inquiry waits for its answer.

    The unit's mailbox is e-mailed in bokmål. Returns False if not due yet, already reminded, or answered.
    """
    return _chase(
        assignment,
        now=now,
        stamp="reminded_at",
        kind=InquiryEvent.Kind.HANDSHAKE_REMINDED,
        due_on=lambda respond_by: respond_by,
        queue_email=emails.queue_handshake_reminder,
    )


@transaction.atomic
def escalate_unanswered_referral(assignment: UnitAssignment, *, now: datetime.datetime | None = None) -> bool:
    """Tell the secretariat, once, that the unit let its accept-or-decline date pass without an answer.

    Due from the first business day after the date (weekends and public holidays skipped). The secretariat's
    mailbox is e-mailed in bokmål. Returns False if not due yet, already escalated, or answered.
    """
    return _chase(
        assignment,
        now=now,
        stamp="escalated_at",
        kind=InquiryEvent.Kind.HANDSHAKE_ESCALATED,
        due_on=escalation_date,
        queue_email=emails.queue_handshake_escalated,
    )
