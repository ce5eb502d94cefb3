"""Who speaks for an organisation: the secretariat links and unlinks accounts on the organisation's page, and an
organisation admin invites colleagues by e-mail (a hashed token, valid for OrganisationInvitation.VALID_DAYS,
revocable, usable only by an account that has verified the invited address)."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, OrganisationInvitation, OrganisationMembership, User
from partners.services import (
    MAX_PENDING_INVITATIONS,
    MembershipError,
    accept_invitation,
    invite_colleague,
    link_account,
    revoke_invitation,
    unlink_account,
)
from requests_app.models import OutboxMessage
from requests_app.selectors import inquiries_of_partner
from requests_app.services.organisations import merge_organisations
from requests_app.services.partner_accounts import send_invitation
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_organisation

# These tests read the English texts: reverse() gives /en/ addresses and messages are in English.
pytestmark = pytest.mark.usefixtures("in_english")


DAY = datetime.timedelta(days=1)


def verify(user: User, email: str | None = None) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=email or user.email, defaults={"verified": True, "primary": email is None}
    )


class MembershipTestCase(PortalTestCase):
    organisation: Organisation
    kari: User  # the organisation's admin
    ola: User  # a colleague with a verified account, not yet a member

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.organisation = make_organisation(name="Nidaros Klimalab AS")
        cls.kari = make_user("kari@klimalab.no", full_name="Kari Nordmann")
        cls.ola = make_user("ola@klimalab.no", full_name="Ola Nordmann")
        for user in (cls.kari, cls.ola, cls.partner):
            verify(user)
        OrganisationMembership.objects.create(user=cls.kari, organisation=cls.organisation, is_admin=True)


class LinkAccountTests(MembershipTestCase):
    def page(self) -> str:
        return reverse("requests_app:organisation-detail", args=[self.organisation.pk])

    def test_the_secretariat_links_a_verified_account_by_e_mail_and_it_sees_the_organisations_inquiries(self) -> None:
        inquiry = make_inquiry(organisation=self.organisation, contact=make_contact(self.organisation))
        self.client.force_login(self.amina)
        response = self.client.post(
            reverse("requests_app:membership-create", args=[self.organisation.pk]),
            {"email": "OLA@klimalab.no", "is_admin": "on"},
        )
        self.assertRedirects(response, self.page() + "#accounts", fetch_redirect_response=False)
        membership = OrganisationMembership.objects.get(user=self.ola)
        self.assertEqual(
            (membership.organisation, membership.is_admin, membership.added_by), (self.organisation, True, self.amina)
        )
        self.assertEqual(list(inquiries_of_partner(self.ola)), [inquiry])
        self.assertEqual(LogEntry.objects.filter(object_id=str(self.organisation.pk)).count(), 1)
        page = self.client.get(self.page())
        self.assertContains(page, "ola@klimalab.no")
        self.assertContains(page, reverse("requests_app:membership-delete", args=[membership.pk]))

    def test_an_unknown_or_unverified_address_a_staff_account_and_a_member_are_refused(self) -> None:
        EmailAddress.objects.create(user=make_user("new@klimalab.no"), email="new@klimalab.no", verified=False)
        verify(self.bruno)
        for email in ("nobody@klimalab.no", "new@klimalab.no", self.bruno.email, self.kari.email):
            with self.subTest(email), self.assertRaises(MembershipError):
                link_account(self.organisation, email=email, actor=self.amina)
        self.assertEqual(OrganisationMembership.objects.count(), 1)

    def test_a_refusal_is_shown_on_the_page(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.post(
            reverse("requests_app:membership-create", args=[self.organisation.pk]),
            {"email": "nobody@example.no"},
            follow=True,
        )
        self.assertContains(response, "No account has confirmed the address nobody@example.no")

    def test_the_secretariat_removes_an_account(self) -> None:
        membership = OrganisationMembership.objects.get(user=self.kari)
        self.client.force_login(self.amina)
        response = self.client.post(reverse("requests_app:membership-delete", args=[membership.pk]))
        self.assertRedirects(response, self.page() + "#accounts", fetch_redirect_response=False)
        self.assertFalse(OrganisationMembership.objects.exists())

    def test_only_the_secretariat_and_administrators_link_and_unlink(self) -> None:
        membership = OrganisationMembership.objects.get(user=self.kari)
        for user in (self.dina, self.bruno, self.kari):
            with self.subTest(user.email):
                with self.assertRaises(MembershipError):
                    link_account(self.organisation, email=self.ola.email, actor=user)
                with self.assertRaises(MembershipError):
                    unlink_account(membership, actor=user)
        self.client.force_login(self.dina)
        self.assertEqual(
            self.client.post(
                reverse("requests_app:membership-create", args=[self.organisation.pk]), {"email": self.ola.email}
            ).status_code,
            403,
        )
        self.assertNotContains(self.client.get(self.page()), "Link an account by e-mail")
        self.assertEqual(OrganisationMembership.objects.count(), 1)

    def test_merging_two_organisations_keeps_one_membership_per_account(self) -> None:
        other = make_organisation(name="Nidaros Klima-lab")
        OrganisationMembership.objects.create(user=self.kari, organisation=other)
        OrganisationMembership.objects.create(user=self.ola, organisation=other)
        merge_organisations(self.organisation, other, actor=self.amina)
        self.assertEqual(
            set(OrganisationMembership.objects.values_list("user__email", "organisation", "is_admin")),
            {(self.kari.email, self.organisation.pk, True), (self.ola.email, self.organisation.pk, False)},
        )


class InvitationTests(MembershipTestCase):
    def invite(self, email: str = "ola@klimalab.no") -> str:
        """Invite through the page, as Kari; the token from the e-mail."""
        self.client.force_login(self.kari)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("requests_app:invitation-create"), {"email": email})
        self.assertRedirects(response, reverse("requests_app:my-organisation"), fetch_redirect_response=False)
        found = re.search(r"/invitations/([\w-]+)/", str(mail.outbox[-1].body))
        assert found is not None
        return found.group(1)

    def test_an_admin_invites_by_e_mail_through_the_outbox_and_only_the_tokens_hash_is_stored(self) -> None:
        token = self.invite()
        invitation = OrganisationInvitation.objects.get()
        self.assertEqual((invitation.email, invitation.invited_by), ("ola@klimalab.no", self.kari))
        self.assertNotEqual(invitation.token_hash, token)
        self.assertEqual(invitation.token_hash, OrganisationInvitation.hash_token(token))
        self.assertAlmostEqual(
            invitation.expires_at - invitation.created_at,
            datetime.timedelta(days=OrganisationInvitation.VALID_DAYS),
            delta=datetime.timedelta(seconds=5),
        )
        self.assertEqual(mail.outbox[0].to, ["ola@klimalab.no"])
        self.assertIn("Nidaros Klimalab AS", mail.outbox[0].subject)
        row = OutboxMessage.objects.get(to="ola@klimalab.no")
        self.assertEqual((row.template, row.status), ("organisation_invitation", OutboxMessage.Status.SENT))
        page = self.client.get(reverse("requests_app:my-organisation"))
        self.assertContains(page, "ola@klimalab.no")
        self.assertContains(page, reverse("requests_app:invitation-revoke", args=[invitation.pk]))

    def test_the_invited_colleague_accepts_and_joins_as_a_member(self) -> None:
        token = self.invite()
        self.client.force_login(self.ola)
        url = reverse("requests_app:invitation-accept", args=[token])
        page = self.client.get(url)
        self.assertContains(page, "Join Nidaros Klimalab AS")
        response = self.client.post(url)
        self.assertRedirects(response, reverse("requests_app:my-organisation"), fetch_redirect_response=False)
        membership = OrganisationMembership.objects.get(user=self.ola)
        self.assertEqual(
            (membership.organisation, membership.is_admin, membership.added_by), (self.organisation, False, self.kari)
        )
        invitation = OrganisationInvitation.objects.get()
        self.assertEqual(invitation.accepted_by, self.ola)
        # Used once: the link now says so.
        self.assertContains(self.client.get(url), "already been used", status_code=410)

    def test_an_address_added_and_verified_later_may_accept(self) -> None:
        token = self.invite("ola.nordmann@klimalab.no")
        verify(self.ola, "ola.nordmann@klimalab.no")
        self.client.force_login(self.ola)
        self.client.post(reverse("requests_app:invitation-accept", args=[token]))
        self.assertTrue(OrganisationMembership.objects.filter(user=self.ola).exists())

    def test_another_account_or_an_unverified_address_cannot_accept(self) -> None:
        token = self.invite()
        url = reverse("requests_app:invitation-accept", args=[token])
        self.client.force_login(self.partner)
        response = self.client.get(url)
        self.assertContains(response, "This invitation was sent to ola@klimalab.no", status_code=403)
        self.assertNotContains(response, "Join Nidaros", status_code=403)
        self.assertEqual(self.client.post(url).status_code, 403)
        EmailAddress.objects.create(user=self.partner, email="OLA@klimalab.no", verified=False)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertFalse(OrganisationMembership.objects.filter(user=self.partner).exists())
        self.assertIsNone(OrganisationInvitation.objects.get().accepted_at)

    def test_anonymous_visitors_are_asked_to_log_in_and_an_unknown_token_is_a_404(self) -> None:
        token = self.invite()
        self.client.logout()
        url = reverse("requests_app:invitation-accept", args=[token])
        response = self.client.get(url)
        self.assertRedirects(response, f"{reverse('account_login')}?next={url}", fetch_redirect_response=False)
        self.client.force_login(self.ola)
        self.assertEqual(
            self.client.get(reverse("requests_app:invitation-accept", args=["not-a-token"])).status_code, 404
        )

    def test_an_expired_invitation_cannot_be_accepted(self) -> None:
        now = timezone.now()
        invitation, _token = invite_colleague(self.organisation, email="ola@klimalab.no", actor=self.kari, now=now)
        later = now + datetime.timedelta(days=OrganisationInvitation.VALID_DAYS) + DAY
        with self.assertRaisesMessage(MembershipError, "expired"):
            accept_invitation(invitation, user=self.ola, now=later)
        self.assertFalse(OrganisationMembership.objects.filter(user=self.ola).exists())
        accept_invitation(invitation, user=self.ola, now=later - 2 * DAY)  # the day before it expired: fine

    def test_an_expired_invitation_page_says_so(self) -> None:
        token = self.invite()
        OrganisationInvitation.objects.update(expires_at=timezone.now() - DAY)
        self.client.force_login(self.ola)
        self.assertContains(
            self.client.post(reverse("requests_app:invitation-accept", args=[token])), "expired", status_code=410
        )
        self.assertFalse(OrganisationMembership.objects.filter(user=self.ola).exists())

    def test_a_revoked_invitation_cannot_be_accepted(self) -> None:
        token = self.invite()
        invitation = OrganisationInvitation.objects.get()
        response = self.client.post(reverse("requests_app:invitation-revoke", args=[invitation.pk]))
        self.assertRedirects(response, reverse("requests_app:my-organisation"), fetch_redirect_response=False)
        self.client.force_login(self.ola)
        response = self.client.post(reverse("requests_app:invitation-accept", args=[token]))
        self.assertContains(response, "withdrawn", status_code=410)
        self.assertFalse(OrganisationMembership.objects.filter(user=self.ola).exists())
        with self.assertRaises(MembershipError):
            revoke_invitation(invitation, actor=self.kari)  # not twice

    def test_a_non_admin_can_neither_invite_nor_revoke(self) -> None:
        OrganisationMembership.objects.create(user=self.ola, organisation=self.organisation)
        invitation, _token = invite_colleague(self.organisation, email="per@klimalab.no", actor=self.kari)
        for actor in (self.ola, self.partner, self.amina):
            with self.subTest(actor.email), self.assertRaises(MembershipError):
                invite_colleague(self.organisation, email="someone@klimalab.no", actor=actor)
            with self.subTest(actor.email), self.assertRaises(MembershipError):
                revoke_invitation(invitation, actor=actor)
        self.client.force_login(self.ola)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("requests_app:invitation-create"), {"email": "x@klimalab.no"}, follow=True
            )
        self.assertContains(response, "Only the organisation&#x27;s admins may invite colleagues.")
        self.assertNotContains(response, "Invite a colleague")
        self.assertEqual(mail.outbox, [])
        self.assertEqual(OrganisationInvitation.objects.count(), 1)
        # Someone who is not a member does not even find the invitation.
        self.client.force_login(self.partner)
        self.assertEqual(
            self.client.post(reverse("requests_app:invitation-revoke", args=[invitation.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.post(reverse("requests_app:invitation-create"), {"email": "x@a.no"}).status_code, 404
        )

    def test_inviting_a_member_is_refused_and_inviting_again_replaces_the_pending_invitation(self) -> None:
        with self.assertRaises(MembershipError):
            invite_colleague(self.organisation, email="KARI@klimalab.no", actor=self.kari)
        first, _ = invite_colleague(self.organisation, email="ola@klimalab.no", actor=self.kari)
        second, _ = invite_colleague(self.organisation, email="ola@klimalab.no", actor=self.kari)
        first.refresh_from_db()
        self.assertIsNotNone(first.revoked_at)
        self.assertIsNone(second.revoked_at)

    def test_no_more_than_the_limit_of_invitations_wait_at_once(self) -> None:
        for number in range(MAX_PENDING_INVITATIONS):
            invite_colleague(self.organisation, email=f"person{number}@klimalab.no", actor=self.kari)
        with self.assertRaises(MembershipError):
            invite_colleague(self.organisation, email="one-more@klimalab.no", actor=self.kari)

    def test_a_failed_invitation_writes_no_e_mail(self) -> None:
        with self.assertRaises(MembershipError):
            send_invitation(self.organisation, email="x@klimalab.no", actor=self.ola, language="nb")
        self.assertFalse(OutboxMessage.objects.exists())

    def test_the_page_without_an_organisation_explains_how_to_get_one(self) -> None:
        self.client.force_login(self.partner)
        response = self.client.get(reverse("requests_app:my-organisation"))
        self.assertContains(response, "Your account is not linked to an organisation yet.")
