"""The partner register at /staff/organisations/: the list (filters, search, counts, sorting, exports), the
organisation page, likely duplicates, merging, editing contacts, and who sees what."""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Contact, Organisation, OrganisationInvitation, OrganisationMembership, User
from partners.selectors import likely_duplicate_map, likely_duplicates_of, name_key
from partners.services import update_contact
from requests_app.models import AccessLogEntry, Inquiry, InquiryEvent, Outcome
from requests_app.organisation_selectors import INQUIRIES_SHOWN, TIMELINE_LENGTH
from requests_app.services.organisations import OrganisationMergeError, merge_organisations
from requests_app.views.organisations import PARTNERSHIPS_SHOWN
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
Kind = Organisation.Kind
REGISTER = "/en/staff/organisations/"
CSV_EXPORT = "/en/staff/organisations/export.csv"
XLSX_EXPORT = "/en/staff/organisations/export.xlsx"
QUERY_BUDGET = 12
ORGANISATION_PAGE_QUERIES = 13


def page_url(organisation: Organisation) -> str:
    return f"/en/staff/organisations/{organisation.pk}/"


def merge_url(organisation: Organisation) -> str:
    return f"/en/staff/organisations/{organisation.pk}/merge/"


def contact_url(contact: Contact) -> str:
    return f"/en/staff/contacts/{contact.pk}/edit/"


def make_outcome(
    inquiry: Inquiry,
    kind: str = Outcome.Type.AGREEMENT,
    *,
    partners: tuple[Organisation, ...] = (),
    ended_on: datetime.date | None = None,
) -> Outcome:
    outcome = Outcome.objects.create(
        inquiry=inquiry,
        type=kind,
        decided_on=timezone.localdate(),
        recorded_at=timezone.now(),
        partnership_ended_on=ended_on,
    )
    outcome.partners_involved.set(partners)
    return outcome


def messages_of(response: "TestResponse") -> list[str]:
    return [str(message) for message in response.context["messages"]]


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


class RegisterTestCase(PortalTestCase):
    def get(self, query: dict[str, Any] | None = None, *, user: User | None = None) -> "TestResponse":
        self.client.force_login(user or self.amina)
        response = self.client.get(REGISTER, query or {})
        self.assertEqual(response.status_code, 200)
        return response

    def listed(self, query: dict[str, Any] | None = None, *, user: User | None = None) -> list[str]:
        """The names of every row the filter keeps, over all pages, in the list's order."""
        return [row.name for row in self.get(query, user=user).context["paginator"].object_list]

    def assertListed(self, query: dict[str, Any], expected: list[Organisation], *, user: User | None = None) -> None:
        self.assertEqual(sorted(self.listed(query, user=user)), sorted(row.name for row in expected))


class RegisterFilterTests(RegisterTestCase):
    def test_kind_keeps_the_chosen_kinds(self) -> None:
        company = make_organisation(kind=Kind.COMPANY)
        research = make_organisation(kind=Kind.RESEARCH)
        make_organisation(kind=Kind.NGO)
        self.assertListed({"kind": "company"}, [company])
        self.assertListed({"kind": ["company", "research"]}, [company, research])

    def test_country_keeps_that_country_and_offers_only_countries_in_the_register(self) -> None:
        tampere = make_organisation(name="City of Tampere", country="FI")
        make_organisation(name="Nidaros Klimalab", country="NO")
        self.assertListed({"country": "FI"}, [tampere])
        choices = dict(self.get().context["filter"].form.fields["country"].choices)
        self.assertEqual(set(choices) - {""}, {"FI", "NO"})

    def test_county_is_read_from_the_municipality_numbers_first_two_digits(self) -> None:
        trondheim = make_organisation(name="Trondheim kommune", kind=Kind.MUNICIPALITY, municipality_number="5001")
        malvik = make_organisation(name="Malvik kommune", kind=Kind.MUNICIPALITY, municipality_number="5031")
        make_organisation(name="Oslo kommune", kind=Kind.MUNICIPALITY, municipality_number="0301")
        make_organisation(name="Bergen kommune", kind=Kind.MUNICIPALITY, municipality_number="4601")
        make_organisation(name="Nidaros Klimalab")  # no municipality number: in no county
        self.assertListed({"county": "50"}, [trondheim, malvik])
        self.assertEqual(self.listed({"county": "03"}), ["Oslo kommune"])
        self.assertEqual(trondheim.county, "Trøndelag")
        self.assertContains(self.get({"county": "50"}), "<td>Trøndelag</td>", count=2, html=True)

    def test_an_unknown_county_lists_nothing(self) -> None:
        make_organisation(name="Trondheim kommune", kind=Kind.MUNICIPALITY, municipality_number="5001")
        self.assertEqual(self.listed({"county": "99"}), [])

    def test_search_finds_a_name_regardless_of_case_and_the_organisation_number_with_or_without_spaces(self) -> None:
        klimalab = make_organisation(name="Nidaros Klimalab AS", organisation_number="923562015")
        make_organisation(name="Grønn Framtid Trøndelag")
        self.assertListed({"q": "klimalab"}, [klimalab])
        self.assertListed({"q": "nidaros lab"}, [klimalab])
        self.assertListed({"q": "923562015"}, [klimalab])
        self.assertListed({"q": "923 562 015"}, [klimalab])
        self.assertListed({"q": "Framtid"}, [Organisation.objects.get(name="Grønn Framtid Trøndelag")])
        self.assertEqual(self.listed({"q": "nothing like it"}), [])

    def test_has_active_partnership_counts_own_outcomes_and_those_it_is_a_partner_in(self) -> None:
        lead = make_organisation(name="Lead")
        partner = make_organisation(name="Partner in the agreement")
        ended = make_organisation(name="Ended partnership")
        declined = make_organisation(name="Declined")
        make_organisation(name="Nothing decided")
        make_outcome(make_inquiry(organisation=lead, contact=make_contact(lead)), partners=(partner,))
        make_outcome(
            make_inquiry(organisation=ended, contact=make_contact(ended)),
            Outcome.Type.PILOT,
            ended_on=timezone.localdate(),
        )
        make_outcome(make_inquiry(organisation=declined, contact=make_contact(declined)), Outcome.Type.DECLINED)
        self.assertListed({"active_partnership": "on"}, [lead, partner])

    def test_has_open_inquiry_keeps_organisations_with_a_running_inquiry(self) -> None:
        running = make_organisation(name="Running")
        waiting = make_organisation(name="Waiting")
        closed = make_organisation(name="Closed")
        make_inquiry_in(S.IN_TRIAGE, organisation=running, contact=make_contact(running))
        make_inquiry_in(S.AWAITING_PARTNER, organisation=waiting, contact=make_contact(waiting))
        make_inquiry_in(S.CLOSED, organisation=closed, contact=make_contact(closed))
        self.assertListed({"open_inquiry": "on"}, [running, waiting])

    def test_filters_combine(self) -> None:
        wanted = make_organisation(name="Trondheim kommune", kind=Kind.MUNICIPALITY, municipality_number="5001")
        make_inquiry_in(S.RECEIVED, organisation=wanted, contact=make_contact(wanted))
        quiet = make_organisation(name="Malvik kommune", kind=Kind.MUNICIPALITY, municipality_number="5031")
        make_inquiry_in(S.CLOSED, organisation=quiet, contact=make_contact(quiet))
        self.assertListed({"county": "50", "open_inquiry": "on", "kind": "municipality"}, [wanted])


