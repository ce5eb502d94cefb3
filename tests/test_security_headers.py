"""The security headers every response carries (tests run with DJANGO_DEBUG=false, as production does)."""

from django.test import SimpleTestCase, override_settings

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def _directives(header: str) -> dict[str, str]:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


class SecurityHeaderTests(SimpleTestCase):
    def test_pages_have_a_strict_content_security_policy(self) -> None:
        header = self.client.get("/", secure=True)["Content-Security-Policy"]
        self.assertEqual(_directives(header), EXPECTED_CSP)
        self.assertNotIn("unsafe-inline", header)
        self.assertNotIn("unsafe-eval", header)
        self.assertNotIn("unsafe-hashes", header)

    def test_policy_is_enforced_not_only_reported(self) -> None:
        response = self.client.get("/", secure=True)
        self.assertIn("Content-Security-Policy", response.headers)
        self.assertNotIn("Content-Security-Policy-Report-Only", response.headers)

    def test_pages_switch_off_unused_browser_features(self) -> None:
        header = self.client.get("/", secure=True)["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            self.assertIn(f"{feature}=()", header)

    def test_pages_have_referrer_policy_nosniff_and_frame_options(self) -> None:
        response = self.client.get("/", secure=True)
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")

    def test_error_pages_carry_the_headers_too(self) -> None:
        response = self.client.get("/no-such-page/", secure=True)
        self.assertEqual(response.status_code, 404)
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_https_responses_have_hsts_for_a_year_with_subdomains_and_preload(self) -> None:
        response = self.client.get("/", secure=True)
        self.assertEqual(response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload")

    def test_plain_http_responses_have_no_hsts(self) -> None:
        self.assertNotIn("Strict-Transport-Security", self.client.get("/").headers)

    @override_settings(SECURE_HSTS_SECONDS=0)
    def test_hsts_can_be_switched_off_with_zero_seconds(self) -> None:
        self.assertNotIn("Strict-Transport-Security", self.client.get("/", secure=True).headers)


class CookieTests(SimpleTestCase):
    def test_production_cookies_are_secure_http_only_and_same_site_lax(self) -> None:
        from django.conf import settings

        self.assertTrue(settings.SESSION_COOKIE_SECURE)
        self.assertTrue(settings.SESSION_COOKIE_HTTPONLY)
        self.assertEqual(settings.SESSION_COOKIE_SAMESITE, "Lax")
        self.assertTrue(settings.CSRF_COOKIE_SECURE)
        self.assertEqual(settings.CSRF_COOKIE_SAMESITE, "Lax")

    def test_csrf_cookie_is_set_with_secure_and_same_site(self) -> None:
        response = self.client.get("/accounts/login/", secure=True)
        cookie = response.cookies["csrftoken"]
        self.assertTrue(cookie["secure"])
        self.assertEqual(cookie["samesite"], "Lax")
