"""The secretariat's inbox at /staff/: filters, search, sorting, pages, saved views, bulk actions and exports."""

import csv
import datetime
import io
import re
import tracemalloc
import zipfile
import zoneinfo
from collections.abc import Iterable
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict, StreamingHttpResponse
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from partners.models import Organisation, Role, User
from requests_app import selectors
from requests_app.filters import InquiryFilter
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.list_rendering import render_inquiry_rows
from requests_app.models import Inquiry, InquiryEvent, SavedView
from requests_app.services.lifecycle import route_inquiry
from requests_app.views.inbox import BUILT_IN_VIEWS, BULK_ACTIONS, BulkForm, _filter_of
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")  # the settings' TIME_ZONE
INBOX = "/en/staff/"
BULK = "/en/staff/bulk/"
CSV_EXPORT = "/en/staff/export.csv"
XLSX_EXPORT = "/en/staff/export.xlsx"
VIEWS = "/en/staff/views/"


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def messages_of(response: "TestResponse") -> list[str]:
    return [str(message) for message in response.context["messages"]]


class InboxTestCase(PortalTestCase):
    """Helpers to read what the inbox lists."""

    def get(self, query: dict[str, Any] | str = "", *, user: User | None = None) -> "TestResponse":
        self.client.force_login(user or self.amina)
        url = f"{INBOX}?{query}" if isinstance(query, str) and query else INBOX
        response = self.client.get(url, query if isinstance(query, dict) else None)
        self.assertEqual(response.status_code, 200)
        return response

    def listed(self, query: dict[str, Any] | str = "", *, user: User | None = None) -> list[Inquiry]:
        """Every row the filter keeps, over all pages, in the list's order."""
        return list(self.get(query, user=user).context["paginator"].object_list)

    def assertListed(
        self, query: dict[str, Any] | str, expected: Iterable[Inquiry], *, user: User | None = None
    ) -> None:
        self.assertEqual({row.reference for row in self.listed(query, user=user)}, {row.reference for row in expected})


class FilterTests(InboxTestCase):
    def test_status_keeps_the_chosen_statuses(self) -> None:
        received = make_inquiry_in(S.RECEIVED)
        triage = make_inquiry_in(S.IN_TRIAGE)
        routed = make_inquiry_in(S.ROUTED)
        make_inquiry_in(S.CLOSED)
        self.assertListed({"status": "received"}, [received])
        self.assertListed({"status": ["in_triage", "routed"]}, [triage, routed])

    def test_inquiry_type(self) -> None:
        pilot = make_inquiry(inquiry_type=Inquiry.Type.PILOT)
        research = make_inquiry(inquiry_type=Inquiry.Type.RESEARCH)
        make_inquiry(inquiry_type=Inquiry.Type.PARTNERSHIP)
        self.assertListed({"inquiry_type": "pilot"}, [pilot])
        self.assertListed({"inquiry_type": ["pilot", "research"]}, [pilot, research])

    def test_organisation_kind(self) -> None:
        ngo = make_inquiry(organisation=make_organisation(kind=Organisation.Kind.NGO))
        county = make_inquiry(organisation=make_organisation(kind=Organisation.Kind.COUNTY))
        make_inquiry(organisation=make_organisation(kind=Organisation.Kind.COMPANY))
        self.assertListed({"organisation_kind": "ngo"}, [ngo])
        self.assertListed({"organisation_kind": ["ngo", "county"]}, [ngo, county])

    def test_responsible_unit(self) -> None:
        bym = make_inquiry(unit=self.bym_unit)
        oppvekst = make_inquiry(unit=self.oppvekst_unit)
        make_inquiry()
        self.assertListed({"unit": self.bym_unit.pk}, [bym])
        self.assertListed({"unit": [self.bym_unit.pk, self.oppvekst_unit.pk]}, [bym, oppvekst])

    def test_owner_me_unassigned_anyone_or_a_person(self) -> None:
        aminas = make_inquiry(owner=self.amina)
        brunos = make_inquiry(unit=self.bym_unit, owner=self.bruno)
        nobodys = make_inquiry()
        self.assertListed({"owner": "me"}, [aminas])
        self.assertListed({"owner": "none"}, [nobodys])
        self.assertListed({"owner": "any"}, [aminas, brunos])
        self.assertListed({"owner": self.bruno.pk}, [brunos])
        self.assertListed({"owner": ""}, [aminas, brunos, nobodys])

    def test_sdg_goal_lists_each_tagged_inquiry_once(self) -> None:
        cities = make_inquiry(sdg_goals=[11])
        cities_and_climate = make_inquiry(sdg_goals=[11, 13])
        make_inquiry(sdg_goals=[4])
        make_inquiry()
        rows = self.listed({"sdg": 11})
        self.assertCountEqual([row.pk for row in rows], [cities.pk, cities_and_climate.pk])

    def test_channel(self) -> None:
        phone = make_inquiry(channel=Inquiry.Channel.PHONE)
        meeting = make_inquiry(channel=Inquiry.Channel.MEETING)
        make_inquiry(channel=Inquiry.Channel.WEB)
        self.assertListed({"channel": "phone"}, [phone])
        self.assertListed({"channel": ["phone", "meeting"]}, [phone, meeting])

    def test_priority(self) -> None:
        high = make_inquiry(priority=Inquiry.Priority.HIGH)
        low = make_inquiry(priority=Inquiry.Priority.LOW)
        make_inquiry(priority=Inquiry.Priority.NORMAL)
        self.assertListed({"priority": "high"}, [high])
        self.assertListed({"priority": ["high", "low"]}, [high, low])

    def test_received_date_range_is_inclusive_in_local_time(self) -> None:
        before = make_inquiry(received_at=oslo(2025, 3, 9, 23, 30))
        first_day = make_inquiry(received_at=oslo(2025, 3, 10, 0, 30))  # still 9 March in UTC
        last_day = make_inquiry(received_at=oslo(2025, 3, 12, 23, 30))
        after = make_inquiry(received_at=oslo(2025, 3, 13, 0, 30))
        self.assertListed({"received_after": "2025-03-10", "received_before": "2025-03-12"}, [first_day, last_day])
        self.assertListed({"received_after": "2025-03-13"}, [after])
        self.assertListed({"received_before": "2025-03-09"}, [before])

    def test_overdue_only_keeps_running_inquiries_past_a_due_date(self) -> None:
        today = timezone.localdate()
        yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
        decision_late = make_inquiry_in(S.IN_PROGRESS, decision_due_on=yesterday)
        reply_late = make_inquiry_in(S.RECEIVED, first_reply_due_on=yesterday, decision_due_on=tomorrow)
        make_inquiry_in(S.RECEIVED, first_reply_due_on=tomorrow, decision_due_on=tomorrow)
        make_inquiry_in(S.ROUTED, first_reply_due_on=yesterday, first_replied_at=timezone.now())
        make_inquiry_in(S.AWAITING_PARTNER, decision_due_on=yesterday)  # the clock is paused
        make_inquiry_in(S.CLOSED, decision_due_on=yesterday)
        self.assertListed({"overdue": "true"}, [decision_late, reply_late])
        self.assertListed({"overdue": "on"}, [decision_late, reply_late])  # what the checkbox sends
        self.assertEqual(len(self.listed({"overdue": ""})), 6)

    def test_organisation_from_the_inquiry_page_link(self) -> None:
        organisation = make_organisation()
        first, second = make_inquiry(organisation=organisation), make_inquiry(organisation=organisation)
        make_inquiry()
        self.assertListed({"organisation": organisation.pk}, [first, second])

    def test_filters_combine(self) -> None:
        wanted = make_inquiry(unit=self.bym_unit, priority=Inquiry.Priority.HIGH, channel=Inquiry.Channel.EMAIL)
        make_inquiry(unit=self.bym_unit, priority=Inquiry.Priority.LOW, channel=Inquiry.Channel.EMAIL)
        make_inquiry(unit=self.oppvekst_unit, priority=Inquiry.Priority.HIGH, channel=Inquiry.Channel.EMAIL)
        self.assertListed({"unit": self.bym_unit.pk, "priority": "high", "channel": "email"}, [wanted])

    def test_an_invalid_filter_value_lists_nothing_and_says_why(self) -> None:
        make_inquiry()
        response = self.get({"status": "nonsense"})
        self.assertEqual(list(response.context["inquiries"]), [])
        self.assertIn("status", response.context["filter"].form.errors)

    def test_the_filter_form_shows_the_filters_from_the_url(self) -> None:
        response = self.get({"status": "routed", "q": "sykkel", "owner": "none"})
        form = response.context["filter"].form
        self.assertEqual(form["status"].value(), ["routed"])
        self.assertEqual(form["q"].value(), "sykkel")
        self.assertContains(response, 'name="q" value="sykkel"')