class RegisterRowTests(RegisterTestCase):
    def test_each_row_counts_inquiries_open_inquiries_and_active_partnerships(self) -> None:
        busy = make_organisation(name="Busy")
        contact = make_contact(busy)
        make_inquiry_in(S.RECEIVED, organisation=busy, contact=contact)
        make_inquiry_in(S.IN_PROGRESS, organisation=busy, contact=contact)
        decided = make_inquiry_in(S.DECIDED, organisation=busy, contact=contact)
        Outcome.objects.filter(inquiry=decided).update(type=Outcome.Type.JOINT_PROJECT)
        make_organisation(name="Quiet")
        rows = {row.name: row for row in self.get().context["organisations"]}
        busy_row = rows["Busy"]
        self.assertEqual(
            (busy_row.inquiry_count, busy_row.open_inquiry_count, busy_row.active_partnership_count), (3, 2, 1)
        )
        self.assertIsNotNone(busy_row.last_received)
        quiet_row = rows["Quiet"]
        self.assertEqual(
            (quiet_row.inquiry_count, quiet_row.open_inquiry_count, quiet_row.active_partnership_count), (0, 0, 0)
        )
        self.assertIsNone(quiet_row.last_received)

    def test_an_outcome_naming_the_organisation_itself_as_partner_counts_once(self) -> None:
        organisation = make_organisation()
        inquiry = make_inquiry(organisation=organisation, contact=make_contact(organisation))
        make_outcome(inquiry, partners=(organisation, make_organisation()))
        self.assertEqual(self.get().context["organisations"][0].active_partnership_count, 1)

    def test_sorting_by_counts_and_by_name_with_ties_by_name(self) -> None:
        for name, count in (("Bravo", 2), ("alpha", 0), ("Charlie", 2), ("Delta", 1)):
            organisation = make_organisation(name=name)
            for _ in range(count):
                make_inquiry(organisation=organisation, contact=make_contact(organisation))
        self.assertEqual(self.listed(), ["alpha", "Bravo", "Charlie", "Delta"])
        self.assertEqual(self.listed({"ordering": "-inquiries"}), ["Bravo", "Charlie", "Delta", "alpha"])
        self.assertEqual(self.listed({"ordering": "-name"}), ["Delta", "Charlie", "Bravo", "alpha"])
        self.assertEqual(self.listed({"ordering": "-last"})[-1], "alpha")  # never an inquiry: last either way
        self.assertEqual(self.listed({"ordering": "last"})[-1], "alpha")
        response = self.get({"ordering": "-inquiries"})
        self.assertContains(response, 'aria-sort="descending"')

    def test_fifty_rows_a_page_with_the_filter_kept_in_the_page_links(self) -> None:
        for number in range(52):
            make_organisation(name=f"Firma {number:02}", kind=Kind.COMPANY)
        response = self.get({"kind": "company"})
        self.assertEqual(len(response.context["organisations"]), 50)
        self.assertContains(response, "?kind=company&amp;page=2")
        self.assertEqual(len(self.get({"kind": "company", "page": "2"}).context["organisations"]), 2)

    def test_the_list_costs_the_same_few_queries_at_five_and_at_fifty_organisations(self) -> None:
        def fill(count: int) -> None:
            for _ in range(count):
                organisation = make_organisation(kind=Kind.MUNICIPALITY, municipality_number="5001")
                inquiry = make_inquiry_in(S.ROUTED, organisation=organisation, contact=make_contact(organisation))
                make_outcome(inquiry, partners=(organisation,))

        def count_queries(user: User) -> int:
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(REGISTER, {"ordering": "-partnerships"})
            self.assertEqual(response.status_code, 200)
            return len(queries)

        fill(5)
        few = {user.email: count_queries(user) for user in (self.amina, self.bruno)}
        fill(45)
        many = {user.email: count_queries(user) for user in (self.amina, self.bruno)}
        self.assertEqual(few, many)
        self.assertLessEqual(max(many.values()), QUERY_BUDGET)


