from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partners.models import Contact, MunicipalUnit, Organisation, User
from partners.services import mark_email_verified


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """An account an administrator creates or edits has an address the administrator vouches for."""
        super().save_model(request, obj, form, change)
        mark_email_verified(obj)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "role", "preferred_language"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    # name_published_since: consent to be named in the open statistics (recorded on the organisation's page too).
    list_display = ["name", "kind", "country", "organisation_number", "name_published_since"]
    list_filter = ["kind", "country", ("name_published_since", admin.EmptyFieldListFilter)]
    search_fields = ["name", "organisation_number"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "preferred_language"]
    search_fields = ["name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(MunicipalUnit)
class MunicipalUnitAdmin(admin.ModelAdmin):
    list_display = ["name_nb", "name_en", "code", "email", "accepts_inquiries", "is_secretariat"]
    list_editable = ["accepts_inquiries"]
    filter_horizontal = ["members"]
    search_fields = ["name_nb", "name_en", "code"]
