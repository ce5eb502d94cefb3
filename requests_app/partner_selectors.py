"""Reads for the partner's own pages (a status link, My inquiries): an inquiry as its partner may see it.

What the partner sees is the inquiry's own facts, its status and outcome in plain words, and the conversation with
the centre: messages to and from the partner only. Internal notes never; a decision message held for the
secretariat's approval or sent back by it never (it was not sent), and while one is held the decision itself is
not shown either, so the page never tells the partner more than the centre has.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.models import Inquiry, InquiryMessage, Outcome
from requests_app.selectors import inquiries_of_partner, messages_with_attachments

S = Inquiry.Status
T = Outcome.Type
# What the partner may still do, by status: the same sets the services check (conversation, withdraw_inquiry).
REPLY_STATUSES = frozenset({*Inquiry.OPEN_STATUSES, S.DECIDED})
WITHDRAW_STATUSES = frozenset(Inquiry.OPEN_STATUSES)


def _held_decision() -> Exists:
    return Exists(InquiryMessage.objects.filter(inquiry=OuterRef("pk"), held_at__isnull=False))


def partner_visible_messages(inquiry_ids: Collection[int]) -> QuerySet[InquiryMessage]:
    """The messages between the centre and the partners of these inquiries: no notes, nothing held or sent back,
    no text removed by the retention rules. Each belongs, for the partner, to `moved_from_id or inquiry_id`: a
    message moved to an original from its duplicate stays on the duplicate's page (it was written for that inquiry,
    possibly to someone else), and is not shown on the original's."""
    ids = list(inquiry_ids)
    return InquiryMessage.objects.filter(
        Q(inquiry_id__in=ids, moved_from__isnull=True) | Q(moved_from_id__in=ids),
        kind__in=[InquiryMessage.Kind.TO_PARTNER, InquiryMessage.Kind.FROM_PARTNER],
        held_at__isnull=True,
        returned_at__isnull=True,
    ).exclude(body="")


def partner_conversation(inquiry: Inquiry) -> QuerySet[InquiryMessage]:
    """One inquiry's messages as its partner sees them (partner_visible_messages), oldest first."""
    return partner_visible_messages([inquiry.pk]).order_by("created_at", "pk")


@dataclass(frozen=True)
class PartnerStatus:
    """Where the inquiry stands, in words for the partner, and the dates they can expect (or that the clock is
    paused for them)."""

    text: str
    first_reply_due_on: datetime.date | None
    decision_due_on: datetime.date | None
    is_paused: bool


def _status_text(inquiry: Inquiry, *, decision_held: bool) -> str:
    if inquiry.status == S.DECIDED and decision_held:
        return _("The responsible unit is looking at it")
    texts = {
        S.RECEIVED: _("We have received your inquiry"),
        S.IN_TRIAGE: _("We are looking at who should handle it"),
        S.ROUTED: _("The responsible unit is looking at it"),
        S.IN_PROGRESS: _("The responsible unit is looking at it"),
        S.AWAITING_PARTNER: _("We need more information from you"),
        S.DECIDED: _("We have decided"),
        S.CLOSED: _("Closed"),
        S.WITHDRAWN: _("Withdrawn"),
        S.DUPLICATE: _("Handled together with another inquiry"),
        S.SPAM: _("Closed"),
    }
    return str(texts[S(inquiry.status)])


def partner_status(inquiry: Inquiry, *, decision_held: bool) -> PartnerStatus:
    """The inquiry's status for the partner. A decision whose message awaits the secretariat's approval is not told
    yet: the inquiry still reads as being looked at, with its decision date."""
    running = (inquiry.is_open and not inquiry.is_waiting_for_partner) or (
        inquiry.status == S.DECIDED and decision_held
    )
    return PartnerStatus(
        text=_status_text(inquiry, decision_held=decision_held),
        first_reply_due_on=inquiry.first_reply_due_on if running and inquiry.first_replied_at is None else None,
        decision_due_on=inquiry.decision_due_on if running else None,
        is_paused=inquiry.is_waiting_for_partner,
    )


