"""The register of active partnerships: inquiries whose outcome is an agreement, a joint project or a pilot."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import selectors
from requests_app.models import Outcome, SdgTarget


@method_decorator([staff_required, never_cache], name="dispatch")
class PartnershipListView(ListView):
    """Active partnerships the user may see, newest first, with their next follow-up; a constant number of queries."""

    template_name = "requests_app/partnership_list.html"
    context_object_name = "partnerships"
    paginate_by = 50
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Outcome]:
        visible = selectors.inquiries_visible_to(self.request.user)
        return (
            selectors.active_partnerships()
            .filter(inquiry__in=visible)
            .prefetch_related(Prefetch("sdg_targets", queryset=SdgTarget.objects.order_by("goal_id", "position")))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}