class RegisterVisibilityTests(RegisterTestCase):
    """Unit members see the organisations of the inquiries they may see, and count those inquiries only."""

    def setUp(self) -> None:
        super().setUp()
        self.shared = make_organisation(name="Shared by two units")
        self.ours = make_inquiry_in(S.ROUTED, organisation=self.shared, contact=make_contact(self.shared))
        self.theirs = make_inquiry_in(
            S.ROUTED, organisation=self.shared, contact=make_contact(self.shared), unit=self.oppvekst_unit
        )
        self.other_units_only = make_organisation(name="Only the other unit's")
        make_inquiry_in(
            S.ROUTED,
            organisation=self.other_units_only,
            contact=make_contact(self.other_units_only),
            unit=self.oppvekst_unit,
        )
        self.not_routed = make_organisation(name="Not routed yet")
        make_inquiry_in(S.RECEIVED, organisation=self.not_routed, contact=make_contact(self.not_routed))

    def test_those_who_see_every_inquiry_see_every_organisation_with_every_inquiry_counted(self) -> None:
        for person in (self.amina, self.dina, self.admin):
            with self.subTest(person.email):
                rows = {row.name: row for row in self.get(user=person).context["organisations"]}
                self.assertEqual(set(rows), {"Shared by two units", "Only the other unit's", "Not routed yet"})
                self.assertEqual(rows["Shared by two units"].inquiry_count, 2)

    def test_a_unit_member_sees_only_their_inquiries_organisations_and_counts(self) -> None:
        rows = {row.name: row for row in self.get(user=self.bruno).context["organisations"]}
        self.assertEqual(set(rows), {"Shared by two units"})
        self.assertEqual(rows["Shared by two units"].inquiry_count, 1)
        self.assertEqual(self.listed(user=self.chen), ["Only the other unit's", "Shared by two units"])

    def test_a_unit_member_sees_an_organisation_named_as_partner_in_their_inquirys_outcome(self) -> None:
        named = make_organisation(name="Named partner")
        make_outcome(self.ours, partners=(named,))
        self.assertIn("Named partner", self.listed(user=self.bruno))
        self.assertNotIn("Named partner", self.listed(user=self.chen))
        self.client.force_login(self.bruno)
        self.assertEqual(self.client.get(page_url(named)).status_code, 200)

    def test_a_unit_member_gets_404_for_an_organisation_without_inquiries_of_theirs(self) -> None:
        self.client.force_login(self.bruno)
        for organisation in (self.other_units_only, self.not_routed):
            self.assertEqual(self.client.get(page_url(organisation)).status_code, 404)
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_a_unit_member_sees_their_inquiries_and_contacts_on_a_shared_organisations_page(self) -> None:
        self.client.force_login(self.bruno)
        response = self.client.get(page_url(self.shared))
        self.assertContains(response, self.ours.reference)
        self.assertNotContains(response, self.theirs.reference)
        self.assertContains(response, self.ours.contact.email)
        self.assertNotContains(response, self.theirs.contact.email)
        self.assertNotContains(response, "/merge/")
        self.assertNotContains(response, "/edit/")

    def test_a_unit_members_export_has_their_rows_and_counts_only(self) -> None:
        self.client.force_login(self.bruno)
        rows = csv_rows(self.client.get(CSV_EXPORT))
        self.assertEqual([row[0] for row in rows[1:]], ["Shared by two units"])
        self.assertEqual(rows[1][7], "1")
        self.assertEqual(AccessLogEntry.objects.get().row_count, 1)

    def test_partners_are_refused_and_anonymous_visitors_sent_to_login(self) -> None:
        paths = [REGISTER, CSV_EXPORT, XLSX_EXPORT, page_url(self.shared), merge_url(self.shared)]
        paths.append(contact_url(self.ours.contact))
        self.client.force_login(self.partner)
        for path in paths:
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 403)
        self.client.logout()
        for path in paths:
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/accounts/login/", response["Location"])
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_only_the_secretariat_and_administrators_may_merge_and_edit_contacts(self) -> None:
        refused, allowed = (403, 403), (200, 400)  # GET, and POST of an empty form
        for person, (get, post) in ((self.bruno, refused), (self.dina, refused), (self.amina, allowed)):
            self.client.force_login(person)
            with self.subTest(person.email):
                self.assertEqual(self.client.get(merge_url(self.shared)).status_code, get)
                self.assertEqual(self.client.get(contact_url(self.ours.contact)).status_code, get)
                self.assertEqual(self.client.post(contact_url(self.ours.contact), {}).status_code, post)
                self.assertEqual(self.client.post(merge_url(self.shared), {}).status_code, 403 if post == 403 else 302)
        self.assertEqual(Organisation.objects.count(), 3)

    def test_the_main_menu_links_the_register_for_staff(self) -> None:
        self.client.force_login(self.bruno)
        self.assertContains(self.client.get("/en/staff/"), f'href="{REGISTER}"')


class RegisterExportTests(RegisterTestCase):
    def test_csv_has_the_lists_rows_with_counts_and_logs_the_export(self) -> None:
        trondheim = make_organisation(
            name="Trondheim kommune",
            kind=Kind.MUNICIPALITY,
            municipality_number="5001",
            organisation_number="942110464",
        )
        make_inquiry_in(S.RECEIVED, organisation=trondheim, contact=make_contact(trondheim))
        make_organisation(name="Oslo kommune", kind=Kind.MUNICIPALITY, municipality_number="0301")
        make_organisation(name="Nidaros Klimalab")
        self.client.force_login(self.amina)
        response = self.client.get(CSV_EXPORT, {"kind": "municipality"}, REMOTE_ADDR="192.0.2.30")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        rows = csv_rows(response)
        self.assertEqual(rows[0][:4], ["Name", "Kind of organisation", "Organisation number", "Country"])
        self.assertEqual(
            rows[1],
            [
                "Oslo kommune",
                "Municipality",
                "",
                "Norway",
                "Oslo",
                "0301",
                "",
                "0",
                "0",
                "0",
                "",
            ],
        )
        today = timezone.localdate().isoformat()
        trondheim_row = ["Trondheim kommune", "Municipality", "942110464", "Norway", "Trøndelag", "5001", ""]
        self.assertEqual(rows[2], [*trondheim_row, "1", "1", "0", today])
        self.assertEqual(len(rows), 3)
        entry = AccessLogEntry.objects.get()
        self.assertEqual(
            (entry.kind, entry.actor, entry.target, entry.query, entry.row_count, entry.ip_address),
            (AccessLogEntry.Kind.ORGANISATIONS_EXPORTED, self.amina, "csv", "kind=municipality", 2, "192.0.2.30"),
        )

    def test_names_that_a_spreadsheet_would_run_as_formulas_are_neutralised(self) -> None:
        make_organisation(name='=HYPERLINK("https://evil.example","Klikk")')
        make_organisation(name="@SUM(A1)")
        self.client.force_login(self.amina)
        names = sorted(row[0] for row in csv_rows(self.client.get(CSV_EXPORT))[1:])
        self.assertEqual(names, ['\'=HYPERLINK("https://evil.example","Klikk")', "'@SUM(A1)"])
        content = b"".join(self.client.get(XLSX_EXPORT).streaming_content)  # type: ignore[attr-defined]
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("'=HYPERLINK(", sheet)
        self.assertNotIn("<f>", sheet)  # no formula cells at all
        self.assertIn("'@SUM(A1)", sheet)

    def test_xlsx_writes_counts_as_numbers_and_logs_the_export(self) -> None:
        organisation = make_organisation(name="Nidaros Klimalab")
        make_inquiry(organisation=organisation, contact=make_contact(organisation))
        self.client.force_login(self.amina)
        response = self.client.get(XLSX_EXPORT)
        self.assertEqual(response.status_code, 200)
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("Nidaros Klimalab", sheet)
        self.assertIn("<v>1</v>", sheet)
        self.assertEqual(AccessLogEntry.objects.get().kind, AccessLogEntry.Kind.ORGANISATIONS_EXPORTED)

    def test_an_invalid_filter_exports_no_rows(self) -> None:
        make_organisation()
        self.client.force_login(self.amina)
        self.assertEqual(len(csv_rows(self.client.get(CSV_EXPORT, {"county": "99"}))), 1)
        self.assertEqual(AccessLogEntry.objects.get().row_count, 0)


