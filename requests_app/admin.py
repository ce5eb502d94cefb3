from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from partners.admin import ContactAdmin, OrganisationAdmin, UserAdmin
from partners.models import Contact, Organisation, User
from requests_app.models import (
    AccessLogEntry,
    Inquiry,
    InquiryEvent,
    ReplyTemplate,
    RoutingRule,
    SavedView,
    SdgGoal,
    SdgTarget,
    ServiceTargets,
)
from requests_app.services import audit


class AccessLoggedAdmin(admin.ModelAdmin):
    """Opening a record's change page in the admin shows its personal data, so it is written to the access log
    (changes are in Django's own admin LogEntry). Mixed in before the model's admin class."""

    def logged_inquiry(self, object_id: str) -> Inquiry | None:
        return None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            options = self.model._meta
            audit.record_access(
                actor=cast(User, request.user),
                kind=AccessLogEntry.Kind.ADMIN_VIEWED,
                inquiry=self.logged_inquiry(object_id),
                target=f"{options.app_label}.{options.model_name}:{unquote(object_id)}",
                ip_address=audit.request_ip(request),
            )
        return response


# The partners app may not import requests_app, so its admins of personal data get the access log here (this
# module is loaded after partners.admin, in INSTALLED_APPS order).
class AccessLoggedUserAdmin(AccessLoggedAdmin, UserAdmin):
    pass


class AccessLoggedOrganisationAdmin(AccessLoggedAdmin, OrganisationAdmin):
    """The organisation's page lists its contacts."""


class AccessLoggedContactAdmin(AccessLoggedAdmin, ContactAdmin):
    pass


for model, model_admin in (
    (User, AccessLoggedUserAdmin),
    (Organisation, AccessLoggedOrganisationAdmin),
    (Contact, AccessLoggedContactAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(SdgGoal)
class SdgGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "short_nb", "short_en"]
    search_fields = ["short_nb", "short_en", "title_nb", "title_en"]


@admin.register(SdgTarget)
class SdgTargetAdmin(admin.ModelAdmin):
    list_display = ["code", "goal", "title_nb"]
    list_filter = ["goal"]
    search_fields = ["code", "title_nb", "title_en"]


class InquiryEventInline(admin.TabularInline):
    model = InquiryEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = ("created_at", "kind", "actor", "data")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Inquiry)
class InquiryAdmin(AccessLoggedAdmin):
    """Read-mostly: changes to inquiries go through the staff pages, so that every change is audited."""

    list_display = ["reference", "title", "organisation", "status", "unit", "received_at"]
    list_filter = ["status", "inquiry_type", "channel", "unit"]
    search_fields = ["reference", "title", "organisation__name", "contact__email"]
    list_select_related = ["organisation", "unit"]
    readonly_fields = (
        *(field.name for field in Inquiry._meta.concrete_fields),
        "sdg_goals",
        "sdg_targets",
    )
    inlines = [InquiryEventInline]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def logged_inquiry(self, object_id: str) -> Inquiry | None:
        return Inquiry.objects.filter(pk=unquote(object_id)).first()


class RoutingRuleForm(forms.ModelForm):
    """The JSON list fields as checkboxes, and a rule without any condition refused (it would match everything)."""

    inquiry_types = forms.MultipleChoiceField(
        label=_("inquiry types"), choices=Inquiry.Type.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation_kinds = forms.MultipleChoiceField(
        label=_("organisation kinds"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "position",
            "unit",
            "inquiry_types",
            "organisation_kinds",
            "sdg_goals",
            "keywords",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conditions = ("inquiry_types", "organisation_kinds", "sdg_goals", "keywords")
        if not any(data.get(name) for name in conditions):
            raise forms.ValidationError(
                _("Give the rule at least one condition; without one it would match everything.")
            )
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["position", "name", "unit", "is_active"]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["unit", "is_active"]
    filter_horizontal = ["sdg_goals"]
    list_select_related = ["unit"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "subject", "is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["name", "subject", "body"]


@admin.register(ServiceTargets)
class ServiceTargetsAdmin(admin.ModelAdmin):
    """One row: the business days within which the centre replies and decides."""

    list_display = [
        "__str__",
        "first_reply_business_days",
        "decision_business_days",
        "interim_reply_warning_business_days",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not ServiceTargets.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_shared", "created_at"]
    list_filter = ["is_shared"]
    search_fields = ["name", "owner__email"]
    list_select_related = ["owner"]
