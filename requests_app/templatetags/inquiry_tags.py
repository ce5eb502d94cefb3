"""Display helpers of the inquiry pages; none of them queries the database."""

import datetime
from collections.abc import Iterable

from django import template
from django.utils.safestring import mark_safe

from requests_app.list_rendering import render_inquiry_rows
from requests_app.models import Inquiry
from requests_app.permissions import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(name: str) -> str:
    """What an action's button, link or heading says, in the page's language (permissions.ACTION_LABELS): a lookup
    instead of a template choosing among thirty translations for each button."""
    label = ACTION_LABELS.get(name)
    # Our own words from the catalogue, as {% translate "…" %} wrote them (a literal's translation is not escaped).
    return "" if label is None else mark_safe(str(label))  # noqa: S308


@register.simple_tag
def inquiry_rows(inquiries: Iterable[Inquiry], *, may_bulk: bool, unit_queue: bool, today: datetime.date) -> str:
    """The inbox's or unit queue's rows (requests_app/list_rendering.py)."""
    return render_inquiry_rows(inquiries, may_bulk=bool(may_bulk), unit_queue=bool(unit_queue), today=today)
