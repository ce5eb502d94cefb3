from django.contrib import admin

from requests_app.models import Inquiry, InquiryEvent, SdgGoal, SdgTarget


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
class InquiryAdmin(admin.ModelAdmin):
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
