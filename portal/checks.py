"""System checks of the portal's own deployment settings (run by `manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_two_factor_is_enforced(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Production must make staff use two-factor authentication; only the local demo may turn it off."""
    if settings.STAFF_MFA_REQUIRED:
        return []
    return [
        Warning(
            "PORTAL_STAFF_MFA_REQUIRED is false: staff can reach personal data with a password alone.",
            hint="Leave PORTAL_STAFF_MFA_REQUIRED unset (or true) in production; false is for the local demo.",
            id="portal.W001",
        )
    ]
