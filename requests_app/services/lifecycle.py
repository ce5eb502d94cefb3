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
from requests_app import emails
from requests_app.business_days import add_business_days, business_days_between
from requests_app.models import Inquiry, InquiryEvent, ServiceTargets, UnitAssignment
from requests_app.services.common import local_today, lock, may_own, record, require_may_own, require_status
from requests_app.services.errors import InquiryStateError
from requests_app.services.outcomes import end_open_assignment, record_withdrawal_outcome

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
    """Hand the inquiry to the unit that will own it; re-routing, or transferring one in progress, is allowed.

    Each routing starts a new stay with the unit (UnitAssignment, ending the previous one as a transfer), with the
    date by which the unit must accept or decline. The first routing records whether the routing suggestion was
    followed. The unit is e-mailed after commit.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}, pgettext("inquiry action", "routed"))
    if not unit.accepts_inquiries or unit.is_secretariat:
        raise InquiryStateError(_("%(unit)s is not taking inquiries.") % {"unit": unit.name})
    if inquiry.status == S.ROUTED and inquiry.unit_id == unit.pk:
        raise InquiryStateError(_("The inquiry is already routed to %(unit)s.") % {"unit": unit.name})
    if inquiry.status == S.IN_PROGRESS and inquiry.unit_id == unit.pk:
        raise InquiryStateError(_("%(unit)s is already handling the inquiry.") % {"unit": unit.name})
    now = now or timezone.now()
    before = {"status": inquiry.status, "unit": inquiry.unit_id, "owner": inquiry.owner_id}
    fields = ["status", "unit", "routed_at", "returned_by_unit"]
    if inquiry.owner is not None and not may_own(inquiry.owner, unit.pk):
        # Someone from the previous unit can no longer see the inquiry, so cannot stay responsible for it.
        inquiry.owner = None
        fields.append("owner")
    if inquiry.suggestion_accepted is None and inquiry.suggested_unit_id is not None:
        inquiry.suggestion_accepted = inquiry.suggested_unit_id == unit.pk
        fields.append("suggestion_accepted")
    inquiry.status, inquiry.unit, inquiry.routed_at, inquiry.returned_by_unit = S.ROUTED, unit, now, None
    transferred = UnitAssignment.objects.filter(inquiry=inquiry, ended_at__isnull=True).update(
        ended_at=now, end=UnitAssignment.End.TRANSFERRED
    )
    assignment = UnitAssignment.objects.create(
        inquiry=inquiry,
        unit=unit,
        routed_at=now,
        routed_by=actor,
        respond_by=add_business_days(local_today(now), ServiceTargets.current().handshake_business_days),
    )
    event = record(
        inquiry,
        InquiryEvent.Kind.ROUTED,
        actor=actor,
        fields=fields,
        before=before,
        after={"status": S.ROUTED, "unit": unit.pk, "owner": inquiry.owner_id},
        suggested_unit=inquiry.suggested_unit_id,
        note=note,
        transfer=bool(transferred),
        respond_by=assignment.respond_by.isoformat(),
    )
    emails.queue_inquiry_routed(inquiry, event=event)
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
    UnitAssignment.objects.filter(inquiry=inquiry, ended_at__isnull=True, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
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
    if waited:
        # A unit that has not yet accepted or declined gets the days back too.
        for stay in UnitAssignment.objects.filter(inquiry=inquiry, ended_at__isnull=True, accepted_at__isnull=True):
            stay.respond_by = add_business_days(stay.respond_by, waited)
            stay.save(update_fields=["respond_by"])
    return fields, waited


@transaction.atomic
def decline_referral(
    inquiry: Inquiry,
    *,
    reason: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """The unit declines a routed inquiry, with a reason: it goes back to the secretariat's triage queue, flagged.

    The unit's stay ends as declined (with the reason); the secretariat is e-mailed after commit.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.ROUTED}, pgettext("inquiry action", "declined by the unit"))
    if not reason.strip():
        raise InquiryStateError(_("Say why the unit declines the inquiry, so the secretariat can route it well."))
    now = now or timezone.now()
    unit = inquiry.unit
    assert unit is not None
    UnitAssignment.objects.filter(inquiry=inquiry, ended_at__isnull=True).update(
        ended_at=now, end=UnitAssignment.End.DECLINED, decline_reason=reason.strip()
    )
    before = {"status": inquiry.status, "unit": unit.pk, "owner": inquiry.owner_id}
    fields = ["status", "unit", "returned_by_unit"]
    inquiry.status, inquiry.unit, inquiry.returned_by_unit = S.IN_TRIAGE, None, unit
    if inquiry.owner is not None and not may_own(inquiry.owner, None):
        inquiry.owner = None
        fields.append("owner")
    event = record(
        inquiry,
        InquiryEvent.Kind.REFERRAL_DECLINED,
        actor=actor,
        fields=fields,
        before=before,
        after={"status": S.IN_TRIAGE, "unit": None, "owner": inquiry.owner_id},
        unit=unit.pk,
        note=reason.strip(),
    )
    emails.queue_referral_declined(inquiry, unit=unit, reason=reason.strip(), event=event)
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
    """The partner withdraws the inquiry (or staff record that they did).

    When the partner did it (no actor, or an account without a staff role), whoever handles it is e-mailed.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, set(Inquiry.OPEN_STATUSES), pgettext("inquiry action", "withdrawn"))
    before = inquiry.status
    now = now or timezone.now()
    inquiry.status, inquiry.closed_at = S.WITHDRAWN, now
    inquiry.awaiting_since, inquiry.status_before_waiting = None, ""
    record_withdrawal_outcome(inquiry, reason=reason, actor=actor, now=now)
    event = record(
        inquiry,
        InquiryEvent.Kind.WITHDRAWN,
        actor=actor,
        fields=["status", "closed_at", "awaiting_since", "status_before_waiting"],
        before=before,
        after=S.WITHDRAWN,
        note=reason.strip(),
    )
    if actor is None or not actor.has_staff_role:
        emails.queue_partner_withdrew(inquiry, reason=reason.strip(), event=event)
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
    end_open_assignment(inquiry, end=UnitAssignment.End.FINISHED, now=inquiry.closed_at)
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
    if inquiry.unit is not None:
        # Back with its unit, which already took it on: a new stay, accepted from the start.
        now = timezone.now()
        UnitAssignment.objects.create(
            inquiry=inquiry,
            unit=inquiry.unit,
            routed_at=now,
            routed_by=actor,
            respond_by=local_today(now),
            accepted_at=now,
        )
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
