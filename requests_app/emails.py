"""One function per e-mail; each renders emails/<name>.subject.txt, <name>.txt and <name>.html."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from requests_app.models import Inquiry


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
