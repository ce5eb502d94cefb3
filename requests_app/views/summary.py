"""The summary dashboard at /staff/summary/: the figures of a period for the executive and the secretariat."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.access import staff_required
from portal.db import reads_from_reporting_database
from portal.http import AuthenticatedRequest
from requests_app.filters import PeriodForm, period_query
from requests_app.services import figures
from requests_app.summaries.dashboard import build_dashboard, next_period


@never_cache
@staff_required
@require_GET
@reads_from_reporting_database
def summary_page(request: AuthenticatedRequest) -> HttpResponse:
    """The figures of the chosen period (this month by default) against the period before; a fixed number of
    queries. For those who see every inquiry: the figures count them all. A large period's figures come from a
    snapshot a few minutes old (services/figures.py), and the page says when they were counted."""
    if not request.user.sees_all_inquiries:
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    period = form.chosen_period(today)
    if not form.is_bound or form.is_valid():
        # The form shows the period on the page; bad input is shown back as it was typed, with its errors.
        form = PeriodForm(initial={"period": period.kind, "start": period.first, "end": period.last})
    following = next_period(period)
    # A large period's figures may come from a snapshot counted a few minutes ago; the page says when.
    shown = figures.figures_for(period, now=timezone.now())
    return render(
        request,
        "requests_app/summary.html",
        {
            "form": form,
            "dashboard": build_dashboard(period, figures=shown.figures),
            "counted_at": shown.counted_at,
            "from_snapshot": shown.from_snapshot,
            "refresh_minutes": int(figures.REFRESH_EVERY.total_seconds() // 60),
            "fresh_minutes": int(figures.FRESH_FOR.total_seconds() // 60),
            "period": period,
            "previous_query": period_query(period.previous()),
            "next_period": following if following.first <= today else None,
            "next_query": period_query(following),
        },
    )
