"""The unit queue at /staff/unit/ (what a unit works on, with the inbox's filters and saved views), and how the
secretariat finds inquiries a unit declined: the inbox's "Returned by a unit" filter and its tag."""

import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import User
from requests_app.models import AccessLogEntry, Inquiry, SavedView
from requests_app.selectors import unit_queue
from requests_app.services.lifecycle import accept_inquiry, decline_referral, route_inquiry
from tests.base import PortalTestCase, make_user
from tests.factories import make_inquiry, make_inquiry_in
from tests.requests_app.test_inbox import csv_references, xlsx_references

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
QUEUE = "/en/staff/unit/"
INBOX = "/en/staff/"


class UnitQueueTestCase(PortalTestCase):
    def get(self, url: str = QUEUE, query: dict[str, Any] | str = "", *, user: User | None = None) -> "TestResponse":
        self.client.force_login(user or self.bruno)
        if isinstance(query, str):
            response = self.client.get(f"{url}?{query}" if query else url)
        else:
            response = self.client.get(url, query)
        self.assertEqual(response.status_code, 200)
        return response

    def listed(self, query: dict[str, Any] | str = "", *, user: User | None = None, url: str = QUEUE) -> set[str]:
        """The references of every row the list keeps, over all pages."""
        return {row.reference for row in self.get(url, query, user=user).context["paginator"].object_list}

    def route(self, inquiry: Inquiry, *, days_ago: int = 0, **fields: Any) -> Inquiry:
        route_inquiry(
            inquiry,
            unit=fields.get("unit", self.bym_unit),
            actor=self.amina,
            now=timezone.now() - datetime.timedelta(days=days_ago),
        )
        inquiry.refresh_from_db()
        return inquiry


class WhatTheQueueListsTests(UnitQueueTestCase):
    def test_a_member_sees_exactly_the_open_inquiries_of_their_unit(self) -> None:
        mine = {
            make_inquiry_in(S.ROUTED).reference,
            make_inquiry_in(S.IN_PROGRESS).reference,
            make_inquiry_in(S.AWAITING_PARTNER).reference,
        }
        for status in (S.DECIDED, S.CLOSED, S.WITHDRAWN):
            make_inquiry_in(status, unit=self.bym_unit)
        make_inquiry_in(S.IN_TRIAGE)
        make_inquiry_in(S.ROUTED, unit=self.oppvekst_unit)
        # Bruno owns one of Oppvekst's inquiries and helps with another: he sees them in the inbox, but they are
        # not his unit's work.
        owned = make_inquiry_in(S.IN_PROGRESS, unit=self.oppvekst_unit, owner=self.bruno)
        helping = make_inquiry_in(S.IN_PROGRESS, unit=self.oppvekst_unit)
        helping.collaborators.add(self.bruno)

        self.assertEqual(self.listed(), mine)
        self.assertLessEqual({owned.reference, helping.reference}, self.listed(url=INBOX))

    def test_a_members_rows_are_chosen_by_their_units_alone(self) -> None:
        # "Their units, or owned, or collaborating" (what a member may see) would keep the database from the index on
        # unit and status; the queue holds only their units' rows, all of which they may see.
        condition = str(unit_queue(self.bruno, today=timezone.localdate()).query).split(" WHERE ")[-1]
        self.assertIn('"unit_id" IN', condition)
        self.assertNotIn("collaborators", condition)
        self.assertNotIn('"owner_id"', condition)

    def test_the_secretariat_executive_and_admin_see_every_units_queue_and_choose_a_unit(self) -> None:
        bym = make_inquiry_in(S.ROUTED)
        oppvekst = make_inquiry_in(S.IN_PROGRESS, unit=self.oppvekst_unit)
        make_inquiry_in(S.AWAITING_PARTNER, unit=None, status_before_waiting=S.IN_TRIAGE)  # waits in triage
        make_inquiry_in(S.CLOSED)
        for user in (self.amina, self.dina, self.admin):
            with self.subTest(user=user.email):
                self.assertEqual(self.listed(user=user), {bym.reference, oppvekst.reference})
                self.assertEqual(self.listed({"unit": self.oppvekst_unit.pk}, user=user), {oppvekst.reference})
        response = self.get(user=self.amina)
        self.assertTrue(response.context["unit_filter_on_top"])
        self.assertEqual(len(response.context["filter"].form.fields["unit"].choices), 4)

    def test_a_member_chooses_only_among_their_own_units(self) -> None:
        response = self.get()
        self.assertEqual(
            [value for value, _name in response.context["filter"].form.fields["unit"].choices],
            [str(self.bym_unit.pk)],
        )
        self.assertTrue(response.context["hides_unit_filter"])
        self.assertNotContains(response, 'name="unit"')
        # Another unit asked for by URL lists nothing: it is not a choice.
        make_inquiry_in(S.ROUTED, unit=self.oppvekst_unit)
        self.assertEqual(self.listed({"unit": self.oppvekst_unit.pk}), set())

        both = make_user("ola@trondheim.kommune.no", units=(self.bym_unit, self.oppvekst_unit))
        response = self.get(user=both)
        self.assertEqual(len(response.context["filter"].form.fields["unit"].choices), 2)
        self.assertContains(response, 'name="unit"')

    def test_the_accept_or_decline_column_shows_the_date_and_whether_it_has_passed(self) -> None:
        late = self.route(make_inquiry_in(S.IN_TRIAGE), days_ago=20)
        in_time = self.route(make_inquiry_in(S.IN_TRIAGE))
        accepted = accept_inquiry(self.route(make_inquiry_in(S.IN_TRIAGE), days_ago=20), actor=self.bruno)
        response = self.get()
        rows = {row.reference: row for row in response.context["inquiries"]}
        self.assertTrue(rows[late.reference].response_overdue)
        self.assertFalse(rows[in_time.reference].response_overdue)
        self.assertEqual(rows[in_time.reference].respond_by, in_time.assignments.get().respond_by)
        self.assertIsNone(rows[accepted.reference].respond_by)
        self.assertContains(response, "Accept or decline by")
        self.assertContains(response, "Not answered in time", count=1)
        self.assertContains(response, f'<time datetime="{in_time.assignments.get().respond_by:%Y-%m-%d}">')

    def test_the_inbox_has_no_accept_or_decline_column(self) -> None:
        self.route(make_inquiry_in(S.IN_TRIAGE), days_ago=20)
        self.assertNotContains(self.get(INBOX), "Accept or decline by")

    def test_anonymous_goes_to_login_and_a_partner_is_refused(self) -> None:
        self.assertRedirects(self.client.get(QUEUE), f"/en/accounts/login/?next={QUEUE}")
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(QUEUE).status_code, 403)


