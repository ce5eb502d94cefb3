"""Exports of the filtered inbox and of the partner register to CSV and XLSX, streamed so memory does not grow
with the row count."""

import csv
import datetime
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter
from django.db.models import Field, Model, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import MunicipalUnit, Organisation, User
from requests_app.models import Inquiry

CHUNK = 1000
LINES_PER_PIECE = 100
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


def _labels(model: type[Model], field_name: str) -> dict[Any, str]:
    """A choice field's labels in the active language, by value: what get_FOO_display() gives, looked up once
    per export instead of once per row (each lookup rebuilds the field's table of lazy translations)."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field)
    return {value: str(label) for value, label in field.flatchoices}


class _Names(dict[Any, str]):
    """Names worked out once per distinct key by `name(key)`, e.g. a country's translated name by its code."""

    def __init__(self, name: Callable[[Any], str]) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, key: Any) -> str:
        self[key] = value = self.name(key)
        return value


def _country_name(code: str) -> str:
    return str(Organisation(country=code).country.name)  # type: ignore[attr-defined]


# What each row is read from: plain values, not model instances (a tenth of the Python work per row).
_ROW_FIELDS = (
    "pk",
    "reference",
    "received_at",
    "status",
    "inquiry_type",
    "title",
    "organisation__name",
    "organisation__kind",
    "organisation__country",
    "anonymised_at",
    "contact__name",
    "contact__email",
    "unit__name_nb",
    "unit__name_en",
    "owner_id",
    "owner__full_name",
    "owner__email",
    "priority",
    "channel",
    "first_reply_due_on",
    "decision_due_on",
)


def _rows(inquiries: QuerySet[Inquiry]) -> Iterator[list[Any]]:
    """The rows a chunk at a time, each chunk's SDGs in one query. Not prefetch_related: its caches refer back to
    the inquiries, and those reference cycles keep every chunk in memory until the garbage collector runs.

    The labels and names are the models' own (get_FOO_display(), Country.name, MunicipalUnit.name,
    User.get_full_name()), worked out once per export, in the language active while the rows are streamed."""
    statuses = _labels(Inquiry, "status")
    types = _labels(Inquiry, "inquiry_type")
    priorities = _labels(Inquiry, "priority")
    channels = _labels(Inquiry, "channel")
    kinds = _labels(Organisation, "kind")
    countries = _Names(_country_name)
    units = _Names(lambda names: MunicipalUnit(name_nb=names[0], name_en=names[1]).name)
    owners = _Names(lambda names: User(full_name=names[0], email=names[1]).get_full_name())
    zone = timezone.get_current_timezone()  # what timezone.localtime() would look up per row
    rows = inquiries.values_list(*_ROW_FIELDS).iterator(chunk_size=CHUNK)
    for chunk in itertools.batched(rows, CHUNK):
        goals = _goal_numbers([row[0] for row in chunk])
        for (
            pk,
            reference,
            received_at,
            status,
            inquiry_type,
            title,
            organisation_name,
            kind,
            country,
            anonymised_at,
            contact_name,
            contact_email,
            unit_name_nb,
            unit_name_en,
            owner_id,
            owner_full_name,
            owner_email,
            priority,
            channel,
            first_reply_due_on,
            decision_due_on,
        ) in chunk:
            # An inquiry whose personal data is removed may share its contact with a younger one: not shown.
            removed = anonymised_at is not None
            yield [
                reference,
                received_at.astimezone(zone).date(),
                statuses.get(status, status),
                types.get(inquiry_type, inquiry_type),
                title,
                organisation_name,
                kinds.get(kind, kind),
                countries[country],
                "" if removed else contact_name,
                "" if removed else contact_email,
                units[unit_name_nb, unit_name_en] if unit_name_nb is not None else "",
                owners[owner_full_name, owner_email] if owner_id is not None else "",
                priorities.get(priority, priority),
                channels.get(channel, channel),
                ", ".join(str(number) for number in goals.get(pk, [])),
                first_reply_due_on,
                decision_due_on,
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
    kinds = _labels(Organisation, "kind")
    countries = _Names(_country_name)
    for organisation in organisations.iterator(chunk_size=CHUNK):
        last = organisation.last_received  # type: ignore[attr-defined]
        yield [
            organisation.name,
            kinds.get(organisation.kind, organisation.kind),
            organisation.organisation_number,
            countries[organisation.country.code],  # type: ignore[attr-defined]
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
    if type(value) is str:  # most cells: checked first
        return neutralise(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a number, never a formula (and "-1" stays a number)
    return neutralise(str(value)) if value else ""


def _csv_lines(columns: list[str], rows: Iterable[list[Any]]) -> Iterable[str]:
    # Semicolons and a byte-order mark: what Excel with Norwegian settings opens as UTF-8 columns.
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(columns)
    # A hundred lines a piece: the response's work per piece (encoding, the WSGI write) is then not per line.
    for lines in itertools.batched(rows, LINES_PER_PIECE):
        yield "".join([writer.writerow([_csv_cell(value) for value in row]) for row in lines])


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
