"""django-allauth hooks."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are made by administrators; partner sign-up arrives with the partner-side issue."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
