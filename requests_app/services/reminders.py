"""Reminders run by Celery beat: interim replies (forvaltningsloven § 11 a) before a decision is late."""

import datetime

from django.db import transaction
from django.utils import timezone

from requests_app import emails
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.common import lock, record


@transaction.atomic
def remind_about_interim_reply(inquiry: Inquiry, *, now: datetime.datetime | None = None) -> bool:
    """Remind the owner, once, that the decision will not make its due date and an interim reply is due.

    Returns False (and does nothing) if the inquiry no longer needs it: decided, paused, replied, reminded.
    """
    inquiry = lock(inquiry)
    if (
        inquiry.status
        not in {Inquiry.Status.RECEIVED, Inquiry.Status.IN_TRIAGE, Inquiry.Status.ROUTED, Inquiry.Status.IN_PROGRESS}
        or inquiry.interim_reply_sent_at is not None
        or inquiry.interim_reminder_sent_at is not None
    ):
        return False
    inquiry.interim_reminder_sent_at = now or timezone.now()
    event = record(
        inquiry,
        InquiryEvent.Kind.INTERIM_REMINDER_SENT,
        actor=None,
        fields=["interim_reminder_sent_at"],
        decision_due_on=inquiry.decision_due_on.isoformat() if inquiry.decision_due_on else None,
        recipient=inquiry.owner_id,
    )
    emails.queue_interim_reply_reminder(inquiry, event=event)
    return True
