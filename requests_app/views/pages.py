"""Informational pages: the landing page, privacy and the accessibility statement."""

from typing import Any

from django.views.generic import TemplateView

from requests_app.models import Inquiry
from requests_app.retention import ACCESS_LOG_YEARS, OTHER_EMAIL_YEARS, RETENTION_RULES


class LandingView(TemplateView):
    template_name = "requests_app/landing.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "inquiry_types": Inquiry.Type.choices}


class PrivacyView(TemplateView):
    """The privacy notice; its retention table is rendered from the rules the nightly job applies."""

    template_name = "requests_app/privacy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "retention_rules": RETENTION_RULES,
            "access_log_years": ACCESS_LOG_YEARS,
            "other_email_years": OTHER_EMAIL_YEARS,
        }


class AccessibilityStatementView(TemplateView):
    """The accessibility statement (tilgjengelighetserklæring) that Norwegian law requires of the portal."""

    template_name = "requests_app/accessibility.html"
