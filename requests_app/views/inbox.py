"""The secretariat's inbox at /staff/: filters in the URL, saved views, bulk actions and exports."""

import functools
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from partners.models import MunicipalUnit, User
from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import exports, selectors
from requests_app.filters import InquiryFilter, OwnerChoices, owner_choices_for, unit_choices_for
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.models import AccessLogEntry, Inquiry, SavedView
from requests_app.services import audit, editing, lifecycle
from requests_app.services.errors import InquiryStateError

PAGE_SIZES = (25, 50, 100)
STAFF_PAGE_SIZE = PAGE_SIZES[0]
_OPEN = "&".join(f"status={status}" for status in Inquiry.OPEN_STATUSES)


@dataclass(frozen=True)
class BuiltInView:
    slug: str
    name: Any
    query: str


BUILT_IN_VIEWS = (
    BuiltInView("unassigned", gettext_lazy("Unassigned"), f"owner={OwnerChoices.NOBODY}&{_OPEN}"),
    BuiltInView("mine", gettext_lazy("Mine"), f"owner={OwnerChoices.ME}&{_OPEN}"),
    BuiltInView("overdue", gettext_lazy("Overdue"), "overdue=true"),
    BuiltInView("awaiting", gettext_lazy("Awaiting partner"), f"status={Inquiry.Status.AWAITING_PARTNER}"),
)


def _filtered(
    request: AuthenticatedRequest,
    query: QueryDict,
    choices: dict[str, Any] | None = None,
    rows: QuerySet[Inquiry] | None = None,
) -> InquiryFilter:
    """The inbox's filter over `rows` (by default the inbox's: every inquiry the user may see)."""
    rows = selectors.staff_inquiry_list(request.user) if rows is None else rows
    return InquiryFilter(query, queryset=rows, user=request.user, **(choices or {}))


# Lists and views count their rows up to this many; past it they say "more than" instead of reading every row of a
# long list to count it: the first page of all inquiries costs the same at a million inquiries as at a hundred, and a
# filter that keeps thousands of rows (with an SDG, say: a lookup for each row) is counted in a few milliseconds.
COUNT_LIMIT = 1_000


def _views(
    request: AuthenticatedRequest,
    choices: dict[str, Any],
    *,
    built_in: tuple[BuiltInView, ...] = BUILT_IN_VIEWS,
    rows: QuerySet[Inquiry] | None = None,
) -> list[dict[str, Any]]:
    """The built-in and saved views, each with the part of `rows` it lists (`rows`; None when its filter is no
    longer valid, say an owner who has left: then it lists nothing), to be counted (`count`, `more`)."""
    saved = SavedView.objects.filter(Q(owner=request.user) | Q(is_shared=True)).select_related("owner")
    entries = [{"name": view.name, "query": view.query, "saved": None} for view in built_in]
    entries += [{"name": view.name, "query": view.query, "saved": view} for view in saved.order_by("name", "pk")]
    for entry in entries:
        query = QueryDict(entry["query"])
        view_filter = _filter_of(frozenset(query))(query, queryset=rows, user=request.user, **choices)
        entry.update(rows=view_filter.qs if view_filter.is_valid() else None, count=0, more=False)
    return entries


@functools.lru_cache(maxsize=256)
def _filter_of(names: frozenset[str]) -> type[InquiryFilter]:
    """InquiryFilter with only the filters that the query parameters `names` can reach (and the owner and unit
    filters, whose choices it sets): for that query it keeps the same rows and finds the same errors as the whole
    filter, without copying and validating the thirty fields the query leaves empty. A filter's parameters are its
    name, or its name and a suffix (received_after, received_before)."""
    kept = {
        name: declared
        for name, declared in InquiryFilter.base_filters.items()
        if name in {"owner", "unit"} or any(key == name or key.startswith(f"{name}_") for key in names)
    }

    class ViewFilter(InquiryFilter):
        pass

    ViewFilter.base_filters = kept  # after the class is made: django-filter's metaclass sets it
    return ViewFilter


