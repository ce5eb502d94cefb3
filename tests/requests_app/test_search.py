"""The inbox's full-text search (requests_app/search.py, migration 0013_search), the same on SQLite and PostgreSQL:
what a word finds, that nothing typed can break it, and that the index follows every change to what it covers."""

import datetime
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from partners.models import Contact, Organisation
from partners.services import ContactDetails, OrganisationDetails, anonymise_contact
from requests_app import search
from requests_app.models import Inquiry, SavedView
from requests_app.services.intake import submit_inquiry
from requests_app.services.organisations import merge_organisations
from requests_app.services.retention import apply_retention
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

S = Inquiry.Status
INBOX = "/en/staff/"
FTS_TABLES = ("requests_app_search_inquiry", "requests_app_search_organisation", "requests_app_search_contact")


def found(text: str) -> set[int]:
    return set(search.matching(Inquiry.objects.all(), text).values_list("pk", flat=True))


# On PostgreSQL: the inquiries whose document is missing or is not the one their rows make now, and documents of
# inquiries that are gone.
POSTGRESQL_UNTRUE_DOCUMENTS = """
    SELECT count(*) FROM requests_app_inquiry AS inquiry
    LEFT JOIN partners_organisation AS organisation ON organisation.id = inquiry.organisation_id
    LEFT JOIN partners_contact AS contact ON contact.id = inquiry.contact_id
    LEFT JOIN requests_app_search_document AS document ON document.inquiry_id = inquiry.id
    WHERE document.document IS DISTINCT FROM requests_app_search_vector(
        concat_ws(' ', inquiry.reference, inquiry.title, inquiry.description, organisation.name, contact.name,
                  contact.email)
    )
"""
POSTGRESQL_ORPHAN_DOCUMENTS = """
    SELECT count(*) FROM requests_app_search_document AS document
    WHERE NOT EXISTS (SELECT FROM requests_app_inquiry AS inquiry WHERE inquiry.id = document.inquiry_id)
"""