class SameToolsAsTheInboxTests(UnitQueueTestCase):
    def test_the_inbox_filters_work_on_the_queue(self) -> None:
        routed = make_inquiry_in(S.ROUTED, title="Sykkelveier")
        in_progress = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, priority=Inquiry.Priority.HIGH)
        self.assertEqual(self.listed({"status": "in_progress"}), {in_progress.reference})
        self.assertEqual(self.listed({"q": "sykkelveier"}), {routed.reference})
        self.assertEqual(self.listed({"owner": "me"}), {in_progress.reference})
        self.assertEqual(self.listed({"priority": "high"}), {in_progress.reference})

    def test_the_views_count_only_the_queues_rows(self) -> None:
        make_inquiry_in(S.ROUTED, priority=Inquiry.Priority.HIGH)
        make_inquiry_in(S.ROUTED)
        make_inquiry_in(S.IN_PROGRESS)
        make_inquiry_in(S.CLOSED, priority=Inquiry.Priority.HIGH)  # with the unit, but not in its queue
        make_inquiry_in(S.ROUTED, unit=self.oppvekst_unit, priority=Inquiry.Priority.HIGH)
        SavedView.objects.create(owner=self.amina, name="Høy", query="priority=high", is_shared=True)
        counts = {str(view["name"]): view["count"] for view in self.get().context["views"]}
        self.assertEqual(counts["To accept or decline"], 2)
        self.assertEqual(counts["In progress"], 1)
        self.assertEqual(counts["Høy"], 1)
        self.assertEqual(self.get(INBOX).context["views"][-1]["count"], 2)  # the inbox counts the closed one too

    def test_a_view_saved_on_the_queue_comes_back_to_the_queue_and_nowhere_else(self) -> None:
        self.client.force_login(self.bruno)
        response = self.client.post(
            "/en/staff/views/", {"name": "Høye", "query": "priority=high", "list": QUEUE, "is_shared": ""}
        )
        self.assertRedirects(response, f"{QUEUE}?priority=high", fetch_redirect_response=False)
        for elsewhere in ("https://evil.example/", "//evil.example/", "/en/staff/outbox/"):
            with self.subTest(elsewhere=elsewhere):
                response = self.client.post(
                    "/en/staff/views/", {"name": f"Utvalg {elsewhere}", "query": "priority=low", "list": elsewhere}
                )
                self.assertRedirects(response, f"{INBOX}?priority=low", fetch_redirect_response=False)

    def test_a_view_deleted_on_the_queue_comes_back_to_the_queue(self) -> None:
        view = SavedView.objects.create(owner=self.bruno, name="Mine", query="owner=me")
        self.client.force_login(self.bruno)
        response = self.client.post(f"/en/staff/views/{view.pk}/delete/", {"list": QUEUE})
        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        self.assertFalse(SavedView.objects.exists())

    def test_the_page_posts_and_links_back_to_itself(self) -> None:
        SavedView.objects.create(owner=self.bruno, name="Mine", query="owner=me")
        response = self.get(query={"priority": "high"})
        self.assertContains(response, f'<form method="get" action="{QUEUE}"')
        self.assertContains(response, f'<input type="hidden" name="list" value="{QUEUE}">', count=2)
        self.assertContains(response, f'href="{QUEUE}export.csv?priority=high"')
        self.assertContains(response, f'href="{QUEUE}export.xlsx?priority=high"')
        self.assertContains(response, "<title>Unit queue (filtered)")
        self.assertNotContains(response, 'id="bulk-form"')

    def test_the_exports_hold_the_queues_rows_and_are_logged(self) -> None:
        routed = make_inquiry_in(S.ROUTED)
        make_inquiry_in(S.CLOSED, unit=self.bym_unit)
        self.client.force_login(self.bruno)
        self.assertEqual(csv_references(self.client.get(f"{QUEUE}export.csv")), {routed.reference})
        self.assertEqual(xlsx_references(self.client.get(f"{QUEUE}export.xlsx")), {routed.reference})
        self.assertEqual(
            list(AccessLogEntry.objects.order_by("pk").values_list("kind", "target", "row_count")),
            [(AccessLogEntry.Kind.INQUIRIES_EXPORTED, "csv", 1), (AccessLogEntry.Kind.INQUIRIES_EXPORTED, "xlsx", 1)],
        )
        self.assertEqual(len(csv_references(self.client.get(f"{INBOX}export.csv"))), 2)

    def test_the_main_menu_leads_to_the_queue(self) -> None:
        for user in (self.bruno, self.amina):
            with self.subTest(user=user.email):
                self.assertContains(self.get(INBOX, user=user), f'<a href="{QUEUE}">Unit queue</a>', html=True)
        self.assertContains(self.get(), f'<a href="{QUEUE}" aria-current="page">Unit queue</a>', html=True)


