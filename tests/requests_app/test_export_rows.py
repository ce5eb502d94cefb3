"""The inbox export's rows (issue #9: 10,000 rows in ≤ 1.5 s): read as plain values, with each label, country name,
unit name and owner name worked out once per export, they are exactly what the models' own methods say, in the
language of the page; and the queries grow with the number of chunks, not of rows."""

import datetime
import itertools
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from partners.models import Organisation
from requests_app.models import Inquiry
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_organisation
from tests.requests_app.test_inbox import Sheet, csv_rows, streamed

EXPORTS = {"nb": ("/staff/export.csv", "/staff/export.xlsx"), "en": ("/en/staff/export.csv", "/en/staff/export.xlsx")}
TEXT_COLUMNS = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]  # all but the dates


def expected_row(inquiry: Inquiry) -> list[str]:
    """The row as the export wrote it before it read plain values: from the model's own methods, per row."""
    removed = inquiry.anonymised_at is not None
    goals = ", ".join(str(number) for number in inquiry.sdg_goals.order_by("number").values_list("number", flat=True))
    return [
        inquiry.reference,
        timezone.localtime(inquiry.received_at).date().isoformat(),
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
        goals,
        inquiry.first_reply_due_on.isoformat() if inquiry.first_reply_due_on else "",
        inquiry.decision_due_on.isoformat() if inquiry.decision_due_on else "",
    ]


class ExportRowTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        nameless = make_user("ukjent@trondheim.kommune.no", groups=("Secretariat",))  # no full name: the address
        countries = itertools.cycle(["NO", "SE", "DE", "GB", "UA"])
        kinds = itertools.cycle(Organisation.Kind.values)
        units = itertools.cycle([None, cls.bym_unit, cls.oppvekst_unit])
        owners = itertools.cycle([None, cls.amina, nameless])
        priorities = itertools.cycle(Inquiry.Priority.values)
        channels = itertools.cycle(Inquiry.Channel.values)
        types = itertools.cycle(Inquiry.Type.values)
        goals = itertools.cycle([[], [11], [3, 13, 17]])
        received = timezone.now() - datetime.timedelta(days=40)
        for number, status in enumerate(Inquiry.Status.values * 2):
            make_inquiry(
                status=status,
                inquiry_type=next(types),
                organisation=make_organisation(kind=next(kinds), country=next(countries)),
                unit=next(units),
                owner=next(owners),
                priority=next(priorities),
                channel=next(channels),
                sdg_goals=next(goals),
                received_at=received + datetime.timedelta(hours=7 * number),
                first_reply_due_on=datetime.date(2026, 3, 2) if number % 2 else None,
                decision_due_on=datetime.date(2026, 4, 1),
            )

    def export(self, language: str) -> tuple[list[list[str]], list[list[str]]]:
        csv_url, xlsx_url = EXPORTS[language]
        self.client.force_login(self.amina)
        csv_data = csv_rows(self.client.get(csv_url, {"ordering": "received"}))
        xlsx_data = Sheet(streamed(self.client.get(xlsx_url, {"ordering": "received"}))).rows()
        return csv_data, xlsx_data

    def test_every_value_is_the_models_own_in_the_pages_language(self) -> None:
        inquiries = Inquiry.objects.select_related("organisation", "contact", "unit", "owner").order_by("received_at")
        exported = {}
        for language in ("nb", "en"):
            with self.subTest(language=language):
                exported[language] = csv_data, xlsx_data = self.export(language)
                with translation.override(language):
                    expected = [expected_row(inquiry) for inquiry in inquiries]
                self.assertEqual(csv_data[1:], expected)
                self.assertEqual(
                    [[row[column] for column in TEXT_COLUMNS] for row in xlsx_data[1:]],
                    [[row[column] for column in TEXT_COLUMNS] for row in expected],
                )
        # The rows cover what they are meant to: every status, names in each language, an owner without a name.
        norwegian, english = exported["nb"][0][1:], exported["en"][0][1:]
        self.assertEqual(len({row[2] for row in norwegian}), len(Inquiry.Status.values))
        self.assertIn(("Norge", "Byutvikling og miljø"), {(row[7], row[10]) for row in norwegian})
        self.assertIn(("Norway", "Urban Development and Environment"), {(row[7], row[10]) for row in english})
        self.assertIn("ukjent@trondheim.kommune.no", {row[11] for row in english})

    def test_an_inquiry_whose_personal_data_is_removed_shows_no_contact(self) -> None:
        organisation = make_organisation(name="Delt Kontakt AS")
        contact = make_contact(organisation, name="Siri Delt", email="siri@delt.example")
        older = make_inquiry(organisation=organisation, contact=contact, title="Eldre", anonymised_at=timezone.now())
        make_inquiry(organisation=organisation, contact=contact, title="Nyere")
        self.client.force_login(self.amina)
        rows = {row[4]: row for row in csv_rows(self.client.get(EXPORTS["en"][0], {"q": "Delt Kontakt"}))[1:]}
        self.assertEqual(rows["Eldre"][8:10], ["", ""])
        self.assertEqual(rows["Nyere"][8:10], ["Siri Delt", "siri@delt.example"])
        self.assertEqual(rows["Eldre"][0], older.reference)


class ExportQueryTests(PortalTestCase):
    def count_queries(self) -> tuple[int, int]:
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            lines = len(csv_rows(self.client.get(EXPORTS["en"][0])))
        return len(queries), lines - 1

    def make_rows(self, count: int) -> None:
        for number in range(count):
            make_inquiry(unit=self.bym_unit, owner=self.amina if number % 2 else None, sdg_goals=[11, 13])

    def test_the_queries_grow_with_the_chunks_not_the_rows(self) -> None:
        self.make_rows(3)
        few, rows = self.count_queries()
        self.assertEqual(rows, 3)
        self.make_rows(37)
        self.assertEqual(self.count_queries(), (few, 40))
        # One more query (the chunk's SDGs) for each further chunk.
        with mock.patch("requests_app.exports.CHUNK", 10):
            self.assertEqual(self.count_queries(), (few + 3, 40))
