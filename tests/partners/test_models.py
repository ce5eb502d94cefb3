from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from stdnum.no import orgnr

from partners.models import Organisation, User, validate_organisation_number
from tests.base import PortalTestCase, make_user
from tests.factories import make_organisation

TRONDHEIM_KOMMUNE = "942110464"
WRONG_CHECK_DIGIT = "942110465"


class OrganisationNumberTests(PortalTestCase):
    def test_the_example_numbers_are_what_the_tests_say_they_are(self) -> None:
        self.assertTrue(orgnr.is_valid(TRONDHEIM_KOMMUNE))
        self.assertFalse(orgnr.is_valid(WRONG_CHECK_DIGIT))

    def test_number_with_valid_check_digit_is_accepted(self) -> None:
        validate_organisation_number(TRONDHEIM_KOMMUNE)
        organisation = Organisation(
            name="Trondheim kommune", kind=Organisation.Kind.MUNICIPALITY, organisation_number=TRONDHEIM_KOMMUNE
        )
        organisation.full_clean()

    def test_number_with_wrong_check_digit_is_refused(self) -> None:
        organisation = Organisation(
            name="Feil AS", kind=Organisation.Kind.COMPANY, organisation_number=WRONG_CHECK_DIGIT
        )
        with self.assertRaises(ValidationError) as raised:
            organisation.full_clean()
        self.assertEqual(raised.exception.error_dict["organisation_number"][0].code, "invalid_orgnr")

    def test_numbers_that_are_not_nine_digits_are_refused(self) -> None:
        for value in ["94211046", "9421104640", "94211046A"]:
            with self.subTest(value=value), self.assertRaises(ValidationError):
                validate_organisation_number(value)

    def test_several_organisations_may_have_no_number(self) -> None:
        make_organisation(organisation_number="")
        make_organisation(organisation_number="")
        self.assertEqual(Organisation.objects.filter(organisation_number="").count(), 2)

    def test_the_database_refuses_the_same_number_twice(self) -> None:
        make_organisation(organisation_number=TRONDHEIM_KOMMUNE)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_organisation(organisation_number=TRONDHEIM_KOMMUNE)
        self.assertEqual(Organisation.objects.filter(organisation_number=TRONDHEIM_KOMMUNE).count(), 1)

    def test_validation_reports_a_duplicate_number_in_words(self) -> None:
        make_organisation(organisation_number=TRONDHEIM_KOMMUNE)
        duplicate = Organisation(name="Kopi", kind=Organisation.Kind.COMPANY, organisation_number=TRONDHEIM_KOMMUNE)
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "An organisation with this organisation number already exists."),
        ):
            duplicate.full_clean()


class MunicipalityNumberTests(PortalTestCase):
    def test_a_municipality_may_have_a_municipality_number(self) -> None:
        Organisation(
            name="Trondheim kommune", kind=Organisation.Kind.MUNICIPALITY, municipality_number="5001"
        ).full_clean()

    def test_only_municipalities_have_a_municipality_number(self) -> None:
        company = Organisation(name="Bedrift AS", kind=Organisation.Kind.COMPANY, municipality_number="5001")
        with self.assertRaises(ValidationError) as raised:
            company.full_clean()
        self.assertIn("municipality_number", raised.exception.error_dict)

    def test_the_database_refuses_a_municipality_number_that_is_not_four_digits(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_organisation(kind=Organisation.Kind.MUNICIPALITY, municipality_number="501")


class UserRoleTests(PortalTestCase):
    def reload(self, user: User) -> User:
        return User.objects.get(pk=user.pk)

    def test_secretariat_sees_all_inquiries(self) -> None:
        amina = self.reload(self.amina)
        self.assertTrue(amina.is_secretariat)
        self.assertTrue(amina.sees_all_inquiries)
        self.assertTrue(amina.has_staff_role)
        self.assertFalse(amina.is_unit_member)

    def test_executive_sees_all_inquiries(self) -> None:
        dina = self.reload(self.dina)
        self.assertTrue(dina.is_executive)
        self.assertFalse(dina.is_secretariat)
        self.assertTrue(dina.sees_all_inquiries)
        self.assertTrue(dina.has_staff_role)

    def test_admin_group_and_superuser_are_portal_admins(self) -> None:
        self.assertTrue(self.reload(self.admin).is_portal_admin)
        superuser_only = make_user("root@trondheim.kommune.no", is_superuser=True)
        self.assertTrue(superuser_only.is_portal_admin)
        self.assertTrue(superuser_only.has_staff_role)

    def test_unit_member_has_a_staff_role_but_does_not_see_everything(self) -> None:
        bruno = self.reload(self.bruno)
        self.assertTrue(bruno.is_unit_member)
        self.assertEqual(bruno.unit_ids, frozenset({self.bym_unit.pk}))
        self.assertFalse(bruno.sees_all_inquiries)
        self.assertTrue(bruno.has_staff_role)

    def test_user_without_role_has_no_staff_role(self) -> None:
        partner = self.reload(self.partner)
        self.assertEqual(partner.role_names, frozenset())
        self.assertFalse(partner.is_unit_member)
        self.assertFalse(partner.is_portal_admin)
        self.assertFalse(partner.sees_all_inquiries)
        self.assertFalse(partner.has_staff_role)

    def test_deactivated_staff_lose_their_staff_role(self) -> None:
        User.objects.filter(pk__in=[self.amina.pk, self.bruno.pk]).update(is_active=False)
        self.assertFalse(self.reload(self.amina).has_staff_role)
        self.assertFalse(self.reload(self.bruno).has_staff_role)

    def test_unsaved_user_has_no_roles(self) -> None:
        self.assertFalse(User(email="new@example.no").has_staff_role)

    def test_e_mail_address_is_stored_in_lower_case(self) -> None:
        self.assertEqual(make_user("Kari.Nordmann@Example.NO").email, "kari.nordmann@example.no")
