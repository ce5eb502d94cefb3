"""The lifecycle: one function per arrow, each locking the inquiry and writing exactly one event.

received → in_triage → routed → in_progress → awaiting_partner → decided → closed, with withdrawn, duplicate
(see services.duplicates) and spam as side exits, and reopening of a closed inquiry.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import MunicipalUnit, User
from requests_app import tasks
from requests_app.business_days import add_business_days, business_days_between
from requests_app.models import Inquiry, InquiryEvent, ServiceTargets
from requests_app.services.common import local_today, lock, may_own, record, require_may_own, require_status
from requests_app.services.errors import InquiryStateError

S = Inquiry.Status


@transaction.atomic
def start_triage(inquiry: Inquiry, *, actor: User, expected_version: int | None = None) -> Inquiry:
    """The secretariat starts looking at a received inquiry."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.RECEIVED}, pgettext("inquiry action", "taken into triage"))
    inquiry.status = S.IN_TRIAGE
    record(
        inquiry, InquiryEvent.Kind.TRIAGE_STARTED, actor=actor, fields=["status"], before=S.RECEIVED, after=S.IN_TRIAGE
    )
    return inquiry


@transaction.atomic
def route_inquiry(
    inquiry: Inquiry,
    *,
    unit: MunicipalUnit,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Hand the inquiry to the unit that will own it; re-routing a routed inquiry is allowed.

    The first routing records whether the routing suggestion was followed. The unit is e-mailed after commit.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.RECEIVED, S.IN_TRIAGE, S.ROUTED}, pgettext("inquiry action", "routed"))
    if not unit.accepts_inquiries or unit.is_secretariat:
        raise InquiryStateError(_("%(unit)s is not taking inquiries.") % {"unit": unit.name})
    if inquiry.status == S.ROUTED and inquiry.unit_id == unit.pk:
        raise InquiryStateError(_("The inquiry is already routed to %(unit)s.") % {"unit": unit.name})
    before = {"status": inquiry.status, "unit": inquiry.unit_id, "owner": inquiry.owner_id}
    fields = ["status", "unit", "routed_at"]
    if inquiry.owner is not None and not may_own(inquiry.owner, unit.pk):
        # Someone from the previous unit can no longer see the inquiry, so cannot stay responsible for it.
        inquiry.owner = None
        fields.append("owner")
    if inquiry.suggestion_accepted is None and inquiry.suggested_unit_id is not None:
        inquiry.suggestion_accepted = inquiry.suggested_unit_id == unit.pk
        fields.append("suggestion_accepted")
    inquiry.status, inquiry.unit, inquiry.routed_at = S.ROUTED, unit, now or timezone.now()
    record(
        inquiry,
        InquiryEvent.Kind.ROUTED,
        actor=actor,
        fields=fields,
        before=before,
        after={"status": S.ROUTED, "unit": unit.pk, "owner": inquiry.owner_id},
        suggested_unit=inquiry.suggested_unit_id,
        note=note,
    )
    inquiry_id = inquiry.pk
    transaction.on_commit(lambda: tasks.notify_unit_of_inquiry.delay(inquiry_id))
    return inquiry


