"""Questions to the chief municipal executive ("decision needed"): asked and withdrawn by the secretariat, answered by
the executive. Each writes exactly one InquiryEvent; the e-mails go through the outbox.

At most one question per inquiry is open at a time (also a constraint of the table). The inquiry's row is locked
first, then the question's, in every function, so two people acting at once wait for each other.
"""

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partners.models import Role, User
from requests_app import emails
from requests_app.models import DecisionRequest, Inquiry, InquiryEvent
from requests_app.services.common import lock, record
from requests_app.services.errors import InquiryStateError

Answer = DecisionRequest.Answer
# Spam is not an inquiry, and a duplicate is decided through its original.
_NOT_ASKABLE = frozenset({Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE})
_NEEDS_TEXT = frozenset({Answer.COMMENT, Answer.DECLINE})

OPEN = Q(answered_at__isnull=True, withdrawn_at__isnull=True)


def active_executives() -> QuerySet[User]:
    """The people who answer the questions and get the weekly digest: active accounts in the executive's group."""
    return User.objects.filter(groups__name=Role.EXECUTIVE, is_active=True).distinct().order_by("email")


def _date(moment: datetime.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT") if moment else ""


@transaction.atomic
def request_decision(
    inquiry: Inquiry, *, reason: str, question: str, actor: User, now: datetime.datetime | None = None
) -> DecisionRequest:
    """Put a question about the inquiry to the chief municipal executive, who is e-mailed that a decision is needed.

    Refused for spam and duplicates, and while another question about the inquiry is open.
    """
    inquiry = lock(inquiry)
    if inquiry.status in _NOT_ASKABLE:
        raise InquiryStateError(
            _("An inquiry that is “%(status)s” cannot be put to the chief municipal executive.")
            % {"status": inquiry.get_status_display()}
        )
    waiting = DecisionRequest.objects.filter(OPEN, inquiry=inquiry).first()
    if waiting is not None:
        raise InquiryStateError(
            _(
                "A question about this inquiry has waited for the chief municipal executive since %(date)s. "
                "Withdraw it before you ask another."
            )
            % {"date": _date(waiting.requested_at)}
        )
    if reason not in DecisionRequest.Reason.values:
        raise InquiryStateError(_("Choose why the chief municipal executive must decide."))
    question = question.strip()
    if not question:
        raise InquiryStateError(_("Write the question to the chief municipal executive."))
    decision_request = DecisionRequest.objects.create(
        inquiry=inquiry, reason=reason, question=question, requested_by=actor, requested_at=now or timezone.now()
    )
    event = record(
        inquiry,
        InquiryEvent.Kind.DECISION_REQUESTED,
        actor=actor,
        fields=[],
        decision_request=decision_request.pk,
        reason=reason,
        question=question,
    )
    emails.queue_decision_requested(decision_request, executives=active_executives(), event=event)
    return decision_request


def _lock_open(decision_request: DecisionRequest) -> tuple[Inquiry, DecisionRequest]:
    """Lock the inquiry, then the question, and refuse a question that is no longer open."""
    inquiry = lock(Inquiry(pk=decision_request.inquiry_id))
    locked = DecisionRequest.objects.select_for_update().get(pk=decision_request.pk)
    if locked.answered_at is not None:
        raise InquiryStateError(
            _("This question was already answered on %(date)s (%(answer)s); the answer stands and nothing was saved.")
            % {"date": _date(locked.answered_at), "answer": locked.get_answer_display().lower()}
        )
    if locked.withdrawn_at is not None:
        raise InquiryStateError(
            _("The secretariat withdrew this question on %(date)s; it needs no answer and nothing was saved.")
            % {"date": _date(locked.withdrawn_at)}
        )
    return inquiry, locked


@transaction.atomic
def answer_decision_request(
    decision_request: DecisionRequest,
    *,
    answer: str,
    text: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> DecisionRequest:
    """The chief municipal executive approves, comments or declines (the last two with words). The inquiry's owner
    (else its unit, else the secretariat) and whoever asked are e-mailed the answer.

    Only an executive may answer, and only a question still open: answered or withdrawn ones are refused.
    """
    if not (actor.is_active and actor.is_executive):
        raise InquiryStateError(_("Only the chief municipal executive answers these questions."))
    inquiry, decision_request = _lock_open(decision_request)
    if answer not in Answer.values:
        raise InquiryStateError(_("Choose approve, comment or decline."))
    text = text.strip()
    if answer in _NEEDS_TEXT and not text:
        raise InquiryStateError(_("Write your comment, or why you decline."))
    decision_request.answer, decision_request.answer_text = answer, text
    decision_request.answered_by, decision_request.answered_at = actor, now or timezone.now()
    decision_request.save(update_fields=["answer", "answer_text", "answered_by", "answered_at"])
    event = record(
        inquiry,
        InquiryEvent.Kind.DECISION_ANSWERED,
        actor=actor,
        fields=[],
        decision_request=decision_request.pk,
        answer=answer,
        text=text,
    )
    emails.queue_decision_answered(decision_request, inquiry=inquiry, event=event)
    return decision_request


@transaction.atomic
def withdraw_decision_request(
    inquiry: Inquiry, *, actor: User, now: datetime.datetime | None = None
) -> DecisionRequest:
    """The secretariat takes back the inquiry's open question (it was settled otherwise, or asked by mistake)."""
    waiting = DecisionRequest.objects.filter(OPEN, inquiry=inquiry).first()
    if waiting is None:
        raise InquiryStateError(_("No question about this inquiry is waiting for the chief municipal executive."))
    inquiry, decision_request = _lock_open(waiting)
    decision_request.withdrawn_at = now or timezone.now()
    decision_request.save(update_fields=["withdrawn_at"])
    record(
        inquiry,
        InquiryEvent.Kind.DECISION_REQUEST_WITHDRAWN,
        actor=actor,
        fields=[],
        decision_request=decision_request.pk,
        reason=decision_request.reason,
        question=decision_request.question,
    )
    return decision_request
