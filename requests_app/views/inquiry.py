"""The staff's inquiry page and its actions: each action is a POST that calls one service."""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    StringAgg,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from partners.models import User
from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import selectors
from requests_app.decision_forms import AnswerDecisionForm, AskExecutiveForm, HighlightForm, RemoveHighlightForm
from requests_app.decision_selectors import highlights_of, questions_of, read_questions_and_highlights
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.forms import (
    AcceptForm,
    AssignForm,
    CollaboratorsForm,
    ConversationForm,
    DuplicateForm,
    InquiryDetailsForm,
    OptionalReasonForm,
    PartnerMessageForm,
    PartnerReplyForm,
    ReasonForm,
    RetentionHoldForm,
    RouteForm,
)
from requests_app.models import (
    AccessLogEntry,
    DecisionRequest,
    FollowUp,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    Outcome,
    ReplyTemplate,
    SdgGoal,
    SdgTarget,
    StatusLink,
    UnitAssignment,
)
from requests_app.outcome_forms import DecideForm, FollowUpForm, ReturnMessageForm, outcome_details
from requests_app.permissions import Action, available_actions, role_allows
from requests_app.selectors import TimelineEntry
from requests_app.services import (
    audit,
    conversation,
    decisions,
    duplicates,
    editing,
    highlights,
    lifecycle,
    outcomes,
    retention,
    status_links,
)
from requests_app.services.errors import InquiryStateError, StaleInquiryError
from requests_app.timeline_rendering import render_timeline

# Stands for "a working status link that was never opened" in the query that loads the inquiry.
_NEVER_OPENED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _visible_inquiry(request: AuthenticatedRequest, pk: int, *, for_page: bool = False) -> Inquiry:
    """The inquiry with what its page and the permissions need, or 404 when the user may not see it. For the page
    itself (`for_page`), whether a message is held for approval is left to _render_page, which reads it from the
    timeline's messages instead of a subquery of its own."""
    visible = selectors.inquiries_visible_to(request.user)
    # How many other inquiries of the organisation this user may see, counted in the query that loads the inquiry.
    others: Any
    if request.user.sees_all_inquiries:
        # All of them: written in SQL, since the same subquery through the ORM cost 0.7 ms to build on every view.
        table = connection.ops.quote_name(Inquiry._meta.db_table)
        key, organisation = selectors.quoted_columns(Inquiry, "id", "organisation").values()
        counted = (
            f"(SELECT COUNT(*) FROM {table} o WHERE o.{organisation} = {table}.{organisation}"  # noqa: S608 -- names only
            f" AND o.{key} <> {table}.{key})"
        )
        others = RawSQL(counted, ())  # noqa: S611 -- no value from outside
    else:
        others = Coalesce(
            Subquery(
                visible.filter(organisation=OuterRef("organisation"))
                .exclude(pk=OuterRef("pk"))
                .order_by()
                .values("organisation")
                .annotate(count=Count("pk"))
                .values("count")
            ),
            0,
        )
    # The partner's working status links in one subquery: none (NULL), never opened (_NEVER_OPENED), or when last.
    links_seen = (
        StatusLink.objects.filter(inquiry=OuterRef("pk"), revoked_at__isnull=True)
        .order_by()
        .values("inquiry")
        .annotate(seen=Max(Coalesce("last_used_at", Value(_NEVER_OPENED))))
        .values("seen")
    )
    if not for_page:
        visible = visible.annotate(
            has_held_message=Exists(InquiryMessage.objects.filter(inquiry=OuterRef("pk"), held_at__isnull=False))
        )
    inquiry = get_object_or_404(
        visible.select_related(
            "organisation", "contact", "unit", "owner", "suggested_unit", "returned_by_unit", "outcome"
        ).annotate(
            # Of the original, only its reference is shown: a whole second inquiry row cost more than all the rest.
            duplicate_of_reference=F("duplicate_of__reference"),
            other_inquiries_count=others,
            status_links_seen=Subquery(links_seen, output_field=DateTimeField()),
        ),
        pk=pk,
    )
    seen = inquiry.status_links_seen  # type: ignore[attr-defined]
    inquiry.has_working_status_link = seen is not None  # type: ignore[attr-defined]
    inquiry.status_link_last_opened_at = seen if seen is not None and seen > _NEVER_OPENED else None  # type: ignore[attr-defined]
    return inquiry


