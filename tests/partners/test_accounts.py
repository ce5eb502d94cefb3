"""Partner accounts: open sign-up that shows nothing before the address is confirmed, what an account sees (only its
verified addresses and its organisations), the organisation it speaks for, and the pre-filled inquiry form."""

import re
from io import StringIO

from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.http import HttpResponseBase
from django.test import override_settings
from django.urls import reverse

from partners.models import Organisation, OrganisationMembership, User
from partners.sessions import SESSION_KEY
from requests_app.demo_data import DEMO_PASSWORD
from requests_app.models import Inquiry
from requests_app.selectors import inquiries_of_partner
from tests.base import PASSWORD, PortalTestCase
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

SIGNUP = "/en/accounts/signup/"
LOGIN = "/en/accounts/login/"
NEW_PASSWORD = "a-long-passphrase-for-tests-1"


def verify(user: User, email: str | None = None, *, primary: bool = True) -> EmailAddress:
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=email or user.email, defaults={"verified": True, "primary": primary}
    )
    return address


def inquiry_from(email: str, organisation: Organisation | None = None, **fields: object) -> Inquiry:
    organisation = organisation or make_organisation()
    return make_inquiry(organisation=organisation, contact=make_contact(organisation, email=email), **fields)


class SignUpTests(PortalTestCase):
    def sign_up(self, email: str = "kari@klimalab.no", **extra: str) -> HttpResponseBase:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                SIGNUP,
                {"full_name": "Kari Nordmann", "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
                | extra,
            )

    def test_sign_up_makes_a_partner_account_that_must_confirm_its_address_before_it_sees_anything(self) -> None:
        inquiry = inquiry_from("kari@klimalab.no")
        response = self.sign_up()
        self.assertRedirects(response, "/en/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)  # not logged in before the address is confirmed
        user = User.objects.get(email="kari@klimalab.no")
        self.assertEqual((user.full_name, user.preferred_language), ("Kari Nordmann", "en"))
        self.assertFalse(EmailAddress.objects.get(user=user).verified)
        self.assertFalse(inquiries_of_partner(user).exists())
        # The login is refused too: it sends the confirmation again instead.
        response = self.client.post(LOGIN, {"login": "kari@klimalab.no", "password": NEW_PASSWORD})
        self.assertRedirects(response, "/en/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

        # The confirmation link from the e-mail (written to the outbox like every e-mail).
        link = re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[0].body))
        assert link is not None
        self.client.post("/en" + link.group(0))
        self.assertTrue(EmailAddress.objects.get(user=user).verified)
        self.assertEqual(list(inquiries_of_partner(user)), [inquiry])
        response = self.client.post(LOGIN, {"login": "kari@klimalab.no", "password": NEW_PASSWORD})
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)

    def test_a_new_account_never_gets_a_staff_role_whatever_the_form_carries(self) -> None:
        self.sign_up(is_staff="on", is_superuser="on", groups="1")
        user = User.objects.get(email="kari@klimalab.no")
        self.assertFalse(user.is_staff or user.is_superuser or user.has_staff_access)
        self.assertFalse(user.groups.exists() or user.units.exists())

    def test_signing_up_with_an_existing_address_creates_nothing_and_reveals_nothing(self) -> None:
        verify(self.partner)
        response = self.sign_up(email=self.partner.email)
        self.assertRedirects(response, "/en/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertEqual(User.objects.filter(email__iexact=self.partner.email).count(), 1)

    def test_the_name_is_required(self) -> None:
        response = self.sign_up(full_name="")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(email="kari@klimalab.no").exists())

    def test_the_login_page_links_to_sign_up(self) -> None:
        self.assertContains(self.client.get(LOGIN), 'href="/en/accounts/signup/')


