"""Input forms for inquiries."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField  # type: ignore[attr-defined]
from stdnum.no import orgnr

from partners.models import MunicipalUnit, Organisation, User, validate_organisation_number
from requests_app.attachment_forms import AttachmentsMixin
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.models import Inquiry, SdgGoal, SdgTarget

_localised_number = lazy(lambda value: number_format(value, force_grouping=True), str)


class SdgPickerMixin(forms.Form):
    """SDG goals and targets as grouped checkboxes (goal, then its targets); two queries per form. Drawn by the
    Python field renderer (form_rendering.py): 186 checkboxes through the widget templates took 30 ms."""

    default_renderer = FIELD_RENDERER

    sdg_goals = forms.MultipleChoiceField(
        label=_("Sustainable Development Goals"),
        help_text=_("Choose the goals your inquiry is about, if you know them."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose goals from the list.")},
    )
    sdg_targets = forms.MultipleChoiceField(
        label=_("SDG targets"),
        help_text=_("You can also choose specific targets under each goal."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose targets from the list.")},
    )

    def load_sdg_choices(self) -> None:
        self._goals = {goal.pk: goal for goal in SdgGoal.objects.order_by("number")}
        self._targets = {target.pk: target for target in SdgTarget.objects.order_by("goal_id", "position")}
        goal_field = self.fields["sdg_goals"]
        target_field = self.fields["sdg_targets"]
        assert isinstance(goal_field, forms.MultipleChoiceField)
        assert isinstance(target_field, forms.MultipleChoiceField)
        goal_field.choices = [(str(number), f"{number}. {goal.short}") for number, goal in self._goals.items()]
        target_field.choices = [(code, f"{code} {target.title}") for code, target in self._targets.items()]

    def sdg_picker(self) -> list[dict[str, Any]]:
        """The goals, each with its own checkbox and the checkboxes of its targets, for the grouped picker."""
        goal_boxes = {box.data["value"]: box for box in self["sdg_goals"].subwidgets}
        target_boxes: dict[int, list[Any]] = {}
        for box in self["sdg_targets"].subwidgets:
            target_boxes.setdefault(self._targets[box.data["value"]].goal_id, []).append(box)
        chosen_targets = set(self["sdg_targets"].value() or [])
        return [
            {
                "goal": goal,
                "checkbox": goal_boxes[str(number)],
                "targets": target_boxes.get(number, []),
                "has_chosen_target": any(
                    self._targets[code].goal_id == number for code in chosen_targets if code in self._targets
                ),
            }
            for number, goal in self._goals.items()
        ]

    def clean_sdg_goals(self) -> list[SdgGoal]:
        return [self._goals[int(number)] for number in self.cleaned_data["sdg_goals"]]

    def clean_sdg_targets(self) -> list[SdgTarget]:
        return [self._targets[code] for code in self.cleaned_data["sdg_targets"]]


class InquiryIntakeForm(SdgPickerMixin, forms.Form):
    """The public form through which an organisation asks the centre for collaboration."""

    # Organisation
    organisation_name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={
            "required": _("Enter the name of your organisation."),
            "max_length": _("The name of the organisation can be at most %(limit_value)d characters."),
        },
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("Choose the kind of organisation")), *Organisation.Kind.choices],
        error_messages={"required": _("Choose the kind of organisation.")},
    )
    organisation_number = forms.CharField(
        label=_("Organisation number"),
        required=False,
        max_length=20,
        help_text=_("Norwegian organisations: nine digits from the Brønnøysund Register."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    country = LazyTypedChoiceField(
        label=_("Country"),
        choices=countries,
        initial="NO",
        error_messages={"required": _("Choose the country of the organisation.")},
    )
    # Contact person
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send the receipt and our replies here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.no."),
        },
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_role = forms.CharField(
        label=_("Your role in the organisation"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": _("Enter your role in the organisation, for example project manager.")},
    )
    # The inquiry
    inquiry_type = forms.ChoiceField(
        label=_("What do you want to do with us?"),
        choices=Inquiry.Type.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of collaboration you are asking for.")},
    )
    title = forms.CharField(
        label=_("Title"),
        help_text=_("A short line that sums up your inquiry."),
        max_length=Inquiry.TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Give your inquiry a title."),
            "max_length": _("The title can be at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    description = forms.CharField(
        label=_("Describe your inquiry"),
        help_text=format_lazy(
            _("What you propose, who is involved, and when. At most {limit} characters."),
            limit=_localised_number(Inquiry.DESCRIPTION_MAX_LENGTH),
        ),
        max_length=Inquiry.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": _("Describe your inquiry."),
            "max_length": format_lazy(
                _("The description can be at most {limit} characters (it has %(show_value)d)."),
                limit=_localised_number(Inquiry.DESCRIPTION_MAX_LENGTH),
            ),
        },
    )
    language = forms.ChoiceField(
        label=_("Which language should we answer in?"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the language you want our answer in.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that Trondheim kommune stores and processes the information in this form to handle my inquiry."
        ),
        error_messages={"required": _("You must agree to the processing of the information before you can send.")},
    )
    # The order of the page, which the error summary follows (the SDG fields come from the mixin).
    field_order = [
        "organisation_name",
        "organisation_kind",
        "organisation_number",
        "country",
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_role",
        "inquiry_type",
        "title",
        "description",
        "sdg_goals",
        "sdg_targets",
        "language",
        "consent",
    ]
    # Honeypot: hidden from people (and assistive technology); bots that fill every field give themselves away.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Django turns the choices into a list when the class is defined, freezing the country names in the
        # language active at import; read them again for each form so the English page has English names.
        country_field = self.fields["country"]
        assert isinstance(country_field, forms.ChoiceField)
        country_field.choices = list(countries)
        self.load_sdg_choices()

    def clean_organisation_number(self) -> str:
        raw = self.cleaned_data["organisation_number"]
        value = orgnr.compact(raw) if raw else ""
        if value:
            validate_organisation_number(value)
        return value

    @property
    def is_spam(self) -> bool:
        """True when the honeypot field was filled in: only bots see it."""
        return bool(self.is_bound and self.data.get("website", "").strip())


class StaffInquiryForm(InquiryIntakeForm):
    """The secretariat registers an inquiry that came by e-mail, phone or in a meeting."""

    channel = forms.ChoiceField(
        label=_("How did the inquiry come in?"),
        choices=[choice for choice in Inquiry.Channel.choices if choice[0] != Inquiry.Channel.WEB],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the inquiry came in.")},
    )
    send_receipt = forms.BooleanField(
        label=_("Send the contact a receipt with the reference by e-mail"),
        required=False,
        initial=True,
    )

    field_order = ["channel", *InquiryIntakeForm.field_order, "send_receipt"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        # The secretariat fills this form in on someone else's behalf.
        self.fields["contact_name"].label = _("Name of the contact person")
        self.fields["contact_email"].help_text = _("The receipt and our replies go here.")
        self.fields["contact_role"].label = _("The contact person's role in the organisation")
        self.fields["contact_role"].error_messages["required"] = _("Enter the contact person's role.")
        self.fields["inquiry_type"].label = _("Type of inquiry")
        self.fields["language"].label = _("Language of our answers")
        self.fields["consent"].label = _(
            "The contact has agreed that Trondheim kommune stores and processes this information to handle the inquiry."
        )
        self.fields["consent"].error_messages["required"] = _(
            "Register the inquiry only when the contact has agreed to the processing of the information."
        )

    @property
    def is_spam(self) -> bool:
        return False


# --- The staff's inquiry page -----------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Carries the version of the inquiry the page showed, so a save from a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InquiryDetailsForm(SdgPickerMixin, VersionedForm):
    inquiry_type = forms.ChoiceField(label=_("Type of inquiry"), choices=Inquiry.Type.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Inquiry.Priority.choices, widget=forms.RadioSelect)

    field_order = ["inquiry_type", "priority", "sdg_goals", "sdg_targets", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.load_sdg_choices()


class RouteForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=MunicipalUnit.objects.filter(accepts_inquiries=True, is_secretariat=False),
        empty_label=_("Choose a unit"),
        error_messages={"required": _("Choose the unit that should handle the inquiry.")},
    )
    note = forms.CharField(
        label=_("Note to the unit"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(forms.Form):
    pass


class ConversationForm(AttachmentsMixin, forms.Form):
    """One form for both kinds of writing, defaulting to the internal note so nothing leaves by mistake."""

    NOTE = "note"
    MESSAGE = "message"

    kind = forms.ChoiceField(
        label=_("What do you want to write?"),
        choices=[
            (NOTE, _("Internal note – only staff of the municipality can read it; it is never sent")),
            (MESSAGE, _("Message to the partner – e-mailed to the contact person and kept with the inquiry")),
        ],
        initial=NOTE,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject of the e-mail"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the text.")},
    )


class PartnerMessageForm(AttachmentsMixin, forms.Form):
    """A message to the partner that is part of an action: asking for information, or an interim reply."""

    subject = forms.CharField(label=_("Subject of the e-mail"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Text to the partner"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the text to the partner.")},
    )


class PartnerReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(
        label=_("What the partner wrote"),
        help_text=_("For replies that came by e-mail or phone."),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Paste or write the partner's reply.")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class OptionalReasonForm(ReasonForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False


class DuplicateForm(forms.Form):
    original = forms.CharField(
        label=_("Reference of the original inquiry"),
        help_text=_("For example 2026-0042."),
        max_length=12,
        error_messages={"required": _("Enter the reference of the inquiry this one repeats.")},
    )
    tell_partner = forms.BooleanField(
        label=_("Tell the partner that the two are handled together"), required=False, initial=True
    )

    def __init__(self, *args: Any, visible: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._visible = visible

    def clean_original(self) -> Inquiry:
        reference = self.cleaned_data["original"].strip()
        original = self._visible.filter(reference=reference).first() if self._visible is not None else None
        if original is None:
            raise forms.ValidationError(_("There is no inquiry %(reference)s.") % {"reference": reference})
        return original


class _StaffChoiceForm(forms.Form):
    """A form whose one people field offers `staff` (those who may work on the inquiry)."""

    staff_field = ""

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            field = self.fields[self.staff_field]
            assert isinstance(field, forms.ModelChoiceField)  # ModelMultipleChoiceField is one too
            field.queryset = staff


class AssignForm(_StaffChoiceForm):
    staff_field = "owner"
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )


class CollaboratorsForm(_StaffChoiceForm):
    staff_field = "collaborators"
    collaborators = forms.ModelMultipleChoiceField(
        label=_("Collaborators"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )


class RetentionHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the personal data must be kept"),
        help_text=_(
            "For example a complaint, a request for access or a lawsuit, with its case number. "
            "Write no personal data here: the reason stays in the timeline."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the hold.")},
    )
