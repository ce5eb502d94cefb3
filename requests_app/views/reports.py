"""The yearly report to UNECE: the print-friendly page for a year, its figures as JSON and XLSX, and its PDF, which a
Celery worker renders in the background (a ReportRun, whose page shows the progress).

For those who see every inquiry (the secretariat, the chief municipal executive, administrators); unit members and
partners get 403. The report itself is always in English (it goes to Geneva); the page around it follows the reader.
"""

import datetime
import json
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.access import staff_required
from portal.db import reads_from_reporting_database
from portal.http import AuthenticatedRequest
from requests_app.models import AccessLogEntry, ReportRun
from requests_app.services import audit
from requests_app.services import reports as report_files
from requests_app.summaries import aggregates
from requests_app.summaries.periods import Period
from requests_app.summaries.report import (
    FIRST_YEAR,
    PARTNERSHIPS_ON_PAGE,
    build_report,
    is_reportable,
    years_with_data,
)


class ReportYearForm(forms.Form):
    """Another year than those listed: from the SDGs' first year to the year under way."""

    year = forms.IntegerField(label=_("Year"), help_text=_("For example 2024."))

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": today.year, "inputmode": "numeric"})

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not is_reportable(year, today=self.today):
            raise forms.ValidationError(
                _("Choose a year from %(first)s to %(last)s."), params={"first": FIRST_YEAR, "last": self.today.year}
            )
        return year


def _may_see_reports(request: AuthenticatedRequest) -> None:
    if not request.user.sees_all_inquiries:
        raise PermissionDenied


def _reportable(year: int, today: datetime.date) -> None:
    if not is_reportable(year, today=today):
        raise Http404


def _log_export(request: AuthenticatedRequest, year: int, export_format: str) -> None:
    """The report names organisations and lists inquiry references: written to the access log with the year's
    inquiries as its rows."""
    audit.record_export(
        request,
        kind=AccessLogEntry.Kind.INQUIRIES_EXPORTED,
        export_format=f"unece-report-{year}.{export_format}",
        rows=aggregates.received_in(Period.year(year)),
    )


@staff_required
@never_cache
@require_GET
def unece_report_latest(request: AuthenticatedRequest) -> HttpResponseBase:
    """The last complete year: the previous calendar year."""
    _may_see_reports(request)
    return redirect("requests_app:unece-report", year=timezone.localdate().year - 1)


@staff_required
@never_cache
@require_GET
@reads_from_reporting_database
def unece_report(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """The report of `year`, with links to the other years, a field for any year, and the downloads."""
    _may_see_reports(request)
    now = timezone.now()
    today = timezone.localtime(now).date()
    _reportable(year, today)
    form = ReportYearForm(request.GET if "year" in request.GET else None, today=today)
    if form.is_bound and form.is_valid():
        return redirect("requests_app:unece-report", year=form.cleaned_data["year"])
    years = sorted({*years_with_data(today=today), year, today.year - 1}, reverse=True)
    context = {
        # The page lists the first partnerships; the downloads and the PDF list every one.
        "report": build_report(year, now=now, partnership_limit=PARTNERSHIPS_ON_PAGE),
        "form": form,
        "years": years,
        "latest_pdf": ReportRun.objects.filter(year=year, status=ReportRun.Status.DONE).exclude(file="").first(),
    }
    return render(request, "requests_app/unece_report.html", context, status=400 if form.is_bound else 200)


@staff_required
@never_cache
@require_GET
@reads_from_reporting_database
def unece_report_json(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    _may_see_reports(request)
    now = timezone.now()
    _reportable(year, timezone.localtime(now).date())
    _log_export(request, year, "json")
    document = build_report(year, now=now).as_json()
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="unece-report-{year}.json"'
    return response


@staff_required
@never_cache
@require_GET
@reads_from_reporting_database
def unece_report_xlsx(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    _may_see_reports(request)
    now = timezone.now()
    _reportable(year, timezone.localtime(now).date())
    _log_export(request, year, "xlsx")
    response = HttpResponse(
        report_files.report_xlsx(build_report(year, now=now)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="unece-report-{year}.xlsx"'
    return response


@staff_required
@require_POST
def report_run_create(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """Start making the PDF of `year` in the background (or follow the one already under way)."""
    _may_see_reports(request)
    now = timezone.now()
    _reportable(year, timezone.localtime(now).date())
    run = report_files.start_report_run(year, actor=request.user, now=now)
    return redirect("requests_app:report-run-detail", pk=run.pk)


@staff_required
@never_cache
@require_GET
def report_run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The run's progress: a page that static/js/report-run.js refreshes by asking the same address for JSON."""
    _may_see_reports(request)
    run = get_object_or_404(ReportRun, pk=pk)
    status = report_files.run_status(run, now=timezone.now())
    response: HttpResponseBase
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse(status)
    else:
        response = render(request, "requests_app/report_run_detail.html", {"run": run, "status": status})
    patch_vary_headers(response, ["Accept"])
    return response


@staff_required
@never_cache
@require_GET
def report_run_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The finished PDF, from the private storage, always as a download."""
    _may_see_reports(request)
    run = get_object_or_404(ReportRun, pk=pk, status=ReportRun.Status.DONE)
    if not run.file:
        raise Http404
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    _log_export(request, run.year, "pdf")
    response = FileResponse(
        handle, as_attachment=True, filename=f"unece-report-{run.year}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
