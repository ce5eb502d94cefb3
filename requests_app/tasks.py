"""Work done after the response: e-mails to partners and units."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_inquiry_receipt(inquiry_id: int) -> None:
    """E-mail the partner the receipt for a new inquiry, in the inquiry's language."""
    from requests_app import emails
    from requests_app.models import Inquiry

    inquiry = Inquiry.objects.select_related("contact", "organisation").filter(pk=inquiry_id).first()
    if inquiry is None:
        return  # rolled back or removed before the worker picked it up
    emails.send_inquiry_receipt(inquiry)