class QueueQueryTests(UnitQueueTestCase):
    def make_rows(self, count: int) -> None:
        # Each with its own organisation, contact and assignment, and alternating owners and statuses, so a missing
        # select_related or a per-row lookup of the accept-or-decline date shows.
        for number in range(count):
            inquiry = self.route(make_inquiry(priority=Inquiry.Priority.HIGH, sdg_goals=[11]), days_ago=number % 9)
            if number % 2:
                accept_inquiry(inquiry, actor=self.bruno)

    def count_queries(self, user: User, query: str) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(f"{QUEUE}?{query}")
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_same_number_of_queries_for_5_and_50_rows(self) -> None:
        SavedView.objects.create(owner=self.amina, name="Høy", query="priority=high", is_shared=True)
        queries = ("per_page=50", "per_page=50&priority=high&sdg=11&q=henvendelse&ordering=-due")
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
        self.assertEqual(len(self.get(query="per_page=50").context["inquiries"]), 50)

    def test_queue_budget(self) -> None:
        self.make_rows(30)
        SavedView.objects.create(owner=self.amina, name="Høy", query="priority=high", is_shared=True)
        # Session, user, role groups, staff and units (the filter's choices), the saved views, the count of the list
        # and of every view in one query, the page's ids and then its rows with their dates, and the SDG goals of
        # the filter.
        self.client.force_login(self.amina)
        with self.assertNumQueries(10):
            self.client.get(f"{QUEUE}?per_page=50&priority=high")
        # A unit member: and their units.
        self.client.force_login(self.bruno)
        with self.assertNumQueries(11):
            self.client.get(f"{QUEUE}?per_page=50&priority=high")


class DeclinedInTriageTests(UnitQueueTestCase):
    def declined(self) -> Inquiry:
        inquiry = self.route(make_inquiry_in(S.IN_TRIAGE))
        decline_referral(inquiry, reason="Dette hører hjemme i Oppvekst.", actor=self.bruno)
        inquiry.refresh_from_db()
        return inquiry

    def test_the_returned_filter_lists_exactly_the_declined_inquiries_until_they_are_routed_again(self) -> None:
        declined = self.declined()
        other = self.declined()
        make_inquiry_in(S.IN_TRIAGE)
        make_inquiry_in(S.ROUTED)
        expected = {declined.reference, other.reference}
        self.assertEqual(self.listed({"returned": "true"}, user=self.amina, url=INBOX), expected)
        self.assertEqual(self.listed({"returned": "on"}, user=self.amina, url=INBOX), expected)  # the checkbox
        self.assertEqual(self.listed({"returned": "true", "status": "in_triage"}, user=self.amina, url=INBOX), expected)
        self.route(other, unit=self.oppvekst_unit)
        self.assertEqual(self.listed({"returned": "true"}, user=self.amina, url=INBOX), {declined.reference})
        self.assertEqual(len(self.listed({"returned": ""}, user=self.amina, url=INBOX)), 4)

    def test_the_inbox_row_says_which_unit_declined(self) -> None:
        self.declined()
        response = self.get(INBOX, user=self.amina)
        self.assertContains(response, "Declined by Urban Development and Environment", count=1)
        self.assertContains(response, 'name="returned"')
        self.assertContains(response, "Returned by a unit")
