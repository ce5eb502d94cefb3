"""The inbox's filters (django-filter): every filter lives in the URL, so any view can be bookmarked."""

import datetime
import functools
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.counties import COUNTIES, county_choices
from partners.models import MunicipalUnit, Organisation, User
from requests_app import search, selectors
from requests_app.models import AccessLogEntry, Inquiry, Outcome, SdgGoal
from requests_app.summaries import aggregates
from requests_app.summaries.aggregates import AGE_BANDS
from requests_app.summaries.periods import Period, PeriodKind

# Values of the summary's filters.
UNKNOWN_COUNTY = "unknown"
YES, NO = "yes", "no"
FOLLOWED, OVERRIDDEN = "followed", "overridden"


class OwnerChoices:
    ME = "me"
    NOBODY = "none"
    ANYONE = "any"


def _rank(field: str, values: list[str]) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(index)) for index, value in enumerate(values)], output_field=IntegerField()
    )


# Sort keys for choices whose codes do not sort in their meaning's order (high < low < normal).
_RANKS = {
    "priority_rank": ("priority", Inquiry.Priority.values),
    "status_rank": ("status", Inquiry.Status.values),
}


class InboxOrderingFilter(django_filters.OrderingFilter):
    """Priority sorts low → high and status in the lifecycle's order, not by the spelling of their codes; ties are
    broken newest first, so that a row never shows on two pages."""

    def filter(self, qs: QuerySet[Inquiry], value: Any) -> QuerySet[Inquiry]:
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        ranks = {
            name: _rank(field, values)
            for name, (field, values) in _RANKS.items()
            if name in {key.lstrip("-") for key in ordering}
        }
        return qs.alias(**ranks).order_by(*ordering, "-received_at", "-pk")


@functools.lru_cache(maxsize=8)
def _countries_in(language: str | None) -> list[tuple[str, str]]:
    with translation.override(language):
        return [(code, str(name)) for code, name in countries]


def country_choices() -> list[tuple[str, str]]:
    """django-countries' countries in the active language, by name, sorted once per language. A callable, so that
    each form made of the filter (the inbox makes one for every saved view) copies a reference, not 250 choices."""
    return _countries_in(translation.get_language())


