"""The yearly UNECE report as files: the PDF, rendered in the background as a ReportRun with its progress, and the
XLSX of its figures. Both are made from summaries.report.UneceReport, like the report page and its JSON."""

import datetime
import io
import logging
import mimetypes
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import User
from requests_app import tasks
from requests_app.exports import write_sheet
from requests_app.models import ReportRun
from requests_app.summaries.report import UneceReport, build_report

logger = logging.getLogger(__name__)

# What the page says while a run works, by the step stored on it (keys, so each reader gets their own language).
STEP_LABELS = {
    "figures": gettext_lazy("Counting the figures"),
    "html": gettext_lazy("Laying out the pages"),
    "pdf": gettext_lazy("Writing the PDF"),
    "storing": gettext_lazy("Saving the file"),
    "done": gettext_lazy("Ready to download"),
    "failed": gettext_lazy("Stopped by an error"),
}
# A run still queued or running after this long has lost its worker: the page offers to start again.
STALE_AFTER = datetime.timedelta(minutes=15)
# The PDF's own address for its static files: only ever resolved by _StaticFilesOnly, never requested.
PDF_STATIC_BASE = "https://portal.invalid/static/"


def _static_file_response(url: str) -> tuple[bytes, str]:
    """The content and type of the portal's own static file at `url` (under PDF_STATIC_BASE); ValueError otherwise."""
    if not url.startswith(PDF_STATIC_BASE):
        raise ValueError(f"The report PDF fetches nothing outside the static files: {url}")
    name = url.removeprefix(PDF_STATIC_BASE).split("?")[0].split("#")[0]
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"Not a static file name: {name}")
    # The source folders first (always there), then what collectstatic gathered (for a hashed name).
    found = finders.find(name)
    if isinstance(found, str):
        path = Path(found)
    elif settings.STATIC_ROOT and staticfiles_storage.exists(name):
        path = Path(staticfiles_storage.path(name))
    else:
        raise ValueError(f"No static file {name}")
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def report_html(report: UneceReport) -> str:
    """The report as a standalone English HTML document for WeasyPrint."""
    with translation.override("en"):
        return render_to_string(
            "requests_app/unece_report_pdf.html", {"report": report, "static_base": PDF_STATIC_BASE}
        )


def report_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF (PDF/UA-1: structure tags, title and language from the document, fonts embedded).

    WeasyPrint is imported here, by the worker only: it is slow to import and the web processes never need it.
    """
    import weasyprint

    class StaticFilesOnly(weasyprint.URLFetcher):
        """Serves the portal's own static files (the PDF stylesheet) and nothing else: no network."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            content, content_type = _static_file_response(url)
            return weasyprint.urls.URLFetcherResponse(url, content, {"Content-Type": content_type})

    document = weasyprint.HTML(string=html, base_url=PDF_STATIC_BASE, url_fetcher=StaticFilesOnly())
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf


def report_xlsx(report: UneceReport) -> bytes:
    """One sheet per section of the report, each with a header row; numbers as numbers, dates as dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    for table in report.tables():
        write_sheet(workbook, table.title, table.columns, table.rows, wrap_over=60)
    workbook.close()
    return buffer.getvalue()


def start_report_run(year: int, *, actor: User, now: datetime.datetime) -> ReportRun:
    """Queue the PDF of `year`'s report, or return the one already being made for it.

    A run of the same year still queued or running (and not stale) is reused, so a second click does not start a
    second rendering. The Celery task is queued once the transaction has committed.
    """
    unfinished = (
        ReportRun.objects.filter(
            year=year,
            status__in=(ReportRun.Status.QUEUED, ReportRun.Status.RUNNING),
            created_at__gte=now - STALE_AFTER,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if unfinished is not None:
        return unfinished
    run = ReportRun.objects.create(year=year, requested_by=actor, step="figures")
    transaction.on_commit(lambda: tasks.render_unece_report.delay(run.pk))
    return run


def _advance(run: ReportRun, progress: int, step: str) -> None:
    # Outside any transaction: the page polling the run sees each step as soon as it is written.
    ReportRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def render_report_run(run_id: int) -> ReportRun:
    """Render a queued run's PDF in steps (figures 20 %, HTML 40 %, PDF 90 %, stored 100 %) into the private storage.

    Harmless to run twice: a run that is done (or failed) is left as it is, and when two workers render the same run
    only the first file is kept. A failure marks the run failed with the error; it is not retried (the secretariat
    starts a new run from the page).
    """
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
            return run
        run.status, run.progress, run.step = ReportRun.Status.RUNNING, 0, "figures"
        run.save(update_fields=["status", "progress", "step"])
    try:
        report = build_report(run.year, now=timezone.now())
        _advance(run, 20, "html")
        html = report_html(report)
        _advance(run, 40, "pdf")
        pdf = report_pdf(html)
        _advance(run, 90, "storing")
        storage = run.file.storage
        name = storage.save(f"reports/unece-report-{run.year}-run-{run.pk}.pdf", ContentFile(pdf))
        stored = (
            ReportRun.objects.filter(pk=run.pk)
            .exclude(status=ReportRun.Status.DONE)
            .update(
                file=name, status=ReportRun.Status.DONE, progress=100, step="done", error="", finished_at=timezone.now()
            )
        )
        if not stored:
            storage.delete(name)  # another worker finished first: its file is the run's
    except Exception as error:
        logger.exception("The UNECE report PDF of run %s failed", run.pk)
        ReportRun.objects.filter(pk=run.pk).exclude(status=ReportRun.Status.DONE).update(
            status=ReportRun.Status.FAILED,
            step="failed",
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def run_is_stale(run: ReportRun, *, now: datetime.datetime) -> bool:
    """Still waiting or working long after it was asked for: its worker is gone (a worker killed mid-render)."""
    return run.status in (ReportRun.Status.QUEUED, ReportRun.Status.RUNNING) and run.created_at < now - STALE_AFTER


def run_message(run: ReportRun, *, now: datetime.datetime) -> str:
    """What the run's page says about it, in the active language."""
    if run.status == ReportRun.Status.DONE:
        return _("The PDF of the %(year)s report is ready.") % {"year": run.year}
    if run.status == ReportRun.Status.FAILED:
        return _("The PDF could not be made. Try again; if it fails again, tell the portal's administrators.")
    if run_is_stale(run, now=now):
        return _("This is taking much longer than it should. Start the PDF again.")
    if run.status == ReportRun.Status.QUEUED:
        return _("Waiting for a free worker…")
    return _("%(step)s… %(progress)s %% done.") % {"step": STEP_LABELS.get(run.step, ""), "progress": run.progress}


def run_status(run: ReportRun, *, now: datetime.datetime) -> dict[str, Any]:
    """The run's state for the page's polling (JSON) and its first rendering."""
    done = run.status == ReportRun.Status.DONE and bool(run.file)
    return {
        "id": run.pk,
        "year": run.year,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "progress": run.progress,
        "step": run.step,
        "step_label": str(STEP_LABELS.get(run.step, "")),
        "message": run_message(run, now=now),
        "finished": run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED),
        "stale": run_is_stale(run, now=now),
        "download_url": reverse("requests_app:report-run-download", args=[run.pk]) if done else None,
    }
