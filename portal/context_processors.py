"""Values every template needs: the portal's name, the current user's staff roles, and for a partner the
organisation they speak for."""

from typing import Any

from django.http import HttpRequest

from partners.sessions import active_organisation, partner_memberships


def portal(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's role flags without querying in templates."""
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.has_staff_role)
    # Asked only of staff, whose roles has_staff_role has already loaded: no query of its own.
    values: dict[str, Any] = {
        "has_staff_role": staff,
        "may_see_access_log": staff and bool(getattr(user, "is_portal_admin", False)),
    }
    if user is not None and user.is_authenticated and not staff:
        # The header's "on behalf of" and organisation switch: one query per page, for partners only.
        values.update(
            {"partner_memberships": partner_memberships(request), "active_organisation": active_organisation(request)}
        )
    return values