@dataclass(frozen=True)
class _Related:
    """What the page shows of the inquiry's many-valued relations, one plain query each (through prefetch_related
    the same four rows cost twice the time)."""

    goals: list[SdgGoal]
    targets: list[SdgTarget]
    collaborators: list[User]
    assignments: list[UnitAssignment]


def _related(inquiry: Inquiry) -> _Related:
    return _Related(
        goals=list(SdgGoal.objects.filter(inquiries=inquiry.pk).order_by("number")),
        targets=list(SdgTarget.objects.filter(inquiries=inquiry.pk).order_by("goal_id", "position")),
        collaborators=list(User.objects.filter(collaborating_inquiries=inquiry.pk)),
        assignments=list(selectors.assignments_of(inquiry)),
    )


@dataclass(frozen=True)
class ActionSpec:
    """An action on the inquiry page: its form, the service call, and what to say when it worked."""

    form: type[forms.Form]
    run: Callable[[Inquiry, dict[str, Any], AuthenticatedRequest], object]
    done: Any  # a lazy translated message, formatted with the inquiry's reference


def _template_text(inquiry: Inquiry, name_nb: str, name_en: str, request: AuthenticatedRequest) -> dict[str, str]:
    """Initial subject and text from the reply template for the partner's language, if the admin keeps one."""
    name = name_en if inquiry.language == "en" else name_nb
    template = ReplyTemplate.objects.filter(name=name, language=inquiry.language, is_active=True).first()
    if template is None:
        return {}
    subject, body = conversation.fill_reply_template(template, inquiry, staff=request.user)
    return {"subject": subject, "body": body}


def _write(inquiry: Inquiry, data: dict[str, Any], request: AuthenticatedRequest) -> object:
    if data["kind"] == ConversationForm.MESSAGE:
        return conversation.send_message(
            inquiry, body=data["body"], subject=data["subject"], attachments=data["attachments"], actor=request.user
        )
    return conversation.add_note(inquiry, body=data["body"], attachments=data["attachments"], actor=request.user)