class OrganisationPageTests(RegisterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.organisation = make_organisation(
            name="Trondheim kommune",
            kind=Kind.MUNICIPALITY,
            municipality_number="5001",
            organisation_number="942110464",
            website="https://www.trondheim.kommune.no/",
        )
        self.kari = make_contact(
            self.organisation,
            name="Kari Nordmann",
            email="kari@trondheim.kommune.no",
            role="Klimarådgiver",
            phone="+47 72 54 00 00",
            preferred_language="en",
            consent_on=datetime.date(2026, 3, 2),
        )
        self.open = make_inquiry_in(S.IN_PROGRESS, organisation=self.organisation, contact=self.kari)
        self.decided = make_inquiry_in(S.DECIDED, organisation=self.organisation, contact=self.kari)
        Outcome.objects.filter(inquiry=self.decided).update(type=Outcome.Type.PILOT)
        lead = make_organisation(name="NTNU")
        self.as_partner = make_inquiry(organisation=lead, contact=make_contact(lead), title="Bylab sammen med NTNU")
        make_outcome(self.as_partner, Outcome.Type.JOINT_PROJECT, partners=(lead, self.organisation))

    def open_page(self, user: User | None = None) -> "TestResponse":
        self.client.force_login(user or self.amina)
        response = self.client.get(page_url(self.organisation))
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_page_shows_facts_contacts_inquiries_with_status_and_outcome_and_partnerships(self) -> None:
        response = self.open_page()
        for text in (
            "942110464",
            "5001",
            "Trøndelag",
            "Kari Nordmann",
            "Klimarådgiver",
            "kari@trondheim.kommune.no",
            "+47 72 54 00 00",
            "<td>English</td>",
            'datetime="2026-03-02"',
            self.open.reference,
            "In progress",
            self.decided.reference,
            "Pilot or test bed agreed",
            "Joint project started",
            "as a partner of NTNU",
        ):
            with self.subTest(text):
                self.assertContains(response, text)
        partnerships = list(response.context["partnerships"])
        self.assertEqual({outcome.inquiry for outcome in partnerships}, {self.decided, self.as_partner})
        self.assertContains(response, f"?organisation={self.organisation.pk}")

    def test_an_ended_partnership_is_not_active(self) -> None:
        Outcome.objects.filter(inquiry=self.decided).update(partnership_ended_on=timezone.localdate())
        partnerships = list(self.open_page().context["partnerships"])
        self.assertEqual([outcome.inquiry for outcome in partnerships], [self.as_partner])

    def test_an_anonymised_contact_shows_no_personal_data(self) -> None:
        Contact.objects.filter(pk=self.kari.pk).update(
            name="", email=f"contact-{self.kari.pk}@{Contact.ANONYMISED_EMAIL_DOMAIN}", phone="", role=""
        )
        response = self.open_page()
        self.assertContains(response, "Personal data removed.")
        self.assertNotContains(response, contact_url(self.kari))

    def test_the_timeline_is_the_newest_events_of_its_inquiries_newest_first(self) -> None:
        for number in range(TIMELINE_LENGTH + 5):
            InquiryEvent.objects.create(
                inquiry=self.open, kind=InquiryEvent.Kind.NOTE_ADDED, data={"note": f"hemmelig {number}"}
            )
        newest = InquiryEvent.objects.create(inquiry=self.decided, kind=InquiryEvent.Kind.DECIDED)
        InquiryEvent.objects.create(inquiry=self.as_partner, kind=InquiryEvent.Kind.SUBMITTED)  # not its inquiry
        response = self.open_page()
        timeline = [line.event for line in response.context["timeline"]]
        self.assertEqual(len(timeline), TIMELINE_LENGTH)
        self.assertEqual(timeline[0], newest)
        self.assertEqual(timeline, sorted(timeline, key=lambda event: (event.created_at, event.pk), reverse=True))
        self.assertNotIn(self.as_partner.pk, {event.inquiry_id for event in timeline})
        self.assertNotContains(response, "hemmelig")  # notes are on the inquiry page, not here

    def test_each_view_is_in_the_access_log(self) -> None:
        self.open_page(self.dina)
        entry = AccessLogEntry.objects.get()
        self.assertEqual(
            (entry.kind, entry.actor, entry.target, entry.inquiry),
            (AccessLogEntry.Kind.ORGANISATION_VIEWED, self.dina, f"partners.organisation:{self.organisation.pk}", None),
        )

    def test_the_secretariat_gets_merge_and_edit_links_the_executive_does_not(self) -> None:
        self.assertContains(self.open_page(), merge_url(self.organisation))
        self.assertContains(self.open_page(), contact_url(self.kari))
        self.assertNotContains(self.open_page(self.dina), merge_url(self.organisation))
        self.assertNotContains(self.open_page(self.dina), contact_url(self.kari))

    def test_the_page_costs_the_same_number_of_queries_however_much_it_shows(self) -> None:
        def count_queries() -> int:
            self.client.force_login(self.amina)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(page_url(self.organisation)).status_code, 200)
            return len(queries)

        few = count_queries()
        for _ in range(10):
            contact = make_contact(self.organisation)
            inquiry = make_inquiry_in(S.DECIDED, organisation=self.organisation, contact=contact)
            Outcome.objects.filter(inquiry=inquiry).update(type=Outcome.Type.AGREEMENT)
            Outcome.objects.get(inquiry=inquiry).partners_involved.add(make_organisation(), self.organisation)
            InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.DECIDED, actor=self.amina)
        make_organisation(name="Trondheim kommune AS")  # a likely duplicate
        self.assertEqual(count_queries(), few)
        self.assertLessEqual(few, 13)


