"""The rows of the inbox and the unit queue written in Python: through the template language each row cost about
120 µs (some forty lookups, a translated label with the reference, a URL), a tenth of the list's time for 25 rows and
more for 100. The markup is what the list's template wrote; `tests/requests_app/test_inbox.py` (RowMarkupTests)
holds this to it (`tests/requests_app/inbox_rows_markup.html`) for every kind of row, in both languages.

Rows come from selectors.rows_of_page, which has put their labels and dates in words on them.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from requests_app.form_rendering import escape_text
from requests_app.models import Inquiry


def _time(iso: str, text: str) -> str:
    return f'<time datetime="{escape_text(iso)}">{escape_text(text)}</time>'


def _row(inquiry: Inquiry, *, may_bulk: bool, unit_queue: bool, today: datetime.date, url: str) -> str:
    row: Any = inquiry  # with what rows_of_page put on it
    cells = ["<tr>"]
    if may_bulk:
        label = gettext("Select %(reference)s") % {"reference": inquiry.reference}
        cells.append(
            f'<td><input class="ds-input" type="checkbox" name="inquiries" value="{inquiry.pk}"'
            f' id="select-{inquiry.pk}" aria-label="{escape_text(label)}"></td>'
        )
    cells.append(f'<td class="nowrap"><a href="{escape_text(url)}">{escape_text(inquiry.reference)}</a></td>')
    cells.append(f"<td>{escape_text(inquiry.title)}</td>")
    cells.append(f"<td>{escape_text(inquiry.organisation.name)}</td>")
    cells.append(f"<td>{escape_text(inquiry.unit.name) if inquiry.unit and inquiry.unit.name else '–'}</td>")
    owner = inquiry.owner.get_full_name() if inquiry.owner else ""
    cells.append(f"<td>{escape_text(owner) if owner else '–'}</td>")
    status = f'<span class="ds-tag status status--{escape_text(inquiry.status)}">{escape_text(row.status_label)}</span>'
    if inquiry.returned_by_unit:
        declined = gettext("Declined by %(unit)s") % {"unit": inquiry.returned_by_unit.name}
        status += f' <span class="ds-tag returned" data-color="warning">{escape_text(declined)}</span>'
    cells.append(f"<td>{status}</td>")
    cells.append(f"<td>{escape_text(row.priority_label)}</td>")
    cells.append(f'<td class="nowrap">{_time(row.received_iso, row.received_text)}</td>')
    due = _time(row.decision_due_on_iso, row.decision_due_on_text) if inquiry.decision_due_on else "–"
    if inquiry.is_overdue(today):
        due += f' <span class="ds-tag overdue" data-color="danger">{escape_text(gettext("Overdue"))}</span>'
    cells.append(f'<td class="nowrap">{due}</td>')
    if unit_queue:
        respond_by = "–"
        if getattr(row, "respond_by", None):
            respond_by = _time(row.respond_by_iso, row.respond_by_text)
            if row.response_overdue:
                late = escape_text(gettext("Not answered in time"))
                respond_by += f' <span class="ds-tag overdue" data-color="danger">{late}</span>'
        cells.append(f'<td class="nowrap">{respond_by}</td>')
    cells.append("</tr>")
    return "".join(cells)


def render_inquiry_rows(
    inquiries: Iterable[Inquiry], *, may_bulk: bool, unit_queue: bool, today: datetime.date
) -> SafeString:
    """The list's <tr> rows, in order."""
    # Every row's address is the same but for its id: reversed once, the id put in its place.
    pattern = reverse("requests_app:staff-inquiry-detail", args=[987654321])
    return mark_safe(  # noqa: S308 -- every value above is escaped
        "\n".join(
            _row(
                inquiry,
                may_bulk=may_bulk,
                unit_queue=unit_queue,
                today=today,
                url=pattern.replace("987654321", str(inquiry.pk)),
            )
            for inquiry in inquiries
        )
    )
