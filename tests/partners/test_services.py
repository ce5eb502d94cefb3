from partners.models import Contact, Organisation
from partners.services import (
    ContactDetails,
    OrganisationDetails,
    find_or_create_contact,
    find_or_create_organisation,
)
from tests.base import PortalTestCase
from tests.factories import make_contact, make_organisation

ORGANISATION_NUMBER = "974760673"


class FindOrCreateOrganisationTests(PortalTestCase):
    def test_same_organisation_number_reuses_the_organisation_whatever_the_name(self) -> None:
        existing = make_organisation(name="Trondheim Energi AS", organisation_number=ORGANISATION_NUMBER)
        found = find_or_create_organisation(
            OrganisationDetails(name="TE", kind="company", country="NO", organisation_number=ORGANISATION_NUMBER)
        )
        self.assertEqual(found, existing)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_same_name_and_country_is_reused_ignoring_case_and_spacing(self) -> None:
        existing = make_organisation(name="Green Harbour Network", country="SE")
        found = find_or_create_organisation(
            OrganisationDetails(name="  green   HARBOUR network ", kind="ngo", country="SE")
        )
        self.assertEqual(found, existing)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_same_name_with_norwegian_letters_in_other_case_is_reused(self) -> None:
        existing = make_organisation(name="Bærekraftige Ørland Næringsråd", country="NO")
        found = find_or_create_organisation(
            OrganisationDetails(name="BÆREKRAFTIGE ØRLAND NÆRINGSRÅD", kind="ngo", country="NO")
        )
        self.assertEqual(found, existing)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_same_name_in_another_country_is_a_new_organisation(self) -> None:
        existing = make_organisation(name="Green Harbour Network", country="SE")
        found = find_or_create_organisation(OrganisationDetails(name="Green Harbour Network", kind="ngo", country="DK"))
        self.assertNotEqual(found, existing)
        self.assertEqual(found.country, "DK")
        self.assertEqual(Organisation.objects.count(), 2)

    def test_matched_organisation_without_a_number_gets_the_number_given(self) -> None:
        existing = make_organisation(name="Fjordkraft Lab AS", organisation_number="")
        found = find_or_create_organisation(
            OrganisationDetails(
                name="Fjordkraft Lab AS", kind="company", country="NO", organisation_number=ORGANISATION_NUMBER
            )
        )
        self.assertEqual(found, existing)
        existing.refresh_from_db()
        self.assertEqual(existing.organisation_number, ORGANISATION_NUMBER)

    def test_same_name_with_a_different_number_is_a_new_organisation(self) -> None:
        existing = make_organisation(name="Fjordkraft Lab AS", organisation_number="942110464")
        found = find_or_create_organisation(
            OrganisationDetails(
                name="Fjordkraft Lab AS", kind="company", country="NO", organisation_number=ORGANISATION_NUMBER
            )
        )
        self.assertNotEqual(found, existing)
        self.assertEqual(found.organisation_number, ORGANISATION_NUMBER)

    def test_new_organisation_is_stored_with_the_details_given(self) -> None:
        created = find_or_create_organisation(
            OrganisationDetails(
                name="Nidaros  Klimalab", kind="research", country="NO", organisation_number=ORGANISATION_NUMBER
            )
        )
        created.refresh_from_db()
        self.assertEqual(
            (created.name, created.kind, str(created.country), created.organisation_number),
            ("Nidaros Klimalab", "research", "NO", ORGANISATION_NUMBER),
        )


class FindOrCreateContactTests(PortalTestCase):
    def test_same_e_mail_reuses_the_contact_ignoring_case(self) -> None:
        existing = make_contact(email="kari@example.no")
        found = find_or_create_contact(existing.organisation, ContactDetails(name="Kari N.", email=" KARI@Example.no "))
        self.assertEqual(found, existing)
        self.assertEqual(Contact.objects.count(), 1)

    def test_stored_details_are_not_overwritten(self) -> None:
        existing = make_contact(
            name="Kari Nordmann", email="kari@example.no", role="Daglig leder", phone="+47 900 00 000"
        )
        find_or_create_contact(
            existing.organisation,
            ContactDetails(
                name="Someone Else", email="kari@example.no", role="Impostor", phone="123", preferred_language="en"
            ),
        )
        existing.refresh_from_db()
        self.assertEqual(
            (existing.name, existing.role, existing.phone, existing.preferred_language),
            ("Kari Nordmann", "Daglig leder", "+47 900 00 000", "nb"),
        )

    def test_missing_role_and_phone_are_filled_in(self) -> None:
        existing = make_contact(email="kari@example.no", role="", phone="")
        find_or_create_contact(
            existing.organisation,
            ContactDetails(name="Kari", email="kari@example.no", role="Rådgiver", phone="73 00 00 00"),
        )
        existing.refresh_from_db()
        self.assertEqual((existing.role, existing.phone), ("Rådgiver", "73 00 00 00"))

    def test_same_e_mail_at_another_organisation_is_a_new_contact(self) -> None:
        existing = make_contact(email="kari@example.no")
        other_organisation = make_organisation()
        found = find_or_create_contact(other_organisation, ContactDetails(name="Kari", email="kari@example.no"))
        self.assertNotEqual(found, existing)
        self.assertEqual(found.organisation, other_organisation)

    def test_new_contact_is_stored_with_a_lower_case_e_mail(self) -> None:
        organisation = make_organisation()
        created = find_or_create_contact(
            organisation,
            ContactDetails(name=" Ola Nordmann ", email="Ola@Example.NO", role="CTO", preferred_language="en"),
        )
        created.refresh_from_db()
        self.assertEqual(
            (created.name, created.email, created.role, created.preferred_language),
            ("Ola Nordmann", "ola@example.no", "CTO", "en"),
        )
