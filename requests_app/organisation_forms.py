"""The partner register's filters (django-filter, all in the URL) and its forms: a contact's details, a merge, the
consent to be named in the open statistics."""

import re
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from partners.counties import county_choices
from partners.models import Contact, Organisation, User
from partners.selectors import likely_duplicate_map
from requests_app.organisation_selectors import organisations_visible_to


class RegisterOrderingFilter(django_filters.OrderingFilter):
    """Names sort without regard to case; empty dates and counts sort last either way; ties are broken by name,
    so that a row never shows on two pages."""

    def filter(self, qs: QuerySet[Organisation], value: Any) -> QuerySet[Organisation]:
        ordering: list[OrderBy] = []
        for param in value or []:
            if not param:
                continue
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            expression = Lower(field.lstrip("-")) if field.lstrip("-") == "name" else F(field.lstrip("-"))
            ordering.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*ordering, Lower("name"), "pk")


class OrganisationFilter(django_filters.FilterSet):
    """Name or number, kind, country, county, active partnership, open inquiry, possible duplicates, sorting."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Name or organisation number.")
    )
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind of organisation"),
        choices=Organisation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("Any country"))
    county = django_filters.ChoiceFilter(
        label=pgettext_lazy("region", "County"),
        choices=county_choices(),
        method="filter_county",
        empty_label=_("Any county"),
        help_text=_("Norwegian municipalities, by their municipality number."),
    )
    active_partnership = django_filters.BooleanFilter(
        label=_("Has an active partnership"), method="filter_active_partnership", widget=forms.CheckboxInput
    )
    open_inquiry = django_filters.BooleanFilter(
        label=_("Has an open inquiry"), method="filter_open_inquiry", widget=forms.CheckboxInput
    )
    duplicates = django_filters.BooleanFilter(
        label=_("Possible duplicates"), method="filter_duplicates", widget=forms.CheckboxInput
    )
    ordering = RegisterOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("kind", "kind"),
            ("country", "country"),
            ("inquiry_count", "inquiries"),
            ("open_inquiry_count", "open"),
            ("active_partnership_count", "partnerships"),
            ("last_received", "last"),
        ),
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        self.duplicate_map: dict[int, set[int]] | None = None
        super().__init__(*args, **kwargs)
        self.filters["country"].extra["choices"] = country_choices_for(user)

    def filter_search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        # "923 562 015" and "923562015" both find the number; words must each be in the name or the number.
        digits = re.sub(r"\s", "", value)
        if digits.isdigit():
            return queryset.filter(Q(organisation_number__contains=digits) | Q(name__icontains=value.strip()))
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(organisation_number__contains=word))
        return queryset

    def filter_county(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.filter(country="NO", municipality_number__startswith=value) if value else queryset

    def filter_active_partnership(
        self, queryset: QuerySet[Organisation], name: str, value: bool | None
    ) -> QuerySet[Organisation]:
        # The count is an annotation of organisation_register, which the type checker cannot see.
        return queryset.filter(active_partnership_count__gt=0) if value else queryset  # type: ignore[misc]

    def filter_open_inquiry(
        self, queryset: QuerySet[Organisation], name: str, value: bool | None
    ) -> QuerySet[Organisation]:
        return queryset.filter(open_inquiry_count__gt=0) if value else queryset  # type: ignore[misc]

    def filter_duplicates(
        self, queryset: QuerySet[Organisation], name: str, value: bool | None
    ) -> QuerySet[Organisation]:
        """Organisations with a likely duplicate among those the user may see; the pairs are kept for the list."""
        if not value:
            return queryset
        self.duplicate_map = likely_duplicate_map(organisations_visible_to(self.user))
        return queryset.filter(pk__in=list(self.duplicate_map))


def country_choices_for(user: User) -> list[tuple[str, str]]:
    """The countries of the organisations the user may see, by name in the current language (one query)."""
    codes = organisations_visible_to(user).order_by().values_list("country", flat=True).distinct()
    return sorted(((str(code), str(countries.name(code))) for code in codes), key=lambda choice: choice[1])


class ContactForm(forms.Form):
    """What staff keep about a contact besides what the partner gave: checked again by partners.services."""

    role = forms.CharField(
        label=_("Role or title"), required=False, max_length=Contact._meta.get_field("role").max_length
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    consent_on = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the person agreed that the centre may keep their contact details and contact them."),
    )


class MergeForm(forms.Form):
    """The pair to merge (this page's organisation and `other`) and which of the two to keep."""

    other = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=forms.HiddenInput)
    keep = forms.TypedChoiceField(
        label=_("Which organisation do you keep?"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_(
            "The other one is removed: its inquiries, contacts and partnerships move to the one you keep, "
            "and every inquiry moved gets an entry in its timeline."
        ),
        error_messages={"required": _("Choose the organisation to keep.")},
    )

    def __init__(self, *args: Any, this: Organisation, other: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = self.fields["keep"]
        assert isinstance(keep, forms.TypedChoiceField)
        keep.choices = [(organisation.pk, organisation.name) for organisation in (this, other)]
        self.fields["other"].initial = other.pk


class PublicationConsentForm(forms.Form):
    """The date an organisation agreed to be named in the open statistics. Whether it may be used (not in the
    future) is for requests_app.services.organisations to say."""

    name_published_since = forms.DateField(
        label=_("Agreed to be named on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The date the organisation agreed to be named, with its number of inquiries, in the open statistics."
        ),
        error_messages={"required": _("Enter the date the organisation agreed to be named.")},
    )