ACTIONS: dict[Action, ActionSpec] = {
    Action.TRIAGE: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: lifecycle.start_triage(inquiry, actor=request.user),
        gettext_lazy("%(reference)s is in triage."),
    ),
    Action.ROUTE: ActionSpec(
        RouteForm,
        lambda inquiry, data, request: lifecycle.route_inquiry(
            inquiry, unit=data["unit"], note=data["note"], actor=request.user
        ),
        gettext_lazy("%(reference)s is routed to the unit."),
    ),
    Action.ACCEPT: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: lifecycle.accept_inquiry(inquiry, actor=request.user),
        gettext_lazy("You have accepted %(reference)s."),
    ),
    Action.DECLINE: ActionSpec(
        ReasonForm,
        lambda inquiry, data, request: lifecycle.decline_referral(inquiry, reason=data["reason"], actor=request.user),
        gettext_lazy("%(reference)s is declined and back with the secretariat."),
    ),
    Action.REQUEST_INFORMATION: ActionSpec(
        PartnerMessageForm,
        lambda inquiry, data, request: conversation.request_information(
            inquiry, body=data["body"], subject=data["subject"], attachments=data["attachments"], actor=request.user
        ),
        gettext_lazy("The partner has been asked for more information; %(reference)s waits for the answer."),
    ),
    Action.PARTNER_REPLY: ActionSpec(
        PartnerReplyForm,
        lambda inquiry, data, request: conversation.record_partner_reply(
            inquiry, body=data["body"], attachments=data["attachments"], actor=request.user
        ),
        gettext_lazy("The partner's reply is added to %(reference)s."),
    ),
    Action.DECIDE: ActionSpec(
        DecideForm,
        lambda inquiry, data, request: outcomes.decide_inquiry(
            inquiry,
            outcome=outcome_details(data),
            message=data["message"],
            hold_message_for_approval=data["hold_for_approval"],
            actor=request.user,
        ),
        gettext_lazy("The decision on %(reference)s and its outcome are recorded."),
    ),
    Action.APPROVE_MESSAGE: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: outcomes.approve_decision_message(_held_message(inquiry), actor=request.user),
        gettext_lazy("The decision message on %(reference)s is approved and sent to the partner."),
    ),
    Action.RETURN_MESSAGE: ActionSpec(
        ReturnMessageForm,
        lambda inquiry, data, request: outcomes.return_decision_message(
            _held_message(inquiry), comment=data["comment"], actor=request.user
        ),
        gettext_lazy("The decision message on %(reference)s is sent back to the owner; it was not sent."),
    ),
    Action.FOLLOW_UP: ActionSpec(
        FollowUpForm,
        lambda inquiry, data, request: outcomes.record_follow_up(
            inquiry,
            details=outcomes.FollowUpDetails(
                collaboration_status=data["collaboration_status"],
                results=data["results"],
                sdg_targets=data["sdg_targets"],
                u4ssc_areas=data["u4ssc_areas"],
                next_follow_up_on=data["next_follow_up_on"],
            ),
            actor=request.user,
        ),
        gettext_lazy("The follow-up of %(reference)s is recorded."),
    ),
    Action.CLOSE: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: lifecycle.close_inquiry(inquiry, actor=request.user),
        gettext_lazy("%(reference)s is closed."),
    ),
    Action.WITHDRAW: ActionSpec(
        OptionalReasonForm,
        lambda inquiry, data, request: lifecycle.withdraw_inquiry(inquiry, reason=data["reason"], actor=request.user),
        gettext_lazy("%(reference)s is recorded as withdrawn."),
    ),
    Action.SPAM: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: lifecycle.mark_spam(inquiry, actor=request.user),
        gettext_lazy("%(reference)s is rejected as spam."),
    ),
    Action.DUPLICATE: ActionSpec(
        DuplicateForm,
        lambda inquiry, data, request: duplicates.mark_duplicate(
            inquiry, original=data["original"], tell_partner=data["tell_partner"], actor=request.user
        ),
        gettext_lazy("%(reference)s is marked as a duplicate."),
    ),
    Action.REOPEN: ActionSpec(
        ReasonForm,
        lambda inquiry, data, request: lifecycle.reopen_inquiry(inquiry, reason=data["reason"], actor=request.user),
        gettext_lazy("%(reference)s is reopened."),
    ),
    Action.EDIT: ActionSpec(
        InquiryDetailsForm,
        lambda inquiry, data, request: editing.update_inquiry_details(
            inquiry,
            expected_version=data["version"],
            inquiry_type=data["inquiry_type"],
            priority=data["priority"],
            sdg_goals=data["sdg_goals"],
            sdg_targets=data["sdg_targets"],
            actor=request.user,
        ),
        gettext_lazy("The changes to %(reference)s are saved."),
    ),
    Action.ASSIGN: ActionSpec(
        AssignForm,
        lambda inquiry, data, request: editing.assign_owner(inquiry, owner=data["owner"], actor=request.user),
        gettext_lazy("The owner of %(reference)s is changed."),
    ),
    Action.ASSIGN_TO_ME: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: editing.assign_owner(inquiry, owner=request.user, actor=request.user),
        gettext_lazy("You own %(reference)s now."),
    ),
    Action.COLLABORATORS: ActionSpec(
        CollaboratorsForm,
        lambda inquiry, data, request: editing.set_collaborators(
            inquiry, collaborators=data["collaborators"], actor=request.user
        ),
        gettext_lazy("The collaborators on %(reference)s are saved."),
    ),
    Action.WRITE: ActionSpec(ConversationForm, _write, gettext_lazy("Saved in %(reference)s.")),
    Action.INTERIM_REPLY: ActionSpec(
        PartnerMessageForm,
        lambda inquiry, data, request: conversation.send_interim_reply(
            inquiry, body=data["body"], subject=data["subject"], attachments=data["attachments"], actor=request.user
        ),
        gettext_lazy("The interim reply for %(reference)s is sent."),
    ),
    Action.RETENTION_HOLD: ActionSpec(
        RetentionHoldForm,
        lambda inquiry, data, request: retention.put_on_retention_hold(
            inquiry, reason=data["reason"], actor=request.user
        ),
        gettext_lazy("%(reference)s is on retention hold: its personal data is kept until the hold is lifted."),
    ),
    Action.LIFT_RETENTION_HOLD: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: retention.lift_retention_hold(inquiry, actor=request.user),
        gettext_lazy("The retention hold on %(reference)s is lifted; the retention rules apply again."),
    ),
    Action.REVOKE_STATUS_LINKS: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: status_links.revoke_status_links(inquiry, actor=request.user),
        gettext_lazy("The status links of %(reference)s are revoked: they no longer open the inquiry."),
    ),
    Action.SEND_STATUS_LINK: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: status_links.send_status_link_to_contact(inquiry, actor=request.user),
        gettext_lazy("A new status link for %(reference)s is e-mailed to the contact."),
    ),
    Action.ASK_EXECUTIVE: ActionSpec(
        AskExecutiveForm,
        lambda inquiry, data, request: decisions.request_decision(
            inquiry, reason=data["reason"], question=data["question"], actor=request.user
        ),
        gettext_lazy("Your question on %(reference)s is with the chief municipal executive, who is told by e-mail."),
    ),
    Action.WITHDRAW_QUESTION: ActionSpec(
        AcceptForm,
        lambda inquiry, data, request: decisions.withdraw_decision_request(inquiry, actor=request.user),
        gettext_lazy("The question to the chief municipal executive on %(reference)s is withdrawn."),
    ),
    Action.HIGHLIGHT: ActionSpec(
        HighlightForm,
        lambda inquiry, data, request: highlights.set_report_highlight(
            inquiry, year=data["year"], text=data["text"], actor=request.user
        ),
        gettext_lazy("%(reference)s is a highlight of the UNECE report."),
    ),
    Action.REMOVE_HIGHLIGHT: ActionSpec(
        RemoveHighlightForm,
        lambda inquiry, data, request: highlights.remove_report_highlight(
            inquiry, year=data["year"], actor=request.user
        ),
        gettext_lazy("The highlight of %(reference)s is removed from the UNECE report."),
    ),
}
# Shown in their own panels of the page (the executive's questions, the UNECE report), not in the list of actions.
_PANEL_ACTIONS = frozenset({Action.ASK_EXECUTIVE, Action.WITHDRAW_QUESTION, Action.HIGHLIGHT, Action.REMOVE_HIGHLIGHT})


