"""The outbox: every e-mail is first written here, in the transaction of the change that causes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models.inquiry import Inquiry, InquiryEvent, InquiryMessage

# What each e-mail is, for the staff's view of the outbox (allauth's account e-mails included).
EMAIL_LABELS = {
    "inquiry_receipt": _("Receipt to the partner"),
    "partner_message": _("Message to the partner"),
    "inquiry_routed": _("New inquiry for a unit"),
    "partner_replied": _("The partner replied"),
    "interim_reply_reminder": _("Interim reply reminder"),
    "email_confirmation": _("Confirm an e-mail address"),
    "email_confirmation_signup": _("Confirm an e-mail address"),
    "password_reset_key": _("Password reset"),
    "unknown_account": _("Password reset for an unknown address"),
    "referral_declined": _("A unit declined an inquiry"),
    "handshake_reminder": _("Unit reminded to accept or decline"),
    "handshake_escalated": _("Referral not accepted in time"),
    "follow_up_reminder": _("Follow-up reminder"),
    "partner_withdrew": _("The partner withdrew"),
    "status_link": _("Status link to the partner"),
    "organisation_invitation": _("Invitation to an organisation"),
    "decision_requested": _("Decision needed by the chief municipal executive"),
    "decision_answered": _("The chief municipal executive answered"),
    "weekly_digest": _("Weekly digest"),
}


class OutboxMessage(models.Model):
    """One rendered e-mail to one recipient, delivered by a Celery task by id, at most once.

    `key` is unique per cause and recipient (an event and an address), so writing the same e-mail twice, or a
    redelivered task, never sends it twice. The rendered text is kept so that what was sent can be shown, and so that
    delivery does not depend on the state of the inquiry when the worker gets to it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=255, unique=True)
    template = models.CharField(_("e-mail"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    to = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    inquiry = models.ForeignKey(
        Inquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("inquiry"),
    )
    event = models.ForeignKey(
        InquiryEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("event")
    )
    message = models.ForeignKey(
        InquiryMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("message"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_undelivered_idx",
                condition=~models.Q(status="sent"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"

    @property
    def label(self) -> str:
        return str(EMAIL_LABELS.get(self.template, self.template))
