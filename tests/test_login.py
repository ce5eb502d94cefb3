from allauth.account.models import EmailAddress
from django.core import mail

from requests_app.models import OutboxMessage
from tests.base import PASSWORD, PortalTestCase

LOGIN = "/accounts/login/"


class LoginTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.amina, email=cls.amina.email, verified=True, primary=True)

    def test_staff_log_in_with_e_mail_and_password_and_land_on_the_staff_list(self) -> None:
        response = self.client.post(LOGIN, {"login": "Amina@Trondheim.Kommune.no", "password": PASSWORD})
        self.assertRedirects(response, "/staff/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.amina.pk)

    def test_login_returns_to_the_page_asked_for(self) -> None:
        response = self.client.post(
            f"{LOGIN}?next=/staff/inquiries/1/", {"login": self.amina.email, "password": PASSWORD}
        )
        self.assertRedirects(response, "/staff/inquiries/1/", fetch_redirect_response=False)

    def test_wrong_password_is_refused(self) -> None:
        response = self.client.post(LOGIN, {"login": self.amina.email, "password": "not-the-password"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="error-summary"')
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_account_with_an_unverified_e_mail_is_asked_to_confirm_it_first(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(LOGIN, {"login": self.bruno.email, "password": PASSWORD})
        self.assertRedirects(response, "/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(mail.outbox[0].to, [self.bruno.email])
        # allauth's e-mails go through the outbox like the portal's own.
        row = OutboxMessage.objects.get(to=self.bruno.email)
        self.assertEqual((row.template, row.status), ("email_confirmation", OutboxMessage.Status.SENT))
        self.assertEqual(row.subject, mail.outbox[0].subject)