class InboxPaginator(Paginator):
    """Django's paginator, with the rows counted only up to `limit` (None: all), and each page read in two steps.

    With more rows than `limit`, `count` is `limit` and `more` is true: the page says "more than". The pages up to
    the limit are all there, each with a next page while there are more rows; InboxView sets the limit past the
    page asked for, so that every page can be reached. `counted` is the count when it is known already (InboxView
    counts the list with its views, in one query). A page's rows are read from `rows`, the list before its filter
    (selectors.rows_of_page).
    """

    def __init__(
        self,
        object_list: QuerySet[Inquiry],
        per_page: int,
        *,
        limit: int | None,
        counted: int | None,
        rows: QuerySet[Inquiry],
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.filtered = object_list
        self.limit = limit
        self.rows = rows
        if counted is not None:
            self.counted = counted

    @cached_property
    def counted(self) -> int:
        return selectors.counts_up_to([(self.filtered, self.limit)])[0]

    @cached_property
    def count(self) -> int:
        return self.counted if self.limit is None else min(self.counted, self.limit)

    @property
    def more(self) -> bool:
        return self.limit is not None and self.counted > self.limit

    def page(self, number: Any) -> Page:
        page = super().page(number)
        page.object_list = selectors.rows_of_page(self.rows, cast(QuerySet[Inquiry], page.object_list))
        return page


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


SORTABLE_COLUMNS = (
    ("reference", gettext_lazy("Reference")),
    ("title", gettext_lazy("Title")),
    ("organisation", gettext_lazy("Organisation")),
    ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")),
    ("received", gettext_lazy("Received")),
    ("due", gettext_lazy("Decision due")),
)


def _sort_columns(request: HttpRequest) -> list[dict[str, Any]]:
    """Each sortable column's link (ascending first, then descending) and its aria-sort state."""
    current = request.GET.get("ordering", "")
    base = _query_without(request, "page", "ordering")
    columns = []
    for field, label in SORTABLE_COLUMNS:
        state = "ascending" if current == field else "descending" if current == f"-{field}" else None
        target = f"-{field}" if current == field else field
        columns.append(
            {
                "field": field,
                "label": label,
                "aria_sort": state,
                "query": f"{base}&ordering={target}" if base else f"ordering={target}",
            }
        )
    return columns


@method_decorator([staff_required, never_cache], name="dispatch")
class InboxView(FilterView):
    """All the inquiries the user may see, filtered, sorted and paginated; a constant number of queries.

    The unit queue (views/units.py) is this list over other rows: what it changes is in the class attributes.
    """

    filterset_class = InquiryFilter
    template_name = "requests_app/inquiry_inbox.html"
    context_object_name = "inquiries"
    heading: Any = gettext_lazy("Inquiries")
    url_name = "requests_app:staff-inquiry-list"
    export_url_names = ("requests_app:staff-inquiry-export-csv", "requests_app:staff-inquiry-export-xlsx")
    export_file_name = "henvendelser"
    built_in_views: tuple[BuiltInView, ...] = BUILT_IN_VIEWS
    offers_bulk_actions = True
    shows_workload = True
    request: AuthenticatedRequest

    @classmethod
    def rows(cls, user: User) -> QuerySet[Inquiry]:
        """The rows before any filter, for the list and its exports."""
        return selectors.staff_inquiry_list(user)

    def get_queryset(self) -> QuerySet[Inquiry]:
        return self.rows(self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        # Computed once per page and shared by the filter, the saved views' counts and the bulk form.
        self.choices = {"owner_choices": owner_choices_for(), "unit_choices": unit_choices_for()}
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user, **self.choices}

    def get_filterset(self, filterset_class: Any) -> InquiryFilter:
        filterset: InquiryFilter = super().get_filterset(filterset_class)
        # Its thirty fields and hundreds of options (the countries) written in Python: the same HTML as the templates
        # in a third of the time (requests_app/form_rendering.py).
        filterset.form.renderer = FIELD_RENDERER
        return filterset

    def get_paginate_by(self, queryset: Any) -> int:
        size = self.request.GET.get("per_page", "")
        return int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0]

    def count_limit(self, per_page: int) -> int | None:
        """How far to count the list: far enough to show the page asked for and to know whether there is a next
        one; all the way for the last page (?page=last)."""
        page = self.request.GET.get(self.page_kwarg, "")
        if page == "last":
            return None
        wanted = int(page) if page.isdigit() and len(page) < 9 else 1
        return max(COUNT_LIMIT, (wanted + 1) * per_page)

    def get_paginator(self, queryset: Any, per_page: int, orphans: int = 0, **kwargs: Any) -> InboxPaginator:
        limit = self.count_limit(per_page)
        counted = getattr(self, "counted", None)
        rows = self.rows(self.request.user)
        return InboxPaginator(queryset, per_page, limit=limit, counted=counted, rows=rows, orphans=orphans, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        # The list and every view counted in one query, before the paginator would count the list on its own.
        views = _views(self.request, self.choices, built_in=self.built_in_views, rows=self.rows(user))
        counted = [view for view in views if view["rows"] is not None]
        limit = self.count_limit(self.get_paginate_by(self.object_list))
        self.counted, *counts = selectors.counts_up_to(
            [(self.object_list, limit), *[(view["rows"], COUNT_LIMIT) for view in counted]]
        )
        for view, count in zip(counted, counts, strict=True):
            view.update(count=min(count, COUNT_LIMIT), more=count > COUNT_LIMIT)
        context = super().get_context_data(**kwargs)
        current = _query_without(self.request, "page")
        context.update(
            {
                "views": views,
                "heading": self.heading,
                "list_url": reverse(self.url_name),
                "export_urls": [reverse(name) for name in self.export_url_names],
                "current_query": current,
                "page_query": _query_without(self.request, "page"),
                "size_query": _query_without(self.request, "page", "per_page"),
                "columns": _sort_columns(self.request),
                "has_filters": bool(_query_without(self.request, "page", "per_page", "ordering")),
                "page_sizes": PAGE_SIZES,
                "today": timezone.localdate(),
                "may_bulk": self.offers_bulk_actions and (user.is_secretariat or user.is_portal_admin),
                "units": self.choices["unit_choices"],
                "staff": self.choices["owner_choices"][3:],  # the people, without me / nobody / somebody
                "priorities": Inquiry.Priority.choices,
                "workload": selectors.staff_workload() if self.shows_workload and user.sees_all_inquiries else [],
            }
        )
        return context


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    is_shared = forms.BooleanField(label=gettext_lazy("Share with everyone who uses the inbox"), required=False)


# The lists whose saved-view forms come back to them (the form says which in `list`).
LIST_URL_NAMES = ("requests_app:staff-inquiry-list", "requests_app:unit-queue")


def _list_to_return_to(request: HttpRequest) -> str:
    """The list the form was sent from, if it is one of ours (never another address); else the inbox."""
    lists = [reverse(name) for name in LIST_URL_NAMES]
    sent_from = request.POST.get("list", "")
    return sent_from if sent_from in lists else lists[0]


@staff_required
@require_POST
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, _("Give the view a name of at most 80 characters."))
    elif SavedView.objects.filter(owner=request.user, name=form.cleaned_data["name"]).exists():
        messages.error(request, _("You already have a view with that name."))
    else:
        SavedView.objects.create(
            owner=request.user,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
            is_shared=form.cleaned_data["is_shared"],
        )
        messages.success(request, _("The view “%(name)s” is saved.") % {"name": form.cleaned_data["name"]})
    return redirect(_list_to_return_to(request) + (f"?{query}" if query else ""))


