"""django-allauth's account e-mails (password reset, address confirmation) go through the outbox like every other."""

import uuid
from email.mime.base import MIMEBase
from typing import Any

from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from partners.adapters import AccountAdapter as PartnersAccountAdapter
from partners.models import User


class AccountAdapter(PartnersAccountAdapter):
    """The partners' adapter, with allauth's e-mails written to the outbox instead of sent in the request, and a
    landing page after login that suits the role."""

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on the inbox; everyone else (partners) on their own inquiries. A safe ?next= still wins:
        allauth only asks the adapter when there is none."""
        if isinstance(request.user, User) and request.user.has_staff_role:
            return reverse("requests_app:staff-inquiry-list")
        return reverse("requests_app:my-inquiry-list")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        from requests_app.services.outbox import write_email

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((str(body) for body, mimetype in message.alternatives if mimetype == "text/html"), "")
        elif message.content_subtype == "html":
            html = str(message.body)
        language = translation.get_language() or "nb"
        write_email(
            # allauth's e-mails have no event: each one is its own cause (a code, a link valid for a while).
            key=f"account-{uuid.uuid4()}:{email.lower()}",
            template=template_prefix.rsplit("/", 1)[-1][:60],
            to=email,
            language=language,
            subject=str(message.subject),
            body_text=str(message.body) if not isinstance(message.body, MIMEBase) else "",
            body_html=html,
            headers={"Content-Language": language},
        )
