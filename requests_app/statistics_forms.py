"""The year picker of the open statistics."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class StatisticsYearForm(forms.Form):
    """One of the years that have figures (newest first). The page binds it only when a year is asked for."""

    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the years in the list.")},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(str(value), str(value)) for value in sorted(years, reverse=True)]
