"""What the summaries add to inquiries: questions for the chief municipal executive, highlights for the yearly
UNECE report, and the report files rendered in the background."""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.models.inquiry import Inquiry


class DecisionRequest(models.Model):
    """A question the secretariat puts to the chief municipal executive about one inquiry, and the answer.

    At most one question per inquiry is open (neither answered nor withdrawn) at a time; the others are kept, so
    the inquiry's timeline and the executive's queue show every question ever asked.
    """

    class Reason(models.TextChoices):
        LEADERSHIP = "leadership", _("Request from another city's or organisation's leadership")
        FUNDING = "funding", _("Funding offer above the threshold")
        POLITICAL = "political", _("Politically sensitive or of principle")
        COMMITMENT = "commitment", _("Commits the municipality beyond one unit")
        OTHER = "other", _("Other")

    class Answer(models.TextChoices):
        APPROVE = "approve", _("Approved")
        COMMENT = "comment", _("Commented")
        DECLINE = "decline", _("Declined")

    QUESTION_MAX_LENGTH = 2000
    ANSWER_MAX_LENGTH = 4000

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, related_name="decision_requests", verbose_name=_("inquiry")
    )
    reason = models.CharField(_("why the executive must decide"), max_length=20, choices=Reason.choices)
    question = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked"), db_index=True)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, blank=True)
    answer_text = models.TextField(_("the executive's words"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn by the secretariat"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision request")
        verbose_name_plural = _("decision requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=models.Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_decision_request",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answer="")
                | models.Q(answered_at__isnull=False) & ~models.Q(answer=""),
                name="decision_request_answer_with_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="decision_request_open_idx",
                condition=models.Q(answered_at__isnull=True, withdrawn_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.reason} {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None


class ReportHighlight(models.Model):
    """An inquiry the secretariat picked for a year's UNECE report, with a short text in English."""

    TEXT_MAX_LENGTH = 1200

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, related_name="report_highlights", verbose_name=_("inquiry")
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    text = models.TextField(_("highlight text"), max_length=TEXT_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    created_at = models.DateTimeField(_("marked"))

    class Meta:
        verbose_name = _("report highlight")
        verbose_name_plural = _("report highlights")
        ordering = ["year", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["inquiry", "year"], name="one_highlight_per_inquiry_and_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.inquiry_id}"


def _report_storage() -> Storage:
    return storages["attachments"]


class ReportRun(models.Model):
    """One rendering of a year's UNECE report as a PDF, done by a Celery worker; the page shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("report year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (per cent)"), default=0)
    step = models.CharField(_("current step"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", storage=_report_storage, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.status} {self.progress}%"