@transaction.atomic
def accept_inquiry(
    inquiry: Inquiry, *, actor: User, owner: User | None = None, expected_version: int | None = None
) -> Inquiry:
    """The unit takes the routed inquiry on; the owner (by default the one accepting) works on it.

    The owner must be allowed to own it: someone from the secretariat or from the inquiry's unit.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.ROUTED}, pgettext("inquiry action", "accepted"))
    new_owner = owner or inquiry.owner or actor
    require_may_own(inquiry, new_owner)
    before = {"status": inquiry.status, "owner": inquiry.owner_id}
    inquiry.status, inquiry.owner = S.IN_PROGRESS, new_owner
    record(
        inquiry,
        InquiryEvent.Kind.ACCEPTED,
        actor=actor,
        fields=["status", "owner"],
        before=before,
        after={"status": S.IN_PROGRESS, "owner": new_owner.pk},
    )
    return inquiry


def pause_for_partner(inquiry: Inquiry, now: datetime.datetime) -> list[str]:
    """Stop the deadline clock: remember since when, and which status to return to. Returns changed fields."""
    inquiry.status_before_waiting = inquiry.status
    inquiry.status = S.AWAITING_PARTNER
    inquiry.awaiting_since = now
    return ["status", "status_before_waiting", "awaiting_since"]


def resume_after_partner(inquiry: Inquiry, now: datetime.datetime) -> tuple[list[str], int]:
    """Restart the clock: the due dates move on by the business days spent waiting. Returns fields and days."""
    assert inquiry.awaiting_since is not None
    waited = business_days_between(local_today(inquiry.awaiting_since), local_today(now))
    if inquiry.decision_due_on is not None:
        inquiry.decision_due_on = add_business_days(inquiry.decision_due_on, waited)
    if inquiry.first_replied_at is None and inquiry.first_reply_due_on is not None:
        inquiry.first_reply_due_on = add_business_days(inquiry.first_reply_due_on, waited)
    inquiry.status = inquiry.status_before_waiting or S.IN_TRIAGE
    inquiry.status_before_waiting = ""
    inquiry.awaiting_since = None
    fields = ["status", "status_before_waiting", "awaiting_since", "decision_due_on", "first_reply_due_on"]
    if waited and inquiry.interim_reply_sent_at is None:
        inquiry.interim_reminder_sent_at = None  # the due date moved: remind again when it comes close
        fields.append("interim_reminder_sent_at")
    return fields, waited


@transaction.atomic
def decide_inquiry(
    inquiry: Inquiry,
    *,
    summary: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Record the decision on an inquiry that is being handled."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}, pgettext("inquiry action", "decided"))
    if not summary.strip():
        raise InquiryStateError(_("Write what was decided."))
    before = inquiry.status
    inquiry.status, inquiry.decision_summary, inquiry.decided_at = S.DECIDED, summary.strip(), now or timezone.now()
    record(
        inquiry,
        InquiryEvent.Kind.DECIDED,
        actor=actor,
        fields=["status", "decision_summary", "decided_at"],
        before=before,
        after=S.DECIDED,
        note=inquiry.decision_summary,
    )
    return inquiry


@transaction.atomic
def close_inquiry(
    inquiry: Inquiry, *, actor: User, expected_version: int | None = None, now: datetime.datetime | None = None
) -> Inquiry:
    """Close a decided inquiry: nothing more is expected of anyone."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.DECIDED}, pgettext("inquiry action", "closed"))
    inquiry.status, inquiry.closed_at = S.CLOSED, now or timezone.now()
    record(
        inquiry, InquiryEvent.Kind.CLOSED, actor=actor, fields=["status", "closed_at"], before=S.DECIDED, after=S.CLOSED
    )
    return inquiry


@transaction.atomic
def withdraw_inquiry(
    inquiry: Inquiry,
    *,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """The partner withdraws the inquiry (or staff record that they did)."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, set(Inquiry.OPEN_STATUSES), pgettext("inquiry action", "withdrawn"))
    before = inquiry.status
    inquiry.status, inquiry.closed_at = S.WITHDRAWN, now or timezone.now()
    inquiry.awaiting_since, inquiry.status_before_waiting = None, ""
    record(
        inquiry,
        InquiryEvent.Kind.WITHDRAWN,
        actor=actor,
        fields=["status", "closed_at", "awaiting_since", "status_before_waiting"],
        before=before,
        after=S.WITHDRAWN,
        note=reason.strip(),
    )
    return inquiry


@transaction.atomic
def mark_spam(
    inquiry: Inquiry, *, actor: User, expected_version: int | None = None, now: datetime.datetime | None = None
) -> Inquiry:
    """Reject an inquiry as spam; only before it has been routed. Nothing is sent to the sender."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.RECEIVED, S.IN_TRIAGE}, pgettext("inquiry action", "rejected as spam"))
    before = inquiry.status
    inquiry.status, inquiry.closed_at = S.SPAM, now or timezone.now()
    record(
        inquiry, InquiryEvent.Kind.MARKED_SPAM, actor=actor, fields=["status", "closed_at"], before=before, after=S.SPAM
    )
    return inquiry


@transaction.atomic
def reopen_inquiry(inquiry: Inquiry, *, reason: str, actor: User, expected_version: int | None = None) -> Inquiry:
    """Reopen a closed inquiry, with a reason: back to its unit if it has one, else to triage."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.CLOSED}, pgettext("inquiry action", "reopened"))
    if not reason.strip():
        raise InquiryStateError(_("Give a reason for reopening the inquiry."))
    inquiry.status = S.IN_PROGRESS if inquiry.unit_id else S.IN_TRIAGE
    inquiry.closed_at = None
    # A reopened inquiry gets a fresh decision deadline (and reminder), counted from today.
    inquiry.decision_due_on = add_business_days(local_today(), ServiceTargets.current().decision_business_days)
    inquiry.interim_reply_sent_at = inquiry.interim_reminder_sent_at = None
    record(
        inquiry,
        InquiryEvent.Kind.REOPENED,
        actor=actor,
        fields=["status", "closed_at", "decision_due_on", "interim_reply_sent_at", "interim_reminder_sent_at"],
        before=S.CLOSED,
        after=inquiry.status,
        note=reason.strip(),
    )
    return inquiry
