"""Who may open the staff pages, and with what: a staff role, and for staff a second factor."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Anonymous users go to the login page; signed-in users without a staff role get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.has_staff_role:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# What stays open to staff who have no second factor yet: setting one up (allauth's mfa_* pages), the rest of their
# own account (re-authentication, which adding an authenticator asks for, e-mail, password, sessions, logging out),
# the language switch and the health check. Everything else, the staff pages and the Django admin included, waits.
# Static files never get here: whitenoise answers them before any view.
_OPEN_WITHOUT_MFA_PREFIXES = ("mfa_", "account_", "usersessions_")
_OPEN_WITHOUT_MFA = frozenset({"set_language", "healthz"})
# Recovery codes stand in for a lost device; on their own they are not a second factor.
_SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_open_without_mfa(view_name: str) -> bool:
    """Whether the page of this URL name (namespaced, as reverse() takes it) opens before a second factor is set up."""
    return view_name in _OPEN_WITHOUT_MFA or view_name.startswith(_OPEN_WITHOUT_MFA_PREFIXES)


class StaffMfaMiddleware:
    """Send signed-in staff without a second factor to set one up before they open any other page.

    Only when settings.STAFF_MFA_REQUIRED is true (PORTAL_STAFF_MFA_REQUIRED; production). Staff are
    User.has_staff_access: a staff role or the Django admin. A second factor is an authenticator app (TOTP) or a
    security key or passkey (WebAuthn). Partners are never asked; they may add one on the same pages.

    The check runs in process_view, after URL resolution, so it decides by URL name (an unknown address still
    answers 404) and covers the staff pages, the admin and any page added later without each view remembering it.
    Costs one query per staff request. htmx requests get HX-Redirect, so that the setup page replaces the whole
    page rather than one fragment of it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not settings.STAFF_MFA_REQUIRED:
            return None
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None or is_open_without_mfa(match.view_name):
            return None
        if not user.has_staff_access or is_mfa_enabled(user, _SECOND_FACTORS):
            return None
        messages.info(
            request,
            _(
                "Staff accounts must use two-factor authentication. Set up an authenticator app or a security key "
                "to continue."
            ),
        )
        setup_url = reverse("mfa_index")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(setup_url)
        return HttpResponseRedirect(setup_url)
