"""django-allauth hooks."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import get_language

from partners.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Partners sign up themselves; staff accounts are made by administrators.

    A signed-up account is a partner's: never staff, never in a role group or unit (those are given in the admin),
    and it sees no inquiry until its address is confirmed (ACCOUNT_EMAIL_VERIFICATION = "mandatory"; see
    requests_app.selectors.inquiries_of_partner).
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True

    def save_user(self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        assert isinstance(user, User)
        # Whatever a crafted form might carry, sign-up makes a partner's account and nothing more.
        user.is_staff = user.is_superuser = False
        user.full_name = " ".join(str(form.cleaned_data.get("full_name", "")).split())
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        user.preferred_language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if commit:
            user.save()
        return user