class BusyOrganisationPageTests(RegisterTestCase):
    """An organisation with more inquiries and partnerships than the page lists (issue #9: the busiest one has
    over a thousand): the newest of each, a link to the rest, and the same queries as for a quiet one."""

    def setUp(self) -> None:
        super().setUp()
        self.organisation = make_organisation(name="Asker kommune", kind=Kind.MUNICIPALITY)
        self.contact = make_contact(self.organisation, name="Kari Nordmann")
        self.start = timezone.now() - datetime.timedelta(days=400)
        self.inquiries: list[Inquiry] = []
        self.client.force_login(self.amina)

    def add_inquiries(self, count: int, *, partnerships: bool = False) -> None:
        for _ in range(count):
            received = self.start + datetime.timedelta(days=len(self.inquiries))
            status = S.DECIDED if partnerships else S.RECEIVED
            inquiry = make_inquiry_in(
                status, organisation=self.organisation, contact=self.contact, received_at=received
            )
            if partnerships:
                Outcome.objects.filter(inquiry=inquiry).update(type=Outcome.Type.AGREEMENT)
            self.inquiries.append(inquiry)

    def open_page(self, query: str = "") -> "TestResponse":
        response = self.client.get(page_url(self.organisation) + query)
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_page_lists_the_newest_inquiries_and_links_to_all_of_them_in_the_inbox(self) -> None:
        self.add_inquiries(INQUIRIES_SHOWN + 3)
        response = self.open_page()
        newest = sorted(self.inquiries, key=lambda inquiry: inquiry.received_at, reverse=True)[:INQUIRIES_SHOWN]
        self.assertEqual(list(response.context["inquiries"]), newest)
        self.assertEqual(response.context["inquiry_count"], INQUIRIES_SHOWN + 3)
        self.assertContains(response, f"The newest {INQUIRIES_SHOWN} of {INQUIRIES_SHOWN + 3} inquiries.")
        self.assertContains(
            response,
            f'<a class="ds-link" href="/en/staff/?organisation={self.organisation.pk}">'
            f"Show all {INQUIRIES_SHOWN + 3} inquiries in the inbox</a>",
            html=True,
        )
        self.assertNotContains(response, self.inquiries[0].reference)  # the oldest
        # The inbox it links to lists them all.
        inbox = self.client.get("/en/staff/", {"organisation": self.organisation.pk})
        self.assertEqual(inbox.context["paginator"].count, INQUIRIES_SHOWN + 3)

    def test_a_unit_member_is_told_the_number_of_their_own_inquiries_only(self) -> None:
        self.add_inquiries(3)
        Inquiry.objects.filter(pk=self.inquiries[0].pk).update(unit=self.bym_unit)
        self.client.force_login(self.bruno)
        response = self.client.get(page_url(self.organisation))
        self.assertEqual(list(response.context["inquiries"]), [self.inquiries[0]])
        self.assertEqual(response.context["inquiry_count"], 1)
        self.assertContains(response, "Show these inquiries in the inbox")

    def test_the_page_lists_the_newest_partnerships_and_all_of_them_when_asked(self) -> None:
        self.add_inquiries(PARTNERSHIPS_SHOWN + 2, partnerships=True)
        response = self.open_page()
        self.assertEqual(len(response.context["partnerships"]), PARTNERSHIPS_SHOWN)
        self.assertContains(response, f"The newest {PARTNERSHIPS_SHOWN} active partnerships.")
        self.assertContains(response, 'href="?partnerships=all#partnerships"')
        everything = self.open_page("?partnerships=all")
        self.assertEqual({outcome.inquiry for outcome in everything.context["partnerships"]}, set(self.inquiries))
        self.assertNotContains(everything, 'href="?partnerships=all#partnerships"')

    def test_the_same_queries_for_a_few_inquiries_as_for_more_than_the_page_lists(self) -> None:
        self.add_inquiries(2)
        self.add_inquiries(1, partnerships=True)
        # Session, user, role groups, the organisation, the access log, the inquiries with their number, the
        # partnerships and their partners, the timeline, the merges, the likely duplicates, the contacts and the
        # partner accounts.
        with self.assertNumQueries(ORGANISATION_PAGE_QUERIES):
            self.open_page()
        self.add_inquiries(INQUIRIES_SHOWN + 5)
        self.add_inquiries(PARTNERSHIPS_SHOWN + 5, partnerships=True)
        with self.assertNumQueries(ORGANISATION_PAGE_QUERIES):
            response = self.open_page()
        self.assertEqual(len(response.context["inquiries"]), INQUIRIES_SHOWN)
        self.assertEqual(len(response.context["partnerships"]), PARTNERSHIPS_SHOWN)
        with self.assertNumQueries(ORGANISATION_PAGE_QUERIES):
            self.open_page("?partnerships=all")


