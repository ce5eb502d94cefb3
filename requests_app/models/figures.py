"""The summary dashboard's figures of a large period, counted in the background and kept for a few minutes.

A period with at least services.figures.LIVE_LIMIT inquiries (it and the period before together) takes longer to
count than a page may take; its figures are kept here, counted again by a periodic task while people look at them,
and the page says when they were counted. Smaller periods are counted live on every visit and never stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SummarySnapshot(models.Model):
    """The figures of one period of the dashboard (requests_app/summaries/dashboard.PeriodFigures, as JSON)."""

    period_kind = models.CharField(_("kind of period"), max_length=8)
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    figures = models.JSONField(_("figures"))
    inquiries = models.PositiveIntegerField(_("inquiries counted"))
    counted_at = models.DateTimeField(_("counted"))
    viewed_at = models.DateTimeField(_("last shown"))

    class Meta:
        verbose_name = _("summary snapshot")
        verbose_name_plural = _("summary snapshots")
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "first", "last"], name="summary_snapshot_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.first}–{self.last} ({self.counted_at:%Y-%m-%d %H:%M})"
