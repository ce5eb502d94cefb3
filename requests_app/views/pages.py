"""Informational pages: the landing page, privacy and the accessibility statement."""

from typing import Any

from django.views.generic import TemplateView

from requests_app.models import Inquiry


class LandingView(TemplateView):
    template_name = "requests_app/landing.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "inquiry_types": Inquiry.Type.choices}


class PrivacyView(TemplateView):
    template_name = "requests_app/privacy.html"


class AccessibilityStatementView(TemplateView):
    """The accessibility statement (tilgjengelighetserklæring) that Norwegian law requires of the portal."""

    template_name = "requests_app/accessibility.html"