def _outcome_of(inquiry: Inquiry) -> Outcome | None:
    """The outcome with what the page shows of it (three or four queries, only when there is one)."""
    try:
        outcome = inquiry.outcome
    except Outcome.DoesNotExist:
        return None
    prefetch_related_objects(
        [outcome],
        Prefetch("sdg_targets", queryset=SdgTarget.objects.order_by("goal_id", "position")),
        "partners_involved",
        # The targets each follow-up moved, as one string per row: no query per follow-up, nor one more for all.
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.select_related("recorded_by").annotate(
                target_codes=StringAgg("sdg_targets__code", Value(", "))
            ),
        ),
    )
    return outcome


def _held_message(inquiry: Inquiry) -> InquiryMessage:
    message = inquiry.messages.filter(held_at__isnull=False).order_by("-pk").first()
    if message is None:
        raise InquiryStateError(_("No decision message is waiting for approval."))
    return message


def _form_kwargs(action: Action, inquiry: Inquiry, request: AuthenticatedRequest) -> dict[str, Any]:
    if action == Action.DECIDE:
        return {"organisations": selectors.organisations_for_outcome(inquiry)}
    if action in {Action.ASSIGN, Action.COLLABORATORS}:
        return {"staff": selectors.assignable_staff(inquiry)}
    if action == Action.DUPLICATE:
        return {"visible": selectors.inquiries_visible_to(request.user)}
    return {}


