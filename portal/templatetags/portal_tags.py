"""Small display helpers for every template; none of them queries the database."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def error_count(form: Any) -> int:
    """How many errors a bound form has in all (a field may have more than one)."""
    return sum(len(errors) for errors in form.errors.values())


@register.filter
def overdue_on(inquiry: Any, today: Any) -> bool:
    """Whether the inquiry is overdue on the given day (Inquiry.is_overdue; reads loaded fields only)."""
    return bool(inquiry.is_overdue(today))