class FilterFormDrawingTests(InboxTestCase):
    """The filter form is drawn by form_rendering.PythonFieldRenderer: exactly the HTML of the site's templates."""

    QUERIES = (
        "",
        "status=routed&status=closed&inquiry_type=research&organisation_kind=ngo&owner=me&sdg=11&channel=email"
        "&priority=high&overdue=on&returned=on&country=NO&county=50&age=8-30&replied_in_time=yes&suggestion=followed"
        "&outcome=agreement&funded=on&partnership_on=2026-01-31&q=Sykkel+%3C%26%3E+%22vei%22&ordering=-due",
        "status=nonsense&sdg=99&owner=nobody&country=XX&age=old&partnership_on=not-a-date&received_after=2026-13-01",
    )

    def drawn(self, query: str, renderer: Any, *, leaving_out: tuple[str, ...] = ()) -> dict[str, str]:
        data = QueryDict(query) if query else None
        inbox_filter = InquiryFilter(data, queryset=Inquiry.objects.all(), user=self.amina)
        inbox_filter.form.renderer = renderer
        inbox_filter.is_valid()
        form = inbox_filter.form
        return {name: form[name].as_field_group() for name in form.fields if name not in leaving_out}

    def test_every_field_is_drawn_as_the_templates_draw_it(self) -> None:
        for language in ("en", "nb"):
            for query in self.QUERIES:
                with translation.override(language):
                    expected, drawn = self.drawn(query, TemplatesSetting()), self.drawn(query, FIELD_RENDERER)
                for name, html in expected.items():
                    with self.subTest(language=language, query=query[:30], field=name):
                        self.assertEqual(drawn[name], html)

    def test_the_fields_of_the_page_are_drawn_without_the_templates(self) -> None:
        # Only the date ranges (two inputs in one field) are left to the templates; the page writes those itself.
        with mock.patch.object(TemplatesSetting, "render", side_effect=AssertionError("drawn by a template")):
            for query in self.QUERIES:
                self.assertIn("country", self.drawn(query, FIELD_RENDERER, leaving_out=("received", "decided")))

    def test_the_inbox_draws_its_filter_form_so(self) -> None:
        self.assertIs(self.get().context["filter"].form.renderer, FIELD_RENDERER)


class RowTests(InboxTestCase):
    """A page's rows are read by selectors.rows_of_page, with their words and dates written once."""

    def test_the_words_and_dates_are_what_djangos_helpers_write(self) -> None:
        make_inquiry_in(S.ROUTED, received_at=oslo(2026, 3, 29, 2, 30), decision_due_on=datetime.date(2026, 4, 30))
        make_inquiry_in(S.AWAITING_PARTNER, received_at=oslo(2025, 12, 31, 23, 59), priority=Inquiry.Priority.HIGH)
        rows = selectors.staff_inquiry_list(self.amina)
        for language in ("en", "nb"):
            with translation.override(language):
                for row in selectors.rows_of_page(rows, rows[:25]):
                    received, due = timezone.localtime(row.received_at), row.decision_due_on
                    expected = {
                        "status_label": row.get_status_display(),
                        "priority_label": row.get_priority_display(),
                        "received_iso": date_filter(received, "c"),
                        "received_text": date_filter(received, "SHORT_DATE_FORMAT"),
                        **(
                            {
                                "decision_due_on_iso": date_filter(due, "Y-m-d"),
                                "decision_due_on_text": date_filter(due, "SHORT_DATE_FORMAT"),
                            }
                            if due
                            else {}
                        ),
                    }
                    with self.subTest(language=language, row=row.reference):
                        self.assertEqual({name: getattr(row, name) for name in expected}, expected)
        self.assertContains(self.get(), '<time datetime="2026-04-30">30/04/2026</time>', html=False)

    def test_a_page_keeps_the_lists_order_and_reads_its_rows_in_two_queries(self) -> None:
        for day in range(1, 8):
            make_inquiry(received_at=oslo(2026, 1, day), priority=Inquiry.Priority.LOW if day % 2 else "high")
        rows = selectors.staff_inquiry_list(self.amina).order_by("priority", "-received_at")
        with CaptureQueriesContext(connection) as queries:
            page = selectors.rows_of_page(selectors.staff_inquiry_list(self.amina), rows[2:6])
        self.assertEqual(len(queries), 2)
        self.assertEqual(page, list(rows[2:6]))


class ViewFilterTests(InboxTestCase):
    """Each view is counted with a filter that has only the filters its query reaches: the same rows and errors."""

    def test_a_views_filter_keeps_what_the_whole_filter_keeps(self) -> None:
        make_inquiry_in(S.RECEIVED, priority=Inquiry.Priority.HIGH, received_at=oslo(2026, 1, 10))
        make_inquiry_in(S.ROUTED, owner=self.amina, received_at=oslo(2026, 2, 10))
        make_inquiry_in(S.CLOSED, priority=Inquiry.Priority.HIGH, received_at=oslo(2026, 3, 10))
        queries = [
            *(view.query for view in BUILT_IN_VIEWS),
            "priority=high&received_after=2026-02-01",
            "priority=high&ordering=-received",
            "organisation_kind=company&received_before=2026-02-28",
            "owner=12345",
            "received_after=not-a-date",
        ]
        rows = selectors.staff_inquiry_list(self.amina)
        for query in queries:
            with self.subTest(query=query):
                data = QueryDict(query)
                whole = InquiryFilter(data, queryset=rows, user=self.amina)
                view = _filter_of(frozenset(data))(data, queryset=rows, user=self.amina)
                self.assertLess(len(view.filters), len(whole.filters))
                self.assertEqual(view.is_valid(), whole.is_valid())
                self.assertEqual(view.errors, whole.errors)
                self.assertEqual(list(view.qs), list(whole.qs))