class WhatAnAccountSeesTests(PortalTestCase):
    def test_an_unverified_account_sees_nothing_not_even_inquiries_from_its_own_address(self) -> None:
        inquiry_from(self.partner.email)
        EmailAddress.objects.create(user=self.partner, email=self.partner.email, verified=False, primary=True)
        self.assertFalse(inquiries_of_partner(self.partner).exists())

    def test_an_unverified_account_that_is_a_member_sees_nothing_of_the_organisation_either(self) -> None:
        organisation = make_organisation()
        inquiry_from("colleague@example.no", organisation)
        OrganisationMembership.objects.create(user=self.partner, organisation=organisation)
        EmailAddress.objects.create(user=self.partner, email=self.partner.email, verified=False, primary=True)
        self.assertFalse(inquiries_of_partner(self.partner).exists())

    def test_a_second_unverified_address_unlocks_nothing(self) -> None:
        own = inquiry_from(self.partner.email)
        inquiry_from("boss@example.no")
        verify(self.partner)
        EmailAddress.objects.create(user=self.partner, email="boss@example.no", verified=False, primary=False)
        self.assertEqual(list(inquiries_of_partner(self.partner)), [own])
        self.client.force_login(self.partner)
        response = self.client.get(reverse("requests_app:account-data-json"))
        self.assertEqual([row["reference"] for row in response.json()["inquiries"]], [own.reference])

    def test_adding_an_address_through_allauth_leaves_it_unverified_and_unlocks_nothing(self) -> None:
        verify(self.partner)
        inquiry_from("boss@example.no")
        self.client.post(LOGIN, {"login": self.partner.email, "password": PASSWORD})
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/en/accounts/email/", {"action_add": "", "email": "boss@example.no"})
        self.assertFalse(EmailAddress.objects.get(email="boss@example.no").verified)
        self.assertFalse(inquiries_of_partner(self.partner).exists())

    def test_a_verified_account_of_another_organisation_sees_nothing_of_this_one(self) -> None:
        ours, theirs = make_organisation(), make_organisation()
        inquiry_from("colleague@ours.no", ours)
        mine = inquiry_from(self.partner.email, theirs)
        verify(self.partner)
        OrganisationMembership.objects.create(user=self.partner, organisation=theirs)
        self.assertEqual(list(inquiries_of_partner(self.partner)), [mine])
        self.client.force_login(self.partner)
        response = self.client.get(reverse("requests_app:account-data"))
        self.assertContains(response, mine.reference)
        self.assertNotContains(response, ours.name)

    def test_a_member_sees_the_organisations_inquiries_but_no_spam(self) -> None:
        organisation = make_organisation()
        colleagues = inquiry_from("colleague@example.no", organisation)
        make_inquiry_in(Inquiry.Status.SPAM, organisation=organisation)
        verify(self.partner)
        OrganisationMembership.objects.create(user=self.partner, organisation=organisation)
        self.assertEqual(list(inquiries_of_partner(self.partner)), [colleagues])


