"""What every service does: lock the row, check the version, write the one audit event."""

import datetime
from collections.abc import Collection
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.errors import InquiryStateError, StaleInquiryError


def lock(inquiry: Inquiry, *, expected_version: int | None = None) -> Inquiry:
    """Reload the inquiry with its row locked until the transaction ends (PostgreSQL), checking the version.

    `expected_version` is the version the user's page showed; a different one means someone else changed the
    inquiry meanwhile, and the change is refused with what they did.
    """
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if expected_version is not None and locked.version != expected_version:
        changes = list(
            InquiryEvent.objects.filter(inquiry=locked, data__version__gt=expected_version)
            .select_related("actor")
            .order_by("created_at", "pk")
        )
        raise StaleInquiryError(
            _("Someone else changed this inquiry while you were looking at it. Nothing was saved; see what changed."),
            changes,
        )
    return locked


def require_status(inquiry: Inquiry, allowed: Collection[str], action: str) -> None:
    """Refuse, with a readable message, an action the inquiry's status does not allow."""
    if inquiry.status not in allowed:
        raise InquiryStateError(
            _("An inquiry that is “%(status)s” cannot be %(action)s.")
            % {"status": inquiry.get_status_display(), "action": action}
        )


def may_own(person: User, unit_id: int | None) -> bool:
    """Staff who see every inquiry may own any; a unit member only the inquiries of their own unit."""
    return person.has_staff_role and (person.sees_all_inquiries or unit_id in person.unit_ids)


def require_may_own(inquiry: Inquiry, person: User) -> None:
    """Refuse, with a readable message, an owner who could not see or handle the inquiry."""
    if not person.has_staff_role:
        raise InquiryStateError(_("%(person)s has no staff role and cannot own inquiries.") % {"person": person})
    if not may_own(person, inquiry.unit_id):
        raise InquiryStateError(_("%(person)s is not in the inquiry's unit and cannot own it.") % {"person": person})


def record(inquiry: Inquiry, kind: str, *, actor: User | None, fields: list[str], **data: Any) -> InquiryEvent:
    """Save the changed fields with a new version, and write the change's one audit event."""
    inquiry.version += 1
    inquiry.save(update_fields=[*fields, "version", "updated_at"])
    return InquiryEvent.objects.create(
        inquiry=inquiry, kind=kind, actor=actor, data={**data, "version": inquiry.version}
    )


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now()).date()