class SearchTests(InboxTestCase):
    def test_search_finds_each_of_the_five_fields(self) -> None:
        decoy = make_inquiry(title="Noe helt annet")
        by_title = make_inquiry(title="Solcellepaneler på skoletak")
        by_description = make_inquiry(description="Vi ønsker å samarbeide om overvannshåndtering.")
        by_organisation = make_inquiry(organisation=make_organisation(name="Gløshaugen Innovasjon AS"))
        by_contact_name = make_inquiry(contact=make_contact(name="Ingrid Fjellheim"))
        by_contact_email = make_inquiry(contact=make_contact(email="post@fjordkraftlab.example"))
        cases = [
            ("reference", by_title.reference, by_title),
            ("title", "solcellepaneler", by_title),
            ("description", "OVERVANNS", by_description),
            ("organisation", "gløshaugen", by_organisation),
            ("contact name", "fjellheim", by_contact_name),
            ("contact e-mail", "fjordkraftlab", by_contact_email),
        ]
        for field, words, expected in cases:
            with self.subTest(field=field):
                rows = self.listed({"q": words})
                self.assertEqual([row.pk for row in rows], [expected.pk])
        self.assertNotIn(decoy, self.listed({"q": "solcellepaneler"}))

    # SQLite's LIKE folds the case of ASCII letters only; PostgreSQL (production) folds æ, ø and å too.
    @pytest.mark.postgres
    def test_search_ignores_the_case_of_norwegian_letters(self) -> None:
        inquiry = make_inquiry(title="Havbruk på Ørlandet", organisation=make_organisation(name="Ærfugl AS"))
        self.assertEqual(self.listed({"q": "ørlandet ÆRFUGL"}), [inquiry])

    def test_every_word_must_match_somewhere(self) -> None:
        both = make_inquiry(title="Bysykkel", organisation=make_organisation(name="Trøndelag fylkeskommune"))
        make_inquiry(title="Bysykkel", organisation=make_organisation(name="Bergen kommune"))
        self.assertEqual(self.listed({"q": "  bysykkel   fylkeskommune "}), [both])

    def test_search_combines_with_the_filters(self) -> None:
        routed = make_inquiry_in(S.ROUTED, title="Klimabudsjett")
        make_inquiry_in(S.RECEIVED, title="Klimabudsjett")
        self.assertEqual(self.listed({"q": "klimabudsjett", "status": "routed"}), [routed])


