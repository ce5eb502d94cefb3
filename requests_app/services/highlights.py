"""Highlights for the yearly UNECE report: inquiries the secretariat picks for a year, each with a short English text.

The report (requests_app/views/reports.py) reads ReportHighlight; marking, changing and removing one are done here,
each writing exactly one InquiryEvent.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.models import Inquiry, InquiryEvent, ReportHighlight
from requests_app.services.common import local_today, lock, record
from requests_app.services.errors import InquiryStateError

# The first year the centre reported to UNECE from the portal's data; the next year may be prepared ahead.
FIRST_REPORT_YEAR = 2020
# Spam is not an inquiry, and a duplicate is reported through its original.
_NOT_HIGHLIGHTED = frozenset({Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE})


def highlight_years(today: datetime.date) -> list[int]:
    """The report years a highlight may be marked for: from 2020 up to and including next year."""
    return list(range(FIRST_REPORT_YEAR, today.year + 2))


def _check_year(year: int, *, now: datetime.datetime) -> None:
    years = highlight_years(local_today(now))
    if year not in years:
        raise InquiryStateError(
            _("A highlight can be marked for the reports of %(first)s to %(last)s.")
            % {"first": years[0], "last": years[-1]}
        )


@transaction.atomic
def set_report_highlight(
    inquiry: Inquiry, *, year: int, text: str, actor: User, now: datetime.datetime | None = None
) -> ReportHighlight:
    """Mark the inquiry as a highlight of the year's UNECE report, or change the text of its highlight that year.

    One HIGHLIGHT_SET event either way (with the previous text when changed); saving the same text again changes
    nothing and writes no event. Spam and duplicates are refused.
    """
    inquiry = lock(inquiry)
    now = now or timezone.now()
    if inquiry.status in _NOT_HIGHLIGHTED:
        raise InquiryStateError(
            _("An inquiry that is “%(status)s” cannot be a highlight of the report.")
            % {"status": inquiry.get_status_display()}
        )
    _check_year(year, now=now)
    text = text.strip()
    if not text:
        raise InquiryStateError(_("Write the text of the highlight, in English."))
    if len(text) > ReportHighlight.TEXT_MAX_LENGTH:
        raise InquiryStateError(
            _("The text can be at most %(limit)d characters.") % {"limit": ReportHighlight.TEXT_MAX_LENGTH}
        )
    highlight = ReportHighlight.objects.select_for_update().filter(inquiry=inquiry, year=year).first()
    previous_text = ""
    if highlight is None:
        highlight = ReportHighlight.objects.create(
            inquiry=inquiry, year=year, text=text, created_by=actor, created_at=now
        )
    elif highlight.text == text:
        return highlight
    else:
        previous_text, highlight.text = highlight.text, text
        highlight.save(update_fields=["text"])
    record(
        inquiry,
        InquiryEvent.Kind.HIGHLIGHT_SET,
        actor=actor,
        fields=[],
        highlight=highlight.pk,
        year=year,
        text=text,
        previous_text=previous_text,
    )
    return highlight


@transaction.atomic
def remove_report_highlight(inquiry: Inquiry, *, year: int, actor: User) -> None:
    """Take the inquiry out of the year's UNECE report; one HIGHLIGHT_REMOVED event keeps the text it had."""
    inquiry = lock(inquiry)
    highlight = ReportHighlight.objects.select_for_update().filter(inquiry=inquiry, year=year).first()
    if highlight is None:
        raise InquiryStateError(
            _("The inquiry is not a highlight of the %(year)s report; nothing was removed.") % {"year": year}
        )
    text = highlight.text
    highlight.delete()
    record(inquiry, InquiryEvent.Kind.HIGHLIGHT_REMOVED, actor=actor, fields=[], year=year, text=text)