class InquiryFilter(django_filters.FilterSet):
    """Status, type, organisation kind, unit, owner, SDG goal, channel, priority, dates, overdue, free text."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Reference, title, description, organisation or contact."),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Inquiry.Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    inquiry_type = django_filters.MultipleChoiceFilter(
        label=_("Type of inquiry"), choices=Inquiry.Type.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    organisation_kind = django_filters.MultipleChoiceFilter(
        label=_("Kind of organisation"),
        field_name="organisation__kind",
        choices=Organisation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    unit = django_filters.MultipleChoiceFilter(
        label=_("Responsible unit"), widget=forms.CheckboxSelectMultiple, distinct=False
    )
    owner = django_filters.ChoiceFilter(
        label=_("Owner"), method="filter_owner", empty_label=_("All, with or without owner")
    )
    sdg = django_filters.ModelChoiceFilter(
        label=_("SDG"), queryset=SdgGoal.objects.order_by("number"), method="filter_sdg", empty_label=_("Any goal")
    )
    channel = django_filters.MultipleChoiceFilter(
        label=_("Channel"), choices=Inquiry.Channel.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"), choices=Inquiry.Priority.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    received = django_filters.DateFromToRangeFilter(
        label=_("Received"),
        field_name="received_at",
        # DateRangeWidget: the inputs are received_after and received_before (RangeWidget's would be _min/_max).
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)
    returned = django_filters.BooleanFilter(
        label=_("Returned by a unit"),
        method="filter_returned",
        widget=forms.CheckboxInput,
        help_text=_("Declined by the unit it was routed to, and back in triage."),
    )
    organisation = django_filters.NumberFilter(field_name="organisation_id", widget=forms.HiddenInput)
    # The summary's figures link here: each of these, with the ones above, lists exactly what a figure counts.
    counted = django_filters.BooleanFilter(
        label=_("Leave out spam and duplicates"),
        method="filter_counted",
        widget=forms.CheckboxInput,
        help_text=_("As the summary counts inquiries."),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), field_name="organisation__country", choices=country_choices, empty_label=_("Any country")
    )
    county = django_filters.ChoiceFilter(
        label=_("County (Norway)"),
        method="filter_county",
        choices=[*county_choices(), (UNKNOWN_COUNTY, _("Unknown county"))],
        empty_label=_("Any county"),
        help_text=_("From the municipality number; other Norwegian organisations have an unknown county."),
    )
    without_unit = django_filters.BooleanFilter(
        label=_("Not with a unit yet"), method="filter_without_unit", widget=forms.CheckboxInput
    )
    without_goal = django_filters.BooleanFilter(
        label=_("Without an SDG goal"), method="filter_without_goal", widget=forms.CheckboxInput
    )
    age = django_filters.ChoiceFilter(
        label=_("Days since received"),
        method="filter_age",
        choices=[(band.key, band.label) for band in AGE_BANDS],
        empty_label=_("Any age"),
    )
    with_first_reply = django_filters.BooleanFilter(
        label=_("Has had a first reply"), method="filter_with_first_reply", widget=forms.CheckboxInput
    )
    with_decision = django_filters.BooleanFilter(
        label=_("Has been decided"), method="filter_with_decision", widget=forms.CheckboxInput
    )
    replied_in_time = django_filters.ChoiceFilter(
        label=_("First reply in time"),
        method="filter_replied_in_time",
        choices=[(YES, _("Yes, on or before the due date")), (NO, _("No, late or past due without a reply"))],
        empty_label=_("Either"),
    )
    suggestion = django_filters.ChoiceFilter(
        label=_("Routing suggestion"),
        method="filter_suggestion",
        choices=[(FOLLOWED, _("Followed")), (OVERRIDDEN, _("Overridden"))],
        empty_label=_("Either"),
    )
    outcome = django_filters.MultipleChoiceFilter(
        label=_("Outcome"),
        field_name="outcome__type",
        choices=Outcome.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    decided = django_filters.DateFromToRangeFilter(
        label=_("Outcome dated"),
        field_name="outcome__decided_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    funded = django_filters.BooleanFilter(
        label=_("With funding mobilised"), method="filter_funded", widget=forms.CheckboxInput
    )
    partnership_on = django_filters.DateFilter(
        label=_("Active partnership on"),
        method="filter_partnership_on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("An agreement, a joint project or a pilot that had started and not ended on that day."),
    )
    ordering = InboxOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("organisation__name", "organisation"),
            ("status_rank", "status"),
            ("priority_rank", "priority"),
            ("received_at", "received"),
            ("decision_due_on", "due"),
        ),
        field_labels={
            "reference": _("Reference"),
            "title": _("Title"),
            "organisation__name": _("Organisation"),
            "status_rank": _("Status"),
            "priority_rank": _("Priority"),
            "received_at": _("Received"),
            "decision_due_on": _("Decision due"),
        },
    )

    class Meta:
        model = Inquiry
        fields: list[str] = []

    def __init__(
        self,
        *args: Any,
        user: User,
        owner_choices: list[tuple[str, str]] | None = None,
        unit_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """The choices (from owner_choices_for() and unit_choices_for()) can be given, so that a page that builds
        several filters queries the staff and the units once."""
        self.user = user
        super().__init__(*args, **kwargs)
        self.filters["owner"].extra["choices"] = owner_choices if owner_choices is not None else owner_choices_for()
        self.filters["unit"].extra["choices"] = unit_choices if unit_choices is not None else unit_choices_for()

    def filter_search(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        """Every word (up to eight) in the reference, title, description, organisation or contact, through the
        full-text indexes (requests_app/search.py says how words are matched)."""
        return search.matching(queryset, value)

    def filter_owner(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        if value == OwnerChoices.ME:
            return queryset.filter(owner=self.user)
        if value == OwnerChoices.NOBODY:
            return queryset.filter(owner__isnull=True)
        if value == OwnerChoices.ANYONE:
            return queryset.filter(owner__isnull=False)
        return queryset.filter(owner_id=int(value))

    def filter_sdg(self, queryset: QuerySet[Inquiry], name: str, value: SdgGoal | None) -> QuerySet[Inquiry]:
        if value is None:
            return queryset
        # Exists instead of a join, so an inquiry never appears twice.
        tagged = Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"), sdggoal=value)
        return queryset.filter(Exists(tagged))

    def filter_overdue(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        if not value:
            return queryset
        return queryset.filter(selectors.overdue_condition(timezone.localdate()))

    def filter_returned(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.filter(returned_by_unit__isnull=False) if value else queryset

    def filter_counted(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.exclude(status__in=aggregates.NOT_COUNTED) if value else queryset

    def filter_county(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        if not value:
            return queryset
        norwegian = queryset.filter(organisation__country="NO")
        if value == UNKNOWN_COUNTY:
            known = Q()
            for number in COUNTIES:
                known |= Q(organisation__municipality_number__startswith=number)
            return norwegian.exclude(known)
        return norwegian.filter(organisation__municipality_number__startswith=value)

    def filter_without_unit(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.filter(unit__isnull=True) if value else queryset

    def filter_without_goal(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        if not value:
            return queryset
        return queryset.filter(~Exists(Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"))))

    def filter_age(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        band = aggregates.age_band(value)
        return queryset.filter(band.condition(timezone.localdate())) if band else queryset

    def filter_with_first_reply(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.filter(first_replied_at__isnull=False) if value else queryset

    def filter_with_decision(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.filter(decided_at__isnull=False) if value else queryset

    def filter_replied_in_time(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        if value == YES:
            return queryset.filter(aggregates.replied_in_time_q())
        if value == NO:
            return queryset.filter(aggregates.replied_late_q(timezone.localdate()))
        return queryset

    def filter_suggestion(self, queryset: QuerySet[Inquiry], name: str, value: str) -> QuerySet[Inquiry]:
        if value in (FOLLOWED, OVERRIDDEN):
            return queryset.filter(suggestion_accepted=value == FOLLOWED)
        return queryset

    def filter_funded(self, queryset: QuerySet[Inquiry], name: str, value: bool | None) -> QuerySet[Inquiry]:
        return queryset.filter(outcome__funding_nok__gt=0) if value else queryset

    def filter_partnership_on(
        self, queryset: QuerySet[Inquiry], name: str, value: datetime.date | None
    ) -> QuerySet[Inquiry]:
        if value is None:
            return queryset
        return queryset.filter(pk__in=aggregates.active_partnerships(value).values("inquiry_id"))


def owner_choices_for() -> list[tuple[str, str]]:
    """Me, nobody, somebody, and every active member of staff by name (one query)."""
    staff = (
        User.objects.filter(
            Q(groups__name__in=["Secretariat", "Executive", "Admin"]) | Q(units__isnull=False), is_active=True
        )
        .distinct()
        .order_by("full_name", "email")
    )
    return [
        (OwnerChoices.ME, str(_("Me"))),
        (OwnerChoices.NOBODY, str(_("Nobody (unassigned)"))),
        (OwnerChoices.ANYONE, str(_("Has an owner"))),
        *[(str(person.pk), person.get_full_name()) for person in staff],
    ]


def unit_choices_for() -> list[tuple[str, str]]:
    """The units that inquiries can be routed to (one query)."""
    return [(str(unit.pk), unit.name) for unit in MunicipalUnit.objects.filter(is_secretariat=False)]


class AccessLogFilter(django_filters.FilterSet):
    """The access log by person, inquiry reference, kind of access and date range; all in the URL."""

    person = django_filters.ModelChoiceFilter(
        label=_("Person"), field_name="actor", queryset=User.objects.none(), empty_label=_("Everyone")
    )
    inquiry = django_filters.CharFilter(
        label=_("Inquiry reference"),
        field_name="inquiry__reference",
        lookup_expr="iexact",
        help_text=_("For example 2026-0042."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=AccessLogEntry.Kind.choices, empty_label=_("Everything")
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Date"),
        field_name="created_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = AccessLogEntry
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["person"].queryset = selectors.people_in_access_log()


class PeriodForm(forms.Form):
    """The summary's period: this month, quarter or year, or dates of one's own (from and to, both included).

    `on` comes from the previous and next links: the month, quarter or year that contains it instead of today's.
    """

    EARLIEST = datetime.date(2000, 1, 1)
    LATEST = datetime.date(2099, 12, 31)

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            (PeriodKind.MONTH, _("This month")),
            (PeriodKind.QUARTER, _("This quarter")),
            (PeriodKind.YEAR, _("This year")),
            (PeriodKind.CUSTOM, _("Dates of your choice")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    on = forms.DateField(required=False, widget=forms.HiddenInput)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("on", "start", "end"):
            day = data.get(name)
            if day is not None and not self.EARLIEST <= day <= self.LATEST:
                self.add_error(
                    name,
                    _("Choose a date from %(first)s to %(last)s.")
                    % {"first": self.EARLIEST.year, "last": self.LATEST.year},
                )
        if data.get("period") == PeriodKind.CUSTOM:
            for name, message in (
                ("start", _("Enter the first day of the period.")),
                ("end", _("Enter the last day of the period.")),
            ):
                if name not in self.errors and data.get(name) is None:
                    self.add_error(name, message)
            if not self.errors and data["end"] < data["start"]:
                self.add_error("end", _("The last day must be the same as or after the first day."))
        return data

    def chosen_period(self, today: datetime.date) -> Period:
        """The period asked for; this month when nothing (or nothing valid) was asked for."""
        if not self.is_bound or not self.is_valid():
            return Period.containing(PeriodKind.MONTH, today)
        kind = PeriodKind(self.cleaned_data["period"] or PeriodKind.MONTH)
        if kind == PeriodKind.CUSTOM:
            return Period.custom(self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.containing(kind, self.cleaned_data["on"] or today)


def period_query(period: Period) -> str:
    """The summary's query string for `period` (its previous and next links)."""
    if period.kind == PeriodKind.CUSTOM:
        return urlencode({"period": period.kind, "start": period.first.isoformat(), "end": period.last.isoformat()})
    return urlencode({"period": period.kind, "on": period.first.isoformat()})