@staff_required
@require_POST
def saved_view_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect(_list_to_return_to(request))


BULK_ACTIONS = {
    "assign": gettext_lazy("Assign to"),
    "route": gettext_lazy("Route to unit"),
    "priority": gettext_lazy("Change priority to"),
    "spam": gettext_lazy("Reject as spam"),
}


class BulkForm(forms.Form):
    inquiries = forms.ModelMultipleChoiceField(queryset=Inquiry.objects.none())
    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    unit = forms.ModelChoiceField(
        queryset=MunicipalUnit.objects.filter(accepts_inquiries=True, is_secretariat=False), required=False
    )
    priority = forms.ChoiceField(choices=Inquiry.Priority.choices, required=False)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inquiries = self.fields["inquiries"]
        assert isinstance(inquiries, forms.ModelMultipleChoiceField)
        inquiries.queryset = selectors.inquiries_visible_to(user)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {"assign": "owner", "route": "unit", "priority": "priority"}.get(data.get("action", ""))
        if needed and not data.get(needed):
            raise forms.ValidationError(_("Choose what to change the selected inquiries to."))
        return data


def _run_bulk(inquiry: Inquiry, data: dict[str, Any], actor: User) -> None:
    action = data["action"]
    if action == "assign":
        editing.assign_owner(inquiry, owner=data["owner"], actor=actor)
    elif action == "route":
        lifecycle.route_inquiry(inquiry, unit=data["unit"], actor=actor)
    elif action == "priority":
        editing.update_inquiry_details(inquiry, priority=data["priority"], expected_version=None, actor=actor)
    elif action == "spam":
        lifecycle.mark_spam(inquiry, actor=actor)


