"""The secretariat's tools: routing rules, reply templates and saved views of the inbox."""

import re
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import MunicipalUnit, Organisation
from requests_app.models.inquiry import Inquiry
from requests_app.models.reference import SdgGoal


def _validate_inquiry_types(value: list[str]) -> None:
    unknown = set(value) - set(Inquiry.Type.values)
    if unknown:
        raise ValidationError(_("Unknown inquiry types: %(types)s.") % {"types": ", ".join(sorted(unknown))})


def _validate_organisation_kinds(value: list[str]) -> None:
    unknown = set(value) - set(Organisation.Kind.values)
    if unknown:
        raise ValidationError(_("Unknown organisation kinds: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))})


class RoutingRule(models.Model):
    """If an inquiry matches every condition that is filled in, suggest this unit. Lower position wins."""

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    unit = models.ForeignKey(
        MunicipalUnit, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("unit")
    )
    inquiry_types = models.JSONField(
        _("inquiry types"),
        default=list,
        blank=True,
        validators=[_validate_inquiry_types],
        help_text=_("Any of these types; empty = any type."),
    )
    organisation_kinds = models.JSONField(
        _("organisation kinds"),
        default=list,
        blank=True,
        validators=[_validate_organisation_kinds],
        help_text=_("Any of these kinds; empty = any kind."),
    )
    sdg_goals = models.ManyToManyField(
        SdgGoal,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("SDGs"),
        help_text=_("Any of these goals; empty = any goal."),
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "Words in the title or description, in bokmål and English, separated by commas; any one is enough. "
            "A word matches whole words that start with it (mobilitet matches mobilitetsplan)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in re.split(r"[,\n]", self.keywords) if word.strip()]


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ReplyTemplate(models.Model):
    """A ready-made message to the partner with placeholders such as {reference} and {contact_name}."""

    PLACEHOLDERS = (
        "reference",
        "title",
        "contact_name",
        "organisation",
        "unit",
        "first_reply_due",
        "decision_due",
        "staff_name",
    )

    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {reference}, {title}, {contact_name}, {organisation}, {unit}, {first_reply_due}, "
            "{decision_due}, {staff_name}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["language", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        for field in ("subject", "body"):
            try:
                # An empty name ("{}") is a placeholder too: render() cannot fill it in and would fail.
                names = {
                    name
                    for _text, name, _spec, _conv in string.Formatter().parse(getattr(self, field))
                    if name is not None
                }
            except ValueError:
                raise ValidationError({field: _("A { or } is not closed.")}) from None
            unknown = names - set(self.PLACEHOLDERS)
            if unknown:
                listed = ", ".join(sorted(name or "{}" for name in unknown))
                raise ValidationError({field: _("Unknown placeholders: %(names)s.") % {"names": listed}})

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """The subject and text with the placeholders filled in; unknown ones are left as they are."""
        placeholders = _Placeholders(values)
        return self.subject.format_map(placeholders), self.body.format_map(placeholders)


class SavedView(models.Model):
    """A named inbox filter, personal or shared with everyone who sees the inbox."""

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=pgettext_lazy("saved view", "owner"),
    )
    query = models.CharField(_("filter"), max_length=2000, help_text=_("The inbox's query string."))
    is_shared = models.BooleanField(_("shared"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique_per_owner")]

    def __str__(self) -> str:
        return self.name
