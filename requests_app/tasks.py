"""Work done after the response: e-mails to partners, units and owners, and the periodic reminders."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_inquiry_receipt(inquiry_id: int) -> None:
    """E-mail the partner the receipt for a new inquiry, in the inquiry's language."""
    from requests_app import emails
    from requests_app.models import Inquiry

    inquiry = Inquiry.objects.select_related("contact", "organisation").filter(pk=inquiry_id).first()
    if inquiry is None:
        return  # rolled back or removed before the worker picked it up
    emails.send_inquiry_receipt(inquiry)


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_partner_message(message_id: int) -> None:
    """E-mail a message from the centre to the partner. Internal notes are never e-mailed."""
    from requests_app import emails
    from requests_app.models import InquiryMessage

    message = (
        InquiryMessage.objects.select_related("inquiry__contact", "inquiry__organisation", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.kind != InquiryMessage.Kind.TO_PARTNER or message.sent_at is not None:
        return
    emails.send_partner_message(message)
    InquiryMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def notify_unit_of_inquiry(inquiry_id: int) -> None:
    """Tell the responsible unit that an inquiry is waiting for it."""
    from requests_app import emails
    from requests_app.models import Inquiry

    inquiry = Inquiry.objects.select_related("unit", "organisation").filter(pk=inquiry_id).first()
    if inquiry is None or inquiry.status != Inquiry.Status.ROUTED or inquiry.unit is None:
        return  # accepted, re-routed or closed before the worker picked this up
    emails.send_inquiry_routed(inquiry)


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def notify_owner_of_reply(inquiry_id: int) -> None:
    """Tell whoever handles the inquiry that the partner has replied."""
    from requests_app import emails
    from requests_app.models import Inquiry

    inquiry = Inquiry.objects.select_related("owner", "unit", "organisation").filter(pk=inquiry_id).first()
    if inquiry is not None:
        emails.send_partner_replied(inquiry)


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_interim_reply_reminder(inquiry_id: int) -> None:
    """E-mail the owner (or the unit, or the secretariat) that an interim reply is due."""
    from requests_app import emails
    from requests_app.models import Inquiry

    inquiry = Inquiry.objects.select_related("owner", "unit", "organisation").filter(pk=inquiry_id).first()
    if inquiry is None or inquiry.interim_reply_sent_at is not None:
        return
    # Decided, paused for the partner or closed before the worker picked this up: no interim reply is due.
    if inquiry.status not in {
        Inquiry.Status.RECEIVED,
        Inquiry.Status.IN_TRIAGE,
        Inquiry.Status.ROUTED,
        Inquiry.Status.IN_PROGRESS,
    }:
        return
    emails.send_interim_reply_reminder(inquiry)


@shared_task
def remind_interim_replies() -> int:
    """Periodic: remind owners of inquiries whose decision will be late and that have no interim reply."""
    from requests_app import selectors
    from requests_app.services.reminders import remind_about_interim_reply

    now = timezone.now()
    reminded = 0
    for inquiry in selectors.inquiries_needing_interim_reply(today=timezone.localtime(now).date()):
        reminded += remind_about_interim_reply(inquiry, now=now)
    return reminded
