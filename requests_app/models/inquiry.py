"""Inquiries, their audit trail and their conversation with the partner."""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import Contact, MunicipalUnit, Organisation
from requests_app.models.reference import SdgGoal, SdgTarget


def routing_reason(basis: dict[str, Any], unit: MunicipalUnit) -> str:
    """Words a routing suggestion, e.g. “SDG 11 and the word “mobilitet” → Byutvikling og miljø”."""
    reasons: list[str] = []
    if "inquiry_type" in basis:
        reasons.append(gettext("the type “%(type)s”") % {"type": Inquiry.Type(basis["inquiry_type"]).label})
    if "organisation_kind" in basis:
        reasons.append(
            gettext("the kind of organisation “%(kind)s”")
            % {"kind": Organisation.Kind(basis["organisation_kind"]).label}
        )
    if basis.get("goals"):
        reasons.append(gettext("SDG %(goals)s") % {"goals": ", ".join(str(number) for number in basis["goals"])})
    if basis.get("word"):
        reasons.append(gettext("the word “%(word)s”") % {"word": basis["word"]})
    return gettext("%(reasons)s → %(unit)s") % {"reasons": capfirst(gettext(" and ").join(reasons)), "unit": unit.name}


class Inquiry(models.Model):
    """A request for collaboration from an external organisation."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_TRIAGE = "in_triage", _("In triage")
        ROUTED = "routed", _("Routed to unit")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_PARTNER = "awaiting_partner", _("Awaiting partner")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DUPLICATE = "duplicate", _("Duplicate")
        SPAM = "spam", _("Rejected as spam")

    class Type(models.TextChoices):
        PARTNERSHIP = "partnership", _("Partnership or joint project")
        KNOWLEDGE_EXCHANGE = "knowledge_exchange", _("Knowledge exchange or study visit")
        RESEARCH = "research", _("Research collaboration")
        FUNDING = "funding", _("Funding or investment")
        PILOT = "pilot", _("Pilot or test bed")
        EVENT = "event", _("Event or speaking")
        DATA_REQUEST = "data_request", _("Data or information request")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Meeting")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.IN_TRIAGE,
        Status.ROUTED,
        Status.IN_PROGRESS,
        Status.AWAITING_PARTNER,
    )
    TITLE_MAX_LENGTH = 200
    DESCRIPTION_MAX_LENGTH = 10_000

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    inquiry_type = models.CharField(_("type of inquiry"), max_length=24, choices=Type.choices)
    sdg_goals = models.ManyToManyField(
        SdgGoal,
        related_name="inquiries",
        blank=True,
        verbose_name=_("Sustainable Development Goals"),
        help_text=_("Includes the goal of every chosen target."),
    )
    sdg_targets = models.ManyToManyField(SdgTarget, related_name="inquiries", blank=True, verbose_name=_("SDG targets"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("organisation")
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("contact"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nb")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    unit = models.ForeignKey(
        MunicipalUnit,
        on_delete=models.PROTECT,
        related_name="inquiries",
        null=True,
        blank=True,
        verbose_name=_("responsible unit"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="owned_inquiries",
        null=True,
        blank=True,
        verbose_name=_("owner"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="submitted_inquiries",
        null=True,
        blank=True,
        verbose_name=_("submitted by"),
        help_text=_("The account that submitted the inquiry, if any (a partner, or staff registering it)."),
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="collaborating_inquiries", blank=True, verbose_name=_("collaborators")
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    # Deadlines, in the Norwegian business-day calendar; pushed back while the inquiry awaits the partner.
    first_reply_due_on = models.DateField(_("first reply due"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    interim_reply_sent_at = models.DateTimeField(_("interim reply sent"), null=True, blank=True)
    interim_reminder_sent_at = models.DateTimeField(_("interim reply reminder sent"), null=True, blank=True)
    awaiting_since = models.DateTimeField(_("awaiting the partner since"), null=True, blank=True)
    status_before_waiting = models.CharField(
        _("status before awaiting the partner"), max_length=20, choices=Status.choices, blank=True
    )
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    decision_summary = models.TextField(_("decision"), blank=True)
    # Routing suggestion made at intake, and whether the secretariat followed it (for its accuracy).
    suggested_unit = models.ForeignKey(
        MunicipalUnit,
        on_delete=models.SET_NULL,
        related_name="suggested_inquiries",
        null=True,
        blank=True,
        verbose_name=_("suggested unit"),
    )
    suggestion_basis = models.JSONField(_("what the suggestion was based on"), default=dict, blank=True)
    suggestion_accepted = models.BooleanField(_("suggestion followed"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="duplicates",
        null=True,
        blank=True,
        verbose_name=_("duplicate of"),
    )
    # Privacy (requests_app/retention.py): a hold keeps the personal data past its retention period, e.g. while a
    # complaint or a lawsuit needs it; anonymised_at is when the personal data was removed.
    retention_hold_reason = models.TextField(_("reason for the retention hold"), blank=True)
    retention_hold_at = models.DateTimeField(_("on retention hold since"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)
    # Set when a unit declines the inquiry and it goes back to triage; cleared when it is routed again.
    returned_by_unit = models.ForeignKey(
        MunicipalUnit,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("declined by unit"),
    )
    # Optimistic concurrency: every change increments it; a save from a stale page is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        # The lists (inbox, unit queue) read a page's ids from an index first, then the rows (selectors.rows_of_page):
        # each index below ends with what they sort by or count, so that neither needs the table.
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="inquiry_newest_first"),
            models.Index(fields=["unit", "status", "received_at"], name="inquiry_unit_status_received"),
            models.Index(fields=["owner", "status"], name="inquiry_owner_status"),
            # The open inquiries' views and the workload: overdue (the due dates), unassigned, per owner.
            models.Index(
                fields=["status", "decision_due_on", "first_reply_due_on", "first_replied_at", "owner"],
                name="inquiry_status_due_dates",
            ),
            models.Index(fields=["inquiry_type", "status", "received_at"], name="inquiry_type_status_received"),
            # The open inquiries alone (OPEN_STATUSES, a few in a hundred) by owner: the unassigned and mine views and
            # the workload at a million inquiries on PostgreSQL, which uses it for any filter that implies an open
            # status. (SQLite uses a partial index only for the very same condition, so it uses the others.)
            models.Index(
                fields=["owner", "status"],
                condition=models.Q(status__in=["received", "in_triage", "routed", "in_progress", "awaiting_partner"]),
                name="inquiry_open_owner",
            ),
            # The summaries (requests_app/summaries/) count a period's inquiries from these alone (migration 0015).
            models.Index(
                fields=[
                    "received_at",
                    "status",
                    "inquiry_type",
                    "organisation",
                    "unit",
                    "suggestion_accepted",
                    "first_reply_due_on",
                    "first_replied_at",
                    "decided_at",
                    "id",
                ],
                name="inquiry_received_figures",
            ),
            models.Index(fields=["status", "received_at"], name="inquiry_status_received"),
            models.Index(fields=["decided_at", "status"], name="inquiry_decided_figures"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference__regex=r"^[0-9]{4}-[0-9]{4,}$"), name="inquiry_reference_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("requests_app:staff-inquiry-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_on_retention_hold(self) -> bool:
        return self.retention_hold_at is not None

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def is_waiting_for_partner(self) -> bool:
        return self.status == self.Status.AWAITING_PARTNER

    @property
    def suggestion_reason(self) -> str:
        """Why the unit was suggested, in the reader's language (needs suggested_unit loaded)."""
        if self.suggested_unit is None:
            return ""
        return routing_reason(self.suggestion_basis, self.suggested_unit)

    def is_overdue(self, today: datetime.date) -> bool:
        """Open, not paused for the partner, and past the first-reply or the decision due date."""
        if not self.is_open or self.is_waiting_for_partner:
            return False
        first_reply_late = (
            self.first_replied_at is None and self.first_reply_due_on is not None and (self.first_reply_due_on < today)
        )
        decision_late = self.decision_due_on is not None and self.decision_due_on < today
        return first_reply_late or decision_late


