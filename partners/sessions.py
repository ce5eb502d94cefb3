"""Which organisation a signed-in partner speaks for now, kept in the session.

A partner account may be linked to several organisations (OrganisationMembership). The one chosen with the switch in
the page header narrows the partner's inquiry list and fills in the inquiry form; without a choice (or when the
chosen membership has gone) it is the first by name.
"""

from django.http import HttpRequest

from partners.models import Organisation, OrganisationMembership
from partners.selectors import memberships_of

SESSION_KEY = "active_organisation_id"
_CACHE_ATTRIBUTE = "_partner_memberships"


def partner_memberships(request: HttpRequest) -> list[OrganisationMembership]:
    """The signed-in account's memberships, by organisation name; one query, then cached on the request.

    Empty for anonymous visitors and for staff (their pages must not pay for it, and staff speak for no
    organisation).
    """
    cached: list[OrganisationMembership] | None = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        user = request.user
        cached = [] if not user.is_authenticated or user.has_staff_access else list(memberships_of(user))
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


def active_organisation(request: HttpRequest) -> Organisation | None:
    """The organisation the signed-in partner speaks for now: the one chosen in this session if the account is
    still a member, else its first by name; None without any membership."""
    memberships = partner_memberships(request)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership.organisation
    return memberships[0].organisation


def choose_organisation(request: HttpRequest, organisation_id: int) -> Organisation | None:
    """Speak for this organisation from now on in this session; None (and nothing changed) if the account is not a
    member of it. Asks the database afresh, so it also works right after a membership was made in this request."""
    user = request.user
    if not user.is_authenticated or user.has_staff_access:
        return None
    membership = memberships_of(user).filter(organisation_id=organisation_id).first()
    if membership is None:
        return None
    request.session[SESSION_KEY] = organisation_id
    if hasattr(request, _CACHE_ATTRIBUTE):
        delattr(request, _CACHE_ATTRIBUTE)
    return membership.organisation
