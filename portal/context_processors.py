"""Values every template needs: the portal's name and the current user's staff roles."""

from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's role flags without querying in templates."""
    user = getattr(request, "user", None)
    return {"has_staff_role": bool(user is not None and user.is_authenticated and user.has_staff_role)}
