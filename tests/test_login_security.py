"""Login throttling (allauth's rate limits, the admin included), password rules, session fixation, and redirects
after login that stay on this site."""

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.base import PASSWORD, PortalTestCase
from tests.factories import make_inquiry

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LOGIN = "/accounts/login/"


class LoginThrottlingTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for user in (cls.amina, cls.admin):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    def test_after_five_failed_logins_even_the_right_password_is_refused(self) -> None:
        for _ in range(5):
            response = self.client.post(LOGIN, {"login": self.amina.email, "password": "not-the-password"})
            self.assertEqual(response.status_code, 200)
        response = self.client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        # allauth refuses the sixth attempt in the form ("too many failed login attempts"), before the password
        # is checked, so a correct guess cannot be told apart from a wrong one.
        self.assertEqual(response.status_code, 200)
        self.assertIn("too_many_login_attempts", _error_codes(response))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_too_many_login_posts_from_one_address_get_a_429(self) -> None:
        allowed = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
        for number in range(allowed):
            response = self.client.post(LOGIN, {"login": f"guess{number}@example.no", "password": "guess"})
            self.assertEqual(response.status_code, 200)
        response = self.client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The portal's own page, in the portal's layout and language, says what to do.
        self.assertTemplateUsed(response, "429.html")
        self.assertContains(response, '<html lang="nb">', status_code=429)
        self.assertContains(response, "For mange forsøk", status_code=429)

    def test_failed_logins_for_one_person_do_not_lock_out_another(self) -> None:
        for _ in range(5):
            self.client.post(LOGIN, {"login": self.amina.email, "password": "not-the-password"})
        response = self.client.post(LOGIN, {"login": self.admin.email, "password": PASSWORD})
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)


class AdminLoginTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.admin, email=cls.admin.email, verified=True, primary=True)

    def test_admin_login_sends_anonymous_visitors_to_the_portal_login(self) -> None:
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertRedirects(response, f"{LOGIN}?next=%2Fadmin%2F", fetch_redirect_response=False)

    def test_admin_pages_send_anonymous_visitors_to_the_portal_login(self) -> None:
        response = self.client.get("/admin/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], f"{LOGIN}?next=%2Fadmin%2F")

    def test_posting_credentials_to_the_admin_login_does_not_log_in(self) -> None:
        response = self.client.post("/admin/login/", {"username": self.admin.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_admin_logs_in_through_the_portal_login_and_reaches_the_admin(self) -> None:
        response = self.client.post(f"{LOGIN}?next=/admin/", {"login": self.admin.email, "password": PASSWORD})
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_signed_in_user_without_staff_status_is_refused_at_the_admin_login(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get("/admin/login/").status_code, 403)

    def test_admin_login_counts_towards_the_login_rate_limit(self) -> None:
        for _ in range(5):
            self.client.post(LOGIN + "?next=/admin/", {"login": self.admin.email, "password": "not-the-password"})
        response = self.client.post(f"{LOGIN}?next=/admin/", {"login": self.admin.email, "password": PASSWORD})
        self.assertIn("too_many_login_attempts", _error_codes(response))
        self.assertEqual(self.client.get("/admin/").status_code, 302)


class PasswordRuleTests(PortalTestCase):
    def test_short_password_is_rejected(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            validate_password("kort-pass1")
        self.assertIn("password_too_short", [error.code for error in raised.exception.error_list])

    def test_common_password_is_rejected(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            validate_password("qwerty123456")
        self.assertIn("password_too_common", [error.code for error in raised.exception.error_list])

    def test_password_like_the_persons_e_mail_is_rejected(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            validate_password("amina@trondheim.kommune.no", user=self.amina)
        self.assertIn("password_too_similar", [error.code for error in raised.exception.error_list])

    def test_long_uncommon_passphrase_is_accepted(self) -> None:
        validate_password("nidelva-morgen-sykkel-7")


class SessionFixationTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.amina, email=cls.amina.email, verified=True, primary=True)

    def test_session_key_changes_at_login(self) -> None:
        session = self.client.session
        session["planted"] = "by an attacker"
        session.save()
        key_before = session.session_key
        response = self.client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
        self.assertNotEqual(self.client.session.session_key, key_before)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.amina.pk)


class LoginRedirectTests(PortalTestCase):
    """After login the portal sends people only to its own pages, whatever `next` says."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.amina, email=cls.amina.email, verified=True, primary=True)

    def login(self, next_url: str) -> "TestResponse":
        return self.client.post(
            f"{LOGIN}?{urlencode({'next': next_url})}", {"login": self.amina.email, "password": PASSWORD}
        )

    def test_next_pointing_to_another_site_is_ignored(self) -> None:
        for next_url in (
            "https://evil.example/",
            "//evil.example",
            "//evil.example/staff/",
            "http://evil.example/staff/",
            "https:evil.example",
            "/\\evil.example",
            "\\\\evil.example",
        ):
            with self.subTest(next_url=next_url):
                response = self.login(next_url)
                self.assertEqual(int(self.client.session["_auth_user_id"]), self.amina.pk)
                # A path of this site, the staff's start page, and not a host-relative address like //host.
                self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
                self.client.logout()

    def test_next_in_the_login_form_pointing_to_another_site_is_ignored(self) -> None:
        response = self.client.post(
            LOGIN, {"login": self.amina.email, "password": PASSWORD, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)

    def test_signed_in_visitor_of_the_login_page_is_not_sent_to_another_site(self) -> None:
        self.client.force_login(self.amina)
        for next_url in ("https://evil.example/", "//evil.example"):
            with self.subTest(next_url=next_url):
                response = self.client.get(f"{LOGIN}?{urlencode({'next': next_url})}")
                self.assertRedirects(response, "/staff/", fetch_redirect_response=False)

    def test_next_on_this_site_is_followed_after_login(self) -> None:
        inquiry = make_inquiry()
        for next_url in ("/staff/", f"/staff/inquiries/{inquiry.pk}/", "/staff/?status=received"):
            with self.subTest(next_url=next_url):
                response = self.login(next_url)
                self.assertRedirects(response, next_url, fetch_redirect_response=False)
                self.client.logout()


def _error_codes(response: object) -> list[str]:
    """The codes of the login form's non-field errors."""
    form = response.context["form"]  # type: ignore[attr-defined]
    return [error.code for error in form.errors.as_data().get("__all__", [])]
