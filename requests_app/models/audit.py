"""The access log: who looked at or exported personal data, when, and from where."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models.inquiry import Inquiry


class AccessLogEntry(models.Model):
    """One access to personal data by a member of staff. Append-only: rows are written by
    services.audit.record_access and never changed; the nightly retention run deletes those older than
    retention.ACCESS_LOG_YEARS (services.retention), the one way out of the log.

    Changes are in other trails: an inquiry's InquiryEvents, and the Django admin's own LogEntry.
    """

    class Kind(models.TextChoices):
        INQUIRY_VIEWED = "inquiry.viewed", _("Opened the inquiry page")
        INQUIRIES_EXPORTED = "inquiries.exported", _("Exported inquiries")
        ADMIN_VIEWED = "admin.viewed", _("Opened a record in the admin")
        ORGANISATION_VIEWED = "organisation.viewed", _("Opened an organisation in the partner register")
        CONTACT_VIEWED = "contact.viewed", _("Opened a contact in the partner register")
        ORGANISATIONS_EXPORTED = "organisations.exported", _("Exported the partner register")
        ATTACHMENT_DOWNLOADED = "attachment.downloaded", _("Downloaded an attachment")

    # What the exports write: every URL named like an export logs one of these (tests/requests_app/test_audit_log.py).
    EXPORT_KINDS = (Kind.INQUIRIES_EXPORTED, Kind.ORGANISATIONS_EXPORTED)

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log_entries",
        verbose_name=_("person"),
    )
    # Kept as it was at the time, so the entry still says who it was if the account is later removed.
    actor_email = models.EmailField(_("e-mail address of the person"))
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    inquiry = models.ForeignKey(
        Inquiry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log_entries",
        verbose_name=_("inquiry"),
    )
    # Exports: "csv" or "xlsx"; admin pages: "<app label>.<model>:<primary key>". Never a name or an address.
    target = models.CharField(_("record or format"), max_length=100, blank=True)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="access_log_newest_first"),
            models.Index(fields=["inquiry", "-created_at"], name="access_log_inquiry"),
            models.Index(fields=["actor", "-created_at"], name="access_log_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an entry that could be edited would prove nothing.
        if not self._state.adding:
            raise ValueError("Access log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Access log entries are never deleted one by one; retention removes old ones.")
