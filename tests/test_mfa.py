"""Staff use two-factor authentication (allauth.mfa): an authenticator app (TOTP) or a security key or passkey
(WebAuthn), with recovery codes for a lost device.

With settings.STAFF_MFA_REQUIRED (PORTAL_STAFF_MFA_REQUIRED, on in production) a staff account without one is sent
to set it up before any page but its own account's (portal.access.StaffMfaMiddleware). The test settings leave it
off, so these tests turn it on where they need it.
"""

import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client, SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import User
from partners.services import mark_email_verified
from portal.access import is_open_without_mfa
from portal.apps import PortalStaticFilesConfig
from tests import test_access_matrix as access_matrix
from tests.base import PASSWORD, PortalTestCase, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LOGIN = "/accounts/login/"
MFA_INDEX = "/accounts/2fa/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (waiting out the last second of a 30 s step)."""
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def activate_totp(user: User) -> str:
    """Give the user an authenticator app, as allauth does after a right code; returns the app's secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def in_bokmal(message: str) -> str:
    """A message as the pages show it: the tests' requests are in bokmål, the portal's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


INCORRECT_CODE = "Incorrect code."  # allauth's
MUST_SET_UP = (
    "Staff accounts must use two-factor authentication. Set up an authenticator app or a security key to continue."
)


def redirect_path(response: HttpResponseBase) -> str:
    return urlsplit(response["Location"]).path


