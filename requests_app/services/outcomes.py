"""Outcomes and their effect: what was decided, the rules per outcome type, follow-ups, and held decision messages."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import Organisation, User
from requests_app import emails
from requests_app.models import FollowUp, Inquiry, InquiryEvent, InquiryMessage, Outcome, SdgTarget, UnitAssignment
from requests_app.services.common import local_today, lock, record, require_status
from requests_app.services.errors import InquiryStateError

S = Inquiry.Status
T = Outcome.Type
# Types for which the summary is what the outcome is: without it nobody can later say what came of the inquiry.
_SUMMARY_REQUIRED = {T.AGREEMENT, T.JOINT_PROJECT, T.PILOT, T.KNOWLEDGE_SHARED, T.DECLINED, T.NOT_OUR_REMIT}
_DETAIL_REQUIRED = {Outcome.ReferredTo.NETWORK_CITY, Outcome.ReferredTo.OTHER}


@dataclass
class OutcomeDetails:
    """What staff enter when they decide an inquiry; `outcome_errors` says what is missing for the type."""

    type: str
    decided_on: datetime.date | None
    summary: str = ""
    partners_involved: Sequence[Organisation] = field(default_factory=list)
    referred_to: str = ""
    referred_to_detail: str = ""
    decline_reason: str = ""
    funding_nok: int | None = None
    sdg_targets: Sequence[SdgTarget] = field(default_factory=list)
    follow_up_on: datetime.date | None = None


def outcome_errors(details: OutcomeDetails, *, today: datetime.date) -> dict[str, list[str]]:
    """The rules per outcome type, as translated messages by field (empty when the details are complete).

    Used by the decision form (so the messages sit next to their fields) and by `decide_inquiry` (so no caller can
    record an incomplete outcome).
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if details.type not in T.values:
        add("type", _("Choose what came of the inquiry."))
        return errors
    kind = T(details.type)
    if details.decided_on is None:
        add("decided_on", _("Give the date of the outcome."))
    elif details.decided_on > today:
        add("decided_on", _("The date of the outcome cannot be in the future."))
    if kind in _SUMMARY_REQUIRED and not details.summary.strip():
        if kind == T.DECLINED:
            add("summary", _("Explain why the inquiry is declined; the partner will be told."))
        else:
            add("summary", _("Write a short summary of the outcome."))
    if kind in Outcome.PARTNERSHIP_TYPES:
        if not details.partners_involved:
            add("partners_involved", _("Name at least one partner in the agreement, project or pilot."))
        if not details.sdg_targets:
            add("sdg_targets", _("Choose at least one SDG target the collaboration addresses."))
        if details.follow_up_on is None:
            add("follow_up_on", _("Set a date to follow up the effect of the collaboration."))
    if kind == T.REFERRED:
        if details.referred_to not in Outcome.ReferredTo.values:
            add("referred_to", _("Choose the body or network the inquiry was referred to."))
        elif details.referred_to in _DETAIL_REQUIRED and not details.referred_to_detail.strip():
            add("referred_to_detail", _("Name the body or city the inquiry was referred to."))
    if kind == T.DECLINED and details.decline_reason not in Outcome.DeclineReason.values:
        add("decline_reason", _("Choose the reason for declining."))
    if (
        details.follow_up_on is not None
        and details.decided_on is not None
        and details.follow_up_on <= details.decided_on
    ):
        add("follow_up_on", _("The follow-up date must be after the date of the outcome."))
    return errors


def _clean(details: OutcomeDetails) -> OutcomeDetails:
    """Drop what does not belong to the type (a referral body on a declined inquiry, say)."""
    kind = details.type
    return OutcomeDetails(
        type=kind,
        decided_on=details.decided_on,
        summary=details.summary.strip(),
        partners_involved=list(details.partners_involved),
        referred_to=details.referred_to if kind == T.REFERRED else "",
        referred_to_detail=details.referred_to_detail.strip()
        if kind == T.REFERRED and details.referred_to in _DETAIL_REQUIRED
        else "",
        decline_reason=details.decline_reason if kind == T.DECLINED else "",
        funding_nok=details.funding_nok,
        sdg_targets=list(details.sdg_targets),
        follow_up_on=details.follow_up_on,
    )