class LikelyDuplicateTests(RegisterTestCase):
    def test_names_are_compared_without_case_norwegian_letters_punctuation_and_legal_forms(self) -> None:
        for first, second in (
            ("Nidaros Klimalab AS", "nidaros klimalab"),
            ("Tromsø kommune", "TROMSØ KOMMUNE"),
            ("Tromsø kommune", "Tromso"),
            ("Ålesund kommune", "Aalesund kommune"),
            ("City of Tampere", "Tampere"),
            ("N.T.N.U.", "NTNU"),
        ):
            with self.subTest(first=first, second=second):
                self.assertEqual(name_key(first), name_key(second))

    def test_similar_names_in_the_same_country_are_likely_duplicates(self) -> None:
        original = make_organisation(name="Grønn Framtid Trøndelag", kind=Kind.NGO)
        typo = make_organisation(name="Grønn Fremtid Trøndelag", kind=Kind.NGO)
        same = make_organisation(name="GRØNN FRAMTID TRØNDELAG SA", kind=Kind.NGO)
        make_organisation(name="Grønn Framtid Trøndelag", country="SE")  # another country
        make_organisation(name="Grønn By")  # not alike
        self.assertEqual(set(likely_duplicates_of(original, Organisation.objects.all())), {typo, same})
        self.assertEqual(likely_duplicate_map(Organisation.objects.all())[typo.pk], {original.pk, same.pk})

    def test_names_that_differ_in_what_makes_them_distinct_are_not_duplicates(self) -> None:
        vestland = make_organisation(name="Vestland fylkeskommune", kind=Kind.COUNTY)
        make_organisation(name="Vestfold fylkeskommune", kind=Kind.COUNTY)
        make_organisation(name="Stor-Elvdal kommune", kind=Kind.MUNICIPALITY)
        stord = make_organisation(name="Stord kommune", kind=Kind.MUNICIPALITY)
        self.assertEqual(likely_duplicates_of(vestland, Organisation.objects.all()), [])
        self.assertEqual(likely_duplicates_of(stord, Organisation.objects.all()), [])

    def test_two_different_organisation_numbers_are_two_organisations_whatever_the_names(self) -> None:
        first = make_organisation(name="Sparebank Midt", organisation_number="937901003")
        make_organisation(name="Sparebank Midt AS", organisation_number="974760673")
        without_number = make_organisation(name="Sparebank Midt ASA")
        self.assertEqual(likely_duplicates_of(first, Organisation.objects.all()), [without_number])

    def test_the_page_says_possible_duplicate_of_with_a_link(self) -> None:
        original = make_organisation(name="Nidaros Klimalab AS")
        duplicate = make_organisation(name="Nidaros Klima-lab")
        self.client.force_login(self.amina)
        response = self.client.get(page_url(original))
        self.assertContains(response, "Possible duplicate of")
        self.assertContains(response, f'href="{page_url(duplicate)}"')
        self.assertContains(response, f"{merge_url(original)}?other={duplicate.pk}")

    def test_the_list_can_show_only_possible_duplicates_each_with_its_match(self) -> None:
        original = make_organisation(name="Nidaros Klimalab AS")
        duplicate = make_organisation(name="nidaros klimalab")
        make_organisation(name="Grønn By")
        self.assertListed({"duplicates": "on"}, [original, duplicate])
        response = self.get({"duplicates": "on"})
        self.assertContains(response, "Possible duplicate of")
        self.assertContains(response, f'href="{page_url(duplicate)}"')


def _contact_row(organisation: Organisation) -> Callable[[Organisation], bool]:
    contact = make_contact(organisation)
    return lambda kept: Contact.objects.get(pk=contact.pk).organisation_id == kept.pk


def _inquiry_row(organisation: Organisation) -> Callable[[Organisation], bool]:
    inquiry = make_inquiry(organisation=organisation, contact=make_contact(organisation))
    return lambda kept: Inquiry.objects.get(pk=inquiry.pk).organisation_id == kept.pk


def _partner_in_outcome(organisation: Organisation) -> Callable[[Organisation], bool]:
    outcome = make_outcome(make_inquiry(), partners=(organisation,))
    return lambda kept: list(outcome.partners_involved.all()) == [kept]


def _membership_row(organisation: Organisation) -> Callable[[Organisation], bool]:
    user = make_user(f"member-{organisation.pk}@example.no")
    membership = OrganisationMembership.objects.create(user=user, organisation=organisation)
    return lambda kept: OrganisationMembership.objects.get(pk=membership.pk).organisation_id == kept.pk


def _invitation_row(organisation: Organisation) -> Callable[[Organisation], bool]:
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation, email="invited@example.no", token_hash="0" * 64, expires_at=timezone.now()
    )
    return lambda kept: OrganisationInvitation.objects.get(pk=invitation.pk).organisation_id == kept.pk


# One maker per relation to Organisation: it creates a row pointing to the organisation and returns a check that
# the row points to the kept organisation after the merge. A relation added to Organisation without a maker here
# fails test_every_relation_to_an_organisation_has_a_row_in_the_merge_test.
RELATION_ROWS: dict[str, Callable[[Organisation], Callable[[Organisation], bool]]] = {
    "partners.Contact.organisation": _contact_row,
    "requests_app.Inquiry.organisation": _inquiry_row,
    "requests_app.Outcome.partners_involved": _partner_in_outcome,
    "partners.OrganisationMembership.organisation": _membership_row,
    "partners.OrganisationInvitation.organisation": _invitation_row,
}
CONTACT_RELATIONS = {"requests_app.Inquiry.contact"}


def _relations(model: type) -> set[str]:
    options = model._meta  # type: ignore[attr-defined]
    names = {f"{relation.related_model._meta.label}.{relation.field.name}" for relation in options.related_objects}
    return names | {f"{options.label}.{field.name}" for field in options.many_to_many}


