"""Which actions a user may take on an inquiry in its current state; pages offer exactly these."""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from partners.models import User
from requests_app.models import Inquiry, Outcome
from requests_app.retention import FINISHED_STATUSES
from requests_app.services.status_links import links_have_expired

S = Inquiry.Status


class Action(StrEnum):
    TRIAGE = "triage"
    ROUTE = "route"
    ACCEPT = "accept"
    DECLINE = "decline"
    REQUEST_INFORMATION = "request-information"
    PARTNER_REPLY = "partner-reply"
    DECIDE = "decide"
    APPROVE_MESSAGE = "approve-message"
    RETURN_MESSAGE = "return-message"
    FOLLOW_UP = "follow-up"
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
    RETENTION_HOLD = "retention-hold"
    LIFT_RETENTION_HOLD = "lift-retention-hold"
    REVOKE_STATUS_LINKS = "revoke-status-links"
    SEND_STATUS_LINK = "send-status-link"
    # Summaries (issue #8): a question to the chief municipal executive, and highlights for the UNECE report.
    ASK_EXECUTIVE = "ask-executive"
    WITHDRAW_QUESTION = "withdraw-question"
    HIGHLIGHT = "highlight"
    REMOVE_HIGHLIGHT = "remove-highlight"


# What each action's button, link and form heading say (by the action's name in lower case, as the templates know
# it: the `name` of includes/inquiry_action.html), read through the action_label filter (templatetags/inquiry_tags.py).
ACTION_LABELS: dict[str, Promise] = {
    "triage": gettext_lazy("Start triage"),
    "route": gettext_lazy("Route to a unit"),
    "accept": gettext_lazy("Accept for the unit"),
    "decline": gettext_lazy("Decline and return to the secretariat"),
    "approve_message": gettext_lazy("Approve and send the decision message"),
    "return_message": gettext_lazy("Send the decision message back"),
    "follow_up": gettext_lazy("Follow up the effect"),
    "request_information": gettext_lazy("Ask the partner for more information"),
    "partner_reply": gettext_lazy("Register a reply from the partner"),
    "decide": gettext_lazy("Record the decision"),
    "close": gettext_lazy("Close"),
    "withdraw": gettext_lazy("Record as withdrawn"),
    "spam": gettext_lazy("Reject as spam"),
    "duplicate": gettext_lazy("Mark as a duplicate"),
    "reopen": gettext_lazy("Reopen"),
    "edit": gettext_lazy("Change type, priority and SDGs"),
    "assign": gettext_lazy("Change the owner"),
    "assign_to_me": gettext_lazy("Assign to me"),
    "collaborators": gettext_lazy("Collaborators"),
    "interim_reply": gettext_lazy("Send an interim reply"),
    "retention_hold": gettext_lazy("Put on retention hold"),
    "lift_retention_hold": gettext_lazy("Lift the retention hold"),
    "revoke_status_links": gettext_lazy("Revoke the partner's status links"),
    "send_status_link": gettext_lazy("E-mail a new status link to the contact"),
    "ask_executive": gettext_lazy("Ask the chief municipal executive"),
    "withdraw_question": gettext_lazy("Withdraw the question"),
    "highlight": gettext_lazy("Mark as a highlight for the UNECE report"),
    "remove_highlight": gettext_lazy("Remove the highlight"),
}


_RUNNING: frozenset[str] = frozenset({S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS})
_OPEN: frozenset[str] = frozenset(Inquiry.OPEN_STATUSES)
_EDITABLE: frozenset[str] = frozenset(S) - {S.SPAM, S.DUPLICATE}

