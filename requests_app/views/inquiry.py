"""The staff's inquiry page and its actions: each action is a POST that calls one service."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import selectors
from requests_app.forms import (
    AcceptForm,
    AssignForm,
    CollaboratorsForm,
    ConversationForm,
    DecideForm,
    DuplicateForm,
    InquiryDetailsForm,
    OptionalReasonForm,
    PartnerMessageForm,
    PartnerReplyForm,
    ReasonForm,
    RouteForm,
)
from requests_app.models import Inquiry, ReplyTemplate, SdgGoal, SdgTarget
from requests_app.permissions import Action, available_actions, role_allows
from requests_app.services import conversation, duplicates, editing, lifecycle
from requests_app.services.errors import InquiryStateError, StaleInquiryError


def _visible_inquiry(request: AuthenticatedRequest, pk: int) -> Inquiry:
    visible = selectors.inquiries_visible_to(request.user)
    # How many other inquiries of the organisation this user may see, counted in the query that loads the inquiry.
    others = (
        visible.filter(organisation=OuterRef("organisation"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return get_object_or_404(
        visible.select_related("organisation", "contact", "unit", "owner", "suggested_unit", "duplicate_of")
        .annotate(other_inquiries_count=Coalesce(Subquery(others), 0))
        .prefetch_related(
            Prefetch("sdg_goals", queryset=SdgGoal.objects.order_by("number")),
            Prefetch("sdg_targets", queryset=SdgTarget.objects.order_by("goal_id", "position")),
            "collaborators",
        ),
        pk=pk,
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
        return conversation.send_message(inquiry, body=data["body"], subject=data["subject"], actor=request.user)
    return conversation.add_note(inquiry, body=data["body"], actor=request.user)


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
    Action.REQUEST_INFORMATION: ActionSpec(
        PartnerMessageForm,
        lambda inquiry, data, request: conversation.request_information(
            inquiry, body=data["body"], subject=data["subject"], actor=request.user
        ),
        gettext_lazy("The partner has been asked for more information; %(reference)s waits for the answer."),
    ),
    Action.PARTNER_REPLY: ActionSpec(
        PartnerReplyForm,
        lambda inquiry, data, request: conversation.record_partner_reply(
            inquiry, body=data["body"], actor=request.user
        ),
        gettext_lazy("The partner's reply is added to %(reference)s."),
    ),
    Action.DECIDE: ActionSpec(
        DecideForm,
        lambda inquiry, data, request: lifecycle.decide_inquiry(inquiry, summary=data["summary"], actor=request.user),
        gettext_lazy("The decision on %(reference)s is recorded."),
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
            inquiry, body=data["body"], subject=data["subject"], actor=request.user
        ),
        gettext_lazy("The interim reply for %(reference)s is sent."),
    ),
}


def _form_kwargs(action: Action, inquiry: Inquiry, request: AuthenticatedRequest) -> dict[str, Any]:
    if action in {Action.ASSIGN, Action.COLLABORATORS}:
        return {"staff": selectors.assignable_staff(inquiry)}
    if action == Action.DUPLICATE:
        return {"visible": selectors.inquiries_visible_to(request.user)}
    return {}


def _initial(action: Action, inquiry: Inquiry, request: AuthenticatedRequest) -> dict[str, Any]:
    if action == Action.EDIT:
        return {
            "version": inquiry.version,
            "inquiry_type": inquiry.inquiry_type,
            "priority": inquiry.priority,
            "sdg_goals": [str(goal.pk) for goal in inquiry.sdg_goals.all()],
            "sdg_targets": [target.pk for target in inquiry.sdg_targets.all()],
        }
    if action == Action.ROUTE:
        return {"unit": inquiry.unit_id or inquiry.suggested_unit_id}
    if action == Action.ASSIGN:
        return {"owner": inquiry.owner_id}
    if action == Action.COLLABORATORS:
        return {"collaborators": [person.pk for person in inquiry.collaborators.all()]}
    if action == Action.REQUEST_INFORMATION:
        return _template_text(inquiry, "Be om mer informasjon", "Ask for more information", request)
    if action == Action.INTERIM_REPLY:
        return _template_text(inquiry, "Foreløpig svar", "Interim reply", request)
    if action == Action.WRITE:
        return {"kind": ConversationForm.NOTE}
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
) -> HttpResponse:
    """The page. Forms that need input are built only for the action the user opened (?action=…) or posted, so
    the page does not query for every form's choices; the others are links that open them, also without JS."""
    actions = available_actions(inquiry, request.user)
    bound = bound or {}
    opened = request.GET.get("action", "")
    entries = []
    for action in Action:  # in the order of the lifecycle, not alphabetical
        if action not in actions or action == Action.WRITE:
            continue
        needs_input = bool(ACTIONS[action].form.base_fields)
        form = bound.get(action)
        if form is None and (not needs_input or action.value == opened):
            form = ACTIONS[action].form(
                initial=_initial(action, inquiry, request),
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
    today = timezone.localdate()
    context = {
        "inquiry": inquiry,
        "timeline": selectors.inquiry_timeline(inquiry),
        "goals": inquiry.sdg_goals.all(),
        "targets": inquiry.sdg_targets.all(),
        "collaborators": inquiry.collaborators.all(),
        "actions": entries,
        "opened_name": next(
            (entry["name"] for entry in entries if entry["value"] == opened and entry["needs_input"]), ""
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
    }
    return render(request, template, context, status=status)


@staff_required
@never_cache
def inquiry_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One inquiry: its facts, the timeline, and the actions the user may take in its current state."""
    return _render_page(request, _visible_inquiry(request, pk))


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
            if key.rsplit("-", 1)[-1] in {"body", "summary", "reason", "note"} and str(value).strip()
        ]
        return _render_page(request, inquiry, status=409, unsaved_text=typed)
    spec = ACTIONS[chosen]
    form = spec.form(request.POST, prefix=chosen.value, **_form_kwargs(chosen, inquiry, request))
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
        form = spec.form(data, prefix=chosen.value, **_form_kwargs(chosen, current, request))
        return _render_page(request, current, bound={chosen: form}, stale=error, status=409)
    except InquiryStateError as error:
        messages.error(request, str(error))
        return _render_page(request, _visible_inquiry(request, pk), bound={chosen: form}, status=409)
    messages.success(request, str(spec.done) % {"reference": inquiry.reference})
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
