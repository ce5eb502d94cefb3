"""Duplicates: an inquiry that repeats another is linked to it, and its conversation moves there."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import User
from requests_app import emails
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, UnitAssignment
from requests_app.services.common import lock, record, require_status
from requests_app.services.errors import InquiryStateError
from requests_app.services.outcomes import end_open_assignment


@transaction.atomic
def mark_duplicate(
    inquiry: Inquiry,
    *,
    original: Inquiry,
    actor: User,
    tell_partner: bool = False,
    expected_version: int | None = None,
) -> Inquiry:
    """Mark `inquiry` as a duplicate of `original`: linked, its messages moved to the original, both
    timelines kept (an event on each). If chosen, the partner is told where their inquiry is handled.
    """
    if original.pk == inquiry.pk:
        raise InquiryStateError(_("An inquiry cannot be a duplicate of itself."))
    # Lock both rows in id order, so two people merging the same pair the other way round cannot deadlock.
    first, second = sorted([inquiry, original], key=lambda row: row.pk)
    locked = {row.pk: lock(row) for row in (first, second)}
    inquiry, original = locked[inquiry.pk], locked[original.pk]
    if expected_version is not None and inquiry.version != expected_version:
        lock(inquiry, expected_version=expected_version)  # raises StaleInquiryError with the changes
    require_status(inquiry, set(Inquiry.OPEN_STATUSES), pgettext("inquiry action", "marked as a duplicate"))
    if original.status in {Inquiry.Status.DUPLICATE, Inquiry.Status.SPAM}:
        raise InquiryStateError(
            _("%(reference)s is itself “%(status)s” and cannot be the original; choose another inquiry.")
            % {"reference": original.reference, "status": original.get_status_display()}
        )
    moved = list(inquiry.messages.values_list("pk", flat=True))
    InquiryMessage.objects.filter(pk__in=moved).update(inquiry=original, moved_from=inquiry)
    notice = None
    if tell_partner:
        # Written on the duplicate, so it goes to the person who sent the duplicate.
        with translation.override(inquiry.language):
            body = _(
                "Your inquiry %(duplicate)s “%(title)s” is about the same as %(original)s, and we handle the two "
                "together under the reference %(original)s. You do not need to do anything."
            ) % {"duplicate": inquiry.reference, "title": inquiry.title, "original": original.reference}
        notice = InquiryMessage.objects.create(
            inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body=body, author=actor
        )
    before = inquiry.status
    inquiry.status, inquiry.duplicate_of = Inquiry.Status.DUPLICATE, original
    end_open_assignment(inquiry, end=UnitAssignment.End.FINISHED, now=timezone.now())
    inquiry.awaiting_since, inquiry.status_before_waiting = None, ""
    event = record(
        inquiry,
        InquiryEvent.Kind.MARKED_DUPLICATE,
        actor=actor,
        fields=["status", "duplicate_of", "awaiting_since", "status_before_waiting"],
        before=before,
        after=Inquiry.Status.DUPLICATE,
        original=original.pk,
        moved_messages=moved,
        message=notice.pk if notice else None,
    )
    record(
        original, InquiryEvent.Kind.DUPLICATE_MERGED, actor=actor, fields=[], duplicate=inquiry.pk, moved_messages=moved
    )
    if notice is not None:
        emails.queue_partner_message(notice, event=event)
    return inquiry
