"""The open statistics (/statistics/, /en/statistics/): counts per year for anyone, as a page, CSV and JSON.

No login and nothing personal: the figures come from summaries/open_data.py, which reads counts and the names of
organisations that agreed to be named, nothing else. The figures are cached per language for a few minutes; the
downloads say so to browsers and proxies too. The page does not (it carries the language switcher's CSRF token).
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from requests_app.exports import neutralise
from requests_app.statistics_forms import StatisticsYearForm
from requests_app.summaries.open_data import (
    CACHE_SECONDS,
    FIELDS,
    LICENCE_NAME,
    LICENCE_URL,
    SOURCE,
    OpenStatistics,
    open_statistics,
)


@require_safe
def statistics_page(request: HttpRequest) -> HttpResponse:
    """One year's figures (the newest unless ?year= picks another), every year's totals, the downloads and what
    each field means. An unknown year gets the newest with a message, and status 400."""
    figures = open_statistics()
    years = [year.year for year in figures.years]
    form = StatisticsYearForm(request.GET if request.GET.get("year") else None, years=years)
    shown = figures.year(form.cleaned_data["year"] if form.is_valid() else years[-1])
    context = {
        "form": form,
        "figures": figures,
        "shown": shown,
        "years_newest_first": list(reversed(figures.years)),
        "fields": [(name, str(description)) for name, description in FIELDS],
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "source": SOURCE,
        "cache_minutes": CACHE_SECONDS // 60,
    }
    return render(request, "requests_app/statistics.html", context, status=400 if form.errors else 200)


def _filename(figures: OpenStatistics, extension: str) -> str:
    return f"open-statistics-{figures.language}.{extension}"


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """One row per year × dimension × value (year, dimension, code, label, count), UTF-8, comma-separated with a
    header row (RFC 4180). A label that a spreadsheet would run as a formula starts with an apostrophe."""
    figures = open_statistics()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _description in FIELDS])
    for row in figures.rows():
        writer.writerow([row.year, str(row.dimension), row.code, neutralise(row.label), row.count])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8; header=present")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "csv")}"'
    return response


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def statistics_json(request: HttpRequest) -> HttpResponse:
    """The same rows as the CSV under "data", with what each field means, the licence and when they were computed."""
    figures = open_statistics()
    document = {
        "title": _("Open statistics of the UN Centre Trondheim"),
        "description": _(
            "Inquiries received by the centre per year, by Sustainable Development Goal and by kind of "
            "organisation, outcomes decided per year by type, and the number of inquiries from organisations that "
            "have agreed to be named. Aggregate counts only: no personal data."
        ),
        "source": str(SOURCE),
        "page": request.build_absolute_uri(reverse("requests_app:statistics")),
        "licence": {
            "name": LICENCE_NAME,
            "url": LICENCE_URL,
            "attribution": _("Source: %(source)s") % {"source": SOURCE},
        },
        "language": figures.language,
        "generated_at": timezone.localtime(figures.generated_at).replace(microsecond=0).isoformat(),
        "fields": {name: str(description) for name, description in FIELDS},
        "data": [row.as_dict() for row in figures.rows()],
    }
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "json")}"'
    return response
