"""What came of an inquiry (its outcome and the follow-ups of its effect) and the chain of units that handled it."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import MunicipalUnit, Organisation
from requests_app.models.inquiry import Inquiry
from requests_app.models.reference import SdgTarget


class UnitAssignment(models.Model):
    """One stay of an inquiry with one unit: routed, then accepted, declined, transferred or finished.

    The chain of an inquiry's assignments shows every transfer, and how long each unit had it. The referral
    handshake (accept or decline within a number of business days) is tracked here: its due date, the reminder
    to the unit and the escalation to the secretariat, each at most once.
    """

    class End(models.TextChoices):
        DECLINED = "declined", _("Declined by the unit")
        TRANSFERRED = "transferred", _("Transferred to another unit")
        RETURNED = "returned", _("Taken back by the secretariat")
        FINISHED = "finished", _("Finished")

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("inquiry")
    )
    unit = models.ForeignKey(
        MunicipalUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    routed_at = models.DateTimeField(_("routed"))
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routed by"),
    )
    respond_by = models.DateField(_("accept or decline by"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("unit reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the secretariat"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end = models.CharField(_("how it ended"), max_length=12, choices=End.choices, blank=True)
    decline_reason = models.TextField(_("the unit's reason for declining"), blank=True)

    class Meta:
        verbose_name = _("unit assignment")
        verbose_name_plural = _("unit assignments")
        ordering = ["routed_at", "pk"]
        indexes = [
            models.Index(
                fields=["respond_by"],
                name="assignment_waiting_idx",
                condition=models.Q(accepted_at__isnull=True, ended_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry"], condition=models.Q(ended_at__isnull=True), name="one_open_assignment_per_inquiry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} → {self.unit_id} ({self.routed_at:%Y-%m-%d})"

    def time_with_unit(self, now: datetime.datetime) -> datetime.timedelta:
        return (self.ended_at or now) - self.routed_at


class Outcome(models.Model):
    """What came of an inquiry, recorded when it is decided; separate from its status."""

    class Type(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement or MoU signed")
        JOINT_PROJECT = "joint_project", _("Joint project started")
        PILOT = "pilot", _("Pilot or test bed agreed")
        REFERRED = "referred", _("Referred to another body or network")
        KNOWLEDGE_SHARED = "knowledge_shared", _("Knowledge shared or meeting held")
        DECLINED = "declined", _("Declined")
        NOT_OUR_REMIT = "not_our_remit", _("Not our remit")
        WITHDRAWN = "withdrawn", _("Withdrawn by the partner")
        NO_REPLY = "no_reply", _("No reply from the partner")

    class ReferredTo(models.TextChoices):
        KS = "ks", _("KS (the Norwegian Association of Local and Regional Authorities)")
        COUNTY = "trondelag_county", _("Trøndelag fylkeskommune")
        REGION = "trondheimsregionen", _("Trondheimsregionen")
        NETWORK_CITY = "network_city", _("Another city in the Norwegian network of excellence")
        NTNU = "ntnu", _("NTNU")
        SINTEF = "sintef", _("SINTEF")
        OTHER = "other", _("Another body")

    class DeclineReason(models.TextChoices):
        OUTSIDE_PRIORITIES = "outside_priorities", _("Outside the centre's priorities")
        NO_CAPACITY = "no_capacity", _("No capacity at the moment")
        NO_FUNDING = "no_funding", _("No funding")
        NOT_MATURE = "not_mature", _("Not mature enough yet")
        CONFLICT = "conflict", _("Conflict of interest or legal obstacle")
        OTHER = "other", _("Other reason")

    # The outcomes that make an inquiry an active partnership, to be followed up for its effect.
    PARTNERSHIP_TYPES = (Type.AGREEMENT, Type.JOINT_PROJECT, Type.PILOT)

    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="outcome", verbose_name=_("inquiry"))
    type = models.CharField(_("outcome"), max_length=20, choices=Type.choices, db_index=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    decided_on = models.DateField(_("date"))
    partners_involved = models.ManyToManyField(
        Organisation, related_name="outcomes", blank=True, verbose_name=_("partners involved")
    )
    referred_to = models.CharField(_("referred to"), max_length=20, choices=ReferredTo.choices, blank=True)
    referred_to_detail = models.CharField(_("which body or city"), max_length=200, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    funding_nok = models.PositiveBigIntegerField(
        _("funding mobilised (NOK)"), null=True, blank=True, validators=[MaxValueValidator(10**12)]
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, related_name="outcomes", blank=True, verbose_name=_("SDG targets addressed")
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True, db_index=True)
    follow_up_reminded_on = models.DateField(_("follow-up reminder sent for"), null=True, blank=True)
    partnership_ended_on = models.DateField(_("partnership ended"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        # The summaries count a period's outcomes and the active partnerships from these alone (migration 0015).
        indexes = [
            models.Index(fields=["decided_on", "type", "funding_nok"], name="outcome_decided_figures"),
            models.Index(fields=["type", "decided_on", "partnership_ended_on"], name="outcome_partnerships"),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.type}"

    @property
    def is_partnership(self) -> bool:
        return self.type in self.PARTNERSHIP_TYPES

    @property
    def is_active_partnership(self) -> bool:
        return self.is_partnership and self.partnership_ended_on is None


class FollowUp(models.Model):
    """One look back at an outcome's effect: how the collaboration stands, what it achieved, what it moved."""

    class CollaborationStatus(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing as planned")
        DELAYED = "delayed", _("Ongoing, delayed")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    class Area(models.TextChoices):
        # The three dimensions of the U4SSC key performance indicators for smart sustainable cities.
        ECONOMY = "economy", _("Economy")
        ENVIRONMENT = "environment", _("Environment")
        SOCIETY = "society_culture", _("Society and culture")

    # A follow-up with one of these ends the partnership (it is no longer active).
    ENDING_STATUSES = (CollaborationStatus.COMPLETED, CollaborationStatus.STOPPED)

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("outcome"))
    collaboration_status = models.CharField(
        _("status of the collaboration"), max_length=12, choices=CollaborationStatus.choices
    )
    results = models.TextField(_("results so far"), max_length=5000)
    sdg_targets = models.ManyToManyField(
        SdgTarget, related_name="follow_ups", blank=True, verbose_name=_("SDG targets it moved")
    )
    u4ssc_areas = models.JSONField(_("U4SSC areas it moved"), default=list, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.outcome_id} {self.collaboration_status} {self.recorded_at:%Y-%m-%d}"

    @property
    def area_labels(self) -> list[str]:
        return [str(self.Area(area).label) for area in self.u4ssc_areas if area in self.Area.values]
