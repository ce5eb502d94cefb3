"""The partner register at /staff/organisations/: the organisations, each with its contacts, inquiries,
partnerships and timeline; exports; editing a contact; merging duplicates; consent to be named in the open
statistics.

Open to every staff role. The secretariat, executives and administrators see every organisation; a unit member
sees the organisations of the inquiries they may see, and of those inquiries only (organisation_selectors.py).
Editing contacts, merging and recording consent are for the secretariat and administrators
(User.may_manage_organisations).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView

from partners.forms import LinkAccountForm
from partners.models import Contact, Organisation, OrganisationMembership
from partners.selectors import likely_duplicates_of, organisation_members
from partners.services import MembershipError, link_account, unlink_account, update_contact
from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import exports
from requests_app import organisation_selectors as register
from requests_app.models import AccessLogEntry
from requests_app.organisation_forms import ContactForm, MergeForm, OrganisationFilter, PublicationConsentForm
from requests_app.services import audit
from requests_app.services.organisations import (
    OrganisationMergeError,
    merge_organisations,
    record_publication_consent,
    withdraw_publication_consent,
)

REGISTER_PAGE_SIZE = 50
MERGE_SEARCH_LIMIT = 20
# The organisation page lists this many active partnerships unless asked for all (?partnerships=all): a busy
# organisation has hundreds.
PARTNERSHIPS_SHOWN = 25

SORTABLE_COLUMNS = (
    ("name", gettext_lazy("Name")),
    ("kind", gettext_lazy("Kind")),
    ("country", gettext_lazy("Country")),
    ("inquiries", gettext_lazy("Inquiries")),
    ("open", gettext_lazy("Open inquiries")),
    ("partnerships", gettext_lazy("Active partnerships")),
    ("last", gettext_lazy("Last inquiry")),
)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _sort_columns(request: HttpRequest) -> list[dict[str, Any]]:
    """Each sortable column's link (ascending first, then descending) and its aria-sort state."""
    current = request.GET.get("ordering", "")
    base = _query_without(request, "page", "ordering")
    columns = []
    for field, label in SORTABLE_COLUMNS:
        state = "ascending" if current == field else "descending" if current == f"-{field}" else None
        target = f"-{field}" if current == field else field
        query = f"{base}&ordering={target}" if base else f"ordering={target}"
        columns.append({"field": field, "label": label, "aria_sort": state, "query": query})
    return columns


def _may_manage(request: AuthenticatedRequest) -> None:
    if not request.user.may_manage_organisations:
        raise PermissionDenied


@method_decorator([staff_required, never_cache], name="dispatch")
class OrganisationListView(FilterView):
    """The organisations the user may see, filtered, sorted and paginated, with counts of the inquiries the user
    may see; a constant number of queries whatever the number of rows."""

    filterset_class = OrganisationFilter
    template_name = "requests_app/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = REGISTER_PAGE_SIZE
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Organisation]:
        return register.organisation_register(self.request.user).order_by(Lower("name"), "pk")

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        duplicate_map = self.filterset.duplicate_map
        if duplicate_map is not None:
            # Only with the duplicates filter: the names of each row's likely duplicates (one query).
            shown = [row.pk for row in context["organisations"]]
            names = dict(
                Organisation.objects.filter(
                    pk__in={other for pk in shown for other in duplicate_map.get(pk, ())}
                ).values_list("pk", "name")
            )
            for row in context["organisations"]:
                row.likely_duplicates = sorted(
                    ((pk, names[pk]) for pk in duplicate_map.get(row.pk, ()) if pk in names), key=lambda pair: pair[1]
                )
        current = _query_without(self.request, "page")
        context.update(
            {
                "current_query": current,
                "page_query": current,
                "columns": _sort_columns(self.request),
                "has_filters": bool(_query_without(self.request, "page", "ordering")),
                "showing_duplicates": duplicate_map is not None,
            }
        )
        return context


def _logged_export(request: AuthenticatedRequest, export_format: str) -> QuerySet[Organisation]:
    """Exactly the list's rows (none when the filter is invalid), after writing the export to the access log with
    its filter and number of rows."""
    queryset = register.organisation_register(request.user).order_by(Lower("name"), "pk")
    export_filter = OrganisationFilter(request.GET, queryset=queryset, user=request.user)
    organisations = export_filter.qs if export_filter.is_valid() else queryset.none()
    audit.record_export(
        request, kind=AccessLogEntry.Kind.ORGANISATIONS_EXPORTED, export_format=export_format, rows=organisations
    )
    return organisations