class MergeServiceTests(RegisterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.keep = make_organisation(name="Nidaros Klimalab AS")
        self.merge = make_organisation(name="Nidaros Klima-lab", organisation_number="923562015")

    def test_every_relation_to_an_organisation_has_a_row_in_the_merge_test(self) -> None:
        self.assertEqual(_relations(Organisation), set(RELATION_ROWS))
        self.assertEqual(_relations(Contact), CONTACT_RELATIONS)

    def test_every_relation_to_an_organisation_moves(self) -> None:
        checks = {name: maker(self.merge) for name, maker in RELATION_ROWS.items()}
        merge_organisations(self.keep, self.merge, actor=self.amina)
        for name, check in checks.items():
            with self.subTest(name):
                self.assertTrue(check(self.keep))
        self.assertFalse(Organisation.objects.filter(pk=self.merge.pk).exists())

    def test_inquiries_and_contacts_move_and_each_inquiry_gets_a_merge_event(self) -> None:
        anna = make_contact(self.merge, name="Anna", email="anna@klimalab.no")
        first = make_inquiry(organisation=self.merge, contact=anna)
        second = make_inquiry_in(S.CLOSED, organisation=self.merge, contact=anna)
        untouched = make_inquiry(organisation=self.keep, contact=make_contact(self.keep))
        kept = merge_organisations(self.keep, self.merge, actor=self.amina)
        self.assertEqual(kept, self.keep)
        anna.refresh_from_db()
        self.assertEqual(anna.organisation, self.keep)
        for inquiry in (first, second):
            version = inquiry.version
            inquiry.refresh_from_db()
            self.assertEqual((inquiry.organisation, inquiry.contact, inquiry.version), (self.keep, anna, version + 1))
            event = inquiry.events.get()
            self.assertEqual((event.kind, event.actor), (InquiryEvent.Kind.ORGANISATION_MERGED, self.amina))
            self.assertEqual(
                {key: event.data[key] for key in ("from_organisation", "from_name", "to_organisation", "to_name")},
                {
                    "from_organisation": self.merge.pk,
                    "from_name": "Nidaros Klima-lab",
                    "to_organisation": self.keep.pk,
                    "to_name": "Nidaros Klimalab AS",
                },
            )
        self.assertFalse(untouched.events.exists())

    def test_a_contact_with_an_e_mail_the_kept_organisation_has_becomes_that_contact(self) -> None:
        kept_anna = make_contact(self.keep, name="Anna Berg", email="anna@klimalab.no", role="", phone="")
        merged_anna = make_contact(
            self.merge, name="Anna", email="Anna@Klimalab.no", role="Daglig leder", phone="+47 900 00 000"
        )
        merged_anna.consent_on = datetime.date(2026, 1, 5)
        merged_anna.save()
        inquiry = make_inquiry(organisation=self.merge, contact=merged_anna)
        merge_organisations(self.keep, self.merge, actor=self.amina)
        self.assertFalse(Contact.objects.filter(pk=merged_anna.pk).exists())
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.contact, kept_anna)
        kept_anna.refresh_from_db()
        self.assertEqual(
            (kept_anna.name, kept_anna.role, kept_anna.phone, kept_anna.consent_on),
            ("Anna Berg", "Daglig leder", "+47 900 00 000", datetime.date(2026, 1, 5)),
        )
        event = inquiry.events.get()
        self.assertEqual((event.data["from_contact"], event.data["to_contact"]), (merged_anna.pk, kept_anna.pk))
        self.assertEqual(list(self.keep.contacts.all()), [kept_anna])

    def test_an_outcome_naming_both_keeps_the_kept_one_once(self) -> None:
        outcome = make_outcome(make_inquiry(), partners=(self.keep, self.merge))
        merge_organisations(self.keep, self.merge, actor=self.amina)
        self.assertEqual(list(outcome.partners_involved.all()), [self.keep])

    def test_the_kept_organisation_takes_the_organisation_number_only_if_it_had_none(self) -> None:
        merge_organisations(self.keep, self.merge, actor=self.amina)
        self.keep.refresh_from_db()
        self.assertEqual(self.keep.organisation_number, "923562015")
        numbered = make_organisation(name="Sparebank Midt", organisation_number="937901003")
        other = make_organisation(name="Sparebank Midt AS", organisation_number="974760673")
        merge_organisations(numbered, other, actor=self.amina)
        numbered.refresh_from_db()
        self.assertEqual(numbered.organisation_number, "937901003")

    def test_the_merge_is_in_the_admin_history_of_both(self) -> None:
        merge_organisations(self.keep, self.merge, actor=self.amina)
        entries = LogEntry.objects.order_by("pk")
        self.assertEqual(
            [(entry.object_id, entry.action_flag, entry.user_id) for entry in entries],
            [(str(self.merge.pk), DELETION, self.amina.pk), (str(self.keep.pk), CHANGE, self.amina.pk)],
        )
        self.assertIn("Nidaros Klima-lab", entries[0].change_message)

    def test_an_organisation_cannot_be_merged_into_itself(self) -> None:
        inquiry = make_inquiry(organisation=self.keep, contact=make_contact(self.keep))
        with self.assertRaisesMessage(OrganisationMergeError, "cannot be merged into itself"):
            merge_organisations(self.keep, Organisation.objects.get(pk=self.keep.pk), actor=self.amina)
        self.assertTrue(Organisation.objects.filter(pk=self.keep.pk).exists())
        self.assertFalse(inquiry.events.exists())
        self.assertFalse(LogEntry.objects.exists())

    def test_an_organisation_already_merged_cannot_be_merged_again(self) -> None:
        stale = Organisation.objects.get(pk=self.merge.pk)
        merge_organisations(self.keep, self.merge, actor=self.amina)
        with self.assertRaisesMessage(OrganisationMergeError, "no longer exists"):
            merge_organisations(self.keep, stale, actor=self.amina)

    def test_the_kept_organisations_page_lists_the_merge_and_its_events(self) -> None:
        for _ in range(2):
            make_inquiry(organisation=self.merge, contact=make_contact(self.merge))
        merge_organisations(self.keep, self.merge, actor=self.amina)
        self.client.force_login(self.amina)
        response = self.client.get(page_url(self.keep))
        [merge] = response.context["merges"]
        self.assertEqual(
            (merge.from_name, merge.to_name, merge.inquiry_count), ("Nidaros Klima-lab", "Nidaros Klimalab AS", 2)
        )
        self.assertContains(response, "Organisation merged into another", count=2)
        self.assertContains(response, "2 inquiries moved")