class ActiveOrganisationTests(PortalTestCase):
    first: Organisation
    second: Organisation

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        verify(cls.partner)
        cls.first = make_organisation(name="Aa Klimalab AS", organisation_number="974760673")
        cls.second = make_organisation(name="Bb Fjordbyen kommune", kind=Organisation.Kind.MUNICIPALITY)
        OrganisationMembership.objects.create(user=cls.partner, organisation=cls.first, is_admin=True)
        OrganisationMembership.objects.create(user=cls.partner, organisation=cls.second)

    def test_the_header_says_on_behalf_of_whom_and_offers_the_switch(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.get("/en/")
        self.assertContains(response, "Signed in as Per Partner, on behalf of Aa Klimalab AS")
        self.assertContains(response, 'action="/en/my/organisation/switch/"')
        self.assertContains(response, f'<option value="{self.second.pk}">Bb Fjordbyen kommune</option>', html=True)

    def test_one_organisation_gets_no_switch_and_staff_get_neither(self) -> None:
        OrganisationMembership.objects.filter(organisation=self.second).delete()
        self.client.force_login(self.partner)
        response = self.client.get("/en/")
        self.assertContains(response, "on behalf of Aa Klimalab AS")
        self.assertNotContains(response, "organisation-switch")
        self.client.force_login(self.amina)
        response = self.client.get("/en/")
        self.assertNotContains(response, "on behalf of")
        self.assertNotContains(response, "My organisation")

    def test_switching_is_kept_in_the_session_and_returns_to_the_page(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.post(
            reverse("requests_app:organisation-switch"), {"organisation": self.second.pk, "next": "/en/privacy/"}
        )
        self.assertRedirects(response, "/en/privacy/", fetch_redirect_response=False)
        self.assertEqual(self.client.session[SESSION_KEY], self.second.pk)
        self.assertContains(self.client.get("/en/"), "on behalf of Bb Fjordbyen kommune")

    def test_switching_to_an_organisation_one_is_not_a_member_of_is_a_404_and_an_outside_next_is_ignored(self) -> None:
        other = make_organisation()
        self.client.force_login(self.partner)
        url = reverse("requests_app:organisation-switch")
        self.assertEqual(self.client.post(url, {"organisation": other.pk}).status_code, 404)
        self.assertNotIn(SESSION_KEY, self.client.session)
        response = self.client.post(url, {"organisation": self.second.pk, "next": "https://evil.example/"})
        self.assertRedirects(response, reverse("requests_app:my-organisation"), fetch_redirect_response=False)

    def test_my_inquiries_shows_the_organisation_spoken_for_and_the_accounts_own_elsewhere(self) -> None:
        of_first = make_inquiry(organisation=self.first, title="Klimalabens pilot")
        of_second = make_inquiry(organisation=self.second, title="Fjordbyens studietur")
        elsewhere = make_organisation(name="Cc Annen AS")
        own = make_inquiry(
            organisation=elsewhere,
            contact=make_contact(organisation=elsewhere, email=self.partner.email),
            title="Egen henvendelse",
        )
        self.client.force_login(self.partner)
        page = self.client.get("/en/my/inquiries/")
        self.assertContains(page, of_first.title)
        self.assertContains(page, own.title)
        self.assertNotContains(page, of_second.title)
        self.client.post(reverse("requests_app:organisation-switch"), {"organisation": self.second.pk})
        page = self.client.get("/en/my/inquiries/")
        self.assertContains(page, of_second.title)
        self.assertContains(page, own.title)
        self.assertNotContains(page, of_first.title)
        # Narrowing the list hides nothing the account may open.
        self.assertEqual(self.client.get(f"/en/my/inquiries/{of_first.pk}/").status_code, 200)

    def test_a_membership_removed_after_the_choice_falls_back_to_the_first(self) -> None:
        self.client.force_login(self.partner)
        self.client.post(reverse("requests_app:organisation-switch"), {"organisation": self.second.pk})
        OrganisationMembership.objects.filter(organisation=self.second).delete()
        self.assertContains(self.client.get("/en/"), "on behalf of Aa Klimalab AS")


class PrefilledIntakeTests(PortalTestCase):
    organisation: Organisation

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        verify(cls.partner)
        cls.partner.preferred_language = "en"
        cls.partner.save(update_fields=["preferred_language"])
        cls.organisation = make_organisation(name="Nidaros Klimalab AS", organisation_number="974760673")
        make_contact(cls.organisation, email=cls.partner.email, role="Daglig leder", phone="+47 912 34 567")
        OrganisationMembership.objects.create(user=cls.partner, organisation=cls.organisation)

    def test_the_form_is_filled_in_with_the_active_organisation_and_the_partner(self) -> None:
        self.client.force_login(self.partner)
        form = self.client.get("/inquiries/new/").context["form"]
        self.assertEqual(
            {name: form[name].value() for name in form.initial if name != "consent"},
            {
                "organisation_name": "Nidaros Klimalab AS",
                "organisation_kind": Organisation.Kind.COMPANY,
                "organisation_number": "974760673",
                "country": "NO",
                "contact_name": "Per Partner",
                "contact_email": self.partner.email,
                "contact_role": "Daglig leder",
                "contact_phone": "+47 912 34 567",
                "language": "en",
            },
        )

    def test_the_primary_verified_address_is_used_never_an_unverified_one(self) -> None:
        EmailAddress.objects.filter(user=self.partner).update(primary=False)
        EmailAddress.objects.create(user=self.partner, email="new@example.no", verified=False, primary=True)
        self.client.force_login(self.partner)
        form = self.client.get("/inquiries/new/").context["form"]
        self.assertEqual(form["contact_email"].value(), self.partner.email)

    def test_anonymous_visitors_and_staff_get_an_empty_form(self) -> None:
        form = self.client.get("/inquiries/new/").context["form"]
        self.assertIsNone(form["organisation_name"].value())
        self.client.force_login(self.amina)
        form = self.client.get("/inquiries/new/").context["form"]
        self.assertIsNone(form["contact_email"].value())

    def test_the_inquiry_is_saved_for_the_organisation_and_submitted_by_the_account(self) -> None:
        self.client.force_login(self.partner)
        data = {
            name: value
            for name, value in self.client.get("/inquiries/new/").context["form"].initial.items()
            if value is not None
        }
        data.update(inquiry_type=Inquiry.Type.PARTNERSHIP, title="Grønne tak", description="Et forslag.", consent="on")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/inquiries/new/", data)
        self.assertRedirects(response, "/inquiries/submitted/", fetch_redirect_response=False)
        inquiry = Inquiry.objects.get(title="Grønne tak")
        self.assertEqual((inquiry.organisation, inquiry.submitted_by), (self.organisation, self.partner))
        self.assertEqual(inquiry.contact.email, self.partner.email)
        self.assertIn(inquiry, inquiries_of_partner(self.partner))


class DemoPartnerTests(PortalTestCase):
    @override_settings(DEBUG=True)
    def test_the_demo_partner_logs_in_and_sees_its_organisation_and_inquiries_in_several_states(self) -> None:
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())  # once only
        partner = User.objects.get(email="partner@demo.test")
        self.assertFalse(partner.has_staff_access)
        membership = OrganisationMembership.objects.get(user=partner)
        self.assertEqual((membership.organisation.name, membership.is_admin), ("Trøndelag fylkeskommune", True))
        statuses = set(inquiries_of_partner(partner).values_list("status", flat=True))
        self.assertGreaterEqual(len(statuses), 3)
        self.assertTrue(Inquiry.objects.filter(submitted_by=partner, contact__email="partner@demo.test").exists())

        response = self.client.post(LOGIN, {"login": "partner@demo.test", "password": DEMO_PASSWORD})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), partner.pk)
        self.assertContains(self.client.get(reverse("requests_app:my-organisation")), "Trøndelag fylkeskommune")