def assert_index_is_true() -> None:
    """The index holds exactly what the rows it covers hold now. On SQLite, FTS5 compares each index with its
    rows (and raises if one differs); on PostgreSQL, each document is compared with the one made afresh."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in FTS_TABLES:
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
            return
        for query in (POSTGRESQL_UNTRUE_DOCUMENTS, POSTGRESQL_ORPHAN_DOCUMENTS):
            cursor.execute(query)
            assert cursor.fetchone() == (0,), query


class WordTests(PortalTestCase):
    """What a word finds, through search.matching()."""

    def test_each_word_is_looked_for_in_the_six_fields(self) -> None:
        by_title = make_inquiry(title="Solcellepaneler på skoletak")
        by_description = make_inquiry(description="Vi ønsker å samarbeide om overvannshåndtering i Lade.")
        by_organisation = make_inquiry(organisation=make_organisation(name="Gløshaugen Innovasjon AS"))
        by_contact_name = make_inquiry(contact=make_contact(name="Ingrid Fjellheim"))
        by_contact_email = make_inquiry(contact=make_contact(email="post@fjordkraftlab.example"))
        make_inquiry(title="Noe helt annet")
        for text, expected in [
            ("solcellepaneler", by_title),
            ("overvannshåndtering", by_description),
            ("Gløshaugen", by_organisation),
            ("fjellheim", by_contact_name),
            ("fjordkraftlab", by_contact_email),
            (by_title.reference, by_title),
        ]:
            with self.subTest(text=text):
                self.assertEqual(found(text), {expected.pk})

    def test_a_word_finds_the_words_that_begin_with_it_not_those_that_hold_it(self) -> None:
        inquiry = make_inquiry(title="Grønn mobilitet", organisation=make_organisation(name="Bymobil AS"))
        self.assertEqual(found("mobil"), {inquiry.pk})  # mobilitet, not Bymobil
        self.assertEqual(found("MOBILITET"), {inquiry.pk})
        self.assertEqual(found("bil"), set())
        # Longer than the word in the text: another form of it, which only PostgreSQL's Norwegian stemmer knows.
        self.assertEqual(found("mobiliteten"), {inquiry.pk} if connection.vendor == "postgresql" else set())

    def test_norwegian_letters_in_either_case_and_as_letters_of_their_own(self) -> None:
        inquiry = make_inquiry(
            title="Havbruk på Ørlandet",
            description="GRØNN ÆRLIGHET og ålegress",
            organisation=make_organisation(name="Ærfugl Åsen AS"),
            contact=make_contact(name="Bjørn Håland"),
        )
        for text in ("ørlandet", "ØRLANDET", "grønn", "ærlighet", "Ålegress", "ÆRFUGL", "åsen", "bjørn", "HÅLAND"):
            with self.subTest(text=text):
                self.assertEqual(found(text), {inquiry.pk})
        for text in ("orlandet", "gronn", "aerlighet", "alegress", "asen"):
            with self.subTest(text=text):
                self.assertEqual(found(text), set())

    def test_every_word_must_be_found_in_one_field_or_another(self) -> None:
        both = make_inquiry(
            title="Bysykkel i sentrum",
            organisation=make_organisation(name="Trøndelag fylkeskommune"),
            contact=make_contact(name="Kari Lie"),
        )
        make_inquiry(title="Bysykkel i sentrum", organisation=make_organisation(name="Bergen kommune"))
        self.assertEqual(found("bysykkel fylkeskommune"), {both.pk})
        self.assertEqual(found("  fylkes   BYSYKKEL lie  sentrum "), {both.pk})
        self.assertEqual(found("bysykkel fylkeskommune bergen"), set())

    def test_only_the_first_eight_words_count(self) -> None:
        inquiry = make_inquiry(title="Bysykkel")
        self.assertEqual(found(" ".join(["bysykkel"] * 8 + ["finnesikke"])), {inquiry.pk})

    def test_a_reference_with_or_without_its_leading_zeros(self) -> None:
        inquiry = make_inquiry(reference="2026-0042")
        later = make_inquiry(reference="2026-4217")
        last_year = make_inquiry(reference="2025-0042")
        self.assertEqual(found("2026-0042"), {inquiry.pk})
        self.assertEqual(found("2026-42"), {inquiry.pk, later.pk})  # 2026-0042, and those that begin 2026-42
        self.assertEqual(found("2026-4217"), {later.pk})
        self.assertEqual(found("0042"), {inquiry.pk, last_year.pk})

    def test_an_email_address_or_its_beginning_or_its_domain(self) -> None:
        ola = make_inquiry(contact=make_contact(name="Ola Nordmann", email="ola.nordmann@firma.example"))
        kari = make_inquiry(contact=make_contact(name="Kari Nordmann", email="kari@firma.example"))
        make_inquiry(contact=make_contact(name="Per Hansen", email="ola@annet.example"))
        self.assertEqual(found("ola.nordmann@firma.example"), {ola.pk})
        self.assertEqual(found("OLA.NORDMANN@FIRMA.EXAMPLE"), {ola.pk})
        self.assertEqual(found("ola.nordmann@fir"), {ola.pk})
        self.assertEqual(found("@firma.example"), {ola.pk, kari.pk})
        self.assertEqual(found("nordmann"), {ola.pk, kari.pk})

    def test_words_with_punctuation_are_their_parts_side_by_side(self) -> None:
        inquiry = make_inquiry(title="Forslag om e-post-varsling (pilot/test)")
        make_inquiry(title="Post til e-tjenester")
        self.assertEqual(found("e-post"), {inquiry.pk})
        self.assertEqual(found("pilot/test"), {inquiry.pk})
        self.assertEqual(found("(pilot"), {inquiry.pk})

    def test_nothing_typed_makes_the_search_fail(self) -> None:
        inquiry = make_inquiry(title="Near field pilot AND test", description="Not only 50% - or *less*")
        texts = [
            '"',
            '""',
            "'",
            "*",
            "-",
            "--",
            "NEAR(",
            "NEAR(near pilot, 2)",
            'near"',
            '"near',
            "near*",
            "AND",
            "OR",
            "NOT",
            "and or not",
            "pilot:*",
            "pilot & test | !x",
            "<-> <1>",
            "(pilot",
            "pilot)",
            "{title}: pilot",
            "title:pilot",
            "^pilot",
            "50%",
            "_",
            "\\",
            "pil\\ot",
            "\x00",
            "pil\x00ot",
            "🙂",
            "x" * 5000,
            " ".join(["pilot"] * 100),
            "' OR 1=1 --",
            "); DROP TABLE requests_app_inquiry; --",
        ]
        for text in texts:
            with self.subTest(text=text):
                list(search.matching(Inquiry.objects.all(), text))
        self.assertEqual(found("near"), {inquiry.pk})
        self.assertEqual(found("and"), {inquiry.pk})
        self.assertEqual(found("NOT"), {inquiry.pk})
        self.assertEqual(found("*less*"), {inquiry.pk})
        self.assertEqual(found('"pilot"'), {inquiry.pk})
        self.assertEqual(found('near"'), {inquiry.pk})
        self.assertEqual(found("NEAR(near pilot, 2)"), set())  # "2" is in no field
        self.assertEqual(found("pilot:*"), {inquiry.pk})
        self.assertEqual(found("--"), set(Inquiry.objects.values_list("pk", flat=True)))  # no word: no search

    def test_the_words_parts(self) -> None:
        self.assertEqual(
            search.words('  Ørlandet 2026-42 ola.nordmann@firma.no -- "x" '),
            [
                search.Word((("Ørlandet",),), selective=False),
                search.Word((("2026", "42"), ("2026", "0042")), selective=True),
                search.Word((("ola", "nordmann", "firma", "no"),), selective=True),
                search.Word((("x",),), selective=False),
            ],
        )
        self.assertEqual(search.fts5_query(search.words("2026-42")[0]), '"2026 42"* OR "2026 0042"*')
        self.assertEqual(search.tsquery(search.words("2026-42")[0]), "('2026' <-> '42':*) | ('2026' <-> '0042':*)")


class InboxSearchTests(PortalTestCase):
    """The search through the inbox: sorted, paginated, filtered, never a row twice, never an error."""

    def listed(self, query: dict[str, Any]) -> list[Inquiry]:
        self.client.force_login(self.amina)
        response = self.client.get(INBOX, query)
        self.assertEqual(response.status_code, 200)
        return list(response.context["paginator"].object_list)

    def test_an_inquiry_whose_words_are_in_every_field_is_listed_once(self) -> None:
        organisation = make_organisation(name="Klimalab Klimalab")
        inquiry = make_inquiry(
            title="Klimalab",
            description="Klimalab klimalab",
            organisation=organisation,
            contact=make_contact(organisation=organisation, name="Klimalab", email="klimalab@klimalab.example"),
        )
        self.assertEqual(self.listed({"q": "klimalab klima"}), [inquiry])

    def test_results_are_sorted_paginated_and_filtered(self) -> None:
        now = datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)
        rows = [
            make_inquiry_in(
                S.ROUTED if number % 2 else S.RECEIVED,
                title=f"Bysykkel {number}",
                received_at=now - datetime.timedelta(days=number),
            )
            for number in range(30)
        ]
        make_inquiry(title="Bydel")
        self.assertEqual(self.listed({"q": "bysykkel"}), rows)
        self.assertEqual(self.listed({"q": "bysykkel", "ordering": "received"}), rows[::-1])
        self.assertEqual(self.listed({"q": "bysykkel", "status": "routed"}), rows[1::2])
        self.client.force_login(self.amina)
        second = self.client.get(INBOX, {"q": "bysykkel", "page": "2"})
        self.assertEqual(list(second.context["inquiries"]), rows[25:])

    def test_a_unit_member_finds_only_the_units_inquiries(self) -> None:
        routed = make_inquiry_in(S.ROUTED, title="Bysykkel")  # Byutvikling og miljø, Bruno's unit
        make_inquiry_in(S.RECEIVED, title="Bysykkel")
        self.client.force_login(self.bruno)
        response = self.client.get("/en/staff/unit/", {"q": "bysykkel"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([row.pk for row in response.context["paginator"].object_list], [routed.pk])

    def test_the_inbox_answers_whatever_is_typed(self) -> None:
        make_inquiry(title="Near field pilot")
        self.client.force_login(self.amina)
        for text in ['"', "*", "NEAR(", "-", "' OR 1=1 --", "pilot:* & !x", "\\", "🙂", "x" * 3000]:
            with self.subTest(text=text):
                self.assertEqual(self.client.get(INBOX, {"q": text}).status_code, 200)

    def test_a_saved_view_with_a_search_counts_its_rows(self) -> None:
        make_inquiry(title="Bysykkel")
        make_inquiry(title="Bysykkel og bildeling")
        make_inquiry(title="Noe annet")
        SavedView.objects.create(owner=self.amina, name="Sykkel", query="q=bysykkel")
        self.client.force_login(self.amina)
        views = self.client.get(INBOX).context["views"]
        self.assertEqual(next(view["count"] for view in views if view["name"] == "Sykkel"), 2)


class IndexFollowsChangesTests(PortalTestCase):
    """Whatever changes a field the search covers changes what the search finds, at once."""

    def assertFound(self, text: str, expected: set[int]) -> None:
        self.assertEqual(found(text), expected)
        assert_index_is_true()

    def test_editing_the_title_and_description(self) -> None:
        inquiry = make_inquiry(title="Bysykkel", description="Sykkelstativer ved skolene.")
        inquiry.title, inquiry.description = "Bildeling", "Delebiler i borettslag."
        inquiry.save()
        self.assertFound("bysykkel", set())
        self.assertFound("sykkelstativer", set())
        self.assertFound("bildeling", {inquiry.pk})
        self.assertFound("delebiler", {inquiry.pk})
        Inquiry.objects.filter(pk=inquiry.pk).update(title="Havbruk")
        self.assertFound("bildeling", set())
        self.assertFound("havbruk", {inquiry.pk})
        Inquiry.objects.filter(pk=inquiry.pk).update(priority=Inquiry.Priority.HIGH)  # not a field of the index
        self.assertFound("havbruk delebiler", {inquiry.pk})

    def test_a_new_submission(self) -> None:
        inquiry = submit_inquiry(
            organisation=OrganisationDetails(name="Nidaros Klimalab AS", kind="company", country="NO"),
            contact=ContactDetails(name="Kari Nordmann", email="kari@klimalab.example", role="Daglig leder"),
            title="Utslippsfrie byggeplasser",
            description="Vi ønsker å teste anleggsmaskiner.",
            inquiry_type=Inquiry.Type.PILOT,
            language="nb",
        )
        for text in ("utslippsfri", "anleggsmaskiner", "nidaros klimalab", "kari", "kari@klimalab", inquiry.reference):
            with self.subTest(text=text):
                self.assertFound(text, {inquiry.pk})

    def test_renaming_an_organisation_and_editing_a_contact(self) -> None:
        organisation = make_organisation(name="Nidaros Klimalab AS")
        contact = make_contact(organisation=organisation, name="Kari Nordmann", email="kari@nidaros.example")
        first = make_inquiry(organisation=organisation, contact=contact)
        second = make_inquiry(organisation=organisation, contact=contact)
        organisation.name = "Trondheim Energilab AS"
        organisation.save()
        self.assertFound("klimalab", set())
        self.assertFound("energilab", {first.pk, second.pk})
        Organisation.objects.filter(pk=organisation.pk).update(name="Fosen Vind")
        self.assertFound("energilab", set())
        self.assertFound("fosen vind", {first.pk, second.pk})
        Contact.objects.filter(pk=contact.pk).update(name="Kari Lie", email="kari.lie@fosenvind.example")
        self.assertFound("nordmann", set())
        self.assertFound("nidaros", set())
        self.assertFound("lie", {first.pk, second.pk})
        self.assertFound("kari.lie@fosenvind", {first.pk, second.pk})

    def test_merging_two_organisations(self) -> None:
        keep = make_organisation(name="Nidaros Klimalab AS")
        merge = make_organisation(name="Energiverket Fosen")
        twin = make_contact(organisation=merge, name="Kari Nordmann", email="kari@klimalab.example")
        make_contact(organisation=keep, name="Kari N.", email="KARI@klimalab.example")
        kept_inquiry = make_inquiry(organisation=keep)
        moved = make_inquiry(organisation=merge, contact=twin)
        self.assertFound("energiverket", {moved.pk})
        merge_organisations(keep, merge, actor=self.amina)
        self.assertFound("energiverket", set())
        self.assertFound("nidaros klimalab as", {kept_inquiry.pk, moved.pk})
        self.assertFound("Nordmann", set())  # the twin contact was replaced by the kept one, Kari N.
        self.assertFound("kari", {moved.pk})

    def test_removing_personal_data_after_the_retention_period(self) -> None:
        ended = datetime.datetime(2022, 3, 2, 12, 0, tzinfo=datetime.UTC)
        contact = make_contact(name="Ola Nordmann", email="ola.nordmann@example.no")
        inquiry = make_inquiry_in(
            S.CLOSED,
            title="Havbruk",
            description="Ola Nordmann skriver om tareskog.",
            contact=contact,
            closed_at=ended,
            decided_at=ended,
        )
        self.assertFound("tareskog", {inquiry.pk})
        self.assertFound("ola.nordmann@example", {inquiry.pk})
        apply_retention(now=ended.replace(year=2026))
        inquiry.refresh_from_db()
        self.assertTrue(inquiry.is_anonymised)
        self.assertFound("tareskog", set())
        self.assertFound("nordmann", set())
        self.assertFound("ola.nordmann@example", set())
        self.assertFound("havbruk", {inquiry.pk})  # the title is kept

    def test_anonymising_a_contact_and_deleting_an_inquiry(self) -> None:
        contact = make_contact(name="Ola Nordmann", email="ola.nordmann@example.no")
        inquiry = make_inquiry(contact=contact, title="Havbruk")
        other = make_inquiry(title="Havbruk")
        anonymise_contact(contact)
        self.assertFound("nordmann", set())
        Inquiry.objects.filter(pk=other.pk).delete()
        self.assertFound("havbruk", {inquiry.pk})


class SearchIndexTests(PortalTestCase):
    def test_the_triggers_are_there_after_the_last_migration(self) -> None:
        """A migration that makes SQLite rebuild a table drops its triggers (see 0013_search): this says so."""
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'requests_app_search_%'"
            )
            triggers = {name for (name,) in cursor.fetchall()}
        self.assertEqual(
            triggers, {f"{table}_{event}" for table in FTS_TABLES for event in ("insert", "update", "delete")}
        )


class MigrationTests(TransactionTestCase):
    serialized_rollback = True  # keep the units, groups and reference data that the migrations loaded

    def test_the_migration_reverses_and_applies_again(self) -> None:
        inquiry = make_inquiry(title="Bysykkel")
        call_command("migrate", "requests_app", "0012", verbosity=0)
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        self.assertFalse(set(FTS_TABLES) & set(tables))
        call_command("migrate", verbosity=0)
        # Filled from the rows already there when it was applied.
        self.assertEqual(found("bysykkel"), {inquiry.pk})
        assert_index_is_true()
