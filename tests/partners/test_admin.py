"""Accounts made by an administrator can log in without an e-mail confirmation round."""

from allauth.account.models import EmailAddress

from partners.models import User
from tests.base import PortalTestCase


class AdminCreatedUserTests(PortalTestCase):
    def test_user_added_in_the_admin_has_a_verified_address_and_can_log_in(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/partners/user/add/",
            {
                "email": "ny.ansatt@trondheim.kommune.no",
                "full_name": "Ny Ansatt",
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        user = User.objects.get(email="ny.ansatt@trondheim.kommune.no")
        address = EmailAddress.objects.get(user=user)
        self.assertTrue(address.verified)
        self.assertTrue(address.primary)

        self.client.logout()
        response = self.client.post(
            "/accounts/login/",
            {"login": "ny.ansatt@trondheim.kommune.no", "password": "a-long-and-unusual-passphrase"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("confirm-email", response["Location"])
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)
