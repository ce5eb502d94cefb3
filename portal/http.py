"""Typed requests, so views can rely on request.user being our User, and the client's address."""

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from partners.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django_htmx's middleware


def client_ip(group: str, request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry that the last trusted proxy added to X-Forwarded-For.

    Only entries added by our own proxies can be trusted; anything to their left may be forged by the client.
    The signature is django-ratelimit's for key functions.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR", ""))
