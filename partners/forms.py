"""Forms about partner accounts and the organisations they speak for."""

from django import forms
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partners.models import OrganisationInvitation, User


class SignupForm(forms.Form):
    """What allauth's sign-up form asks besides the e-mail address and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        """Nothing more to do: the account adapter's save_user has stored the name."""


class InvitationForm(forms.Form):
    """An organisation admin invites a colleague."""

    email = forms.EmailField(
        label=_("The colleague's e-mail address"),
        max_length=254,
        help_text=format_lazy(
            _(
                "We e-mail a link that is valid for {days} days. Only an account that has confirmed this address "
                "can use it."
            ),
            days=OrganisationInvitation.VALID_DAYS,
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Enter your colleague's e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.no."),
        },
    )


class LinkAccountForm(forms.Form):
    """The secretariat links an existing, confirmed partner account to an organisation."""

    email = forms.EmailField(
        label=_("E-mail address of the account"),
        max_length=254,
        help_text=_("The person must have signed up and confirmed this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Enter the e-mail address of the account."),
            "invalid": _("Enter an e-mail address in the form name@example.no."),
        },
    )
    is_admin = forms.BooleanField(
        label=_("Organisation admin: may invite colleagues"),
        required=False,
    )


class OrganisationChoiceForm(forms.Form):
    """The header's switch between the organisations an account speaks for."""

    organisation = forms.IntegerField(min_value=1)
    next = forms.CharField(required=False, max_length=2000)