# action: (statuses in which it makes sense, may the unit handling the inquiry do it?)
_RULES: dict[Action, tuple[frozenset[str], bool]] = {
    Action.TRIAGE: (frozenset({S.RECEIVED}), False),
    Action.ROUTE: (frozenset({S.RECEIVED, S.IN_TRIAGE, S.ROUTED}), False),
    Action.ACCEPT: (frozenset({S.ROUTED}), True),
    Action.DECLINE: (frozenset({S.ROUTED}), True),
    Action.REQUEST_INFORMATION: (_RUNNING, True),
    Action.PARTNER_REPLY: (_OPEN | {S.DECIDED}, True),
    Action.DECIDE: (frozenset({S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}), True),
    # A decision message held for approval is the secretariat's to let go or send back.
    Action.APPROVE_MESSAGE: (frozenset({S.DECIDED, S.CLOSED}), False),
    Action.RETURN_MESSAGE: (frozenset({S.DECIDED, S.CLOSED}), False),
    Action.FOLLOW_UP: (frozenset({S.DECIDED, S.CLOSED}), True),
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
    # Retention holds are the secretariat's (and administrators'): they keep personal data past its period.
    Action.RETENTION_HOLD: (FINISHED_STATUSES, False),
    Action.LIFT_RETENTION_HOLD: (frozenset(S), False),
    # The partner's private status links (services/status_links.py): they work until 90 days after the end.
    Action.REVOKE_STATUS_LINKS: (frozenset(S) - {S.SPAM}, True),
    Action.SEND_STATUS_LINK: (frozenset(S) - {S.SPAM}, True),
    # The secretariat's (and administrators'): whether a question is open, or a highlight there, the services check.
    Action.ASK_EXECUTIVE: (_EDITABLE, False),
    Action.WITHDRAW_QUESTION: (frozenset(S), False),
    Action.HIGHLIGHT: (_EDITABLE, False),
    Action.REMOVE_HIGHLIGHT: (frozenset(S), False),
}
# Once an inquiry's personal data is removed it is a record: only its type, priority and SDGs may be corrected.
_AFTER_REMOVAL: frozenset[Action] = frozenset({Action.EDIT})


def _roles(inquiry: Inquiry, user: User) -> tuple[bool, bool]:
    manages = user.is_active and (user.is_secretariat or user.is_portal_admin)
    # Only asked when it matters, so the page of someone who manages does not query their units.
    handles = not manages and user.is_active and inquiry.unit_id is not None and inquiry.unit_id in user.unit_ids
    return manages, handles


def _has_outcome(inquiry: Inquiry) -> bool:
    try:
        return inquiry.outcome is not None
    except Outcome.DoesNotExist:
        return False


def role_allows(inquiry: Inquiry, user: User, action: Action) -> bool:
    """Whether the user's role allows the action on this inquiry in some status (not necessarily the current)."""
    manages, handles = _roles(inquiry, user)
    return manages or (handles and _RULES[action][1])


def available_actions(inquiry: Inquiry, user: User) -> frozenset[Action]:
    """The secretariat and administrators may do everything the status allows; members of the inquiry's unit
    what the unit does; executives only read (their decision queue comes with the summaries). A retention hold
    is offered when there is none, lifting it when there is one; revoking status links only while one works (the
    page annotates `has_working_status_link`), and neither revoking nor sending one once links have expired; an
    inquiry without its personal data can only have its details corrected.
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
    allowed.discard(Action.LIFT_RETENTION_HOLD if inquiry.retention_hold_at is None else Action.RETENTION_HOLD)
    if not getattr(inquiry, "has_held_message", False):
        allowed -= {Action.APPROVE_MESSAGE, Action.RETURN_MESSAGE}
    if not _has_outcome(inquiry):
        allowed.discard(Action.FOLLOW_UP)
    if not getattr(inquiry, "has_working_status_link", False):
        allowed.discard(Action.REVOKE_STATUS_LINKS)
    if links_have_expired(inquiry):
        allowed -= {Action.REVOKE_STATUS_LINKS, Action.SEND_STATUS_LINK}
    if inquiry.anonymised_at is not None:
        allowed &= _AFTER_REMOVAL
    return frozenset(allowed)
