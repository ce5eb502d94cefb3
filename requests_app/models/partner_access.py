"""How partners reach their inquiries without staff access: private status links, attachments, privacy requests."""

import datetime

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models.inquiry import Inquiry, InquiryMessage


class StatusLink(models.Model):
    """A private link to one inquiry, e-mailed to its contact: an unguessable token of which only a hash is kept.

    Valid until revoked, and until 90 days after the inquiry has finished.
    """

    VALID_DAYS_AFTER_FINISHING = 90

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="status_links", verbose_name=_("inquiry")
    )
    email = models.EmailField(_("sent to"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("status link")
        verbose_name_plural = _("status links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.inquiry_id} ({self.created_at:%Y-%m-%d})"

    def expires_at(self) -> datetime.datetime | None:
        """When the link stops working because the inquiry finished 90 days before; None while it runs."""
        finished = self.inquiry.closed_at or (self.inquiry.decided_at if not self.inquiry.is_open else None)
        return None if finished is None else finished + datetime.timedelta(days=self.VALID_DAYS_AFTER_FINISHING)


def _attachment_storage() -> Storage:
    return storages["attachments"]


class Attachment(models.Model):
    """A file sent with a message, stored outside the public static and media paths; served only through a view
    that checks access, as a download."""

    message = models.ForeignKey(
        InquiryMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), storage=_attachment_storage, upload_to="attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class PrivacyRequest(models.Model):
    """A person's request about their personal data (their data downloaded, their account deleted), recorded for
    the secretariat, who handle what follows under the retention rules."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Downloaded their data")
        DELETION = "deletion", _("Deleted their account")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.email}"
