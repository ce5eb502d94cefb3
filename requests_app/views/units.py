"""The unit queue at /staff/unit/: the inquiries with the user's units, with the inbox's filters and saved views."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from partners.models import User
from requests_app import selectors
from requests_app.models import Inquiry
from requests_app.views.inbox import BUILT_IN_VIEWS, BuiltInView, InboxView

UNIT_QUEUE_VIEWS = (
    BuiltInView("to-answer", gettext_lazy("To accept or decline"), f"status={Inquiry.Status.ROUTED}"),
    BuiltInView("in-progress", gettext_lazy("In progress"), f"status={Inquiry.Status.IN_PROGRESS}"),
    *BUILT_IN_VIEWS,
)


class UnitQueueView(InboxView):
    """What a unit is working on: routed to it (with the date to accept or decline by), in progress, or waiting
    for the partner. Members see their own units' queue; the secretariat, executives and administrators see every
    unit's and choose one with the unit filter. The same constant number of queries as the inbox."""

    heading = gettext_lazy("Unit queue")
    url_name = "requests_app:unit-queue"
    export_url_names = ("requests_app:unit-queue-export-csv", "requests_app:unit-queue-export-xlsx")
    export_file_name = "enhetens-henvendelser"
    built_in_views = UNIT_QUEUE_VIEWS
    offers_bulk_actions = False  # bulk actions are the secretariat's, in the inbox
    shows_workload = False

    @classmethod
    def rows(cls, user: User) -> QuerySet[Inquiry]:
        return selectors.unit_queue(user, today=timezone.localdate())

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        if not user.sees_all_inquiries:
            # A member's queue holds only their own units, so only those are offered to choose from.
            own = [(value, name) for value, name in self.choices["unit_choices"] if int(value) in user.unit_ids]
            self.choices["unit_choices"] = kwargs["unit_choices"] = own
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        own_units = [] if user.sees_all_inquiries else [name for _value, name in self.choices["unit_choices"]]
        context.update(
            {
                "unit_queue": True,
                "own_units": own_units,
                # Choosing the unit is the first thing for those who see every unit's queue; a member of one unit
                # has nothing to choose.
                "unit_filter_on_top": user.sees_all_inquiries,
                "hides_unit_filter": len(own_units) == 1,
            }
        )
        return context
