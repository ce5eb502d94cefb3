"""Typed requests, so views can rely on request.user being our User."""

from django.http import HttpRequest

from partners.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