def _save_outcome(inquiry: Inquiry, details: OutcomeDetails, *, actor: User | None, now: datetime.datetime) -> Outcome:
    outcome = Outcome.objects.filter(inquiry=inquiry).first() or Outcome(inquiry=inquiry)
    assert details.decided_on is not None  # outcome_errors requires it
    outcome.type, outcome.summary, outcome.decided_on = details.type, details.summary, details.decided_on
    outcome.referred_to, outcome.referred_to_detail = details.referred_to, details.referred_to_detail
    outcome.decline_reason, outcome.funding_nok = details.decline_reason, details.funding_nok
    outcome.follow_up_on, outcome.follow_up_reminded_on = details.follow_up_on, None
    outcome.partnership_ended_on = None
    outcome.recorded_by, outcome.recorded_at = actor, now
    outcome.save()
    outcome.partners_involved.set(details.partners_involved)
    outcome.sdg_targets.set(details.sdg_targets)
    return outcome


def _outcome_data(outcome: Outcome) -> dict[str, object]:
    """The outcome as the event keeps it (ids and codes, for the timeline and the reports)."""
    return {
        "outcome": outcome.type,
        "decided_on": outcome.decided_on.isoformat(),
        "referred_to": outcome.referred_to,
        "decline_reason": outcome.decline_reason,
        "funding_nok": outcome.funding_nok,
        "partners": sorted(organisation.pk for organisation in outcome.partners_involved.all()),
        "sdg_targets": sorted(target.pk for target in outcome.sdg_targets.all()),
        "follow_up_on": outcome.follow_up_on.isoformat() if outcome.follow_up_on else None,
        "note": outcome.summary,
    }


def end_open_assignment(inquiry: Inquiry, *, end: str, now: datetime.datetime, reason: str = "") -> None:
    """Close the inquiry's current stay with its unit (if any), so the time with the unit stops counting."""
    UnitAssignment.objects.filter(inquiry=inquiry, ended_at__isnull=True).update(
        ended_at=now, end=end, decline_reason=reason
    )


@transaction.atomic
def decide_inquiry(
    inquiry: Inquiry,
    *,
    outcome: OutcomeDetails,
    actor: User,
    message: str = "",
    hold_message_for_approval: bool = False,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Record the decision and its outcome; optionally tell the partner, now or once the secretariat approves.

    Raises InquiryStateError with the first missing detail if the outcome is incomplete for its type.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, {S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}, pgettext("inquiry action", "decided"))
    now = now or timezone.now()
    errors = outcome_errors(outcome, today=local_today(now))
    if errors:
        raise InquiryStateError(next(iter(errors.values()))[0])
    details = _clean(outcome)
    saved = _save_outcome(inquiry, details, actor=actor, now=now)
    before = inquiry.status
    inquiry.status, inquiry.decision_summary, inquiry.decided_at = S.DECIDED, details.summary, now
    fields = ["status", "decision_summary", "decided_at"]
    partner_message = None
    if message.strip():
        partner_message = InquiryMessage.objects.create(
            inquiry=inquiry,
            kind=InquiryMessage.Kind.TO_PARTNER,
            body=message.strip(),
            author=actor,
            is_decision=True,
            held_at=now if hold_message_for_approval else None,
        )
        if inquiry.first_replied_at is None:
            inquiry.first_replied_at = now
            fields.append("first_replied_at")
    end_open_assignment(inquiry, end=UnitAssignment.End.FINISHED, now=now)
    event = record(
        inquiry,
        InquiryEvent.Kind.DECIDED,
        actor=actor,
        fields=fields,
        before=before,
        after=S.DECIDED,
        message=partner_message.pk if partner_message else None,
        message_held=bool(partner_message and hold_message_for_approval),
        **_outcome_data(saved),
    )
    if partner_message is not None and not hold_message_for_approval:
        emails.queue_partner_message(partner_message, event=event)
    return inquiry


def record_withdrawal_outcome(inquiry: Inquiry, *, reason: str, actor: User | None, now: datetime.datetime) -> None:
    """A withdrawn inquiry's outcome is "withdrawn by the partner" (called inside withdraw_inquiry)."""
    details = OutcomeDetails(type=T.WITHDRAWN, decided_on=local_today(now), summary=reason.strip())
    _save_outcome(inquiry, details, actor=actor, now=now)
    end_open_assignment(inquiry, end=UnitAssignment.End.FINISHED, now=now)


@transaction.atomic
def approve_decision_message(message: InquiryMessage, *, actor: User, now: datetime.datetime | None = None) -> None:
    """The secretariat lets a held decision message go to the partner."""
    inquiry = lock(message.inquiry)
    message = InquiryMessage.objects.select_for_update().get(pk=message.pk)
    if message.held_at is None:
        raise InquiryStateError(_("This message is not waiting for approval."))
    now = now or timezone.now()
    message.held_at, message.approved_by, message.approved_at = None, actor, now
    message.save(update_fields=["held_at", "approved_by", "approved_at"])
    event = record(inquiry, InquiryEvent.Kind.MESSAGE_APPROVED, actor=actor, fields=[], message=message.pk)
    emails.queue_partner_message(message, event=event)


