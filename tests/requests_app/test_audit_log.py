"""The access log: staff views of personal data and exports are written down; administrators read it at
/staff/access-log/; changes in the Django admin are in its own LogEntry."""

import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, Role, User
from requests_app.models import AccessLogEntry, Inquiry
from requests_app.services.audit import record_access
from requests_app.views.audit import ACCESS_LOG_PAGE_SIZE
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation
from tests.test_access_matrix import collected_url_names

S = Inquiry.Status
ACCESS_LOG = "/en/staff/access-log/"
Kind = AccessLogEntry.Kind


def page_url(inquiry: Inquiry) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/"


class InquiryPageAccessTests(PortalTestCase):
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inquiry = make_inquiry_in(S.ROUTED)  # Byutvikling og miljø: Bruno's unit

    def test_viewing_an_inquiry_page_logs_one_entry_with_the_person_the_inquiry_and_the_address(self) -> None:
        self.client.force_login(self.amina)
        before = timezone.now()
        response = self.client.get(page_url(self.inquiry), REMOTE_ADDR="192.0.2.10")
        self.assertEqual(response.status_code, 200)
        entry = AccessLogEntry.objects.get()
        self.assertEqual(
            (entry.kind, entry.actor, entry.actor_email, entry.inquiry, entry.ip_address),
            (Kind.INQUIRY_VIEWED, self.amina, self.amina.email, self.inquiry, "192.0.2.10"),
        )
        self.assertGreaterEqual(entry.created_at, before)

    def test_every_view_is_an_entry_also_by_a_unit_member_and_an_executive(self) -> None:
        for person in (self.bruno, self.dina, self.bruno):
            self.client.force_login(person)
            self.assertEqual(self.client.get(page_url(self.inquiry)).status_code, 200)
        self.assertEqual(
            list(AccessLogEntry.objects.order_by("pk").values_list("actor", flat=True)),
            [self.bruno.pk, self.dina.pk, self.bruno.pk],
        )

    def test_an_inquiry_the_user_may_not_see_is_not_logged(self) -> None:
        self.client.force_login(self.chen)
        self.assertEqual(self.client.get(page_url(self.inquiry)).status_code, 404)
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_partner_and_anonymous_pages_write_nothing(self) -> None:
        paths = ["/en/", "/en/privacy/", "/en/inquiries/new/", "/en/staff/", page_url(self.inquiry), ACCESS_LOG]
        for person in (None, self.partner):
            if person is not None:
                self.client.force_login(person)
            for path in paths:
                with self.subTest(path=path, person=str(person)):
                    self.assertIn(self.client.get(path).status_code, {200, 302, 403})
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_the_address_is_the_trusted_proxys_entry_and_never_anything_but_an_address(self) -> None:
        self.client.force_login(self.amina)
        with override_settings(TRUSTED_PROXY_COUNT=1):
            self.client.get(page_url(self.inquiry), HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.2")
            self.client.get(page_url(self.inquiry), HTTP_X_FORWARDED_FOR="unknown")
        self.assertEqual(
            list(AccessLogEntry.objects.order_by("pk").values_list("ip_address", flat=True)), ["198.51.100.2", None]
        )

    def test_entries_are_never_changed_or_deleted(self) -> None:
        entry = record_access(actor=self.amina, kind=Kind.INQUIRY_VIEWED, inquiry=self.inquiry, ip_address=None)
        entry.target = "edited"
        with self.assertRaises(ValueError):
            entry.save()
        with self.assertRaises(ValueError):
            entry.delete()
        self.assertEqual(AccessLogEntry.objects.get().target, "")


class ExportAccessTests(PortalTestCase):
    def test_csv_and_xlsx_exports_log_their_format_filter_and_row_count(self) -> None:
        make_inquiry(status=S.RECEIVED)
        make_inquiry(status=S.RECEIVED)
        make_inquiry_in(S.ROUTED)
        self.client.force_login(self.amina)
        for path in ("/en/staff/export.csv", "/en/staff/export.xlsx"):
            response = self.client.get(path, {"status": "received"}, REMOTE_ADDR="192.0.2.20")
            self.assertEqual(response.status_code, 200)
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        entries = AccessLogEntry.objects.order_by("pk")
        self.assertEqual(
            list(entries.values_list("kind", "actor", "target", "query", "row_count", "ip_address", "inquiry")),
            [
                (Kind.INQUIRIES_EXPORTED, self.amina.pk, "csv", "status=received", 2, "192.0.2.20", None),
                (Kind.INQUIRIES_EXPORTED, self.amina.pk, "xlsx", "status=received", 2, "192.0.2.20", None),
            ],
        )

    def test_a_unit_members_export_counts_only_the_rows_they_get(self) -> None:
        make_inquiry_in(S.ROUTED)  # bym
        make_inquiry_in(S.ROUTED, unit=self.oppvekst_unit)
        self.client.force_login(self.bruno)
        self.client.get("/en/staff/export.csv")
        self.assertEqual(AccessLogEntry.objects.get().row_count, 1)

    def test_every_export_url_writes_the_access_log(self) -> None:
        """Also the exports added later: any URL named like an export must log (or this test names it)."""
        exports = sorted(name for name in collected_url_names() if "export" in name)
        self.assertGreaterEqual(len(exports), 2)
        self.client.force_login(self.amina)
        for name in exports:
            with self.subTest(name):
                before = AccessLogEntry.objects.count()
                response = self.client.get(reverse(name))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(AccessLogEntry.objects.count(), before + 1)
                self.assertIn(AccessLogEntry.objects.latest("pk").kind, AccessLogEntry.EXPORT_KINDS)

    def test_a_refused_export_is_not_logged(self) -> None:
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get("/en/staff/export.csv").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/en/staff/export.xlsx").status_code, 302)
        self.assertFalse(AccessLogEntry.objects.exists())


class AccessLogPageTests(PortalTestCase):
    def test_only_administrators_may_open_it(self) -> None:
        self.assertRedirects(self.client.get(ACCESS_LOG), f"/en/accounts/login/?next={ACCESS_LOG}")
        for person in (self.partner, self.bruno, self.chen, self.amina, self.dina):
            with self.subTest(person=person.email):
                self.client.force_login(person)
                self.assertEqual(self.client.get(ACCESS_LOG).status_code, 403)
        # In the Admin group without being a superuser is enough.
        administrator = make_user("ida@trondheim.kommune.no", full_name="Ida Admin", groups=(Role.ADMIN,))
        for person in (self.admin, administrator):
            with self.subTest(person=person.email):
                self.client.force_login(person)
                self.assertEqual(self.client.get(ACCESS_LOG).status_code, 200)

    def test_only_administrators_get_the_link_in_the_menu(self) -> None:
        for person, shown in ((self.amina, False), (self.bruno, False), (self.admin, True)):
            with self.subTest(person=person.email):
                self.client.force_login(person)
                response = self.client.get("/en/staff/")
                self.assertEqual(f'href="{ACCESS_LOG}"' in response.content.decode(), shown)

    def test_lists_who_what_which_inquiry_and_the_address_newest_first(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        record_access(actor=self.amina, kind=Kind.INQUIRY_VIEWED, inquiry=inquiry, ip_address="192.0.2.30")
        record_access(
            actor=self.bruno, kind=Kind.INQUIRIES_EXPORTED, target="csv", query="q=sykkel", row_count=3, ip_address=None
        )
        self.client.force_login(self.admin)
        response = self.client.get(ACCESS_LOG)
        self.assertEqual([entry.actor for entry in response.context["entries"]], [self.bruno, self.amina])
        self.assertContains(response, "Amina Haddad")
        self.assertContains(response, f'href="{inquiry.get_absolute_url()}"')
        self.assertContains(response, "192.0.2.30")
        self.assertContains(response, "q=sykkel")
        self.assertContains(response, "3 rows")
        self.assertEqual(AccessLogEntry.objects.count(), 2, "reading the log is not itself logged")

    def test_an_entry_keeps_the_persons_address_when_the_account_is_gone(self) -> None:
        leaver = make_user("leaver@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        record_access(actor=leaver, kind=Kind.INQUIRY_VIEWED, inquiry=make_inquiry(), ip_address=None)
        leaver.delete()
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(ACCESS_LOG), "leaver@trondheim.kommune.no")

    def test_filters_by_person_inquiry_reference_kind_and_date(self) -> None:
        first, second = make_inquiry(), make_inquiry()
        viewed_by_amina = record_access(actor=self.amina, kind=Kind.INQUIRY_VIEWED, inquiry=first, ip_address=None)
        viewed_by_bruno = record_access(actor=self.bruno, kind=Kind.INQUIRY_VIEWED, inquiry=second, ip_address=None)
        exported = record_access(actor=self.amina, kind=Kind.INQUIRIES_EXPORTED, target="csv", ip_address=None)
        last_year = timezone.now() - datetime.timedelta(days=365)
        AccessLogEntry.objects.filter(pk=viewed_by_amina.pk).update(created_at=last_year)
        today = timezone.localdate()
        self.client.force_login(self.admin)
        cases = {
            f"person={self.amina.pk}": [exported, viewed_by_amina],
            f"inquiry={second.reference}": [viewed_by_bruno],
            f"inquiry=+{first.reference.lower()}+": [viewed_by_amina],
            "kind=inquiries.exported": [exported],
            f"date_after={today:%Y-%m-%d}": [exported, viewed_by_bruno],
            f"date_before={today - datetime.timedelta(days=1):%Y-%m-%d}": [viewed_by_amina],
            f"person={self.bruno.pk}&kind=inquiries.exported": [],
        }
        for query, expected in cases.items():
            with self.subTest(query):
                response = self.client.get(f"{ACCESS_LOG}?{query}")
                self.assertEqual(list(response.context["entries"]), expected)

    def test_the_person_filter_offers_only_people_in_the_log(self) -> None:
        record_access(actor=self.bruno, kind=Kind.INQUIRY_VIEWED, inquiry=make_inquiry(), ip_address=None)
        self.client.force_login(self.admin)
        choices = self.client.get(ACCESS_LOG).context["filter"].form.fields["person"].queryset
        self.assertEqual(list(choices), [self.bruno])

    def test_pages_of_fifty_keep_the_filter(self) -> None:
        inquiry = make_inquiry()
        for _ in range(ACCESS_LOG_PAGE_SIZE + 1):
            record_access(actor=self.amina, kind=Kind.INQUIRY_VIEWED, inquiry=inquiry, ip_address=None)
        self.client.force_login(self.admin)
        response = self.client.get(ACCESS_LOG, {"kind": "inquiry.viewed"})
        self.assertEqual(len(response.context["entries"]), ACCESS_LOG_PAGE_SIZE)
        self.assertContains(response, 'href="?kind=inquiry.viewed&amp;page=2"')
        second = self.client.get(ACCESS_LOG, {"kind": "inquiry.viewed", "page": "2"})
        self.assertEqual(len(second.context["entries"]), 1)
        self.assertContains(second, "(page 2)")

    def test_the_number_of_queries_does_not_grow_with_the_entries(self) -> None:
        people = [make_user(f"person{number}@trondheim.kommune.no", groups=(Role.SECRETARIAT,)) for number in range(8)]
        for number in range(3):
            record_access(actor=people[number], kind=Kind.INQUIRY_VIEWED, inquiry=make_inquiry(), ip_address=None)
        self.client.force_login(self.admin)
        # Session, user, roles, the count, the person filter's choices, the page of entries with person and inquiry.
        with self.assertNumQueries(6):
            self.client.get(ACCESS_LOG)
        for number in range(40):
            record_access(actor=people[number % 8], kind=Kind.INQUIRY_VIEWED, inquiry=make_inquiry(), ip_address=None)
        with self.assertNumQueries(6):
            self.client.get(ACCESS_LOG)
        # A chosen person is one more: the filter checks that the person is among its choices.
        with self.assertNumQueries(7):
            self.client.get(ACCESS_LOG, {"person": str(people[0].pk), "date_after": "2020-01-01"})


class AdminTests(PortalTestCase):
    """The admin writes its own LogEntry for every change; opening a record with personal data is access-logged."""

    def test_changing_a_user_in_the_admin_change_form_writes_a_log_entry(self) -> None:
        person = make_user("eva@trondheim.kommune.no", full_name="Eva Eier")
        self.client.force_login(self.admin)
        url = f"/admin/partners/user/{person.pk}/change/"
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {
                "email": person.email,
                "full_name": "Eva Eiersen",
                "preferred_language": "nb",
                "is_active": "on",
                "groups": [Group.objects.get(name=Role.SECRETARIAT).pk],
                "date_joined_0": "2026-01-05",
                "date_joined_1": "09:00:00",
            },
        )
        self.assertEqual(response.status_code, 302)
        person.refresh_from_db()
        self.assertEqual(person.full_name, "Eva Eiersen")
        entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))
        self.assertEqual((entry.user_id, entry.action_flag), (self.admin.pk, CHANGE))
        self.assertIn("Full name", entry.change_message)

    def test_changing_an_organisation_in_the_admin_change_form_writes_a_log_entry(self) -> None:
        organisation = make_organisation(name="Trøndelag Testlab AS")
        self.client.force_login(self.admin)
        response = self.client.post(
            f"/admin/partners/organisation/{organisation.pk}/change/",
            {
                "name": "Trøndelag Testlab AS",
                "kind": Organisation.Kind.RESEARCH,
                "country": "NO",
                "organisation_number": "",
                "municipality_number": "",
                "website": "",
                "contacts-TOTAL_FORMS": "0",
                "contacts-INITIAL_FORMS": "0",
                "contacts-MIN_NUM_FORMS": "0",
                "contacts-MAX_NUM_FORMS": "1000",
            },
        )
        self.assertEqual(response.status_code, 302)
        entry = LogEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Organisation), object_id=str(organisation.pk)
        )
        self.assertEqual((entry.user_id, entry.action_flag), (self.admin.pk, CHANGE))
        self.assertIn("Kind of organisation", entry.change_message)
        # Saving is a change, in the admin's LogEntry; it is not logged again as an access.
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_opening_a_contact_user_organisation_or_inquiry_in_the_admin_is_access_logged(self) -> None:
        contact = make_contact()
        inquiry = make_inquiry(contact=contact)
        self.client.force_login(self.admin)
        pages = {
            f"/admin/partners/contact/{contact.pk}/change/": (f"partners.contact:{contact.pk}", None),
            f"/admin/partners/user/{self.bruno.pk}/change/": (f"partners.user:{self.bruno.pk}", None),
            f"/admin/partners/organisation/{contact.organisation_id}/change/": (
                f"partners.organisation:{contact.organisation_id}",
                None,
            ),
            f"/admin/requests_app/inquiry/{inquiry.pk}/change/": (f"requests_app.inquiry:{inquiry.pk}", inquiry.pk),
        }
        for url, (target, inquiry_id) in pages.items():
            with self.subTest(url):
                response = self.client.get(url, REMOTE_ADDR="192.0.2.40")
                self.assertEqual(response.status_code, 200)
                entry = AccessLogEntry.objects.latest("pk")
                self.assertEqual(
                    (entry.kind, entry.actor, entry.target, entry.inquiry_id, entry.ip_address),
                    (Kind.ADMIN_VIEWED, self.admin, target, inquiry_id, "192.0.2.40"),
                )
        self.assertEqual(AccessLogEntry.objects.count(), len(pages))

    def test_a_missing_record_in_the_admin_is_not_logged(self) -> None:
        self.client.force_login(self.admin)
        self.client.get("/admin/partners/contact/999999/change/")
        self.assertFalse(AccessLogEntry.objects.exists())


class InquiryPageBudgetTests(PortalTestCase):
    def test_logging_the_view_costs_one_insert(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(page_url(inquiry))
        inserts = [query["sql"] for query in queries if query["sql"].startswith("INSERT")]
        self.assertEqual(len(inserts), 1)
        self.assertIn("requests_app_accesslogentry", inserts[0])
