"""Small display helpers for every template; none of them queries the database."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def error_count(form: Any) -> int:
    """How many errors a bound form has in all (a field may have more than one)."""
    return sum(len(errors) for errors in form.errors.values())