def _export_name() -> str:
    return f"partnerregister-{timezone.localdate():%Y-%m-%d}"


@staff_required
@require_GET
def organisation_export_csv(request: AuthenticatedRequest) -> HttpResponseBase:
    rows = exports.organisation_rows(_logged_export(request, "csv"))
    return exports.table_csv_response(exports.organisation_columns(), rows, _export_name())


@staff_required
@require_GET
def organisation_export_xlsx(request: AuthenticatedRequest) -> HttpResponseBase:
    rows = exports.organisation_rows(_logged_export(request, "xlsx"))
    return exports.table_xlsx_response(exports.organisation_columns(), rows, _export_name(), _("Partner register"))


def _organisation_page(
    request: AuthenticatedRequest,
    organisation: Organisation,
    *,
    publication_form: PublicationConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The organisation's page, with the consent form as posted when it came back with errors.

    The page shows its contacts' personal data, so every showing is in the access log.
    """
    user = request.user
    visible = register.organisations_visible_to(user)
    audit.record_access(
        actor=user,
        kind=AccessLogEntry.Kind.ORGANISATION_VIEWED,
        target=f"partners.organisation:{organisation.pk}",
        ip_address=audit.request_ip(request),
    )
    today = timezone.localdate()
    # The newest few inquiries: an organisation may have sent thousands; the inbox link lists them all.
    inquiries, inquiry_count = register.newest_organisation_inquiries(organisation, user)
    partnerships = register.organisation_partnerships(organisation, user)
    all_partnerships = request.GET.get("partnerships") == "all"
    # One more than shown, to know whether there are more (no count query).
    shown_partnerships = list(partnerships if all_partnerships else partnerships[: PARTNERSHIPS_SHOWN + 1])
    more_partnerships = len(shown_partnerships) > PARTNERSHIPS_SHOWN and not all_partnerships
    context = {
        "organisation": organisation,
        "contacts": register.organisation_contacts(organisation, user),
        "inquiries": inquiries,
        "inquiry_count": inquiry_count,
        "partnerships": shown_partnerships[:PARTNERSHIPS_SHOWN] if more_partnerships else shown_partnerships,
        "more_partnerships": more_partnerships,
        "timeline": register.organisation_timeline(organisation, user),
        "timeline_length": register.TIMELINE_LENGTH,
        "merges": register.organisation_merges(organisation, user),
        "likely_duplicates": likely_duplicates_of(organisation, visible),
        "may_manage": user.may_manage_organisations,
        "today": today,
    }
    if user.may_manage_organisations:
        context["members"] = organisation_members(organisation)
        context["link_form"] = LinkAccountForm()
        context["publication_form"] = publication_form or PublicationConsentForm(
            initial={"name_published_since": organisation.name_published_since or today}
        )
    return render(request, "requests_app/organisation_page.html", context, status=status)


@staff_required
@never_cache
@require_GET
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One organisation: its facts, contacts, inquiries, active partnerships, timeline and likely duplicates."""
    organisation = get_object_or_404(register.organisations_visible_to(request.user), pk=pk)
    return _organisation_page(request, organisation)


@staff_required
@never_cache
@require_POST
def organisation_publication(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The secretariat records the date the organisation agreed to be named in the open statistics (action=record),
    or withdraws the consent (action=withdraw). A date that is missing, not a date or in the future, or no action,
    brings the page back with the error and the date as typed (400)."""
    _may_manage(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    action = request.POST.get("action", "")
    if action == "withdraw":
        withdraw_publication_consent(organisation, actor=request.user)
        messages.success(
            request, _("%(organisation)s is no longer named in the open statistics.") % {"organisation": organisation}
        )
        return redirect(reverse("requests_app:organisation-detail", args=[organisation.pk]) + "#publication")
    form = PublicationConsentForm(request.POST)
    if action != "record":
        form.add_error(None, _("Choose whether to record or to withdraw the consent."))
    elif form.is_valid():
        since = form.cleaned_data["name_published_since"]
        try:
            record_publication_consent(organisation, since=since, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(organisation)s may be named in the open statistics since %(date)s.")
                % {"organisation": organisation, "date": date_format(since, "DATE_FORMAT")},
            )
            return redirect(reverse("requests_app:organisation-detail", args=[organisation.pk]) + "#publication")
    return _organisation_page(request, organisation, publication_form=form, status=400)


def _merge_candidates(request: AuthenticatedRequest, this: Organisation) -> dict[str, Any]:
    """Without a chosen organisation: the likely duplicates, and the organisations matching a search."""
    query = request.GET.get("q", "").strip()
    found: list[Organisation] = []
    if query:
        others = Organisation.objects.exclude(pk=this.pk)
        for word in query.split()[:8]:
            others = others.filter(Q(name__icontains=word) | Q(organisation_number__contains=word))
        found = list(others.order_by(Lower("name"), "pk")[:MERGE_SEARCH_LIMIT])
    return {
        "query": query,
        "found": found,
        "likely_duplicates": likely_duplicates_of(this, Organisation.objects.all()),
        "search_limit": MERGE_SEARCH_LIMIT,
    }


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def organisation_merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Find the organisation that is the same as this one (GET), compare the two and choose which to keep
    (GET ?other=), merge them (POST). Only for the secretariat and administrators, who see every organisation."""
    _may_manage(request)
    this = get_object_or_404(Organisation, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    other_id = source.get("other", "")
    other = Organisation.objects.filter(pk=int(other_id)).first() if other_id.isdigit() else None
    if other is not None and other.pk == this.pk:
        if request.method == "POST":
            try:
                merge_organisations(this, other, actor=request.user)  # refuses, with the message to show
            except OrganisationMergeError as error:
                messages.error(request, str(error))
        else:
            messages.error(request, _("An organisation cannot be merged into itself."))
        other = None
    if other is None:
        if request.method == "POST":
            return redirect("requests_app:organisation-merge", pk=this.pk)
        context = {"this": this, **_merge_candidates(request, this)}
        return render(request, "requests_app/organisation_merge.html", context)
    form = MergeForm(request.POST if request.method == "POST" else None, this=this, other=other)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kept, merged = (this, other) if form.cleaned_data["keep"] == this.pk else (other, this)
            merged_name = merged.name
            try:
                kept = merge_organisations(kept, merged, actor=request.user)
            except OrganisationMergeError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("“%(merged)s” is merged into “%(kept)s”.") % {"merged": merged_name, "kept": kept.name}
                )
                return redirect("requests_app:organisation-detail", pk=kept.pk)
        status = 400
    pair = {row.pk: row for row in register.organisations_to_compare(request.user, [this.pk, other.pk])}
    context = {"this": this, "other": other, "form": form, "pair": [pair[this.pk], pair[other.pk]]}
    return render(request, "requests_app/organisation_merge.html", context, status=status)


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A contact's role, preferred language and date of consent, for the secretariat and administrators. The form
    shows the contact's personal data, so opening it is in the access log; a change is in the admin's history."""
    _may_manage(request)
    contact = get_object_or_404(Contact.objects.select_related("organisation"), pk=pk)
    if contact.is_anonymised:
        raise Http404
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                update_contact(contact, **form.cleaned_data, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The details of %(name)s are saved.") % {"name": contact.name})
                return redirect(
                    reverse("requests_app:organisation-detail", args=[contact.organisation_id]) + "#contacts"
                )
        status = 400
    else:
        form = ContactForm(
            initial={
                "role": contact.role,
                "preferred_language": contact.preferred_language,
                "consent_on": contact.consent_on,
            }
        )
        audit.record_access(
            actor=request.user,
            kind=AccessLogEntry.Kind.CONTACT_VIEWED,
            target=f"partners.contact:{contact.pk}",
            ip_address=audit.request_ip(request),
        )
    return render(request, "requests_app/contact_form.html", {"contact": contact, "form": form}, status=status)


@staff_required
@require_POST
def membership_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The secretariat links an existing, confirmed partner account to the organisation (by its e-mail address)."""
    _may_manage(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = LinkAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the e-mail address of the account in the form name@example.no."))
    else:
        try:
            membership = link_account(
                organisation,
                email=form.cleaned_data["email"],
                is_admin=form.cleaned_data["is_admin"],
                actor=request.user,
            )
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(email)s now speaks for %(organisation)s.")
                % {"email": membership.user.email, "organisation": organisation},
            )
    return redirect(reverse("requests_app:organisation-detail", args=[organisation.pk]) + "#accounts")


@staff_required
@require_POST
def membership_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The secretariat removes a partner account from an organisation."""
    _may_manage(request)
    membership = get_object_or_404(OrganisationMembership.objects.select_related("user", "organisation"), pk=pk)
    try:
        unlink_account(membership, actor=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(email)s no longer speaks for %(organisation)s.")
            % {"email": membership.user.email, "organisation": membership.organisation},
        )
    return redirect(reverse("requests_app:organisation-detail", args=[membership.organisation_id]) + "#accounts")
