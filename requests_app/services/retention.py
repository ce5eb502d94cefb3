"""Retention: holds that keep an inquiry's personal data, and the removal of it once its period has run out.

What is removed (requests_app/retention.py has the periods):
- the inquiry's description, which is the partner's own free text and often names people or tells their story;
- the link to the partner's account (submitted_by);
- subject and text of every message and internal note;
- the files attached to them (deleted from the storage) and their names;
- recipient, subject, text, HTML and last error of every e-mail written for the inquiry (the outbox);
- the contact person's name, e-mail address, phone and role, but only once none of their inquiries needs them:
  every other inquiry of the contact must have had its personal data removed too (a held one never has).
The same run deletes access log entries older than retention.ACCESS_LOG_YEARS, and empties the e-mails about no
inquiry (recipient, subject, texts, headers) older than retention.OTHER_EMAIL_YEARS.
What is kept, as the municipality's record and for statistics: the reference, title, organisation, type, SDGs,
status, channel, language, priority, unit, owner, dates, the decision, and the timeline of events (which holds
ids, not personal data; the notes staff give with an action are theirs, about the handling).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import User
from partners.services import anonymise_contact
from requests_app.models import (
    AccessLogEntry,
    Attachment,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    OutboxMessage,
    StatusLink,
)
from requests_app.retention import (
    ACCESS_LOG_YEARS,
    FINISHED_STATUSES,
    OTHER_EMAIL_YEARS,
    RETENTION_RULES,
    RULES_BY_KEY,
    inquiries_past_retention,
    years_before,
)
from requests_app.services.attachments import remove_attachment_files
from requests_app.services.common import lock, record, require_status
from requests_app.services.errors import InquiryStateError

logger = logging.getLogger(__name__)


@transaction.atomic
def put_on_retention_hold(
    inquiry: Inquiry, *, reason: str, actor: User, now: datetime.datetime | None = None
) -> Inquiry:
    """Keep a finished inquiry's personal data past its retention period, e.g. while a complaint, a request for
    access or a lawsuit needs it, until the hold is lifted. The reason is required and shown to staff."""
    inquiry = lock(inquiry)
    require_status(inquiry, FINISHED_STATUSES, pgettext("inquiry action", "put on retention hold"))
    if inquiry.is_anonymised:
        raise InquiryStateError(_("The personal data of this inquiry has already been removed: nothing to hold."))
    if inquiry.is_on_retention_hold:
        raise InquiryStateError(_("The inquiry is already on retention hold."))
    if not reason.strip():
        raise InquiryStateError(_("Give the reason for the hold."))
    inquiry.retention_hold_reason = reason.strip()
    inquiry.retention_hold_at = now or timezone.now()
    record(
        inquiry,
        InquiryEvent.Kind.RETENTION_HOLD_SET,
        actor=actor,
        fields=["retention_hold_reason", "retention_hold_at"],
        note=inquiry.retention_hold_reason,
    )
    return inquiry


@transaction.atomic
def lift_retention_hold(inquiry: Inquiry, *, actor: User) -> Inquiry:
    """End the hold: from now on the retention rules apply again, and the next nightly run removes the personal
    data if the period has already run out."""
    inquiry = lock(inquiry)
    if not inquiry.is_on_retention_hold:
        raise InquiryStateError(_("The inquiry is not on retention hold."))
    assert inquiry.retention_hold_at is not None
    held_since = inquiry.retention_hold_at.isoformat()
    inquiry.retention_hold_reason, inquiry.retention_hold_at = "", None
    record(
        inquiry,
        InquiryEvent.Kind.RETENTION_HOLD_CLEARED,
        actor=actor,
        fields=["retention_hold_reason", "retention_hold_at"],
        held_since=held_since,
    )
    return inquiry


@dataclass
class RuleReport:
    """What one rule removed (or, in a dry run, would remove)."""

    rule: str
    years: int
    inquiries: int = 0
    descriptions: int = 0
    messages: int = 0
    attachments: int = 0
    outbox_messages: int = 0
    contacts: int = 0
    held: int = 0  # past the period, but on hold: skipped


@dataclass
class RetentionReport:
    now: datetime.datetime
    dry_run: bool
    rules: list[RuleReport] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # the inquiries done, for the log
    access_log_entries: int = 0  # deleted, older than ACCESS_LOG_YEARS
    other_emails: int = 0  # e-mails about no inquiry, emptied after OTHER_EMAIL_YEARS

    @property
    def inquiries(self) -> int:
        return sum(rule.inquiries for rule in self.rules)

    def lines(self) -> list[str]:
        """The report in words, one line per rule (for the management command and the worker's log)."""
        heading = f"Retention at {self.now.isoformat(timespec='seconds')}"
        lines = [f"{heading}, dry run: nothing changed; this would be removed" if self.dry_run else heading]
        for rule in self.rules:
            lines.append(
                f"{rule.rule} ({rule.years} years): inquiries {rule.inquiries}, descriptions {rule.descriptions}, "
                f"messages {rule.messages}, attachments {rule.attachments}, e-mails {rule.outbox_messages}, "
                f"contacts {rule.contacts}; "
                f"skipped on hold {rule.held}"
            )
        lines.append(f"Personal data {'would be ' if self.dry_run else ''}removed from {self.inquiries} inquiries")
        lines.append(
            f"Access log entries older than {ACCESS_LOG_YEARS} years {'to be ' if self.dry_run else ''}deleted: "
            f"{self.access_log_entries}; e-mails about no inquiry older than {OTHER_EMAIL_YEARS} year "
            f"{'to be ' if self.dry_run else ''}emptied: {self.other_emails}"
        )
        return lines


@dataclass(frozen=True)
class _Removal:
    description: bool
    messages: int
    attachments: int
    outbox_messages: int
    contact: bool


def _messages(inquiry: Inquiry) -> QuerySet[InquiryMessage]:
    return InquiryMessage.objects.filter(inquiry=inquiry).exclude(body="", subject="")


def _attachments(inquiry: Inquiry) -> QuerySet[Attachment]:
    return Attachment.objects.filter(message__inquiry=inquiry)


def _outbox(inquiry: Inquiry) -> QuerySet[OutboxMessage]:
    rows = OutboxMessage.objects.filter(Q(inquiry=inquiry) | Q(message__inquiry=inquiry) | Q(event__inquiry=inquiry))
    return rows.exclude(to="", subject="", body_text="", body_html="", last_error="")


def _contact_is_free(inquiry: Inquiry, *, done: set[int]) -> bool:
    """Whether the inquiry's contact is needed by no other inquiry: all others have had their personal data
    removed (or are in `done`, those removed earlier in a dry run). A held or younger inquiry keeps the contact."""
    others = Inquiry.objects.filter(contact_id=inquiry.contact_id, anonymised_at__isnull=True)
    return not others.exclude(pk__in={inquiry.pk, *done}).exists() and not inquiry.contact.is_anonymised


def _planned_removal(inquiry: Inquiry, *, done: set[int]) -> _Removal:
    return _Removal(
        description=bool(inquiry.description),
        messages=_messages(inquiry).count(),
        attachments=_attachments(inquiry).exclude(file="").count(),
        outbox_messages=_outbox(inquiry).count(),
        contact=_contact_is_free(inquiry, done=done),
    )


@transaction.atomic
def remove_personal_data(inquiry: Inquiry, *, now: datetime.datetime) -> _Removal | None:
    """Remove the personal data of one inquiry past its retention period (see the module docstring for what),
    set anonymised_at and record one PERSONAL_DATA_REMOVED event with the counts (never the data).

    Checked again with the row locked: returns None, changing nothing, if the inquiry is on hold, already done,
    reopened, or not past its period at `now`.
    """
    inquiry = lock(inquiry)
    due = inquiries_past_retention(now=now).filter(pk=inquiry.pk, retention_hold_at__isnull=True)
    key = due.values_list("retention_rule", flat=True).first()  # type: ignore[misc]  # annotated by the selector
    if key is None:
        return None
    rule = RULES_BY_KEY[key]
    messages = _messages(inquiry).update(body="", subject="")
    attachments = remove_attachment_files(_attachments(inquiry))
    outbox = _outbox(inquiry)
    # An e-mail still waiting after years will not be sent now, and without its recipient it could not be.
    outbox.filter(status=OutboxMessage.Status.PENDING).update(status=OutboxMessage.Status.FAILED)
    outbox_messages = outbox.update(to="", subject="", body_text="", body_html="", last_error="")
    contact = _contact_is_free(inquiry, done=set()) and anonymise_contact(inquiry.contact)
    removal = _Removal(
        description=bool(inquiry.description),
        messages=messages,
        attachments=attachments,
        outbox_messages=outbox_messages,
        contact=contact,
    )
    # The links were sent to the contact's address; the inquiry has nothing left to show through them anyway.
    StatusLink.objects.filter(inquiry=inquiry).delete()
    inquiry.description, inquiry.submitted_by, inquiry.anonymised_at = "", None, now
    record(
        inquiry,
        InquiryEvent.Kind.PERSONAL_DATA_REMOVED,
        actor=None,
        fields=["description", "submitted_by", "anonymised_at"],
        rule=rule.key,
        retention_years=rule.years,
        description_removed=removal.description,
        messages=removal.messages,
        attachments=removal.attachments,
        outbox_messages=removal.outbox_messages,
        contact_removed=removal.contact,
    )
    return removal


def apply_retention(*, now: datetime.datetime, dry_run: bool = False) -> RetentionReport:
    """Remove the personal data of every inquiry past its retention period at `now`, skipping held ones.

    Each inquiry is done in its own transaction, oldest id first, so a failure leaves the others done and a second
    run only finishes what is left (running twice is harmless). A dry run changes nothing and reports the same
    counts a real run at the same `now` would.
    """
    report = RetentionReport(now=now, dry_run=dry_run)
    by_rule = {rule.key: RuleReport(rule.key, rule.years) for rule in RETENTION_RULES}
    report.rules = list(by_rule.values())
    done: set[int] = set()
    for inquiry in inquiries_past_retention(now=now).select_related("contact").order_by("pk"):
        counts = by_rule[inquiry.retention_rule]  # type: ignore[attr-defined]
        if inquiry.is_on_retention_hold:
            counts.held += 1
            continue
        removal = _planned_removal(inquiry, done=done) if dry_run else remove_personal_data(inquiry, now=now)
        if removal is None:
            continue
        done.add(inquiry.pk)
        report.references.append(inquiry.reference)
        counts.inquiries += 1
        counts.descriptions += removal.description
        counts.messages += removal.messages
        counts.attachments += removal.attachments
        counts.outbox_messages += removal.outbox_messages
        counts.contacts += removal.contact
    report.access_log_entries, report.other_emails = _expire_records(now=now, dry_run=dry_run)
    if not dry_run and (report.inquiries or report.access_log_entries or report.other_emails):
        logger.info("Personal data removed from %s: %s", ", ".join(report.references), "; ".join(report.lines()))
    return report


@transaction.atomic
def _expire_records(*, now: datetime.datetime, dry_run: bool) -> tuple[int, int]:
    """Delete the access log's entries past ACCESS_LOG_YEARS, and empty the e-mails about no inquiry past
    OTHER_EMAIL_YEARS (one still waiting is never sent afterwards). Returns how many of each."""
    old_entries = AccessLogEntry.objects.filter(created_at__lt=years_before(now, ACCESS_LOG_YEARS))
    old_emails = OutboxMessage.objects.filter(
        inquiry__isnull=True, created_at__lt=years_before(now, OTHER_EMAIL_YEARS)
    ).exclude(to="", subject="", body_text="", body_html="")
    if dry_run:
        return old_entries.count(), old_emails.count()
    # The entries' own delete() refuses (the log is append-only); retention is the one way out of it.
    entries, _by_model = old_entries.delete()
    old_emails.filter(status=OutboxMessage.Status.PENDING).update(status=OutboxMessage.Status.FAILED)
    emails = old_emails.update(to="", subject="", body_text="", body_html="", last_error="", headers={})
    return entries, emails