def _initial(action: Action, inquiry: Inquiry, request: AuthenticatedRequest, related: _Related) -> dict[str, Any]:
    if action == Action.EDIT:
        return {
            "version": inquiry.version,
            "inquiry_type": inquiry.inquiry_type,
            "priority": inquiry.priority,
            "sdg_goals": [str(goal.pk) for goal in related.goals],
            "sdg_targets": [target.pk for target in related.targets],
        }
    if action == Action.ROUTE:
        return {"unit": inquiry.unit_id or inquiry.suggested_unit_id}
    if action == Action.ASSIGN:
        return {"owner": inquiry.owner_id}
    if action == Action.COLLABORATORS:
        return {"collaborators": [person.pk for person in related.collaborators]}
    if action == Action.REQUEST_INFORMATION:
        return _template_text(inquiry, "Be om mer informasjon", "Ask for more information", request)
    if action == Action.INTERIM_REPLY:
        return _template_text(inquiry, "Foreløpig svar", "Interim reply", request)
    if action == Action.WRITE:
        return {"kind": ConversationForm.NOTE}
    if action == Action.DECIDE:
        return {
            "decided_on": timezone.localdate(),
            "partners_involved": [inquiry.organisation_id],
            "sdg_targets": [target.pk for target in related.targets],
        }
    if action == Action.FOLLOW_UP:
        outcome = inquiry.outcome
        return {"sdg_targets": [target.pk for target in outcome.sdg_targets.all()]}
    return {}


def _write_initial(
    request: AuthenticatedRequest, inquiry: Inquiry, reply_templates: list[ReplyTemplate]
) -> dict[str, Any]:
    """The write form starts as an internal note, or as a message from the reply template chosen (?template=…)."""
    chosen = next((item for item in reply_templates if str(item.pk) == request.GET.get("template")), None)
    if chosen is None:
        return {"kind": ConversationForm.NOTE}
    subject, body = conversation.fill_reply_template(chosen, inquiry, staff=request.user)
    return {"kind": ConversationForm.MESSAGE, "subject": subject, "body": body}