class SortTests(InboxTestCase):
    rows: dict[str, Inquiry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        now = timezone.now()

        def row(title: str, organisation: str, status: str, priority: str, days_ago: int, due_in: int) -> Inquiry:
            return make_inquiry_in(
                status,
                title=title,
                organisation=make_organisation(name=organisation),
                priority=priority,
                received_at=now - datetime.timedelta(days=days_ago),
                decision_due_on=today + datetime.timedelta(days=due_in),
            )

        # Each column puts the three in a different order.
        cls.rows = {
            "one": row("Bravo", "Charlie AS", S.IN_TRIAGE, Inquiry.Priority.HIGH, days_ago=3, due_in=5),
            "two": row("Alfa", "Bravo AS", S.RECEIVED, Inquiry.Priority.LOW, days_ago=1, due_in=10),
            "three": row("Charlie", "Alfa AS", S.ROUTED, Inquiry.Priority.NORMAL, days_ago=2, due_in=1),
        }

    def order(self, ordering: str) -> list[str]:
        names = {row.pk: name for name, row in self.rows.items()}
        return [names[row.pk] for row in self.listed({"ordering": ordering})]

    def test_each_column_sorts_both_ways(self) -> None:
        ascending = {
            "reference": ["one", "two", "three"],
            "title": ["two", "one", "three"],
            "organisation": ["three", "two", "one"],
            "status": ["two", "one", "three"],  # the order of the lifecycle: received, in triage, routed
            "priority": ["two", "three", "one"],  # low, normal, high
            "received": ["one", "three", "two"],
            "due": ["three", "one", "two"],
        }
        for column, expected in ascending.items():
            with self.subTest(column=column):
                self.assertEqual(self.order(column), expected)
                self.assertEqual(self.order(f"-{column}"), expected[::-1])

    def test_without_a_sort_the_newest_come_first(self) -> None:
        self.assertEqual(self.order(""), ["two", "three", "one"])

    def test_a_column_link_sorts_ascending_then_descending_and_keeps_the_filters(self) -> None:
        response = self.get({"status": ["received", "in_triage", "routed"]})
        link = self.column_link(response, "Title")
        self.assertEqual(link, "?status=received&status=in_triage&status=routed&ordering=title")
        sorted_up = self.get(link[1:])
        self.assertContains(sorted_up, 'aria-sort="ascending"')
        self.assertEqual([row.title for row in sorted_up.context["inquiries"]], ["Alfa", "Bravo", "Charlie"])
        link = self.column_link(sorted_up, "Title")
        self.assertTrue(link.endswith("&ordering=-title"), link)
        sorted_down = self.get(link[1:])
        self.assertContains(sorted_down, 'aria-sort="descending"')
        self.assertEqual([row.title for row in sorted_down.context["inquiries"]], ["Charlie", "Bravo", "Alfa"])
        self.assertEqual(sorted_down.context["filter"].form["status"].value(), ["received", "in_triage", "routed"])

    def column_link(self, response: "TestResponse", label: str) -> str:
        match = re.search(rf'<a class="ds-link sort-link" href="([^"]*)">{label}', response.content.decode())
        assert match is not None, f"no sort link for {label}"
        return unescape(match.group(1))

    def test_an_unknown_sort_column_is_refused(self) -> None:
        response = self.get({"ordering": "description"})
        self.assertEqual(list(response.context["inquiries"]), [])
        self.assertIn("ordering", response.context["filter"].form.errors)


class PaginationTests(InboxTestCase):
    received: list[Inquiry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        start = timezone.now() - datetime.timedelta(days=60)
        # 30 received inquiries, and 30 newer routed ones that a lost filter would bring onto the pages.
        cls.received = [
            make_inquiry_in(S.RECEIVED, received_at=start + datetime.timedelta(hours=hour)) for hour in range(30)
        ]
        for hour in range(30):
            make_inquiry_in(S.ROUTED, received_at=start + datetime.timedelta(days=10, hours=hour))

    def test_page_sizes_25_50_and_100(self) -> None:
        for size, on_first_page in ((25, 25), (50, 50), (100, 60)):
            with self.subTest(per_page=size):
                response = self.get({"per_page": size})
                self.assertEqual(response.context["paginator"].per_page, size)
                self.assertEqual(len(response.context["inquiries"]), on_first_page)

    def test_any_other_page_size_falls_back_to_25(self) -> None:
        for size in ("30", "1000", "0", "-50", "abc", ""):
            with self.subTest(per_page=size):
                response = self.get({"per_page": size})
                self.assertEqual(response.context["paginator"].per_page, 25)
                self.assertEqual(len(response.context["inquiries"]), 25)

    def test_the_page_size_links_keep_the_filters(self) -> None:
        response = self.get({"status": "received"})
        links = re.findall(r'href="(\?[^"]*per_page=50)"', response.content.decode())
        self.assertEqual(len(links), 1)
        page = self.get(unescape(links[0])[1:])
        self.assertEqual(page.context["paginator"].per_page, 50)
        self.assertEqual(list(page.context["inquiries"]), self.received[::-1])

    def test_the_next_page_link_keeps_the_filters(self) -> None:
        first = self.get({"status": "received"})
        self.assertEqual(list(first.context["inquiries"]), self.received[::-1][:25])
        match = re.search(r'<a [^>]*href="([^"]*)" rel="next"', first.content.decode())
        assert match is not None
        second = self.get(unescape(match.group(1)).lstrip("?"))
        self.assertEqual(second.context["page_obj"].number, 2)
        self.assertEqual(list(second.context["inquiries"]), self.received[::-1][25:])
        self.assertEqual(second.context["filter"].form["status"].value(), ["received"])

    def test_the_exports_hold_every_page_of_the_filtered_list(self) -> None:
        self.client.force_login(self.amina)
        expected = {row.reference for row in self.received}
        self.assertEqual(csv_references(self.client.get(CSV_EXPORT, {"status": "received", "page": "2"})), expected)
        self.assertEqual(
            xlsx_references(self.client.get(XLSX_EXPORT, {"status": "received", "per_page": "25"})), expected
        )

    def test_the_second_page_of_a_filtered_list_by_url(self) -> None:
        response = self.get({"status": "received", "page": 2})
        self.assertEqual(list(response.context["inquiries"]), self.received[::-1][25:])

    def test_sorting_by_a_column_with_ties_never_repeats_a_row_across_pages(self) -> None:
        first = self.get({"ordering": "status"})
        second = self.get({"ordering": "status", "page": 2})
        third = self.get({"ordering": "status", "page": 3})
        seen = [row.pk for page in (first, second, third) for row in page.context["inquiries"]]
        self.assertEqual(len(seen), 60)
        self.assertEqual(len(set(seen)), 60)


# The list and its views count up to COUNT_LIMIT rows (a thousand); here 50, so that the 60 rows are "more". The
# pagination tests above run again at this limit.
@mock.patch("requests_app.views.inbox.COUNT_LIMIT", 50)
class CountLimitTests(PaginationTests):
    def test_past_the_limit_the_list_says_more_than_and_that_counting_stops(self) -> None:
        response = self.get()
        paginator = response.context["paginator"]
        self.assertEqual((paginator.count, paginator.more, paginator.num_pages), (50, True, 2))
        self.assertContains(
            response, "More than 50 inquiries: counting stops there. Filter the list for an exact number."
        )
        self.assertContains(response, "Page 1 of more than 2")
        self.assertNotContains(response, "60 inquiries")

    def test_under_the_limit_the_count_is_exact(self) -> None:
        response = self.get({"status": "received"})
        self.assertEqual((response.context["paginator"].count, response.context["paginator"].more), (30, False))
        self.assertContains(response, "30 inquiries")
        self.assertContains(response, "Page 1 of 2")

    def test_a_view_past_the_limit_says_more_than(self) -> None:
        response = self.get()
        unassigned = next(view for view in response.context["views"] if str(view["name"]) == "Unassigned")
        self.assertEqual((unassigned["count"], unassigned["more"]), (50, True))
        self.assertContains(response, 'Unassigned <span class="ds-badge-count">(more than 50)</span>', html=False)

    def test_every_page_can_be_reached_and_the_pages_past_the_limit_are_counted_further(self) -> None:
        newest_first = [row.pk for row in Inquiry.objects.order_by("-received_at", "-pk")]
        first = self.get()
        match = re.search(r'<a [^>]*href="([^"]*)" rel="next"', first.content.decode())
        assert match is not None
        second = self.get(unescape(match.group(1)).lstrip("?"))
        # Page 2 counts up to 75 rows (a page past it): all 60, so the count is exact from there on.
        self.assertEqual((second.context["paginator"].count, second.context["paginator"].more), (60, False))
        self.assertContains(second, "Page 2 of 3")
        third = self.get({"page": 3})
        seen = [row.pk for page in (first, second, third) for row in page.context["inquiries"]]
        self.assertEqual(seen, newest_first)

    def test_the_last_page_counts_everything(self) -> None:
        response = self.get({"page": "last"})
        self.assertEqual((response.context["page_obj"].number, len(response.context["inquiries"])), (3, 10))
        self.assertContains(response, "60 inquiries")


class BuiltInViewTests(InboxTestCase):
    def test_the_built_in_views_count_and_link_to_their_inquiries(self) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        unassigned = [make_inquiry_in(S.RECEIVED), make_inquiry_in(S.IN_TRIAGE)]
        mine = make_inquiry_in(S.ROUTED, owner=self.amina)
        overdue = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=yesterday)
        awaiting = make_inquiry_in(S.AWAITING_PARTNER, owner=self.bruno)
        make_inquiry_in(S.CLOSED)  # unassigned, but not open
        expected = {
            "Unassigned": unassigned,
            "Mine": [mine],
            "Overdue": [overdue],
            "Awaiting partner": [awaiting],
        }
        response = self.get()
        views = {str(view["name"]): view for view in response.context["views"]}
        self.assertEqual(list(views), list(expected))
        for name, rows in expected.items():
            with self.subTest(view=name):
                self.assertEqual(views[name]["count"], len(rows))
                self.assertContains(response, f'{name} <span class="ds-badge-count">({len(rows)})</span>', html=False)
                self.assertContains(response, f'href="?{views[name]["query"].replace("&", "&amp;")}"')
                self.assertListed(views[name]["query"], rows)

    def test_the_current_view_is_marked(self) -> None:
        response = self.get("overdue=true")
        self.assertContains(response, 'href="?overdue=true" aria-current="page"')

    def test_mine_is_the_signed_in_persons(self) -> None:
        brunos = make_inquiry_in(S.ROUTED, owner=self.bruno)
        make_inquiry_in(S.ROUTED, owner=self.amina)
        response = self.get(user=self.bruno)
        mine = next(view for view in response.context["views"] if str(view["name"]) == "Mine")
        self.assertEqual(mine["count"], 1)
        self.assertEqual(self.listed(mine["query"], user=self.bruno), [brunos])


class SavedViewTests(InboxTestCase):
    elin: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.elin = make_user("elin@trondheim.kommune.no", full_name="Elin Vik", groups=(Role.SECRETARIAT,))

    def save_view(self, name: str, query: str, *, shared: bool = False, user: User | None = None) -> "TestResponse":
        self.client.force_login(user or self.amina)
        data = {"name": name, "query": query, **({"is_shared": "on"} if shared else {})}
        return self.client.post(VIEWS, data, follow=True)

    def saved_views(self, user: User) -> dict[str, dict[str, Any]]:
        return {str(view["name"]): view for view in self.get(user=user).context["views"] if view["saved"]}

    def test_a_personal_view_is_saved_with_its_filter_and_counted(self) -> None:
        make_inquiry(priority=Inquiry.Priority.HIGH)
        make_inquiry(priority=Inquiry.Priority.HIGH)
        make_inquiry(priority=Inquiry.Priority.LOW)
        response = self.save_view("Høy prioritet", "priority=high")
        self.assertRedirects(response, "/en/staff/?priority=high")
        self.assertIn("The view “Høy prioritet” is saved.", messages_of(response))
        view = SavedView.objects.get()
        self.assertEqual((view.owner, view.query, view.is_shared), (self.amina, "priority=high", False))
        self.assertEqual(self.saved_views(self.amina)["Høy prioritet"]["count"], 2)
        self.assertContains(self.get(), "Delete the view Høy prioritet")

    def test_another_secretariat_member_sees_the_shared_view_but_not_the_personal_one(self) -> None:
        self.save_view("Bare mine notater", "owner=me")
        self.save_view("Forskning", "inquiry_type=research", shared=True)
        make_inquiry(inquiry_type=Inquiry.Type.RESEARCH)
        elins = self.saved_views(self.elin)
        self.assertEqual(list(elins), ["Forskning"])
        self.assertEqual(elins["Forskning"]["count"], 1)
        response = self.get(user=self.elin)
        self.assertNotContains(response, "Delete the view Forskning")
        self.assertNotContains(response, "Bare mine notater")
        self.assertEqual(sorted(self.saved_views(self.amina)), ["Bare mine notater", "Forskning"])

    def test_a_shared_view_counts_only_what_a_unit_member_may_see(self) -> None:
        self.save_view("Høy prioritet", "priority=high", shared=True)
        make_inquiry(unit=self.bym_unit, priority=Inquiry.Priority.HIGH)
        make_inquiry(unit=self.oppvekst_unit, priority=Inquiry.Priority.HIGH)
        self.assertEqual(self.saved_views(self.bruno)["Høy prioritet"]["count"], 1)
        self.assertEqual(self.saved_views(self.amina)["Høy prioritet"]["count"], 2)

    def test_a_second_view_with_the_same_name_is_refused(self) -> None:
        self.save_view("Kommuner", "organisation_kind=municipality")
        response = self.save_view("Kommuner", "organisation_kind=county")
        self.assertIn("You already have a view with that name.", messages_of(response))
        self.assertEqual(SavedView.objects.get().query, "organisation_kind=municipality")
        # The name is only taken for its owner.
        self.save_view("Kommuner", "organisation_kind=county", user=self.elin)
        self.assertEqual(SavedView.objects.count(), 2)

    def test_a_view_without_a_name_is_refused(self) -> None:
        response = self.save_view("", "priority=high")
        self.assertIn("Give the view a name of at most 80 characters.", messages_of(response))
        self.assertFalse(SavedView.objects.exists())

    def test_you_delete_your_own_view(self) -> None:
        self.save_view("Høy prioritet", "priority=high")
        view = SavedView.objects.get()
        response = self.client.post(f"/en/staff/views/{view.pk}/delete/", follow=True)
        self.assertRedirects(response, INBOX)
        self.assertIn("The view “Høy prioritet” is deleted.", messages_of(response))
        self.assertFalse(SavedView.objects.exists())

    def test_deleting_someone_elses_view_is_a_404_even_when_it_is_shared(self) -> None:
        self.save_view("Forskning", "inquiry_type=research", shared=True)
        view = SavedView.objects.get()
        self.client.force_login(self.elin)
        self.assertEqual(self.client.post(f"/en/staff/views/{view.pk}/delete/").status_code, 404)
        self.assertTrue(SavedView.objects.filter(pk=view.pk).exists())

    def test_a_saved_view_whose_filter_is_no_longer_valid_counts_what_its_list_shows(self) -> None:
        leaver = make_user("leaver@trondheim.kommune.no", full_name="Leif Slutter", groups=(Role.SECRETARIAT,))
        make_inquiry(owner=leaver)
        make_inquiry()
        self.save_view("Leifs saker", f"owner={leaver.pk}")
        self.assertEqual(self.saved_views(self.amina)["Leifs saker"]["count"], 1)
        User.objects.filter(pk=leaver.pk).update(is_active=False)  # no longer a choice of the owner filter
        self.assertEqual(self.listed(f"owner={leaver.pk}"), [])
        self.assertEqual(self.saved_views(self.amina)["Leifs saker"]["count"], 0)


class UnitScopeTests(InboxTestCase):
    bym_rows: list[Inquiry]
    other_rows: list[Inquiry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.bym_rows = [
            make_inquiry(unit=cls.bym_unit, title="Bysykkel i Midtbyen"),
            make_inquiry(unit=cls.bym_unit, status=S.ROUTED, title="Grønne tak"),
        ]
        cls.other_rows = [
            make_inquiry(unit=cls.oppvekst_unit, title="Skolehager"),
            make_inquiry(title="Ikke fordelt"),
        ]

    def references(self, rows: Iterable[Inquiry]) -> set[str]:
        return {row.reference for row in rows}

    def test_a_unit_member_lists_only_the_units_inquiries(self) -> None:
        self.assertListed("", self.bym_rows, user=self.bruno)
        self.assertListed({"unit": self.oppvekst_unit.pk}, [], user=self.bruno)
        self.assertListed({"q": "Skolehager"}, [], user=self.bruno)
        self.assertListed("", [self.other_rows[0]], user=self.chen)

    def test_the_counts_of_a_unit_member_cover_only_the_unit(self) -> None:
        response = self.get(user=self.bruno)
        self.assertEqual(response.context["paginator"].count, 2)
        unassigned = next(view for view in response.context["views"] if str(view["name"]) == "Unassigned")
        self.assertEqual(unassigned["count"], 2)
        self.assertContains(response, "2 inquiries")
        self.assertEqual(response.context["workload"], [])

    def test_both_exports_of_a_unit_member_hold_only_the_units_rows(self) -> None:
        self.client.force_login(self.bruno)
        self.assertEqual(csv_references(self.client.get(CSV_EXPORT)), self.references(self.bym_rows))
        self.assertEqual(xlsx_references(self.client.get(XLSX_EXPORT)), self.references(self.bym_rows))

    def test_another_units_export_never_holds_bym_rows_whatever_the_filter(self) -> None:
        self.client.force_login(self.chen)
        organisation = self.bym_rows[0].organisation_id
        for query in (
            "",
            f"unit={self.bym_unit.pk}",
            f"q={self.bym_rows[0].reference}",
            f"organisation={organisation}",
        ):
            with self.subTest(query=query):
                for export, read in ((CSV_EXPORT, csv_references), (XLSX_EXPORT, xlsx_references)):
                    references = read(self.client.get(f"{export}?{query}"))
                    self.assertFalse(references & self.references(self.bym_rows), export)
        self.assertEqual(csv_references(self.client.get(CSV_EXPORT)), {self.other_rows[0].reference})

    def test_partner_and_anonymous_get_no_export(self) -> None:
        self.assertRedirects(self.client.get(CSV_EXPORT), f"/en/accounts/login/?next={CSV_EXPORT}")
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(CSV_EXPORT).status_code, 403)
        self.assertEqual(self.client.get(XLSX_EXPORT).status_code, 403)


class BulkActionTests(InboxTestCase):
    def bulk(self, inquiries: Iterable[Inquiry], action: str, *, confirm: bool = True, **fields: Any) -> "TestResponse":
        self.client.force_login(self.amina)
        data: dict[str, Any] = {"inquiries": [inquiry.pk for inquiry in inquiries], "action": action, **fields}
        if confirm:
            data["confirm"] = "yes"
        return self.client.post(BULK, data, follow=confirm)

    def test_the_first_post_shows_what_will_happen_and_changes_nothing(self) -> None:
        first, second = make_inquiry_in(S.RECEIVED), make_inquiry_in(S.IN_TRIAGE)
        response = self.bulk([first, second], "spam", confirm=False, next="status=received")
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "requests_app/inquiry_bulk_confirm.html")
        with translation.override("en"):
            self.assertContains(response, f"{BULK_ACTIONS['spam']}:")
        self.assertContains(response, first.reference)
        self.assertContains(response, second.reference)
        self.assertFalse(InquiryEvent.objects.exists())
        self.assertEqual(set(Inquiry.objects.values_list("status", flat=True)), {S.RECEIVED, S.IN_TRIAGE})

    def test_the_confirmation_names_what_the_inquiries_change_to(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        cases: dict[str, tuple[dict[str, Any], str]] = {
            "assign": ({"owner": self.bruno.pk}, "Assign to Bruno Solberg:"),
            "route": ({"unit": self.oppvekst_unit.pk}, f"Route to unit {self.oppvekst_unit.name_en}:"),
            "priority": ({"priority": "high"}, "Change priority to High:"),
        }
        for action, (fields, summary) in cases.items():
            with self.subTest(action=action):
                response = self.bulk([inquiry], action, confirm=False, **fields)
                self.assertContains(response, summary)
        self.assertFalse(InquiryEvent.objects.exists())

    def test_the_confirmation_forms_post_runs_the_action_and_returns_to_the_filtered_list(self) -> None:
        first, second = make_inquiry_in(S.ROUTED), make_inquiry_in(S.ROUTED)
        confirm_page = self.bulk([first, second], "assign", confirm=False, owner=self.bruno.pk, next="status=routed")
        data = hidden_fields(confirm_page.content.decode(), action=BULK)
        self.assertEqual(data["confirm"], ["yes"])
        response = self.client.post(BULK, data, follow=True)
        self.assertRedirects(response, f"{INBOX}?status=routed")
        self.assertIn(f"Done for {second.reference}, {first.reference}.", messages_of(response))  # newest first
        self.assertEqual(set(Inquiry.objects.values_list("owner", flat=True)), {self.bruno.pk})

    def single_and_bulk_events(self, status: str, action: str, single: dict[str, Any], **bulk: Any) -> None:
        """The same change, made on one inquiry's page and in bulk on two others, writes the same events."""
        alone, *together = (make_inquiry_in(status) for _ in range(3))
        self.client.force_login(self.amina)
        response = self.client.post(
            f"/en/staff/inquiries/{alone.pk}/{action if action != 'priority' else 'edit'}/", single
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.bulk(together, action, **bulk)
        expected = [(event.kind, event.actor_id, event.data) for event in alone.events.all()]
        self.assertEqual(len(expected), 1)
        for inquiry in together:
            with self.subTest(action=action, inquiry=inquiry.reference):
                self.assertEqual([(event.kind, event.actor_id, event.data) for event in inquiry.events.all()], expected)

    def test_bulk_assign_writes_owner_changed_like_the_single_action(self) -> None:
        self.single_and_bulk_events(S.ROUTED, "assign", {"assign-owner": self.bruno.pk}, owner=self.bruno.pk)
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.OWNER_CHANGED).count(), 3)

    def test_bulk_route_writes_routed_like_the_single_action(self) -> None:
        self.single_and_bulk_events(S.IN_TRIAGE, "route", {"route-unit": self.bym_unit.pk}, unit=self.bym_unit.pk)
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.ROUTED).count(), 3)
        self.assertEqual(set(Inquiry.objects.values_list("unit", "status")), {(self.bym_unit.pk, S.ROUTED)})

    def test_bulk_priority_writes_priority_changed_like_the_single_action(self) -> None:
        single = {"edit-version": 1, "edit-inquiry_type": Inquiry.Type.PARTNERSHIP, "edit-priority": "high"}
        self.single_and_bulk_events(S.RECEIVED, "priority", single, priority="high")
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.PRIORITY_CHANGED).count(), 3)
        self.assertEqual(set(Inquiry.objects.values_list("priority", flat=True)), {"high"})

    def test_bulk_spam_writes_marked_spam_like_the_single_action(self) -> None:
        self.single_and_bulk_events(S.RECEIVED, "spam", {})
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.MARKED_SPAM).count(), 3)
        self.assertEqual(set(Inquiry.objects.values_list("status", flat=True)), {S.SPAM})

    def test_refused_inquiries_are_named_and_the_others_are_done(self) -> None:
        received, routed = make_inquiry_in(S.RECEIVED), make_inquiry_in(S.ROUTED)
        response = self.bulk([received, routed], "spam")
        received.refresh_from_db()
        routed.refresh_from_db()
        self.assertEqual(received.status, S.SPAM)
        self.assertEqual(routed.status, S.ROUTED)
        self.assertFalse(routed.events.exists())
        messages = messages_of(response)
        self.assertIn(f"Done for {received.reference}.", messages)
        refusal = next(message for message in messages if message.startswith(routed.reference))
        self.assertIn("cannot be rejected as spam", refusal)
        self.assertNotIn(received.reference, refusal)

    def test_without_a_selection_nothing_happens_and_the_user_is_told(self) -> None:
        make_inquiry_in(S.RECEIVED)
        response = self.bulk([], "spam", next="status=received")
        self.assertRedirects(response, f"{INBOX}?status=received")
        self.assertIn("Select at least one inquiry.", messages_of(response))
        self.assertFalse(InquiryEvent.objects.exists())

    def test_an_action_without_its_value_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        response = self.bulk([inquiry], "assign", confirm=False)
        self.assertRedirects(response, INBOX, fetch_redirect_response=False)
        response = self.client.get(response["Location"])
        self.assertIn("Choose what to change the selected inquiries to.", messages_of(response))
        self.assertFalse(InquiryEvent.objects.exists())

    def test_unit_members_and_executives_may_not_use_bulk_actions(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        for user in (self.bruno, self.dina):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                data = {"inquiries": [inquiry.pk], "action": "priority", "priority": "high", "confirm": "yes"}
                self.assertEqual(self.client.post(BULK, data).status_code, 403)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.priority, Inquiry.Priority.NORMAL)
        self.assertFalse(inquiry.events.exists())

    def test_unit_members_see_no_bulk_checkboxes(self) -> None:
        make_inquiry_in(S.ROUTED)
        response = self.get(user=self.bruno)
        self.assertFalse(response.context["may_bulk"])
        self.assertNotContains(response, 'name="inquiries"')

    def test_an_inquiry_the_user_cannot_see_makes_the_form_invalid_and_nothing_changes(self) -> None:
        visible = make_inquiry_in(S.RECEIVED)
        missing = Inquiry.objects.order_by("pk").last().pk + 1000  # type: ignore[union-attr]
        self.client.force_login(self.amina)
        data = {"inquiries": [visible.pk, missing], "action": "spam", "confirm": "yes"}
        response = self.client.post(BULK, data, follow=True)
        self.assertIn("Select at least one inquiry.", messages_of(response))
        visible.refresh_from_db()
        self.assertEqual(visible.status, S.RECEIVED)
        self.assertFalse(InquiryEvent.objects.exists())

    def test_the_bulk_form_only_accepts_inquiries_the_user_may_see(self) -> None:
        # Only people who see every inquiry reach the bulk view; the form is scoped anyway.
        bym, oppvekst = make_inquiry_in(S.ROUTED), make_inquiry_in(S.ROUTED, unit=self.oppvekst_unit)
        form = BulkForm({"inquiries": [bym.pk, oppvekst.pk], "action": "spam"}, user=self.bruno)
        self.assertFalse(form.is_valid())
        self.assertIn("inquiries", form.errors)
        self.assertTrue(BulkForm({"inquiries": [bym.pk], "action": "spam"}, user=self.bruno).is_valid())

    def test_get_is_not_allowed(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(BULK).status_code, 405)


