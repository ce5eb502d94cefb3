"""Display helpers of the inquiry pages; none of them queries the database."""

from django import template
from django.utils.safestring import mark_safe

from requests_app.permissions import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(name: str) -> str:
    """What an action's button, link or heading says, in the page's language (permissions.ACTION_LABELS): a lookup
    instead of a template choosing among thirty translations for each button."""
    label = ACTION_LABELS.get(name)
    # Our own words from the catalogue, as {% translate "…" %} wrote them (a literal's translation is not escaped).
    return "" if label is None else mark_safe(str(label))  # noqa: S308