def partner_outcome(outcome: Outcome) -> str:
    """What came of the inquiry, in words for the partner (the summary is shown next to it)."""
    if outcome.type == T.REFERRED:
        body = outcome.get_referred_to_display()
        if outcome.referred_to_detail:
            body = f"{body}: {outcome.referred_to_detail}"
        return _("We have passed your inquiry on to %(body)s.") % {"body": body}
    if outcome.type == T.DECLINED and outcome.decline_reason:
        reason = outcome.get_decline_reason_display()
        return _("We cannot take your inquiry further: %(reason)s.") % {"reason": reason[:1].lower() + reason[1:]}
    texts = {
        T.AGREEMENT: _("We have signed an agreement or memorandum of understanding with you."),
        T.JOINT_PROJECT: _("We are starting a joint project with you."),
        T.PILOT: _("We have agreed on a pilot or test bed with you."),
        T.KNOWLEDGE_SHARED: _("We have shared knowledge with you or met you."),
        T.DECLINED: _("We cannot take your inquiry further."),
        T.NOT_OUR_REMIT: _("Your inquiry is outside what the centre works on."),
        T.WITHDRAWN: _("You withdrew the inquiry."),
        T.NO_REPLY: _("We closed the inquiry because we did not hear from you."),
    }
    return str(texts.get(T(outcome.type), outcome.get_type_display()))


@dataclass(frozen=True)
class PartnerInquiry:
    """One inquiry as its partner sees it; the template shows what is set."""

    inquiry: Inquiry
    status: PartnerStatus
    messages: list[InquiryMessage]
    outcome: Outcome | None
    outcome_text: str
    may_reply: bool
    may_withdraw: bool


def visible_outcome(inquiry: Inquiry, *, decision_held: bool) -> Outcome | None:
    """The outcome once the partner may see it: decided or closed, and no decision message held for approval."""
    if inquiry.status not in {S.DECIDED, S.CLOSED} or decision_held:
        return None
    try:
        return inquiry.outcome
    except Outcome.DoesNotExist:
        return None


def partner_inquiry(inquiry: Inquiry) -> PartnerInquiry:
    """The partner's view of an inquiry loaded with its organisation and outcome (`partner_inquiries`, or a status
    link's inquiry): one query for the conversation, one more for whether a decision message is held (unless the
    inquiry is annotated with `decision_held`), one for the outcome when not loaded."""
    decision_held = getattr(inquiry, "decision_held", None)
    if decision_held is None:
        decided = inquiry.status in {S.DECIDED, S.CLOSED}
        decision_held = decided and inquiry.messages.filter(held_at__isnull=False).exists()
    outcome = visible_outcome(inquiry, decision_held=decision_held)
    return PartnerInquiry(
        inquiry=inquiry,
        status=partner_status(inquiry, decision_held=decision_held),
        messages=messages_with_attachments(partner_conversation(inquiry)),
        outcome=outcome,
        outcome_text=partner_outcome(outcome) if outcome is not None else "",
        may_reply=inquiry.status in REPLY_STATUSES,
        may_withdraw=inquiry.status in WITHDRAW_STATUSES,
    )


def partner_inquiries(user: User) -> QuerySet[Inquiry]:
    """The inquiries of a partner's account (selectors.inquiries_of_partner), newest first, with what their list and
    pages show: the organisation, the outcome and whether a decision message is held, in one query."""
    return (
        inquiries_of_partner(user)
        .select_related("organisation", "outcome")
        .annotate(decision_held=_held_decision())
        .order_by("-received_at", "-pk")
    )


@dataclass(frozen=True)
class PartnerListRow:
    inquiry: Inquiry
    status: PartnerStatus


def partner_inquiry_rows(
    user: User, *, speaking_for: int | None = None, member_of: Collection[int] = ()
) -> list[PartnerListRow]:
    """My inquiries: the partner's inquiries with their status in plain words (two queries).

    Speaking for one of its organisations, the list shows that organisation's inquiries and the account's own of
    organisations it is not a member of, not those of its other organisations.
    """
    inquiries = partner_inquiries(user)
    if speaking_for is not None:
        inquiries = inquiries.filter(Q(organisation_id=speaking_for) | ~Q(organisation_id__in=list(member_of)))
    return [
        PartnerListRow(inquiry, partner_status(inquiry, decision_held=inquiry.decision_held))  # type: ignore[attr-defined]
        for inquiry in inquiries
    ]
