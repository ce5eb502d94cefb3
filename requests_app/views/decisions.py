"""Decisions needed: the chief municipal executive's queue of questions from the secretariat, and the answer to one.

Executives answer here (or on the inquiry's page); the secretariat and administrators see the same queue without the
answer forms, and may withdraw a question. Unit members and partners are refused.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app.decision_forms import AnswerDecisionForm
from requests_app.decision_selectors import open_decision_requests, recently_answered_decision_requests
from requests_app.models import DecisionRequest
from requests_app.permissions import Action
from requests_app.services.decisions import answer_decision_request
from requests_app.services.errors import InquiryStateError
from requests_app.views.inquiry import render_with_answer_form


def _answer_prefix(pk: int) -> str:
    return f"answer-{pk}"


def _render_queue(
    request: AuthenticatedRequest, *, bound: dict[int, AnswerDecisionForm] | None = None, status: int = 200
) -> HttpResponse:
    """The open questions, oldest first, each with its answer form for an executive, and the latest answered ones.
    Two queries for the lists, whatever their length."""
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    waiting = [
        {
            "question": question,
            "days_waiting": (today - timezone.localtime(question.requested_at).date()).days,
            "form": (bound.get(question.pk) or AnswerDecisionForm(prefix=_answer_prefix(question.pk)))
            if user.is_executive
            else None,
        }
        for question in open_decision_requests()
    ]
    context = {
        "waiting": waiting,
        "answered": list(recently_answered_decision_requests()),
        "may_answer": user.is_executive,
        "may_withdraw": user.is_active and (user.is_secretariat or user.is_portal_admin),
        "withdraw_action": Action.WITHDRAW_QUESTION.value,
        "has_errors": any(form.errors for form in bound.values()),
    }
    return render(request, "requests_app/decision_request_list.html", context, status=status)


@staff_required
@never_cache
def decision_request_list(request: AuthenticatedRequest) -> HttpResponse:
    """The queue: for those who see every inquiry (executives answer; the secretariat and administrators read)."""
    if not request.user.sees_all_inquiries:
        raise PermissionDenied
    return _render_queue(request)


@staff_required
@require_POST
def decision_request_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An executive answers one question: approve, comment or decline. An invalid answer comes back with its errors
    and what was typed; a question answered or withdrawn meanwhile is refused with a message, changing nothing."""
    if not request.user.is_executive:
        raise PermissionDenied
    question = get_object_or_404(DecisionRequest.objects.select_related("inquiry"), pk=pk)
    from_inquiry = request.POST.get("from") == "inquiry"
    form = AnswerDecisionForm(request.POST, prefix=_answer_prefix(question.pk))
    if not form.is_valid():
        if from_inquiry:
            return render_with_answer_form(request, question.inquiry_id, form)
        return _render_queue(request, bound={question.pk: form}, status=400)
    try:
        answer_decision_request(
            question, answer=form.cleaned_data["answer"], text=form.cleaned_data["text"], actor=request.user
        )
    except InquiryStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your answer on %(reference)s is recorded in its timeline, and the owner is told by e-mail.")
            % {"reference": question.inquiry.reference},
        )
    if from_inquiry:
        return redirect(question.inquiry)
    return redirect("requests_app:decision-request-list")
