"""Forms for outcomes and follow-ups: the rules per outcome type come from services.outcomes, shown by field."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from requests_app.models import FollowUp, Outcome, SdgGoal, SdgTarget
from requests_app.services.outcomes import OutcomeDetails, outcome_errors


class TargetPickerMixin(forms.Form):
    """SDG targets as checkboxes grouped under their goals (two queries per form)."""

    sdg_targets = forms.MultipleChoiceField(
        label=_("SDG targets"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose targets from the list.")},
    )

    def load_target_choices(self) -> None:
        self._goals = {goal.pk: goal for goal in SdgGoal.objects.order_by("number")}
        self._targets = {target.pk: target for target in SdgTarget.objects.order_by("goal_id", "position")}
        field = self.fields["sdg_targets"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, f"{code} {target.title}") for code, target in self._targets.items()]

    def target_picker(self) -> list[dict[str, Any]]:
        """Each goal with the checkboxes of its targets, and whether one of them is chosen (its group is open)."""
        boxes: dict[int, list[Any]] = {}
        for box in self["sdg_targets"].subwidgets:
            boxes.setdefault(self._targets[box.data["value"]].goal_id, []).append(box)
        chosen = {code for code in self["sdg_targets"].value() or [] if code in self._targets}
        return [
            {
                "goal": goal,
                "targets": boxes.get(number, []),
                "has_chosen": any(self._targets[code].goal_id == number for code in chosen),
            }
            for number, goal in self._goals.items()
        ]

    def clean_sdg_targets(self) -> list[SdgTarget]:
        return [self._targets[code] for code in self.cleaned_data["sdg_targets"]]


class DecideForm(TargetPickerMixin, forms.Form):
    """The decision: what came of the inquiry, with the details its type requires, and the word to the partner."""

    type = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome")), *Outcome.Type.choices],
        error_messages={"required": _("Choose what came of the inquiry.")},
    )
    decided_on = forms.DateField(
        label=_("Date of the outcome"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the outcome."), "invalid": _("Write the date as dd.mm.yyyy.")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("What was agreed, started, shared or declined, and why. Required for most outcomes."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    referred_to = forms.ChoiceField(
        label=_("Referred to"),
        help_text=_("Only for referrals."),
        choices=[("", _("Not referred")), *Outcome.ReferredTo.choices],
        required=False,
    )
    referred_to_detail = forms.CharField(
        label=_("Which body or city"),
        help_text=_("Needed for another city in the network, or another body."),
        required=False,
        max_length=200,
    )
    decline_reason = forms.ChoiceField(
        label=_("Reason for declining"),
        help_text=_("Only when the inquiry is declined."),
        choices=[("", _("Not declined")), *Outcome.DeclineReason.choices],
        required=False,
    )
    partners_involved = forms.ModelMultipleChoiceField(
        label=_("Partners involved"),
        help_text=_("The organisations in the agreement, project or pilot. Required for those outcomes."),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    funding_nok = forms.IntegerField(
        label=_("Funding mobilised (NOK)"),
        help_text=_("Optional: external funding the collaboration brings in, in whole kroner."),
        required=False,
        min_value=0,
        max_value=10**12,
        error_messages={"invalid": _("Write the amount in whole kroner, digits only.")},
    )
    follow_up_on = forms.DateField(
        label=_("Follow up the effect on"),
        help_text=_("Required for agreements, joint projects and pilots; the owner is reminded on that day."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as dd.mm.yyyy.")},
    )
    message = forms.CharField(
        label=_("Message to the partner"),
        help_text=_("Tells the partner the decision, by e-mail, in their language."),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    hold_for_approval = forms.BooleanField(
        label=_("Hold the message until the secretariat has approved it"),
        required=False,
    )

    field_order = [
        "type",
        "decided_on",
        "summary",
        "referred_to",
        "referred_to_detail",
        "decline_reason",
        "partners_involved",
        "funding_nok",
        "sdg_targets",
        "follow_up_on",
        "message",
        "hold_for_approval",
    ]

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.load_target_choices()
        self.fields["sdg_targets"].label = _("SDG targets addressed")
        self.fields["sdg_targets"].help_text = _("Required for agreements, joint projects and pilots.")
        if organisations is not None:
            field = self.fields["partners_involved"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        details = self.details()
        for name, messages in outcome_errors(details, today=timezone.localdate()).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if data.get("hold_for_approval") and not data.get("message", "").strip():
            self.add_error("message", _("Write the message that should wait for approval, or untick the box."))
        return data

    def details(self) -> OutcomeDetails:
        return outcome_details(self.cleaned_data)


def outcome_details(data: dict[str, Any]) -> OutcomeDetails:
    """The outcome as the service takes it, from the decision form's cleaned data (also while it is incomplete)."""
    return OutcomeDetails(
        type=data.get("type", ""),
        decided_on=data.get("decided_on"),
        summary=data.get("summary", ""),
        partners_involved=list(data.get("partners_involved") or []),
        referred_to=data.get("referred_to", ""),
        referred_to_detail=data.get("referred_to_detail", ""),
        decline_reason=data.get("decline_reason", ""),
        funding_nok=data.get("funding_nok"),
        sdg_targets=list(data.get("sdg_targets") or []),
        follow_up_on=data.get("follow_up_on"),
    )


class FollowUpForm(TargetPickerMixin, forms.Form):
    collaboration_status = forms.ChoiceField(
        label=_("How does the collaboration stand?"),
        choices=FollowUp.CollaborationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the collaboration stands.")},
    )
    results = forms.CharField(
        label=_("What has happened since, and what has it achieved?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write what has happened since the outcome.")},
    )
    u4ssc_areas = forms.MultipleChoiceField(
        label=_("U4SSC areas it moved"),
        help_text=_("The dimensions of the U4SSC indicators for smart sustainable cities."),
        choices=FollowUp.Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose areas from the list.")},
    )
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        help_text=_("Leave empty if no further follow-up is needed."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as dd.mm.yyyy.")},
    )

    field_order = ["collaboration_status", "results", "sdg_targets", "u4ssc_areas", "next_follow_up_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.load_target_choices()
        self.fields["sdg_targets"].label = _("SDG targets it moved")

    def clean_next_follow_up_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["next_follow_up_on"]
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("The next follow-up must be after today."))
        return value


class ReturnMessageForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what should change in the message.")},
    )
