"""The access log page: who opened or exported personal data. For the portal's administrators only."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import selectors
from requests_app.filters import AccessLogFilter
from requests_app.models import AccessLogEntry

ACCESS_LOG_PAGE_SIZE = 50


@method_decorator([staff_required, never_cache], name="dispatch")
class AccessLogView(FilterView):
    """The access log, newest first, filtered and paginated; a constant number of queries.

    Administrators only: the secretariat's own reading is what the log records, so they do not keep it.
    """

    filterset_class = AccessLogFilter
    template_name = "requests_app/access_log.html"
    context_object_name = "entries"
    paginate_by = ACCESS_LOG_PAGE_SIZE
    request: AuthenticatedRequest

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_portal_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AccessLogEntry]:
        return selectors.access_log_entries()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["page_query"] = query.urlencode()
        context["has_filters"] = bool(context["page_query"])
        return context
