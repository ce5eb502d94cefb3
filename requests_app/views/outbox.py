"""The outbox as staff see it: e-mails that have not gone out yet, or failed, and sending one again."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import selectors
from requests_app.models import OutboxMessage
from requests_app.services import outbox


def _may_see_outbox(request: AuthenticatedRequest) -> None:
    # Recipients and subjects of every inquiry: only for those who see every inquiry's partner anyway.
    if not (request.user.is_secretariat or request.user.is_portal_admin):
        raise PermissionDenied


@method_decorator([staff_required, never_cache], name="dispatch")
class OutboxView(ListView):
    """E-mails waiting to be sent or given up, oldest first; a constant number of queries."""

    template_name = "requests_app/outbox_list.html"
    context_object_name = "rows"
    paginate_by = 50
    request: AuthenticatedRequest

    def dispatch(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        _may_see_outbox(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[OutboxMessage]:
        rows = selectors.undelivered_emails()
        status = self.request.GET.get("status", "")
        if status in {OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED}:
            rows = rows.filter(status=status)
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        now = timezone.now()
        age = selectors.oldest_undelivered_email_age(now=now)
        context.update(
            {
                "status": status,
                "statuses": [
                    (OutboxMessage.Status.PENDING, OutboxMessage.Status.PENDING.label),
                    (OutboxMessage.Status.FAILED, OutboxMessage.Status.FAILED.label),
                ],
                "query": f"status={status}" if status else "",
                "oldest_since": None if age is None else now - age,
            }
        )
        return context


@staff_required
@require_POST
def outbox_send_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _may_see_outbox(request)
    row = get_object_or_404(OutboxMessage, pk=pk)
    if row.status == OutboxMessage.Status.SENT:
        messages.info(request, _("That e-mail has already been sent; it is not sent twice."))
    else:
        try:
            outbox.send_again(row, actor=request.user)
        except outbox.OutboxError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The e-mail to %(recipient)s is queued to be sent again.") % {"recipient": row.to}
            )
    return redirect("requests_app:outbox-list")
