"""Which actions a user may take on an inquiry in its current state; pages offer exactly these."""

from enum import StrEnum

from partners.models import User
from requests_app.models import Inquiry

S = Inquiry.Status


class Action(StrEnum):
    TRIAGE = "triage"
    ROUTE = "route"
    ACCEPT = "accept"
    REQUEST_INFORMATION = "request-information"
    PARTNER_REPLY = "partner-reply"
    DECIDE = "decide"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    SPAM = "spam"
    DUPLICATE = "duplicate"
    REOPEN = "reopen"
    EDIT = "edit"
    ASSIGN = "assign"
    ASSIGN_TO_ME = "assign-to-me"
    COLLABORATORS = "collaborators"
    WRITE = "write"
    INTERIM_REPLY = "interim-reply"


_RUNNING: frozenset[str] = frozenset({S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS})
_OPEN: frozenset[str] = frozenset(Inquiry.OPEN_STATUSES)
_EDITABLE: frozenset[str] = frozenset(S) - {S.SPAM, S.DUPLICATE}

# action: (statuses in which it makes sense, may the unit handling the inquiry do it?)
_RULES: dict[Action, tuple[frozenset[str], bool]] = {
    Action.TRIAGE: (frozenset({S.RECEIVED}), False),
    Action.ROUTE: (frozenset({S.RECEIVED, S.IN_TRIAGE, S.ROUTED}), False),
    Action.ACCEPT: (frozenset({S.ROUTED}), True),
    Action.REQUEST_INFORMATION: (_RUNNING, True),
    Action.PARTNER_REPLY: (_OPEN | {S.DECIDED}, True),
    Action.DECIDE: (frozenset({S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}), True),
    Action.CLOSE: (frozenset({S.DECIDED}), True),
    Action.WITHDRAW: (_OPEN, True),
    Action.SPAM: (frozenset({S.RECEIVED, S.IN_TRIAGE}), False),
    Action.DUPLICATE: (_OPEN, False),
    Action.REOPEN: (frozenset({S.CLOSED}), False),
    Action.EDIT: (_EDITABLE, True),
    Action.ASSIGN: (_EDITABLE, True),
    Action.ASSIGN_TO_ME: (_EDITABLE, True),
    Action.COLLABORATORS: (_EDITABLE, True),
    Action.WRITE: (_OPEN | {S.DECIDED}, True),
    Action.INTERIM_REPLY: (_RUNNING, True),
}


def _roles(inquiry: Inquiry, user: User) -> tuple[bool, bool]:
    manages = user.is_active and (user.is_secretariat or user.is_portal_admin)
    handles = user.is_active and inquiry.unit_id is not None and inquiry.unit_id in user.unit_ids
    return manages, handles


def role_allows(inquiry: Inquiry, user: User, action: Action) -> bool:
    """Whether the user's role allows the action on this inquiry in some status (not necessarily the current)."""
    manages, handles = _roles(inquiry, user)
    return manages or (handles and _RULES[action][1])


def available_actions(inquiry: Inquiry, user: User) -> frozenset[Action]:
    """The secretariat and administrators may do everything the status allows; members of the inquiry's unit
    what the unit does; executives only read (their decision queue comes with the summaries).
    """
    manages, handles = _roles(inquiry, user)
    if not (manages or handles):
        return frozenset()
    allowed = {
        action
        for action, (statuses, unit_may) in _RULES.items()
        if inquiry.status in statuses and (manages or unit_may)
    }
    if inquiry.owner_id == user.pk:
        allowed.discard(Action.ASSIGN_TO_ME)
    return frozenset(allowed)
