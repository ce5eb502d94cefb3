"""Inquiries, their audit trail, and the SDG reference data they are tagged with."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partners.models import Contact, MunicipalUnit, Organisation


def _in_english() -> bool:
    return (get_language() or "nb").startswith("en")


class SdgGoal(models.Model):
    """One of the 17 UN Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    short_en = models.CharField(_("short name (English)"), max_length=100)
    short_nb = models.CharField(_("short name (bokmål)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_nb = models.CharField(_("title (bokmål)"), max_length=300)

    class Meta:
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.short}"

    @property
    def short(self) -> str:
        return self.short_en if _in_english() else self.short_nb

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_nb


class SdgTarget(models.Model):
    """One of the 169 SDG targets, such as 11.2."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, related_name="targets", verbose_name=_("goal"))
    position = models.PositiveSmallIntegerField(_("position"), help_text=_("Order within the goal."))
    title_en = models.TextField(_("title (English)"))
    title_nb = models.TextField(_("title (bokmål)"))

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["goal", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_nb


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year; locked while the next one is allocated."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


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
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    first_reply_due_on = models.DateField(_("first reply due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="inquiry_newest_first"),
            models.Index(fields=["unit", "status"], name="inquiry_unit_status"),
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


class InquiryEvent(models.Model):
    """One entry in an inquiry's append-only audit trail."""

    class Kind(models.TextChoices):
        SUBMITTED = "inquiry.submitted", _("Inquiry submitted")

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