def hidden_fields(page: str, *, action: str) -> dict[str, list[str]]:
    """The hidden inputs of the form that posts to `action`."""
    start = page.index(f'action="{action}"')
    form = page[start : page.index("</form>", start)]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        data.setdefault(name, []).append(unescape(value))
    return data


# --- Exports ---------------------------------------------------------------------------------------------------

XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def streamed(response: Any) -> bytes:
    assert isinstance(response, StreamingHttpResponse), type(response)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def csv_rows(response: Any) -> list[list[str]]:
    content = streamed(response)
    assert content.startswith(b"\xef\xbb\xbf"), content[:20]
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";"))


def csv_references(response: Any) -> set[str]:
    return {row[0] for row in csv_rows(response)[1:]}


class Sheet:
    """The first worksheet of an XLSX file read with zipfile and ElementTree (openpyxl is not installed)."""

    def __init__(self, content: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            # Our own export, not untrusted input.
            self.xml = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
            styles = ElementTree.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
            shared = (
                ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
                if "xl/sharedStrings.xml" in names
                else None
            )
        self.shared = ["".join(t.text or "" for t in si.iter(f"{{{XLSX_NS['m']}}}t")) for si in shared or []]
        formats = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iterfind("m:numFmts/m:numFmt", XLSX_NS)}
        self.style_formats = [
            formats.get(xf.get("numFmtId")) or "" for xf in styles.iterfind("m:cellXfs/m:xf", XLSX_NS)
        ]
        self.cells: dict[str, ElementTree.Element] = {
            cell.get("r", ""): cell for cell in self.xml.iterfind("m:sheetData/m:row/m:c", XLSX_NS)
        }

    def text(self, ref: str) -> str:
        cell = self.cells.get(ref)
        if cell is None:
            return ""
        if cell.get("t") == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(f"{{{XLSX_NS['m']}}}t"))
        value = cell.findtext("m:v", default="", namespaces=XLSX_NS)
        return self.shared[int(value)] if cell.get("t") == "s" else value

    def rows(self) -> list[list[str]]:
        width = len(self.xml.findall("m:sheetData/m:row[1]/m:c", XLSX_NS))
        count = len(self.xml.findall("m:sheetData/m:row", XLSX_NS))
        return [[self.text(f"{column_letter(column)}{row}") for column in range(width)] for row in range(1, count + 1)]

    def number_format(self, ref: str) -> str:
        return self.style_formats[int(self.cells[ref].get("s", "0"))]

    def has_formulas(self) -> bool:
        return self.xml.find(".//m:f", XLSX_NS) is not None


