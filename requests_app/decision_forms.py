"""Forms for the questions to the chief municipal executive and the highlights for the UNECE report."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import DecisionRequest, ReportHighlight
from requests_app.services.highlights import highlight_years

Answer = DecisionRequest.Answer


class AskExecutiveForm(forms.Form):
    """The secretariat's question to the chief municipal executive about one inquiry."""

    reason = forms.ChoiceField(
        label=_("Why the executive must decide"),
        choices=[("", _("Choose the reason")), *DecisionRequest.Reason.choices],
        error_messages={
            "required": _("Choose why the chief municipal executive must decide."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )
    question = forms.CharField(
        label=_("Question to the chief municipal executive"),
        help_text=_("What should the executive decide or comment on? The executive sees the inquiry's page too."),
        max_length=DecisionRequest.QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write the question to the chief municipal executive."),
            "max_length": _("The question can be at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def clean_question(self) -> str:
        return str(self.cleaned_data["question"]).strip()


class AnswerDecisionForm(forms.Form):
    """The chief municipal executive's answer: approve, comment or decline, with words (required unless approving)."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(Answer.APPROVE, _("Approve")), (Answer.COMMENT, _("Comment")), (Answer.DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you approve, comment or decline."),
            "invalid_choice": _("Choose approve, comment or decline."),
        },
    )
    text = forms.CharField(
        label=_("Your words to the secretariat and the owner"),
        help_text=_("Required when you comment or decline."),
        required=False,
        max_length=DecisionRequest.ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("The answer can be at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def clean_text(self) -> str:
        return str(self.cleaned_data["text"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") in {Answer.COMMENT, Answer.DECLINE} and not cleaned.get("text"):
            message = (
                _("Write your comment.")
                if cleaned["answer"] == Answer.COMMENT
                else _("Write why you decline, so the owner knows what to do.")
            )
            self.add_error("text", message)
        return cleaned


class HighlightForm(forms.Form):
    """Mark the inquiry as a highlight of a year's UNECE report, with the short English text the report prints."""

    year = forms.TypedChoiceField(
        label=_("Report year"),
        coerce=int,
        error_messages={
            "required": _("Choose the year of the report."),
            "invalid_choice": _("Choose a report year from the list."),
        },
    )
    text = forms.CharField(
        label=_("Highlight text (in English)"),
        help_text=_("A few sentences for the UNECE report: what happened and what came of it. Printed as written."),
        max_length=ReportHighlight.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        error_messages={
            "required": _("Write the text of the highlight, in English."),
            "max_length": _("The text can be at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, str(year)) for year in reversed(highlight_years(timezone.localdate()))]
        field.initial = timezone.localdate().year

    def clean_text(self) -> str:
        return str(self.cleaned_data["text"]).strip()


class RemoveHighlightForm(forms.Form):
    """Which year's highlight to remove (a hidden field of the button next to each highlight)."""

    year = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose which highlight to remove."),
            "invalid": _("Choose which highlight to remove."),
        },
    )