@staff_required
@require_POST
def inquiry_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Bulk actions: the first post shows what will happen; the confirmed post runs the single action on each,
    so each writes its events exactly as it would one by one."""
    if not (request.user.is_secretariat or request.user.is_portal_admin):
        raise PermissionDenied
    form = BulkForm(request.POST, user=request.user)
    back = reverse("requests_app:staff-inquiry-list")
    next_query = request.POST.get("next", "")
    if not form.is_valid():
        if "inquiries" in form.errors:
            messages.error(request, _("Select at least one inquiry."))
        else:
            messages.error(request, " ".join(str(error) for error in form.non_field_errors()) or _("Choose an action."))
        return redirect(back + (f"?{next_query}" if next_query else ""))
    data = form.cleaned_data
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "requests_app/inquiry_bulk_confirm.html",
            {
                "form": form,
                "data": data,
                "action_label": BULK_ACTIONS[data["action"]],
                "priority_label": Inquiry.Priority(data["priority"]).label if data.get("priority") else "",
            },
        )
    done, refused = [], []
    for inquiry in data["inquiries"]:
        try:
            _run_bulk(inquiry, data, request.user)
            done.append(inquiry.reference)
        except InquiryStateError as error:
            refused.append(f"{inquiry.reference}: {error}")
    if done:
        messages.success(request, _("Done for %(references)s.") % {"references": ", ".join(done)})
    for line in refused:
        messages.error(request, line)
    return redirect(back + (f"?{next_query}" if next_query else ""))


def _export_queryset(request: AuthenticatedRequest, rows: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Exactly the list's rows: none when the filter is invalid, as the list shows (django-filter's qs would
    leave out just the invalid fields, and export more)."""
    export_filter = _filtered(request, request.GET, rows=rows)
    return export_filter.qs if export_filter.is_valid() else export_filter.queryset.none()


def _logged_export(request: AuthenticatedRequest, export_format: str, listing: type[InboxView]) -> QuerySet[Inquiry]:
    """The rows to export, after writing the export to the access log with its filter and number of rows (one
    COUNT query: cheap next to the export, and known before the first byte is streamed)."""
    inquiries = _export_queryset(request, listing.rows(request.user))
    audit.record_export(
        request, kind=AccessLogEntry.Kind.INQUIRIES_EXPORTED, export_format=export_format, rows=inquiries
    )
    return inquiries


# `listing` is the list whose rows are exported: the inbox, or (given in the URLconf) the unit queue.
@staff_required
def inquiry_export_csv(request: AuthenticatedRequest, listing: type[InboxView] = InboxView) -> HttpResponseBase:
    name = f"{listing.export_file_name}-{timezone.localdate():%Y-%m-%d}"
    return exports.csv_response(_logged_export(request, "csv", listing), name)


@staff_required
def inquiry_export_xlsx(request: AuthenticatedRequest, listing: type[InboxView] = InboxView) -> HttpResponseBase:
    name = f"{listing.export_file_name}-{timezone.localdate():%Y-%m-%d}"
    return exports.xlsx_response(_logged_export(request, "xlsx", listing), name)