class MergePageTests(RegisterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.this = make_organisation(name="Nidaros Klimalab AS")
        self.other = make_organisation(name="Nidaros Klima-lab")
        self.inquiry = make_inquiry(organisation=self.other, contact=make_contact(self.other))
        self.client.force_login(self.amina)

    def test_without_a_choice_the_page_offers_likely_duplicates_and_a_search(self) -> None:
        make_organisation(name="Grønn Framtid Trøndelag")
        response = self.client.get(merge_url(self.this))
        self.assertEqual(list(response.context["likely_duplicates"]), [self.other])
        self.assertContains(response, f"?other={self.other.pk}")
        response = self.client.get(merge_url(self.this), {"q": "grønn"})
        self.assertEqual([row.name for row in response.context["found"]], ["Grønn Framtid Trøndelag"])

    def test_the_confirm_page_compares_the_two_and_changes_nothing(self) -> None:
        response = self.client.get(merge_url(self.this), {"other": self.other.pk, "keep": self.this.pk})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([row.inquiry_count for row in response.context["pair"]], [0, 1])
        self.assertContains(response, 'type="radio"', count=2)
        self.assertTrue(Organisation.objects.filter(pk=self.other.pk).exists())
        self.assertFalse(self.inquiry.events.exists())

    def test_posting_the_choice_merges_and_goes_to_the_kept_organisation(self) -> None:
        response = self.client.post(merge_url(self.this), {"other": self.other.pk, "keep": self.this.pk}, follow=True)
        self.assertRedirects(response, page_url(self.this))
        self.assertIn("“Nidaros Klima-lab” is merged into “Nidaros Klimalab AS”.", messages_of(response))
        self.assertFalse(Organisation.objects.filter(pk=self.other.pk).exists())
        self.inquiry.refresh_from_db()
        self.assertEqual(self.inquiry.organisation, self.this)

    def test_keeping_the_other_one_merges_this_one_into_it(self) -> None:
        response = self.client.post(merge_url(self.this), {"other": self.other.pk, "keep": self.other.pk})
        self.assertRedirects(response, page_url(self.other), fetch_redirect_response=False)
        self.assertFalse(Organisation.objects.filter(pk=self.this.pk).exists())

    def test_without_choosing_which_to_keep_nothing_changes(self) -> None:
        response = self.client.post(merge_url(self.this), {"other": self.other.pk})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose the organisation to keep.", status_code=400)
        self.assertEqual(Organisation.objects.count(), 2)

    def test_merging_into_itself_is_refused_with_a_message(self) -> None:
        response = self.client.post(merge_url(self.this), {"other": self.this.pk, "keep": self.this.pk}, follow=True)
        self.assertIn("An organisation cannot be merged into itself.", messages_of(response))
        self.assertTrue(Organisation.objects.filter(pk=self.this.pk).exists())
        response = self.client.get(merge_url(self.this), {"other": self.this.pk})
        self.assertIn("An organisation cannot be merged into itself.", messages_of(response))
        self.assertNotIn("form", response.context)

    def test_a_get_never_merges(self) -> None:
        self.client.get(
            merge_url(self.this), {"other": str(self.other.pk), "keep": str(self.this.pk), "confirm": "yes"}
        )
        self.assertEqual(Organisation.objects.count(), 2)


class ContactEditTests(RegisterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = make_contact(make_organisation(name="Nidaros Klimalab"), name="Kari Nordmann", role="Rådgiver")

    def test_the_form_shows_the_contact_and_opening_it_is_in_the_access_log(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.get(contact_url(self.contact))
        self.assertContains(response, "Kari Nordmann")
        self.assertContains(response, 'value="Rådgiver"')
        entry = AccessLogEntry.objects.get()
        self.assertEqual(
            (entry.kind, entry.target), (AccessLogEntry.Kind.CONTACT_VIEWED, f"partners.contact:{self.contact.pk}")
        )

    def test_a_valid_change_is_saved_with_a_message_and_in_the_admin_history(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.post(
            contact_url(self.contact),
            {"role": "  Daglig   leder ", "preferred_language": "en", "consent_on": "2026-02-01"},
            follow=True,
        )
        self.assertRedirects(response, page_url(self.contact.organisation) + "#contacts")
        self.assertIn("The details of Kari Nordmann are saved.", messages_of(response))
        self.contact.refresh_from_db()
        self.assertEqual(
            (self.contact.role, self.contact.preferred_language, self.contact.consent_on),
            ("Daglig leder", "en", datetime.date(2026, 2, 1)),
        )
        entry = LogEntry.objects.get()
        self.assertEqual((entry.object_id, entry.action_flag, entry.user), (str(self.contact.pk), CHANGE, self.amina))
        self.assertIn("consent given on", entry.change_message)

    def test_a_consent_date_in_the_future_is_refused_and_what_was_typed_is_kept(self) -> None:
        self.client.force_login(self.amina)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = self.client.post(
            contact_url(self.contact),
            {"role": "Ny rolle", "preferred_language": "en", "consent_on": tomorrow.isoformat()},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "The date of consent cannot be in the future.", status_code=400)
        self.assertContains(response, 'value="Ny rolle"', status_code=400)
        self.assertContains(response, f'value="{tomorrow.isoformat()}"', status_code=400)
        self.assertContains(response, 'href="#id_consent_on"', status_code=400)  # the error summary links the field
        self.contact.refresh_from_db()
        self.assertEqual((self.contact.role, self.contact.consent_on), ("Rådgiver", None))
        self.assertFalse(LogEntry.objects.exists())

    def test_an_invalid_language_or_date_is_refused_by_the_form(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.post(contact_url(self.contact), {"preferred_language": "sv", "consent_on": "32.13.2026"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.context["form"].errors), {"preferred_language", "consent_on"})

    def test_a_contact_whose_personal_data_was_removed_cannot_be_edited(self) -> None:
        Contact.objects.filter(pk=self.contact.pk).update(
            email=f"contact-{self.contact.pk}@{Contact.ANONYMISED_EMAIL_DOMAIN}"
        )
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(contact_url(self.contact)).status_code, 404)
        self.contact.refresh_from_db()
        with self.assertRaises(ValidationError):
            update_contact(self.contact, role="x", preferred_language="nb", consent_on=None, actor=self.amina)

    def test_the_service_validates_every_field_and_saves_only_changes(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            update_contact(
                self.contact,
                role="x" * 151,
                preferred_language="sv",
                consent_on=datetime.date(2026, 5, 2),
                actor=self.amina,
                today=datetime.date(2026, 5, 1),
            )
        self.assertEqual(set(raised.exception.message_dict), {"role", "preferred_language", "consent_on"})
        update_contact(self.contact, role="Rådgiver", preferred_language="nb", consent_on=None, actor=self.amina)
        self.assertFalse(LogEntry.objects.exists())  # nothing changed, nothing written
