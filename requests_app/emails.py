"""One function per e-mail; each renders emails/<name>.subject.txt, <name>.txt and <name>.html."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from partners.models import MunicipalUnit
from requests_app.models import Inquiry, InquiryMessage


def _send(name: str, *, to: list[str], language: str, context: dict[str, Any]) -> None:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "language": language}
        subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers={"Content-Language": language})
    message.attach_alternative(html, "text/html")
    message.send()


def send_inquiry_receipt(inquiry: Inquiry) -> None:
    """Confirm to the contact that the inquiry was received, with its reference and expected reply date."""
    with translation.override(inquiry.language):
        landing_url = settings.SITE_URL + reverse("requests_app:landing")
    _send(
        "inquiry_receipt",
        to=[inquiry.contact.email],
        language=inquiry.language,
        context={"inquiry": inquiry, "contact": inquiry.contact, "landing_url": landing_url},
    )


def _staff_url(inquiry: Inquiry) -> str:
    return settings.SITE_URL + reverse("requests_app:staff-inquiry-detail", args=[inquiry.pk])


def _handler_addresses(inquiry: Inquiry) -> list[str]:
    """Whoever handles the inquiry: its owner, else its unit, else the secretariat."""
    if inquiry.owner is not None and inquiry.owner.is_active:
        return [inquiry.owner.email]
    if inquiry.unit is not None:
        return [inquiry.unit.email]
    secretariat = MunicipalUnit.objects.filter(is_secretariat=True).values_list("email", flat=True).first()
    return [secretariat] if secretariat else []


def _handler_language(inquiry: Inquiry) -> str:
    """The owner's language when the owner gets the e-mail; bokmål for a unit's or the secretariat's mailbox."""
    if inquiry.owner is not None and inquiry.owner.is_active:
        return inquiry.owner.preferred_language
    return settings.LANGUAGE_CODE


def send_partner_message(message: InquiryMessage) -> None:
    """A message from the centre to the partner, in the inquiry's language. Never used for internal notes."""
    inquiry = message.inquiry
    _send(
        "partner_message",
        to=[inquiry.contact.email],
        language=inquiry.language,
        context={"inquiry": inquiry, "message": message, "contact": inquiry.contact},
    )


def send_inquiry_routed(inquiry: Inquiry) -> None:
    """Tell a unit that an inquiry has been routed to it (staff e-mails are in bokmål)."""
    assert inquiry.unit is not None
    _send(
        "inquiry_routed",
        to=[inquiry.unit.email],
        language=settings.LANGUAGE_CODE,
        context={"inquiry": inquiry, "url": _staff_url(inquiry)},
    )


def _send_to_handler(name: str, inquiry: Inquiry) -> None:
    """An e-mail about the inquiry to whoever handles it, linking to its staff page."""
    recipients = _handler_addresses(inquiry)
    if recipients:
        _send(
            name,
            to=recipients,
            language=_handler_language(inquiry),
            context={"inquiry": inquiry, "url": _staff_url(inquiry)},
        )


def send_partner_replied(inquiry: Inquiry) -> None:
    """Tell the handler that the partner has replied (the reply itself is read in the portal)."""
    _send_to_handler("partner_replied", inquiry)


def send_interim_reply_reminder(inquiry: Inquiry) -> None:
    """Remind the handler that the decision will be late and an interim reply should go to the partner."""
    _send_to_handler("interim_reply_reminder", inquiry)
