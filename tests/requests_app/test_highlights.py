"""Highlights for the UNECE report: the secretariat marks an inquiry for a year's report with a short English text,
changes the text, or removes it, each with one event; the report reads ReportHighlight."""

import datetime
from typing import TYPE_CHECKING
from unittest import mock

import pytest
from django.utils import timezone

from partners.models import User
from requests_app.models import Inquiry, InquiryEvent, ReportHighlight
from requests_app.services.errors import InquiryStateError
from requests_app.services.highlights import highlight_years, remove_report_highlight, set_report_highlight
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
SET, REMOVED = InquiryEvent.Kind.HIGHLIGHT_SET, InquiryEvent.Kind.HIGHLIGHT_REMOVED
TEXT = "Trondheim and Tampere joined forces on positive energy districts."


def page_url(inquiry: Inquiry) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/"


def action_url(inquiry: Inquiry, action: str) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/{action}/"


# The services' refusals are read in English, whatever language an earlier test left active.
pytestmark = pytest.mark.usefixtures("in_english")


class HighlightServiceTests(PortalTestCase):
    def events(self, inquiry: Inquiry) -> list[InquiryEvent]:
        return list(InquiryEvent.objects.filter(inquiry=inquiry).order_by("pk"))

    def test_marking_stores_the_highlight_with_one_event(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        highlight = set_report_highlight(inquiry, year=2025, text=f"  {TEXT}  ", actor=self.amina)
        self.assertEqual(
            (highlight.inquiry, highlight.year, highlight.text, highlight.created_by),
            (inquiry, 2025, TEXT, self.amina),
        )
        (event,) = self.events(inquiry)
        self.assertEqual((event.kind, event.actor), (SET, self.amina))
        self.assertEqual(
            {key: event.data[key] for key in ("highlight", "year", "text", "previous_text")},
            {"highlight": highlight.pk, "year": 2025, "text": TEXT, "previous_text": ""},
        )

    def test_changing_the_text_of_the_same_year_updates_it_with_one_event_and_the_same_text_changes_nothing(
        self,
    ) -> None:
        inquiry = make_inquiry_in(S.DECIDED)
        first = set_report_highlight(inquiry, year=2026, text=TEXT, actor=self.amina)
        changed = set_report_highlight(inquiry, year=2026, text="A shorter text.", actor=self.admin)
        self.assertEqual(changed.pk, first.pk)
        self.assertEqual(ReportHighlight.objects.get(inquiry=inquiry).text, "A shorter text.")
        set_report_highlight(inquiry, year=2026, text="A shorter text.", actor=self.admin)
        events = self.events(inquiry)
        self.assertEqual([event.kind for event in events], [SET, SET])
        self.assertEqual(events[1].data["previous_text"], TEXT)
        self.assertEqual(events[1].data["text"], "A shorter text.")
        self.assertEqual(events[1].actor, self.admin)

    def test_one_highlight_per_year_and_several_years(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        set_report_highlight(inquiry, year=2025, text="For 2025.", actor=self.amina)
        set_report_highlight(inquiry, year=2026, text="For 2026.", actor=self.amina)
        self.assertEqual(
            list(ReportHighlight.objects.filter(inquiry=inquiry).values_list("year", "text")),
            [(2025, "For 2025."), (2026, "For 2026.")],
        )

    def test_the_years_allowed_are_2020_to_next_year(self) -> None:
        self.assertEqual(highlight_years(datetime.date(2026, 3, 1)), list(range(2020, 2028)))
        inquiry = make_inquiry_in(S.CLOSED)
        next_year = timezone.localdate().year + 1
        set_report_highlight(inquiry, year=next_year, text=TEXT, actor=self.amina)
        for year in (2019, next_year + 1):
            with self.subTest(year=year), self.assertRaisesMessage(InquiryStateError, "reports of 2020 to"):
                set_report_highlight(inquiry, year=year, text=TEXT, actor=self.amina)
        self.assertEqual(ReportHighlight.objects.filter(inquiry=inquiry).count(), 1)

    def test_blank_or_too_long_text_spam_and_duplicates_are_refused(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        for text in ("   ", "x" * (ReportHighlight.TEXT_MAX_LENGTH + 1)):
            with self.subTest(length=len(text)), self.assertRaises(InquiryStateError):
                set_report_highlight(inquiry, year=2025, text=text, actor=self.amina)
        for status in (S.SPAM, S.DUPLICATE):
            with self.subTest(status=status), self.assertRaises(InquiryStateError):
                set_report_highlight(make_inquiry_in(status), year=2025, text=TEXT, actor=self.amina)
        self.assertFalse(ReportHighlight.objects.exists())
        self.assertFalse(InquiryEvent.objects.exists())

    def test_removing_deletes_it_with_one_event_keeping_the_text(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        set_report_highlight(inquiry, year=2025, text=TEXT, actor=self.amina)
        remove_report_highlight(inquiry, year=2025, actor=self.admin)
        self.assertFalse(ReportHighlight.objects.exists())
        event = self.events(inquiry)[-1]
        self.assertEqual(
            (event.kind, event.actor, event.data["year"], event.data["text"]), (REMOVED, self.admin, 2025, TEXT)
        )
        with self.assertRaisesMessage(InquiryStateError, "not a highlight of the 2025 report"):
            remove_report_highlight(inquiry, year=2025, actor=self.admin)
        self.assertEqual(len(self.events(inquiry)), 2)


class HighlightPageTests(PortalTestCase):
    def open(self, inquiry: Inquiry, user: User, **query: str) -> "TestResponse":
        self.client.force_login(user)
        response = self.client.get(page_url(inquiry), query)
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_secretariat_marks_a_highlight_for_this_year_by_default(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        page = self.open(inquiry, self.amina)
        self.assertContains(page, "Not a highlight of any year's report.")
        self.assertContains(page, 'href="?action=highlight#action-highlight"')
        opened = self.open(inquiry, self.amina, action="highlight")
        this_year = timezone.localdate().year
        self.assertContains(opened, f'<option value="{this_year}" selected>{this_year}</option>')
        self.assertContains(opened, f'<option value="{this_year + 1}">')
        self.assertContains(opened, '<option value="2020">')
        self.assertNotContains(opened, '<option value="2019">')
        response = self.client.post(
            action_url(inquiry, "highlight"), {"highlight-year": str(this_year), "highlight-text": TEXT}
        )
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        self.assertEqual(ReportHighlight.objects.get(inquiry=inquiry, year=this_year).text, TEXT)

        page = self.open(inquiry, self.amina)
        self.assertContains(page, f"Highlight of the report for {this_year}")
        self.assertContains(page, f'<blockquote lang="en">{TEXT}</blockquote>')
        self.assertContains(page, f'<input type="hidden" name="remove-highlight-year" value="{this_year}">')
        timeline = page.content.decode().split('id="timeline"')[1]
        self.assertIn(f"Marked as a highlight for the UNECE report</strong>: the report for {this_year}", timeline)
        # Opening the form again starts from this year's text, to change it.
        self.assertContains(self.open(inquiry, self.amina, action="highlight"), f"{TEXT}</textarea>")

    def test_bad_input_comes_back_with_translated_errors_and_what_was_typed(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        self.client.force_login(self.amina)
        response = self.client.post(action_url(inquiry, "highlight"), {"highlight-year": "2024", "highlight-text": " "})
        self.assertContains(response, "Write the text of the highlight, in English.", status_code=400)
        self.assertContains(response, '<option value="2024" selected>', status_code=400)
        too_long = "y" * (ReportHighlight.TEXT_MAX_LENGTH + 1)
        response = self.client.post(
            action_url(inquiry, "highlight"), {"highlight-year": "2019", "highlight-text": too_long}
        )
        self.assertContains(response, "Choose a report year from the list.", status_code=400)
        self.assertContains(response, "The text can be at most 1200 characters (it has 1201).", status_code=400)
        self.assertContains(response, f"{too_long}</textarea>", status_code=400)
        self.assertFalse(ReportHighlight.objects.exists())
        self.assertFalse(InquiryEvent.objects.filter(inquiry=inquiry).exists())

    def test_the_secretariat_removes_a_highlight(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        set_report_highlight(inquiry, year=2025, text=TEXT, actor=self.amina)
        self.client.force_login(self.admin)
        response = self.client.post(action_url(inquiry, "remove-highlight"), {"remove-highlight-year": "2025"})
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        self.assertFalse(ReportHighlight.objects.exists())
        again = self.client.post(action_url(inquiry, "remove-highlight"), {"remove-highlight-year": "2025"})
        self.assertContains(again, "The inquiry is not a highlight of the 2025 report", status_code=409)
        self.assertEqual(InquiryEvent.objects.filter(inquiry=inquiry, kind=REMOVED).count(), 1)

    def test_the_executive_reads_the_highlights_and_unit_members_see_none_and_neither_may_change_them(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)  # Byutvikling og miljø's, so Bruno's
        set_report_highlight(inquiry, year=2025, text=TEXT, actor=self.amina)
        page = self.open(inquiry, self.dina)
        self.assertContains(page, TEXT)
        self.assertNotContains(page, "remove-highlight")
        self.assertNotContains(page, "?action=highlight")
        page = self.open(inquiry, self.bruno)
        self.assertNotContains(page, 'id="highlights"')
        data = {"highlight-year": "2025", "highlight-text": "Changed.", "remove-highlight-year": "2025"}
        for user, status in ((self.dina, 403), (self.bruno, 403), (self.chen, 404)):
            for action in ("highlight", "remove-highlight"):
                with self.subTest(user=user.email, action=action):
                    self.client.force_login(user)
                    self.assertEqual(self.client.post(action_url(inquiry, action), data).status_code, status)
        self.assertEqual(ReportHighlight.objects.get(inquiry=inquiry).text, TEXT)

    def test_next_years_report_is_offered_until_new_year(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        new_years_eve = timezone.make_aware(datetime.datetime(2026, 12, 31, 23, 30))
        with mock.patch("django.utils.timezone.now", return_value=new_years_eve):
            opened = self.open(inquiry, self.amina, action="highlight")
        self.assertContains(opened, '<option value="2027">')
        self.assertNotContains(opened, '<option value="2028">')