@transaction.atomic
def return_decision_message(
    message: InquiryMessage, *, comment: str, actor: User, now: datetime.datetime | None = None
) -> None:
    """The secretariat sends a held decision message back to the owner with a comment; it is never sent."""
    inquiry = lock(message.inquiry)
    message = InquiryMessage.objects.select_for_update().get(pk=message.pk)
    if message.held_at is None:
        raise InquiryStateError(_("This message is not waiting for approval."))
    if not comment.strip():
        raise InquiryStateError(_("Say what should change in the message."))
    message.held_at, message.returned_at = None, now or timezone.now()
    message.save(update_fields=["held_at", "returned_at"])
    record(
        inquiry, InquiryEvent.Kind.MESSAGE_RETURNED, actor=actor, fields=[], message=message.pk, note=comment.strip()
    )


@dataclass
class FollowUpDetails:
    collaboration_status: str
    results: str
    sdg_targets: Sequence[SdgTarget] = field(default_factory=list)
    u4ssc_areas: Sequence[str] = field(default_factory=list)
    next_follow_up_on: datetime.date | None = None


@transaction.atomic
def record_follow_up(
    inquiry: Inquiry, *, details: FollowUpDetails, actor: User, now: datetime.datetime | None = None
) -> FollowUp:
    """Record what has happened since the outcome; set (or clear) the next follow-up date.

    A completed or stopped collaboration ends the active partnership. Each follow-up is kept.
    """
    inquiry = lock(inquiry)
    require_status(inquiry, {S.DECIDED, S.CLOSED}, pgettext("inquiry action", "followed up"))
    outcome = Outcome.objects.select_for_update().filter(inquiry=inquiry).first()
    if outcome is None:
        raise InquiryStateError(_("Record the outcome before following it up."))
    now = now or timezone.now()
    today = local_today(now)
    if details.collaboration_status not in FollowUp.CollaborationStatus.values:
        raise InquiryStateError(_("Choose how the collaboration stands."))
    if not details.results.strip():
        raise InquiryStateError(_("Write what has happened since the outcome."))
    if any(area not in FollowUp.Area.values for area in details.u4ssc_areas):
        raise InquiryStateError(_("Choose U4SSC areas from the list."))
    if details.next_follow_up_on is not None and details.next_follow_up_on <= today:
        raise InquiryStateError(_("The next follow-up must be after today."))
    ending = details.collaboration_status in FollowUp.ENDING_STATUSES
    follow_up = FollowUp.objects.create(
        outcome=outcome,
        collaboration_status=details.collaboration_status,
        results=details.results.strip(),
        u4ssc_areas=sorted(set(details.u4ssc_areas)),
        next_follow_up_on=details.next_follow_up_on,
        recorded_by=actor,
        recorded_at=now,
    )
    follow_up.sdg_targets.set(details.sdg_targets)
    outcome.follow_up_on, outcome.follow_up_reminded_on = details.next_follow_up_on, None
    fields = ["follow_up_on", "follow_up_reminded_on"]
    if ending and outcome.is_partnership and outcome.partnership_ended_on is None:
        outcome.partnership_ended_on = today
        fields.append("partnership_ended_on")
    outcome.save(update_fields=fields)
    record(
        inquiry,
        InquiryEvent.Kind.FOLLOW_UP_RECORDED,
        actor=actor,
        fields=[],
        follow_up=follow_up.pk,
        collaboration_status=follow_up.collaboration_status,
        u4ssc_areas=follow_up.u4ssc_areas,
        sdg_targets=sorted(target.pk for target in details.sdg_targets),
        next_follow_up_on=details.next_follow_up_on.isoformat() if details.next_follow_up_on else None,
        note=follow_up.results,
    )
    return follow_up


@transaction.atomic
def remind_about_follow_up(outcome: Outcome, *, now: datetime.datetime | None = None) -> bool:
    """Remind whoever handles the inquiry, once per follow-up date, to record the effect. False if not due."""
    inquiry = lock(outcome.inquiry)
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    today = local_today(now)
    due = outcome.follow_up_on
    if due is None or due > today or outcome.follow_up_reminded_on == due:
        return False
    if inquiry.anonymised_at is not None:
        return False
    outcome.follow_up_reminded_on = due
    outcome.save(update_fields=["follow_up_reminded_on"])
    event = record(
        inquiry,
        InquiryEvent.Kind.FOLLOW_UP_REMINDED,
        actor=None,
        fields=[],
        follow_up_on=due.isoformat(),
        recipient=inquiry.owner_id,
    )
    emails.queue_follow_up_reminder(inquiry, event=event)
    return True
