"""The outbox: e-mails are written in the transaction that causes them, then delivered by a Celery task by id.

Nothing is lost: if Redis is down when the change commits, the row waits and the sweeper queues it again later.
Nothing is sent twice: a row's key is unique per cause and recipient, and delivery locks the row, sends, and marks it
sent in one transaction, so a second task for the same row finds it sent. (If the process dies after the mail server
accepted the message but before the commit, the message is sent again: the one window no outbox can close.)
"""

import datetime
import logging
from smtplib import SMTPException

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from requests_app import tasks
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, OutboxMessage

logger = logging.getLogger(__name__)

# A message is given up (and shown to staff as failed) after this many attempts; staff can send it again.
MAX_ATTEMPTS = 8
# Rows still waiting this long after their last attempt are queued again by the sweeper.
SWEEP_AFTER = datetime.timedelta(minutes=5)


class OutboxError(Exception):
    """An outbox action that cannot be done, with a translated message for the person who asked."""


class DeliveryFailed(Exception):
    """The mail server could not be reached or refused the message; the task retries later."""


def write_email(
    *,
    key: str,
    template: str,
    to: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    inquiry: Inquiry | None = None,
    event: InquiryEvent | None = None,
    message: InquiryMessage | None = None,
) -> OutboxMessage:
    """Write one rendered e-mail to the outbox and queue its delivery once the transaction commits.

    Writing the same key again returns the existing row and queues nothing new.
    """
    row, created = OutboxMessage.objects.get_or_create(
        key=key[:255],
        defaults={
            "template": template,
            "to": to,
            "language": language,
            "subject": subject[:255],
            "body_text": body_text,
            "body_html": body_html,
            "headers": headers or {},
            "inquiry": inquiry,
            "event": event,
            "message": message,
        },
    )
    if created:
        row_id = row.pk
        transaction.on_commit(lambda: queue_delivery(row_id))
    return row


def queue_delivery(outbox_id: int) -> bool:
    """Hand the row to a worker. If the broker cannot be reached the row stays pending for the sweeper."""
    try:
        tasks.deliver_outbox_message.delay(outbox_id)
    except Exception:
        logger.warning("Outbox message %s not queued (broker unavailable); the sweeper will retry.", outbox_id)
        return False
    return True


def deliver_outbox_message(outbox_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Send one pending row, at most once. Returns True if it was sent now.

    Raises DeliveryFailed if the mail server failed and the row should be tried again later.
    """
    failure: Exception | None = None
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.status != OutboxMessage.Status.PENDING:
            return False
        if not row.to:  # removed by the retention rules; Django would count a send to nobody as a success
            row.status, row.last_error = OutboxMessage.Status.FAILED, "No recipient (personal data removed)."
            row.save(update_fields=["status", "last_error"])
            return False
        now = now or timezone.now()
        row.attempts += 1
        row.last_attempt_at = now
        email = EmailMultiAlternatives(subject=row.subject, body=row.body_text, to=[row.to], headers=row.headers)
        if row.body_html:
            email.attach_alternative(row.body_html, "text/html")
        try:
            email.send()
        except (SMTPException, OSError) as error:
            failure = error
            row.last_error = f"{error.__class__.__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxMessage.Status.FAILED
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
        else:
            row.status, row.sent_at, row.last_error = OutboxMessage.Status.SENT, now, ""
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
            if row.message_id is not None:
                InquiryMessage.objects.filter(pk=row.message_id, sent_at__isnull=True).update(sent_at=now)
    if failure is not None:
        if row.status == OutboxMessage.Status.FAILED:
            logger.error("Outbox message %s failed for good after %s attempts: %s", row.pk, row.attempts, failure)
            return False
        raise DeliveryFailed(str(failure)) from failure
    return True


def requeue_undelivered(*, now: datetime.datetime | None = None) -> int:
    """Queue again every pending row not attempted for a while (Redis was down, a worker died). Returns the count."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    stale = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).filter(
        Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, created_at__lt=cutoff)
    )
    queued = 0
    for outbox_id in stale.values_list("pk", flat=True).iterator():
        queued += queue_delivery(outbox_id)
    return queued


@transaction.atomic
def send_again(row: OutboxMessage, *, actor: User) -> OutboxMessage:
    """Staff: try a failed or waiting e-mail again now. A sent e-mail is never sent again."""
    row = OutboxMessage.objects.select_for_update().get(pk=row.pk)
    if row.status == OutboxMessage.Status.SENT:
        return row
    if not row.to:
        # Its personal data was removed by the retention rules: there is nobody to send it to.
        raise OutboxError(_("This e-mail's recipient has been removed under the retention rules; it cannot be sent."))
    row.status, row.attempts = OutboxMessage.Status.PENDING, 0
    row.save(update_fields=["status", "attempts"])
    logger.info("Outbox message %s queued again by %s", row.pk, actor.pk)
    row_id = row.pk
    transaction.on_commit(lambda: queue_delivery(row_id))
    return row