def column_letter(index: int) -> str:
    return chr(ord("A") + index)  # the export has fewer than 27 columns


def xlsx_references(response: Any) -> set[str]:
    return {row[0] for row in Sheet(streamed(response)).rows()[1:]}


def excel_serial(day: datetime.date) -> float:
    return float((day - datetime.date(1899, 12, 30)).days)


class ExportTests(InboxTestCase):
    norwegian: Inquiry
    formulas: list[Inquiry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.norwegian = make_inquiry(
            title="Grønn omstilling på Ørlandet – blåskjell og ærfugl",
            organisation=make_organisation(name="Ærlig Økonomi AS"),
            contact=make_contact(name="Åse Bærø"),
            received_at=oslo(2025, 3, 10, 0, 30),  # 9 March in UTC: the export shows the local date
            decision_due_on=datetime.date(2025, 4, 7),
            first_reply_due_on=datetime.date(2025, 3, 17),
            priority=Inquiry.Priority.HIGH,
            unit=cls.bym_unit,
            owner=cls.bruno,
            sdg_goals=[11, 13],
        )
        cls.formulas = [
            make_inquiry(
                title=f"{start}SUM(A1:A9)",
                organisation=make_organisation(name=f"{start}cmd|' /C calc'!A0"),
                received_at=oslo(2025, 2, day),
            )
            for day, start in enumerate("=+-@", start=1)
        ]

    def columns(self, header: list[str]) -> dict[str, int]:
        return {name: index for index, name in enumerate(header)}

    def test_csv_is_utf8_with_a_bom_semicolons_and_intact_letters(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.get(CSV_EXPORT, {"q": "Ørlandet"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="henvendelser-\d{4}-\d{2}-\d{2}\.csv"$'
        )
        content = streamed(response)
        self.assertTrue(content.startswith("\ufeffReference;Received;Status;".encode()))
        header, row = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
        column = self.columns(header)
        self.assertEqual(row[column["Title"]], "Grønn omstilling på Ørlandet – blåskjell og ærfugl")
        self.assertEqual(row[column["Organisation"]], "Ærlig Økonomi AS")
        self.assertEqual(row[column["Contact"]], "Åse Bærø")
        self.assertEqual(row[column["Responsible unit"]], "Urban Development and Environment")
        self.assertEqual(row[column["Owner"]], "Bruno Solberg")
        self.assertEqual(row[column["Priority"]], "High")
        self.assertEqual(row[column["SDGs"]], "11, 13")

    def test_csv_dates_are_iso_local_dates(self) -> None:
        self.client.force_login(self.amina)
        header, row = csv_rows(self.client.get(CSV_EXPORT, {"q": "Ørlandet"}))
        column = self.columns(header)
        self.assertEqual(row[column["Received"]], "2025-03-10")
        self.assertEqual(row[column["First reply due"]], "2025-03-17")
        self.assertEqual(row[column["Decision due"]], "2025-04-07")

    def test_csv_neutralises_cells_that_would_run_as_formulas(self) -> None:
        self.client.force_login(self.amina)
        header, *rows = csv_rows(self.client.get(CSV_EXPORT, {"received_before": "2025-02-28", "ordering": "received"}))
        column = self.columns(header)
        self.assertEqual(
            [(row[column["Title"]], row[column["Organisation"]]) for row in rows],
            [(f"'{start}SUM(A1:A9)", f"'{start}cmd|' /C calc'!A0") for start in "=+-@"],
        )

    def test_csv_holds_exactly_the_filtered_rows_in_the_filtered_order(self) -> None:
        self.client.force_login(self.amina)
        query = {"received_before": "2025-02-28", "ordering": "-received", "q": "SUM"}
        listed = [row.reference for row in self.listed(query)]
        self.assertEqual(len(listed), 4)
        self.assertEqual(listed, [row.reference for row in self.formulas[::-1]])
        self.client.force_login(self.amina)
        self.assertEqual([row[0] for row in csv_rows(self.client.get(CSV_EXPORT, query))[1:]], listed)
        self.assertEqual([row[0] for row in Sheet(streamed(self.client.get(XLSX_EXPORT, query))).rows()[1:]], listed)

    def test_the_export_links_carry_the_lists_filter(self) -> None:
        response = self.get({"priority": "high", "q": "Ørlandet"})
        match = re.search(r'href="(/en/staff/export\.csv[^"]*)"', response.content.decode())
        assert match is not None
        self.assertEqual(csv_references(self.client.get(unescape(match.group(1)))), {self.norwegian.reference})

    def test_an_invalid_filter_exports_what_the_list_shows_nothing(self) -> None:
        self.client.force_login(self.amina)
        query = {"owner": "999999", "priority": "high"}
        self.assertEqual(self.listed(query), [])
        self.client.force_login(self.amina)
        self.assertEqual(csv_rows(self.client.get(CSV_EXPORT, query))[1:], [])
        self.assertEqual(Sheet(streamed(self.client.get(XLSX_EXPORT, query))).rows()[1:], [])

    def test_xlsx_has_text_cells_dates_as_date_cells_and_no_formulas(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.get(XLSX_EXPORT, {"q": "Ørlandet"})
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="henvendelser-\d{4}-\d{2}-\d{2}\.xlsx"$'
        )
        sheet = Sheet(streamed(response))
        header, row = sheet.rows()
        column = self.columns(header)
        self.assertEqual(row[column["Reference"]], self.norwegian.reference)
        self.assertEqual(row[column["Title"]], "Grønn omstilling på Ørlandet – blåskjell og ærfugl")
        self.assertEqual(row[column["Organisation"]], "Ærlig Økonomi AS")
        self.assertEqual(row[column["Contact"]], "Åse Bærø")
        for name, day in (
            ("Received", datetime.date(2025, 3, 10)),
            ("First reply due", datetime.date(2025, 3, 17)),
            ("Decision due", datetime.date(2025, 4, 7)),
        ):
            with self.subTest(column=name):
                ref = f"{column_letter(column[name])}2"
                cell = sheet.cells[ref]
                self.assertIsNone(cell.get("t"))  # a number, not text
                self.assertEqual(float(cell.findtext("m:v", namespaces=XLSX_NS) or "nan"), excel_serial(day))
                self.assertIn("yyyy", sheet.number_format(ref))
                self.assertIn("dd", sheet.number_format(ref))
        self.assertFalse(sheet.has_formulas())

    def test_xlsx_neutralises_cells_that_would_run_as_formulas(self) -> None:
        self.client.force_login(self.amina)
        sheet = Sheet(streamed(self.client.get(XLSX_EXPORT, {"received_before": "2025-02-28", "ordering": "received"})))
        header, *rows = sheet.rows()
        column = self.columns(header)
        self.assertEqual(
            [(row[column["Title"]], row[column["Organisation"]]) for row in rows],
            [(f"'{start}SUM(A1:A9)", f"'{start}cmd|' /C calc'!A0") for start in "=+-@"],
        )
        self.assertFalse(sheet.has_formulas())

    def test_both_exports_are_streamed(self) -> None:
        self.client.force_login(self.amina)
        self.assertIsInstance(self.client.get(CSV_EXPORT), StreamingHttpResponse)
        self.assertIsInstance(self.client.get(XLSX_EXPORT), StreamingHttpResponse)


class ExportMemoryTests(PortalTestCase):
    """The CSV export's peak memory depends on the chunk size, not on the number of rows."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        organisation = make_organisation(name="Ærlig Økonomi AS")
        contact = make_contact(organisation=organisation)
        received = timezone.now() - datetime.timedelta(days=30)
        Inquiry.objects.bulk_create(
            Inquiry(
                reference=f"1990-{number:05d}",
                title=f"Grønn omstilling nummer {number}",
                description="Beskrivelse.",
                inquiry_type=Inquiry.Type.PARTNERSHIP,
                organisation=organisation,
                contact=contact,
                received_at=received,
                decision_due_on=datetime.date(2025, 4, 7),
                priority=Inquiry.Priority.LOW if number < 1000 else Inquiry.Priority.HIGH,
            )
            for number in range(3000)
        )

    def export_peak(self, query: dict[str, str]) -> tuple[int, int]:
        """Peak traced memory while the export is produced, and its number of lines; the body is not kept."""
        response = self.client.get(CSV_EXPORT, query)
        assert isinstance(response, StreamingHttpResponse)
        lines = 0
        tracemalloc.start()
        try:
            for chunk in response.streaming_content:
                lines += bytes(chunk).count(b"\n")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak, lines

    def test_peak_memory_does_not_grow_with_the_number_of_rows(self) -> None:
        self.client.force_login(self.amina)
        # Chunks of 250 rows, so that both exports span several chunks (at the real 1,000, one export would be a
        # single chunk and the other three).
        with mock.patch("requests_app.exports.CHUNK", 250):
            self.export_peak({"priority": "low"})  # warm up: imports, translations, caches
            peak_1000, lines_1000 = self.export_peak({"priority": "low"})
            peak_3000, lines_3000 = self.export_peak({})
        self.assertEqual((lines_1000, lines_3000), (1001, 3001))
        # Proportional growth would be three times; allow much slack for the allocator.
        self.assertLess(peak_3000, peak_1000 * 1.5, (peak_1000, peak_3000))


# --- Queries ---------------------------------------------------------------------------------------------------


class InboxQueryTests(InboxTestCase):
    def make_rows(self, count: int) -> None:
        # Each with its own organisation, contact, owner and goals, so a missing select_related shows per row.
        for number in range(count):
            make_inquiry(
                unit=self.bym_unit,
                owner=self.bruno if number % 2 else self.amina,
                sdg_goals=[11],
                priority=Inquiry.Priority.HIGH,
                decision_due_on=timezone.localdate(),
            )

    def count_queries(self, user: User, query: str) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(f"{INBOX}?{query}")
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_same_number_of_queries_for_5_and_50_rows(self) -> None:
        SavedView.objects.create(owner=self.amina, name="Høy", query="priority=high", is_shared=True)
        SavedView.objects.create(owner=self.bruno, name="Mine høye", query="priority=high&owner=me")
        queries = ("per_page=50", "per_page=50&priority=high&sdg=11&q=henvendelse&ordering=priority")
        self.make_rows(5)
        with_five = {
            (user.email, query): self.count_queries(user, query)
            for user in (self.amina, self.bruno)
            for query in queries
        }
        self.make_rows(45)
        with_fifty = {
            (user.email, query): self.count_queries(user, query)
            for user in (self.amina, self.bruno)
            for query in queries
        }
        self.assertEqual(with_fifty, with_five)
        self.assertEqual(len(self.get("per_page=50").context["inquiries"]), 50)

    def test_the_index_of_open_inquiries_holds_exactly_the_open_statuses(self) -> None:
        # Written out in the model's Meta (it cannot name Inquiry.OPEN_STATUSES there); the two must agree.
        index = next(index for index in Inquiry._meta.indexes if index.name == "inquiry_open_owner")
        assert index.condition is not None
        self.assertEqual(index.condition.children, [("status__in", list(Inquiry.OPEN_STATUSES))])

    def test_list_budget(self) -> None:
        self.make_rows(30)
        SavedView.objects.create(owner=self.amina, name="Høy", query="priority=high", is_shared=True)
        # Session, user, role groups, staff and units (filter and bulk choices), the saved views, the count of the
        # list and of every view in one query, the page's ids and then its rows, the workload, and the SDG goals of
        # the filter. The performance issue's budget for list pages is 12.
        self.client.force_login(self.amina)
        with self.assertNumQueries(11):
            self.client.get(f"{INBOX}?per_page=50&priority=high")
        # A unit member: their units instead of the workload.
        self.client.force_login(self.bruno)
        with self.assertNumQueries(11):
            self.client.get(f"{INBOX}?per_page=50&priority=high")


# The markup the list's rows had as a template: list_rendering.py is held to it.
_ROWS_TEMPLATE = Path(__file__).with_name("inbox_rows_markup.html")


class RowMarkupTests(PortalTestCase):
    def test_every_kind_of_row_is_written_as_the_template_wrote_it(self) -> None:
        today = timezone.localdate()
        make_inquiry_in(S.RECEIVED, title="Ny <henvendelse> & mer")  # no unit, owner or due date
        make_inquiry_in(S.IN_PROGRESS, owner=self.amina, priority=Inquiry.Priority.HIGH)
        make_inquiry_in(S.IN_TRIAGE, returned_by_unit=self.bym_unit)
        make_inquiry_in(
            S.IN_PROGRESS, decision_due_on=today - datetime.timedelta(days=3), first_replied_at=timezone.now()
        )  # overdue
        make_inquiry_in(S.CLOSED, decision_due_on=today - datetime.timedelta(days=3))  # past due, not overdue
        waiting = make_inquiry_in(S.RECEIVED, title="Venter på enheten")
        route_inquiry(waiting, unit=self.bym_unit, actor=self.amina, now=timezone.now() - datetime.timedelta(days=9))
        fresh = make_inquiry_in(S.RECEIVED, title="Nettopp sendt til enheten")
        route_inquiry(fresh, unit=self.bym_unit, actor=self.amina)
        template = engines["django"].from_string(_ROWS_TEMPLATE.read_text(encoding="utf-8"))
        lists = {
            False: selectors.staff_inquiry_list(self.amina),
            True: selectors.unit_queue(self.amina, today=today),
        }
        for language in ("nb", "en"):
            for unit_queue, rows in lists.items():
                listed = selectors.rows_of_page(rows, rows)
                self.assertGreaterEqual(len(listed), 3 if unit_queue else 7)
                for may_bulk in (False, True):
                    with (
                        translation.override(language),
                        self.subTest(language=language, unit_queue=unit_queue, may_bulk=may_bulk),
                    ):
                        context = {"inquiries": listed, "may_bulk": may_bulk, "unit_queue": unit_queue, "today": today}
                        written = render_inquiry_rows(listed, may_bulk=may_bulk, unit_queue=unit_queue, today=today)
                        self.assertHTMLEqual(written, template.render(context))
                        self.assertEqual(written.count("<tr>"), len(listed))
                        self.assertNotIn("<henvendelse>", written)
        queue = selectors.rows_of_page(lists[True], lists[True])
        with translation.override("en"):
            written = render_inquiry_rows(queue, may_bulk=False, unit_queue=True, today=today)
        self.assertEqual(written.count("Not answered in time"), 1)  # the one routed nine days ago
