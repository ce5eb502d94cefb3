"""Changes to an inquiry's fields: each changed field writes its own event with before and after."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.models import Inquiry, InquiryEvent, SdgGoal, SdgTarget
from requests_app.services.common import lock, record, require_may_own
from requests_app.services.errors import InquiryStateError


def _require_editable(inquiry: Inquiry) -> None:
    if inquiry.status in {Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE}:
        raise InquiryStateError(
            _("An inquiry that is “%(status)s” cannot be changed.") % {"status": inquiry.get_status_display()}
        )


@transaction.atomic
def update_inquiry_details(
    inquiry: Inquiry,
    *,
    actor: User,
    expected_version: int | None,
    inquiry_type: str | None = None,
    priority: str | None = None,
    sdg_goals: Iterable[SdgGoal] | None = None,
    sdg_targets: Iterable[SdgTarget] | None = None,
) -> Inquiry:
    """Save the type, priority and SDG tags from the inquiry page; each field that changed is one event.

    `expected_version` is the version the page was loaded at: if someone changed the inquiry since, nothing is
    saved and StaleInquiryError lists what they did. The goals always include the goals of the targets.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    _require_editable(inquiry)
    if inquiry_type is not None and inquiry_type != inquiry.inquiry_type:
        before = inquiry.inquiry_type
        inquiry.inquiry_type = inquiry_type
        record(
            inquiry,
            InquiryEvent.Kind.TYPE_CHANGED,
            actor=actor,
            fields=["inquiry_type"],
            before=before,
            after=inquiry_type,
        )
    if priority is not None and priority != inquiry.priority:
        before = inquiry.priority
        inquiry.priority = priority
        record(
            inquiry, InquiryEvent.Kind.PRIORITY_CHANGED, actor=actor, fields=["priority"], before=before, after=priority
        )
    if sdg_goals is not None or sdg_targets is not None:
        old_goals = sorted(inquiry.sdg_goals.values_list("pk", flat=True))
        old_targets = sorted(inquiry.sdg_targets.values_list("pk", flat=True))
        targets = list(sdg_targets) if sdg_targets is not None else list(inquiry.sdg_targets.all())
        chosen_goals = {goal.pk for goal in sdg_goals} if sdg_goals is not None else set(old_goals)
        new_goals = sorted(chosen_goals | {target.goal_id for target in targets})
        new_targets = sorted(target.pk for target in targets)
        if (new_goals, new_targets) != (old_goals, old_targets):
            inquiry.sdg_goals.set(new_goals)
            inquiry.sdg_targets.set(targets)
            record(
                inquiry,
                InquiryEvent.Kind.SDGS_CHANGED,
                actor=actor,
                fields=[],
                before={"goals": old_goals, "targets": old_targets},
                after={"goals": new_goals, "targets": new_targets},
            )
    return inquiry


@transaction.atomic
def assign_owner(inquiry: Inquiry, *, owner: User | None, actor: User, expected_version: int | None = None) -> Inquiry:
    """Make one staff person responsible for the inquiry (None: nobody)."""
    inquiry = lock(inquiry, expected_version=expected_version)
    _require_editable(inquiry)
    if owner is not None:
        require_may_own(inquiry, owner)
    if inquiry.owner_id == (owner.pk if owner else None):
        return inquiry
    before = inquiry.owner_id
    inquiry.owner = owner
    record(
        inquiry,
        InquiryEvent.Kind.OWNER_CHANGED,
        actor=actor,
        fields=["owner"],
        before=before,
        after=owner.pk if owner else None,
    )
    return inquiry


@transaction.atomic
def set_collaborators(
    inquiry: Inquiry, *, collaborators: Iterable[User], actor: User, expected_version: int | None = None
) -> Inquiry:
    """Choose the staff who work on the inquiry beside its owner."""
    inquiry = lock(inquiry, expected_version=expected_version)
    _require_editable(inquiry)
    people = [person for person in collaborators if person.pk != inquiry.owner_id]
    if any(not person.has_staff_role for person in people):
        raise InquiryStateError(_("Only staff can be collaborators."))
    before = sorted(inquiry.collaborators.values_list("pk", flat=True))
    after = sorted(person.pk for person in people)
    if before == after:
        return inquiry
    inquiry.collaborators.set(people)
    record(inquiry, InquiryEvent.Kind.COLLABORATORS_CHANGED, actor=actor, fields=[], before=before, after=after)
    return inquiry
