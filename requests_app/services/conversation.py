"""The conversation with the partner: messages (e-mailed after commit) and internal notes (never sent)."""

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import User
from requests_app import emails
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, ReplyTemplate
from requests_app.services.attachments import attach_files, removes_stored_files_on_failure
from requests_app.services.common import lock, record, require_status
from requests_app.services.errors import InquiryStateError
from requests_app.services.lifecycle import pause_for_partner, resume_after_partner

S = Inquiry.Status
# A message may be written while the inquiry is being handled, and once it is decided.
_CONVERSATION_STATUSES = {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS, S.AWAITING_PARTNER, S.DECIDED}


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise InquiryStateError(_("Write the text of the message."))
    return text


def _create_message(
    inquiry: Inquiry, *, kind: str, body: str, subject: str, author: User | None, is_interim_reply: bool = False
) -> InquiryMessage:
    return InquiryMessage.objects.create(
        inquiry=inquiry, kind=kind, body=body, subject=subject.strip(), author=author, is_interim_reply=is_interim_reply
    )


def _attach(message: InquiryMessage, files: Sequence[UploadedFile], *, actor: User | None) -> dict[str, int]:
    """Store the message's attachments; the event data that counts them (nothing when there are none)."""
    attached = attach_files(message, files, uploaded_by=actor)
    return {"attachments": len(attached)} if attached else {}


def _to_partner(
    inquiry: Inquiry, *, body: str, subject: str, actor: User, now: datetime.datetime, is_interim_reply: bool = False
) -> tuple[InquiryMessage, list[str]]:
    """Store a message to the partner; the first one is the first reply. Returns it and the fields changed."""
    message = _create_message(
        inquiry,
        kind=InquiryMessage.Kind.TO_PARTNER,
        body=_clean_body(body),
        subject=subject,
        author=actor,
        is_interim_reply=is_interim_reply,
    )
    if inquiry.first_replied_at is not None:
        return message, []
    inquiry.first_replied_at = now
    return message, ["first_replied_at"]


@removes_stored_files_on_failure
@transaction.atomic
def send_message(
    inquiry: Inquiry,
    *,
    body: str,
    actor: User,
    subject: str = "",
    attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> InquiryMessage:
    """Write to the partner: stored with its attachments, e-mailed after commit in the partner's language, later
    shown to them."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, _CONVERSATION_STATUSES, pgettext("inquiry action", "written to"))
    message, fields = _to_partner(inquiry, body=body, subject=subject, actor=actor, now=now or timezone.now())
    counted = _attach(message, attachments, actor=actor)
    event = record(inquiry, InquiryEvent.Kind.MESSAGE_SENT, actor=actor, fields=fields, message=message.pk, **counted)
    emails.queue_partner_message(message, event=event)
    return message


@removes_stored_files_on_failure
@transaction.atomic
def add_note(
    inquiry: Inquiry,
    *,
    body: str,
    actor: User,
    attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> InquiryMessage:
    """Add an internal note: for the municipality's staff only, never e-mailed or shown to the partner, nor are
    its attachments."""
    inquiry = lock(inquiry, expected_version=expected_version)
    message = _create_message(inquiry, kind=InquiryMessage.Kind.NOTE, body=_clean_body(body), subject="", author=actor)
    counted = _attach(message, attachments, actor=actor)
    record(inquiry, InquiryEvent.Kind.NOTE_ADDED, actor=actor, fields=[], message=message.pk, **counted)
    return message


@removes_stored_files_on_failure
@transaction.atomic
def request_information(
    inquiry: Inquiry,
    *,
    body: str,
    actor: User,
    subject: str = "",
    attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> InquiryMessage:
    """Ask the partner for more information: the message goes out and the deadline clock pauses."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(
        inquiry,
        {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS},
        pgettext("inquiry action", "put on hold for the partner"),
    )
    now = now or timezone.now()
    message, fields = _to_partner(inquiry, body=body, subject=subject, actor=actor, now=now)
    counted = _attach(message, attachments, actor=actor)
    before = inquiry.status
    fields += pause_for_partner(inquiry, now)
    event = record(
        inquiry,
        InquiryEvent.Kind.INFORMATION_REQUESTED,
        actor=actor,
        fields=fields,
        before=before,
        after=S.AWAITING_PARTNER,
        message=message.pk,
        **counted,
    )
    emails.queue_partner_message(message, event=event)
    return message


@removes_stored_files_on_failure
@transaction.atomic
def record_partner_reply(
    inquiry: Inquiry,
    *,
    body: str,
    actor: User | None,
    attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> InquiryMessage:
    """Store what the partner wrote; an inquiry awaiting the partner goes back to where it was, clock running.

    `actor` is the partner with an account, staff registering a reply that came by e-mail, or None for a
    reply through a status link. The owner is notified after commit.
    """
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(inquiry, _CONVERSATION_STATUSES, pgettext("inquiry action", "answered"))
    now = now or timezone.now()
    message = _create_message(
        inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body=_clean_body(body), subject="", author=actor
    )
    data: dict[str, object] = {"message": message.pk, **_attach(message, attachments, actor=actor)}
    fields: list[str] = []
    if inquiry.status == S.AWAITING_PARTNER:
        fields, waited = resume_after_partner(inquiry, now)
        data.update(before=S.AWAITING_PARTNER, after=inquiry.status, business_days_waited=waited)
    event = record(inquiry, InquiryEvent.Kind.PARTNER_REPLIED, actor=actor, fields=fields, **data)
    emails.queue_partner_replied(inquiry, event=event)
    return message


@removes_stored_files_on_failure
@transaction.atomic
def send_interim_reply(
    inquiry: Inquiry,
    *,
    body: str,
    actor: User,
    subject: str = "",
    attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> InquiryMessage:
    """Send a foreløpig svar (forvaltningsloven § 11 a): why the answer takes time and when it will come."""
    inquiry = lock(inquiry, expected_version=expected_version)
    require_status(
        inquiry,
        {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS},
        pgettext("inquiry action", "given an interim reply"),
    )
    now = now or timezone.now()
    message, fields = _to_partner(inquiry, body=body, subject=subject, actor=actor, now=now, is_interim_reply=True)
    counted = _attach(message, attachments, actor=actor)
    inquiry.interim_reply_sent_at = now
    fields.append("interim_reply_sent_at")
    event = record(
        inquiry, InquiryEvent.Kind.INTERIM_REPLY_SENT, actor=actor, fields=fields, message=message.pk, **counted
    )
    emails.queue_partner_message(message, event=event)
    return message


def fill_reply_template(template: ReplyTemplate, inquiry: Inquiry, *, staff: User) -> tuple[str, str]:
    """The template's subject and text for this inquiry, dates written in the template's language."""
    with translation.override(template.language):
        values = {
            "reference": inquiry.reference,
            "title": inquiry.title,
            "contact_name": inquiry.contact.name,
            "organisation": inquiry.organisation.name,
            "unit": inquiry.unit.name if inquiry.unit else _("the centre's secretariat"),
            "first_reply_due": formats.date_format(inquiry.first_reply_due_on) if inquiry.first_reply_due_on else "",
            "decision_due": formats.date_format(inquiry.decision_due_on) if inquiry.decision_due_on else "",
            "staff_name": staff.get_full_name(),
        }
    return template.render(values)