def _choice_label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _with_summary_details(timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """The questions to the executive and the report highlights in words: the reason, the answer, the year. (Their
    texts are shown from the event's data by the template.)"""
    kind = InquiryEvent.Kind
    described = []
    for entry in timeline:
        event, detail = entry.event, None
        data = (event.data or {}) if event is not None else {}
        if event is None:
            pass
        elif event.kind in {kind.DECISION_REQUESTED, kind.DECISION_REQUEST_WITHDRAWN}:
            detail = _choice_label(DecisionRequest.Reason, data.get("reason"))
        elif event.kind == kind.DECISION_ANSWERED:
            detail = _choice_label(DecisionRequest.Answer, data.get("answer"))
        elif event.kind in {kind.HIGHLIGHT_SET, kind.HIGHLIGHT_REMOVED}:
            detail = _("the report for %(year)s") % {"year": data.get("year", "?")}
        described.append(entry if detail is None else dataclasses.replace(entry, detail=detail))
    return described


def _summary_panels(
    request: AuthenticatedRequest,
    inquiry: Inquiry,
    actions: frozenset[Action],
    bound: dict[Action, forms.Form],
    answer_form: AnswerDecisionForm | None,
) -> dict[str, Any]:
    """The questions to the chief municipal executive and, for those who see every inquiry, the UNECE report's
    highlights (both read in the query that loaded the inquiry), with the forms this user may use on them. Forms that
    need input are built only when opened (?action=…) or posted back."""
    opened = request.GET.get("action", "")

    def form_of(action: Action, **kwargs: Any) -> forms.Form | None:
        if action in bound:
            return bound[action]
        if action.value == opened or not ACTIONS[action].form.base_fields:
            return ACTIONS[action].form(prefix=action.value, **kwargs)
        return None

    asked = questions_of(inquiry)
    waiting = next((question for question in asked if question.is_open), None)
    # The executive answers the waiting question; a form posted back for another question is not its form.
    if waiting is not None and request.user.is_executive:
        prefix = f"answer-{waiting.pk}"
        if answer_form is None or answer_form.prefix != prefix:
            answer_form = AnswerDecisionForm(prefix=prefix)
    may_ask = Action.ASK_EXECUTIVE in actions and (waiting is None or Action.ASK_EXECUTIVE in bound)
    panels: dict[str, Any] = {
        "decision_requests": [question for question in asked if not question.is_open],
        "open_decision_request": waiting,
        "days_waiting": (timezone.localdate() - timezone.localtime(waiting.requested_at).date()).days if waiting else 0,
        "answer_form": answer_form if waiting is not None else None,
        "may_ask_executive": may_ask,
        "ask_form": form_of(Action.ASK_EXECUTIVE) if may_ask else None,
        "withdraw_question_form": form_of(Action.WITHDRAW_QUESTION)
        if waiting is not None and Action.WITHDRAW_QUESTION in actions
        else None,
        "shows_highlights": request.user.sees_all_inquiries,
        "highlights": [],
    }
    if not request.user.sees_all_inquiries:
        return panels
    marked = highlights_of(inquiry)
    this_year = next((item for item in marked if item.year == timezone.localdate().year), None)
    panels.update(
        {
            "highlights": marked,
            "may_highlight": Action.HIGHLIGHT in actions,
            "highlight_form": form_of(Action.HIGHLIGHT, initial={"text": this_year.text} if this_year else None)
            if Action.HIGHLIGHT in actions
            else None,
            "may_remove_highlight": Action.REMOVE_HIGHLIGHT in actions,
            "remove_highlight_errors": bound[Action.REMOVE_HIGHLIGHT].errors
            if Action.REMOVE_HIGHLIGHT in bound
            else {},
        }
    )
    return panels


def _render_page(
    request: AuthenticatedRequest,
    inquiry: Inquiry,
    *,
    bound: dict[Action, forms.Form] | None = None,
    stale: StaleInquiryError | None = None,
    status: int = 200,
    template: str = "requests_app/inquiry_page.html",
    saved_in_place: str = "",
    unsaved_text: list[str] | None = None,
    answer_form: AnswerDecisionForm | None = None,
) -> HttpResponse:
    """The page. Forms that need input are built only for the action the user opened (?action=…) or posted, so
    the page does not query for every form's choices; the others are links that open them, also without JS."""
    related = _related(inquiry)
    today = timezone.localdate()
    unit_chain = selectors.unit_chain(inquiry, today=today, assignments=related.assignments)
    timeline = _with_summary_details(selectors.inquiry_timeline(inquiry, unit_names=unit_chain.unit_names))
    read_questions_and_highlights(inquiry, {entry.event.kind for entry in timeline if entry.event})
    inquiry.has_held_message = any(  # type: ignore[attr-defined]
        entry.message.held_at is not None for entry in timeline if entry.message
    )
    actions = available_actions(inquiry, request.user)
    bound = bound or {}
    opened = request.GET.get("action", "")
    entries = []
    for action in Action:  # in the order of the lifecycle, not alphabetical
        if action not in actions or action == Action.WRITE or action in _PANEL_ACTIONS:
            continue
        needs_input = bool(ACTIONS[action].form.base_fields)
        form = bound.get(action)
        if form is None and (not needs_input or action.value == opened):
            form = ACTIONS[action].form(
                initial=_initial(action, inquiry, request, related),
                prefix=action.value,
                **_form_kwargs(action, inquiry, request),
            )
        entries.append({"name": action.name.lower(), "value": action.value, "form": form, "needs_input": needs_input})
    write_form, reply_templates = None, []
    if Action.WRITE in actions:
        reply_templates = list(ReplyTemplate.objects.filter(is_active=True).order_by("language", "name"))
        write_form = bound.get(Action.WRITE) or ConversationForm(
            initial=_write_initial(request, inquiry, reply_templates), prefix="write"
        )
        write_form.renderer = FIELD_RENDERER  # on every page: its fields written in Python (form_rendering.py)
    context = {
        "inquiry": inquiry,
        "timeline": timeline,
        "timeline_html": render_timeline(timeline),  # written in Python: timeline_rendering.py
        "goals": related.goals,
        "targets": related.targets,
        "collaborators": related.collaborators,
        "actions": entries,
        "opened_name": next(
            (entry["name"] for entry in entries if entry["value"] == opened and entry["needs_input"]),
            Action(opened).name.lower() if opened in {Action.ASK_EXECUTIVE, Action.HIGHLIGHT} & actions else "",
        ),
        "write_form": write_form,
        "reply_templates": reply_templates,
        "unsaved_text": unsaved_text or [],
        "likely_duplicates": selectors.likely_duplicates(inquiry, visible_to=request.user)
        if Action.DUPLICATE in actions
        else [],
        "is_overdue": inquiry.is_overdue(today),
        "stale": stale,
        "saved_in_place": saved_in_place,
        "other_inquiries_count": inquiry.other_inquiries_count,  # type: ignore[attr-defined]
        "outcome": _outcome_of(inquiry),
        "unit_chain": unit_chain,
        "status_links_expired": status_links.links_have_expired(inquiry),
        **_summary_panels(request, inquiry, actions, bound, answer_form),
    }
    return render(request, template, context, status=status)


def render_with_answer_form(request: AuthenticatedRequest, pk: int, form: AnswerDecisionForm) -> HttpResponse:
    """The inquiry page with the executive's answer as posted, with its errors (views/decisions.py)."""
    return _render_page(request, _visible_inquiry(request, pk), answer_form=form, status=400)


@staff_required
@never_cache
def inquiry_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One inquiry: its facts, the timeline, and the actions the user may take in its current state.

    The page shows the contact's personal data and the conversation, so every view is in the access log.
    """
    inquiry = _visible_inquiry(request, pk, for_page=True)
    audit.record_access(
        actor=request.user,
        kind=AccessLogEntry.Kind.INQUIRY_VIEWED,
        inquiry=inquiry,
        ip_address=audit.request_ip(request),
    )
    return _render_page(request, inquiry)


@staff_required
@require_POST
def inquiry_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Run one action from the inquiry page. A refused or invalid one re-shows the page with what was typed."""
    inquiry = _visible_inquiry(request, pk)
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404 from None
    if chosen not in available_actions(inquiry, request.user):
        if not role_allows(inquiry, request.user, chosen):
            raise PermissionDenied
        # Allowed for this person, but not any more in the inquiry's status: someone else got there first.
        messages.error(
            request,
            _("This can no longer be done: the inquiry is now “%(status)s”. Nothing was saved.")
            % {"status": inquiry.get_status_display()},
        )
        typed = [
            str(value)
            for key, value in request.POST.items()
            if key.rsplit("-", 1)[-1] in {"body", "summary", "reason", "note", "question", "text"}
            and str(value).strip()
        ]
        return _render_page(request, inquiry, status=409, unsaved_text=typed)
    spec = ACTIONS[chosen]
    form = spec.form(request.POST, request.FILES, prefix=chosen.value, **_form_kwargs(chosen, inquiry, request))
    if chosen == Action.WRITE and request.htmx:
        return _write_in_place(request, inquiry, form)
    if not form.is_valid():
        return _render_page(request, inquiry, bound={chosen: form}, status=400)
    try:
        spec.run(inquiry, form.cleaned_data, request)
    except StaleInquiryError as error:
        messages.error(request, str(error))
        # The page now lists what changed, so the kept input is saved over the version it shows: with the stale
        # version the form could never be saved again.
        current = _visible_inquiry(request, pk)
        data = request.POST.copy()
        data[form.add_prefix("version")] = str(current.version)
        form = spec.form(data, request.FILES, prefix=chosen.value, **_form_kwargs(chosen, current, request))
        return _render_page(request, current, bound={chosen: form}, stale=error, status=409)
    except InquiryStateError as error:
        messages.error(request, str(error))
        return _render_page(request, _visible_inquiry(request, pk), bound={chosen: form}, status=409)
    messages.success(request, str(spec.done) % {"reference": inquiry.reference})
    if not selectors.inquiries_visible_to(request.user).filter(pk=inquiry.pk).exists():
        return redirect("requests_app:staff-inquiry-list")  # declined: it has left the user's unit
    return redirect(inquiry)


def _write_in_place(request: AuthenticatedRequest, inquiry: Inquiry, form: forms.Form) -> HttpResponse:
    """htmx: save the note or message and send back only the redrawn timeline with a fresh form (or the form
    with its errors; status 200 so that htmx swaps it in)."""
    partial = "requests_app/inquiry_page.html#conversation"
    if not form.is_valid():
        return _render_page(request, inquiry, bound={Action.WRITE: form}, template=partial)
    try:
        ACTIONS[Action.WRITE].run(inquiry, form.cleaned_data, request)
    except InquiryStateError as error:
        form.add_error(None, str(error))
        return _render_page(request, inquiry, bound={Action.WRITE: form}, template=partial)
    saved = str(ACTIONS[Action.WRITE].done) % {"reference": inquiry.reference}
    return _render_page(request, _visible_inquiry(request, inquiry.pk), template=partial, saved_in_place=saved)
