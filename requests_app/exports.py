"""Exports of the filtered inbox and of the partner register to CSV and XLSX, streamed so memory does not grow
with the row count."""

import csv
import datetime
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import Organisation
from requests_app.models import Inquiry

CHUNK = 1000
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make text that a spreadsheet would run as a formula plain text, by a leading apostrophe (OWASP)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _columns() -> list[str]:
    return [
        _("Reference"),
        _("Received"),
        _("Status"),
        _("Type of inquiry"),
        _("Title"),
        _("Organisation"),
        _("Kind of organisation"),
        _("Country"),
        _("Contact"),
        _("E-mail address"),
        _("Responsible unit"),
        _("Owner"),
        _("Priority"),
        _("Channel"),
        _("SDGs"),
        _("First reply due"),
        _("Decision due"),
    ]


def _goal_numbers(inquiry_ids: list[int]) -> dict[int, list[int]]:
    numbers: dict[int, list[int]] = {}
    tags = Inquiry.sdg_goals.through.objects.filter(inquiry_id__in=inquiry_ids).order_by("sdggoal_id")
    for inquiry_id, number in tags.values_list("inquiry_id", "sdggoal_id"):
        numbers.setdefault(inquiry_id, []).append(number)
    return numbers


def _rows(inquiries: QuerySet[Inquiry]) -> Iterator[list[Any]]:
    """The rows a chunk at a time, each chunk's SDGs in one query. Not prefetch_related: its caches refer back to
    the inquiries, and those reference cycles keep every chunk in memory until the garbage collector runs."""
    rows = inquiries.select_related("organisation", "contact", "unit", "owner").iterator(chunk_size=CHUNK)
    for chunk in itertools.batched(rows, CHUNK):
        goals = _goal_numbers([inquiry.pk for inquiry in chunk])
        for inquiry in chunk:
            # An inquiry whose personal data is removed may share its contact with a younger one: not shown.
            removed = inquiry.anonymised_at is not None
            yield [
                inquiry.reference,
                timezone.localtime(inquiry.received_at).date(),
                inquiry.get_status_display(),
                inquiry.get_inquiry_type_display(),
                inquiry.title,
                inquiry.organisation.name,
                inquiry.organisation.get_kind_display(),
                str(inquiry.organisation.country.name),  # type: ignore[attr-defined]
                "" if removed else inquiry.contact.name,
                "" if removed else inquiry.contact.email,
                inquiry.unit.name if inquiry.unit else "",
                inquiry.owner.get_full_name() if inquiry.owner else "",
                inquiry.get_priority_display(),
                inquiry.get_channel_display(),
                ", ".join(str(number) for number in goals.get(inquiry.pk, [])),
                inquiry.first_reply_due_on,
                inquiry.decision_due_on,
            ]


def organisation_columns() -> list[str]:
    return [
        _("Name"),
        _("Kind of organisation"),
        _("Organisation number"),
        _("Country"),
        pgettext("region", "County"),
        _("Municipality number"),
        _("Website"),
        _("Inquiries"),
        _("Open inquiries"),
        _("Active partnerships"),
        _("Last inquiry received"),
    ]


def organisation_rows(organisations: QuerySet[Organisation]) -> Iterator[list[Any]]:
    """The partner register's rows, from organisation_selectors.organisation_register (which adds the counts)."""
    for organisation in organisations.iterator(chunk_size=CHUNK):
        last = organisation.last_received  # type: ignore[attr-defined]
        yield [
            organisation.name,
            organisation.get_kind_display(),
            organisation.organisation_number,
            str(organisation.country.name),  # type: ignore[attr-defined]
            organisation.county,
            organisation.municipality_number,
            organisation.website,
            organisation.inquiry_count,  # type: ignore[attr-defined]
            organisation.open_inquiry_count,  # type: ignore[attr-defined]
            organisation.active_partnership_count,  # type: ignore[attr-defined]
            timezone.localtime(last).date() if last else None,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a number, never a formula (and "-1" stays a number)
    return neutralise(str(value)) if value else ""


def _csv_lines(columns: list[str], rows: Iterable[list[Any]]) -> Iterable[str]:
    # Semicolons and a byte-order mark: what Excel with Norwegian settings opens as UTF-8 columns.
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def table_csv_response(columns: list[str], rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (text, numbers and dates) under `columns`, streamed as the rows are produced."""
    response = StreamingHttpResponse(_csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_sheet(
    workbook: xlsxwriter.Workbook,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    wrap_over: int = 0,
) -> None:
    """One worksheet: a bold header row, then numbers as numbers, dates as dates and text neutralised (never a
    formula); text longer than `wrap_over` characters wraps, when given."""
    sheet = workbook.add_worksheet(name[:31])
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, title in enumerate(columns):
        sheet.write_string(0, column, title, bold)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(line, column, datetime.datetime.combine(value, datetime.time()), date)
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(line, column, value)
            elif value:
                text = neutralise(str(value))
                sheet.write_string(line, column, text, wrapped if wrap_over and len(text) > wrap_over else None)
    sheet.freeze_panes(1, 0)


def table_xlsx_response(columns: list[str], rows: Iterable[list[Any]], filename: str, sheet_name: str) -> FileResponse:
    """Written row by row to a temporary file (XlsxWriter's constant_memory mode), then streamed from it."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    write_sheet(workbook, sheet_name, columns, rows)
    workbook.close()
    stream = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
    os.unlink(path)  # the open file stays readable; nothing is left on disk
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_response(inquiries: QuerySet[Inquiry], filename: str) -> StreamingHttpResponse:
    return table_csv_response(_columns(), _rows(inquiries), filename)


def xlsx_response(inquiries: QuerySet[Inquiry], filename: str) -> FileResponse:
    return table_xlsx_response(_columns(), _rows(inquiries), filename, _("Inquiries"))
