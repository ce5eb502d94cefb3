"""Reference data: the SDGs, the yearly reference counter and the centre's service targets."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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


class ServiceTargets(models.Model):
    """The centre's promises to partners, in business days; one row, changed by administrators in the admin."""

    DEFAULT_FIRST_REPLY_BUSINESS_DAYS = 5
    DEFAULT_DECISION_BUSINESS_DAYS = 20

    first_reply_business_days = models.PositiveSmallIntegerField(
        _("first reply within (business days)"),
        default=DEFAULT_FIRST_REPLY_BUSINESS_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    decision_business_days = models.PositiveSmallIntegerField(
        _("decision within (business days)"),
        default=DEFAULT_DECISION_BUSINESS_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    handshake_business_days = models.PositiveSmallIntegerField(
        _("a unit accepts or declines a routed inquiry within (business days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    interim_reply_warning_business_days = models.PositiveSmallIntegerField(
        _("remind about an interim reply this many business days before the decision is due"),
        default=3,
        validators=[MaxValueValidator(30)],
    )

    class Meta:
        verbose_name = _("service targets")
        verbose_name_plural = _("service targets")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="service_targets_single_row")]

    def __str__(self) -> str:
        return str(_("Service targets"))

    @classmethod
    def current(cls) -> "ServiceTargets":
        """The targets in force (the defaults until an administrator changes them)."""
        targets, _created = cls.objects.get_or_create(pk=1)
        return targets