class InquiryEvent(models.Model):
    """One entry in an inquiry's append-only audit trail."""

    class Kind(models.TextChoices):
        SUBMITTED = "inquiry.submitted", _("Inquiry submitted")
        TRIAGE_STARTED = "inquiry.triage_started", _("Triage started")
        ROUTED = "inquiry.routed", _("Routed to a unit")
        ACCEPTED = "inquiry.accepted", _("Accepted by the unit")
        INFORMATION_REQUESTED = "inquiry.information_requested", _("More information requested")
        PARTNER_REPLIED = "inquiry.partner_replied", _("The partner replied")
        DECIDED = "inquiry.decided", _("Decided")
        CLOSED = "inquiry.closed", _("Closed")
        WITHDRAWN = "inquiry.withdrawn", _("Withdrawn")
        MARKED_DUPLICATE = "inquiry.marked_duplicate", _("Marked as a duplicate")
        DUPLICATE_MERGED = "inquiry.duplicate_merged", _("A duplicate was merged into this inquiry")
        MARKED_SPAM = "inquiry.marked_spam", _("Rejected as spam")
        REOPENED = "inquiry.reopened", _("Reopened")
        SDGS_CHANGED = "inquiry.sdgs_changed", _("SDGs changed")
        TYPE_CHANGED = "inquiry.type_changed", _("Type changed")
        PRIORITY_CHANGED = "inquiry.priority_changed", _("Priority changed")
        OWNER_CHANGED = "inquiry.owner_changed", _("Owner changed")
        COLLABORATORS_CHANGED = "inquiry.collaborators_changed", _("Collaborators changed")
        MESSAGE_SENT = "inquiry.message_sent", _("Message sent to the partner")
        NOTE_ADDED = "inquiry.note_added", _("Internal note added")
        INTERIM_REPLY_SENT = "inquiry.interim_reply_sent", _("Interim reply sent")
        INTERIM_REMINDER_SENT = "inquiry.interim_reminder_sent", _("Owner reminded to send an interim reply")
        RETENTION_HOLD_SET = "inquiry.retention_hold_set", _("Retention hold set")
        RETENTION_HOLD_CLEARED = "inquiry.retention_hold_cleared", _("Retention hold lifted")
        PERSONAL_DATA_REMOVED = "inquiry.personal_data_removed", _("Personal data removed")
        REFERRAL_DECLINED = "inquiry.referral_declined", _("Declined by the unit and returned to triage")
        HANDSHAKE_REMINDED = "inquiry.handshake_reminded", _("Unit reminded to accept or decline")
        HANDSHAKE_ESCALATED = "inquiry.handshake_escalated", _("Not accepted in time: escalated to the secretariat")
        MESSAGE_APPROVED = "inquiry.message_approved", _("Decision message approved and sent")
        MESSAGE_RETURNED = "inquiry.message_returned", _("Decision message sent back to the owner")
        FOLLOW_UP_RECORDED = "inquiry.follow_up_recorded", _("Effect followed up")
        FOLLOW_UP_REMINDED = "inquiry.follow_up_reminded", _("Owner reminded to follow up the effect")
        ORGANISATION_MERGED = "inquiry.organisation_merged", _("Organisation merged into another")
        STATUS_LINKS_REVOKED = "inquiry.status_links_revoked", _("Status links revoked")
        STATUS_LINK_SENT = "inquiry.status_link_sent", _("Status link e-mailed to the partner")
        DECISION_REQUESTED = "inquiry.decision_requested", _("Decision asked of the chief municipal executive")
        DECISION_ANSWERED = "inquiry.decision_answered", _("The chief municipal executive answered")
        DECISION_REQUEST_WITHDRAWN = "inquiry.decision_request_withdrawn", _("Question to the executive withdrawn")
        HIGHLIGHT_SET = "inquiry.highlight_set", _("Marked as a highlight for the UNECE report")
        HIGHLIGHT_REMOVED = "inquiry.highlight_removed", _("Highlight for the UNECE report removed")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="events", verbose_name=_("inquiry"))
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiry_events",
        verbose_name=_("actor"),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class InquiryMessage(models.Model):
    """A message to or from the partner, or an internal note that never leaves the municipality."""

    class Kind(models.TextChoices):
        TO_PARTNER = "to_partner", _("Message to the partner")
        FROM_PARTNER = "from_partner", _("Message from the partner")
        NOTE = "note", _("Internal note")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="messages", verbose_name=_("inquiry"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiry_messages",
        verbose_name=_("author"),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=20_000)
    is_interim_reply = models.BooleanField(_("interim reply"), default=False)
    # A message telling the partner the decision may be held until the secretariat approves it.
    is_decision = models.BooleanField(_("tells the decision"), default=False)
    held_at = models.DateTimeField(_("held for approval since"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    returned_at = models.DateTimeField(_("sent back to the owner"), null=True, blank=True)
    moved_from = models.ForeignKey(
        Inquiry,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("moved from"),
        help_text=_("The duplicate this message was moved from."),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_note(self) -> bool:
        return self.kind == self.Kind.NOTE