@override_settings(STAFF_MFA_REQUIRED=True)
class StaffMfaRequiredTests(PortalTestCase):
    def test_staff_without_a_second_factor_are_sent_to_set_one_up(self) -> None:
        for user in (self.amina, self.bruno, self.dina, self.admin):
            with self.subTest(user.email):
                self.client.force_login(user)
                response = self.client.get("/staff/")
                self.assertRedirects(response, MFA_INDEX, fetch_redirect_response=False)
                page = self.client.get(MFA_INDEX)
                self.assertContains(page, in_bokmal(MUST_SET_UP))
                self.assertTemplateUsed(page, "mfa/index.html")

    def test_the_setup_page_is_in_the_language_of_the_page_asked_for(self) -> None:
        self.client.force_login(self.amina)
        self.assertRedirects(self.client.get("/en/staff/"), f"/en{MFA_INDEX}")

    def test_every_staff_page_and_the_admin_wait_for_a_second_factor(self) -> None:
        """Every URL of the project but the account's own pages, GET and POST, from the access matrix's list."""
        self.client.force_login(self.admin)  # the one persona that may open everything, the admin included
        checked = 0
        for name, (pattern, _i18n) in access_matrix.collected_url_names().items():
            if is_open_without_mfa(name):
                continue
            kwargs: dict[str, object] = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
            if "<slug:token>" in str(pattern.pattern):
                kwargs["token"] = "a-token"
            if "<int:year>" in str(pattern.pattern):
                kwargs["year"] = 2025
            path = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                with self.subTest(url=name, method=method):
                    response = getattr(self.client, method)(path)
                    self.assertEqual((response.status_code, redirect_path(response)), (302, MFA_INDEX))
                    checked += 1
        self.assertGreater(checked, 20)
        self.assertRedirects(self.client.get("/admin/partners/user/"), MFA_INDEX)

    def test_an_admin_only_account_must_set_one_up_too(self) -> None:
        """A Django admin account without a portal role (is_staff) opens staff pages as well."""
        operator = make_user("drift@trondheim.kommune.no", is_staff=True, is_superuser=True)
        self.client.force_login(operator)
        self.assertRedirects(self.client.get("/admin/"), MFA_INDEX)

    def test_setting_up_logging_out_the_language_and_the_health_check_stay_open(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(MFA_INDEX).status_code, 200)
        self.assertEqual(self.client.get(reverse("usersessions_list")).status_code, 200)
        self.assertEqual(self.client.get(REAUTHENTICATE).status_code, 200)
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": MFA_INDEX})
        self.assertRedirects(response, f"/en{MFA_INDEX}", fetch_redirect_response=False)
        self.client.post(reverse("account_logout"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_unknown_addresses_still_answer_404(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get("/staff/denne-finnes-ikke/").status_code, 404)

    def test_htmx_requests_are_sent_to_the_setup_page_as_a_whole_page(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.get("/staff/", headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["HX-Redirect"], MFA_INDEX)

    def test_an_authenticator_app_opens_the_staff_pages_and_the_admin(self) -> None:
        for user in (self.amina, self.admin):
            activate_totp(user)
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get("/staff/").status_code, 200)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_a_security_key_opens_the_staff_pages_too(self) -> None:
        Authenticator.objects.create(user=self.amina, type=Authenticator.Type.WEBAUTHN, data={})
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get("/staff/").status_code, 200)

    def test_recovery_codes_alone_are_not_a_second_factor(self) -> None:
        RecoveryCodes.activate(self.amina)
        self.client.force_login(self.amina)
        self.assertRedirects(self.client.get("/staff/"), MFA_INDEX)

    def test_partners_are_never_asked(self) -> None:
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(self.client.get("/inquiries/new/").status_code, 200)
        self.assertEqual(self.client.get("/staff/").status_code, 403)  # no staff role, as before
        self.assertNotContains(self.client.get(MFA_INDEX), in_bokmal(MUST_SET_UP))

    def test_anonymous_visitors_are_sent_to_log_in_as_before(self) -> None:
        self.assertEqual(self.client.get("/").status_code, 200)
        response = self.client.get("/staff/")
        self.assertEqual(redirect_path(response), LOGIN)

    def test_the_check_costs_one_query_on_a_staff_page(self) -> None:
        activate_totp(self.amina)
        self.client.force_login(self.amina)
        self.client.get("/staff/")  # the first request of a session does a little more
        with CaptureQueriesContext(connection) as checked:
            self.client.get("/staff/")
        with override_settings(STAFF_MFA_REQUIRED=False), CaptureQueriesContext(connection) as unchecked:
            self.client.get("/staff/")
        self.assertEqual(len(checked) - len(unchecked), 1)


@override_settings(STAFF_MFA_REQUIRED=False)
class StaffMfaNotRequiredTests(PortalTestCase):
    """The local demo (make run) sets PORTAL_STAFF_MFA_REQUIRED=false: passwords alone open everything."""

    def test_nothing_is_forced(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get("/staff/").status_code, 200)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_staff_may_still_set_it_up(self) -> None:
        self.client.force_login(self.amina)
        page = self.client.get(MFA_INDEX)
        self.assertContains(page, f'href="{TOTP_ACTIVATE}"')
        self.assertNotContains(page, in_bokmal(MUST_SET_UP))


@override_settings(STAFF_MFA_REQUIRED=True)
class TotpActivationTests(PortalTestCase):
    """A staff member sent to the setup page activates an authenticator app with the real forms."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mark_email_verified(cls.amina)  # allauth refuses a second factor to unverified addresses

    def confirm_password(self) -> None:
        response = self.client.get(TOTP_ACTIVATE)
        # Adding an authenticator asks for the password again, even right after logging in.
        self.assertEqual(redirect_path(response), REAUTHENTICATE)
        response = self.client.post(REAUTHENTICATE, {"password": PASSWORD, "next": TOTP_ACTIVATE})
        self.assertRedirects(response, TOTP_ACTIVATE, fetch_redirect_response=False)

    def test_a_right_code_activates_the_app_and_opens_the_staff_pages(self) -> None:
        self.client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        self.assertRedirects(self.client.get("/staff/"), MFA_INDEX)
        self.confirm_password()
        page = self.client.get(TOTP_ACTIVATE)
        self.assertContains(page, 'src="data:image/svg+xml;base64,')  # the QR code, allowed by img-src data:
        secret = self.client.session[SECRET_SESSION_KEY]
        self.assertContains(page, f'value="{secret}"')  # the same key written out, for typing in

        wrong = self.client.post(TOTP_ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
        self.assertContains(wrong, in_bokmal(INCORRECT_CODE))
        self.assertContains(wrong, 'id="error-summary"')
        self.assertFalse(Authenticator.objects.filter(user=self.amina).exists())

        response = self.client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})
        self.assertRedirects(response, reverse("mfa_view_recovery_codes"), fetch_redirect_response=False)
        self.assertEqual(
            set(Authenticator.objects.filter(user=self.amina).values_list("type", flat=True)),
            {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES},
        )
        codes = self.client.get(reverse("mfa_view_recovery_codes"))
        for code in RecoveryCodes(Authenticator.objects.get(user=self.amina, type="recovery_codes")).generate_codes():
            self.assertContains(codes, code)
        self.assertEqual(self.client.get("/staff/").status_code, 200)

    def test_an_unverified_address_cannot_add_a_second_factor(self) -> None:
        self.client.force_login(self.bruno)
        EmailAddress.objects.create(user=self.bruno, email=self.bruno.email, verified=False, primary=True)
        self.assertRedirects(self.client.get(TOTP_ACTIVATE), MFA_INDEX, fetch_redirect_response=False)


@override_settings(STAFF_MFA_REQUIRED=True)
class TotpLoginTests(PortalTestCase):
    secret: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mark_email_verified(cls.amina)
        cls.secret = activate_totp(cls.amina)

    def log_in_with_password(self, client: Client) -> None:
        response = client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        self.assertRedirects(response, MFA_AUTHENTICATE, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", client.session)

    def test_the_password_alone_does_not_log_in(self) -> None:
        self.log_in_with_password(self.client)
        page = self.client.get(MFA_AUTHENTICATE)
        self.assertContains(page, 'autocomplete="one-time-code"')
        self.assertEqual(redirect_path(self.client.get("/staff/")), LOGIN)

    def test_a_wrong_code_is_refused(self) -> None:
        self.log_in_with_password(self.client)
        wrong = "000000" if totp_code(self.secret) != "000000" else "111111"
        response = self.client.post(MFA_AUTHENTICATE, {"code": wrong})
        self.assertContains(response, in_bokmal(INCORRECT_CODE))
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(redirect_path(self.client.get("/staff/")), LOGIN)

    def test_the_right_code_logs_in_and_opens_the_staff_pages(self) -> None:
        self.log_in_with_password(self.client)
        response = self.client.post(MFA_AUTHENTICATE, {"code": totp_code(self.secret)})
        self.assertRedirects(response, "/staff/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.amina.pk)

    def test_a_recovery_code_logs_in_once(self) -> None:
        first, second = RecoveryCodes.activate(self.amina).get_unused_codes()[:2]
        self.log_in_with_password(self.client)
        self.assertRedirects(self.client.post(MFA_AUTHENTICATE, {"code": first}), "/staff/")
        self.client.post(reverse("account_logout"))

        again = Client()
        self.log_in_with_password(again)
        response = again.post(MFA_AUTHENTICATE, {"code": first})
        self.assertContains(response, in_bokmal(INCORRECT_CODE))
        self.assertNotIn("_auth_user_id", again.session)
        self.assertRedirects(again.post(MFA_AUTHENTICATE, {"code": second}), "/staff/")


class PasskeyLoginTests(PortalTestCase):
    def test_the_login_page_offers_a_passkey(self) -> None:
        page = self.client.get(LOGIN)
        self.assertContains(page, 'id="passkey_login"')
        self.assertContains(page, f'action="{reverse("mfa_login_webauthn")}"')

    def test_the_browser_gets_the_request_options_as_json(self) -> None:
        response = self.client.get(reverse("mfa_login_webauthn"), headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("publicKey", response.json()["request_options"])


class _ScriptsAndStyles(HTMLParser):
    """What a strict Content-Security-Policy (no inline script or style) would block on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.script_sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.blocked.append(f"<{tag} style=...>")
        if any(name.startswith("on") for name in attributes):
            self.blocked.append(f"<{tag}> with an inline event handler")
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script":
            if attributes.get("src"):
                self.script_sources.append(str(attributes["src"]))
            elif attributes.get("type") != "application/json":  # data, which the policy does not govern
                self.blocked.append(f"inline <script {attributes}>")


@override_settings(STAFF_MFA_REQUIRED=True)
class MfaPagesTests(PortalTestCase):
    """allauth's two-factor pages are drawn by the portal's layout and fit its Content-Security-Policy."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mark_email_verified(cls.amina)

    def pages(self) -> dict[str, "TestResponse"]:
        client = Client()
        client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        client.post(REAUTHENTICATE, {"password": PASSWORD})
        pages = {
            "setup": client.get(MFA_INDEX),
            "activate": client.get(TOTP_ACTIVATE),
            "add key": client.get(reverse("mfa_add_webauthn")),
        }
        secret = client.session[SECRET_SESSION_KEY]
        pages["activated"] = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)}, follow=True)
        pages["keys"] = client.get(reverse("mfa_list_webauthn"))
        pages["generate codes"] = client.get(reverse("mfa_generate_recovery_codes"))
        pages["deactivate"] = client.get(reverse("mfa_deactivate_totp"))
        client.post(reverse("account_logout"))
        client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD})
        pages["code at login"] = client.get(MFA_AUTHENTICATE)
        pages["login"] = Client().get(LOGIN)
        return pages

    def test_the_pages_use_the_portal_layout_and_no_inline_script_or_style(self) -> None:
        for name, page in self.pages().items():
            with self.subTest(name):
                self.assertEqual(page.status_code, 200)
                self.assertTemplateUsed(page, "base.html")
                self.assertContains(page, '<h1 class="ds-heading"', count=1)
                parser = _ScriptsAndStyles()
                parser.feed(page.content.decode())
                self.assertEqual(parser.blocked, [])
                for source in parser.script_sources:
                    self.assertTrue(source.startswith(settings.STATIC_URL), source)
                    self.assertIsNotNone(finders.find(source.removeprefix(settings.STATIC_URL)), source)

    def test_allauths_scripts_are_published_by_collectstatic(self) -> None:
        """PortalStaticFilesConfig leaves out only static/vendor/'s tooling, not allauth's scripts."""
        ignore_patterns = PortalStaticFilesConfig.ignore_patterns
        published = {path for finder in finders.get_finders() for path, _storage in finder.list(ignore_patterns)}
        for script in ("mfa/js/webauthn.js", "mfa/js/webauthn-json.js", "mfa/js/recovery_codes.js"):
            self.assertIn(script, published)
        self.assertIn("account/js/onload.js", published)

    def test_the_menu_links_to_the_setup_page(self) -> None:
        self.client.force_login(self.partner)
        with translation.override("en"):
            self.assertContains(self.client.get("/en/"), f'href="/en{MFA_INDEX}"')


class StaffMfaSettingTests(SimpleTestCase):
    """PORTAL_STAFF_MFA_REQUIRED is read from the environment: on unless set to false; anything else stops the start."""

    def settings_with(self, **variables: str) -> subprocess.CompletedProcess[str]:
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "REDIS_", "DATABASE_", "EMAIL_", "PORTAL_"))
        }
        environment.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **variables})
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings as s; "
                "print(s.STAFF_MFA_REQUIRED, s.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN)",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def test_production_requires_it_unless_told_otherwise(self) -> None:
        production = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "fn.example.no"}
        for value, expected in [("", "True False"), ("true", "True False"), ("false", "False False")]:
            with self.subTest(value=value):
                result = self.settings_with(**production, PORTAL_STAFF_MFA_REQUIRED=value)
                self.assertEqual(result.stdout.strip(), expected, result.stderr)

    def test_the_local_demo_allows_security_keys_on_plain_http(self) -> None:
        result = self.settings_with(DJANGO_DEBUG="true", PORTAL_STAFF_MFA_REQUIRED="false")
        self.assertEqual(result.stdout.strip(), "False True", result.stderr)

    def test_a_misspelt_value_stops_the_start(self) -> None:
        result = self.settings_with(DJANGO_DEBUG="true", PORTAL_STAFF_MFA_REQUIRED="maybe")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("PORTAL_STAFF_MFA_REQUIRED must be true or false, not 'maybe'.", result.stderr)
