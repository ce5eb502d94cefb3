"""The secretariat's list of privacy requests: partners who downloaded their data or deleted their account."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import account_selectors
from requests_app.models import PrivacyRequest
from requests_app.services.partner_accounts import PrivacyRequestError, mark_privacy_request_handled

PAGE_SIZE = 50


def _may_handle(request: AuthenticatedRequest) -> None:
    # The secretariat follows these up (checks the person's inquiries and contacts); administrators may too.
    if not (request.user.is_secretariat or request.user.is_portal_admin):
        raise PermissionDenied


@method_decorator([staff_required, never_cache], name="dispatch")
class PrivacyRequestListView(ListView):
    """Privacy requests, waiting ones first; a constant number of queries whatever the number of rows."""

    template_name = "requests_app/privacy_request_list.html"
    context_object_name = "privacy_requests"
    paginate_by = PAGE_SIZE
    request: AuthenticatedRequest

    def dispatch(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        _may_handle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PrivacyRequest]:
        return account_selectors.privacy_requests()


@staff_required
@require_POST
def privacy_request_handle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark a privacy request as handled."""
    _may_handle(request)
    privacy_request = get_object_or_404(PrivacyRequest, pk=pk)
    try:
        mark_privacy_request_handled(privacy_request, actor=request.user, note=request.POST.get("note", "")[:2000])
    except PrivacyRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The request from %(email)s is marked as handled.") % {"email": privacy_request.email}
        )
    return redirect("requests_app:privacy-request-list")
