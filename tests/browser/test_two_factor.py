"""Two-factor authentication in the browser, with the requirement for staff switched on as in production.

The crawls (test_accessibility.py) reach the setup page and the password confirmation through the menu; the pages
that only forms lead to are checked here, in bokmål and English, with axe and the portal's page checks: the setup
page a staff member is sent to, activating an authenticator app (wrong and right codes), the recovery codes, adding
a security key (Chromium's virtual authenticator answers for it), the code asked for at login, and logging in with
a passkey. allauth's scripts must run under the Content-Security-Policy: any violation or script error fails.
"""

import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import override_settings
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Locator, Page, Response
from pytest_django.live_server_helper import LiveServer

from tests.base import PASSWORD
from tests.browser.checks import AXE_VERSION
from tests.browser.crawl import SiteCheck
from tests.browser.personas import SECRETARIAT, Persona
from tests.browser.site import LANGUAGES, localised, submit_and_wait, submit_button, submit_login_form
from tests.test_mfa import MUST_SET_UP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MFA_INDEX = "/accounts/2fa/"


@pytest.fixture
def staff_mfa_required() -> Iterator[None]:
    """The requirement on for the live server too (it reads the same settings object)."""
    with override_settings(STAFF_MFA_REQUIRED=True):
        yield


def totp_code(secret: str) -> str:
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.5)  # not a code that expires on the way to the server
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def click_and_wait(page: Page, target: Locator) -> Response | None:
    with page.expect_navigation() as navigation:
        target.click()
    return navigation.value


def expect_path(site: SiteCheck, path: str, step: str) -> None:
    landed = site.normalise(site.page.url)
    assert landed == localised(path, site.language), f"{step}: expected {path}, the browser is at {site.page.url}"


def browser_problems(page: Page) -> list[str]:
    """Content-Security-Policy violations and script errors, collected as they happen."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))
    return problems


def add_virtual_security_key(page: Page) -> None:
    """Chromium's virtual authenticator (DevTools protocol): a platform key with PIN/biometrics that says yes."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def set_up_an_authenticator_app(site: SiteCheck, persona: Persona) -> None:
    """Log in, get sent to the setup page, confirm the password, activate an app, see the recovery codes."""
    page = site.page
    assert persona.user is not None
    page.goto(localised("/accounts/login/", site.language))
    response = submit_login_form(page, persona.email, PASSWORD)
    expect_path(site, MFA_INDEX, "after logging in without a second factor")
    report = site.check_current(response, how="setup page a staff member without a second factor is sent to")
    with translation.override(site.language):
        why = translation.gettext(MUST_SET_UP)
    if page.locator("main .ds-alert", has_text=why).count() != 1:
        report.problems.append(f"{page.url}: no message saying why the staff member was sent here")

    response = click_and_wait(page, page.locator(f"main a[href$='{MFA_INDEX}totp/activate/']"))
    expect_path(site, "/accounts/reauthenticate/", "activating an app")
    site.check_current(response, how="password asked for again before adding an authenticator")
    form = page.locator("main form", has=page.locator("[name='password']"))
    form.locator("[name='password']").fill("not-the-password")
    site.check_current(submit_and_wait(page, submit_button(form)), how="password confirmation with a wrong password")
    form.locator("[name='password']").fill(PASSWORD)
    response = submit_and_wait(page, submit_button(form))
    expect_path(site, f"{MFA_INDEX}totp/activate/", "after confirming the password")
    site.check_current(response, how="activating an authenticator app: QR code and key")

    form = page.locator("main form", has=page.locator("[name='code']"))
    form.locator("[name='code']").fill("12")
    site.check_current(submit_and_wait(page, submit_button(form)), how="authenticator app activated with a wrong code")
    secret = page.locator("#authenticator_secret").input_value()
    form.locator("[name='code']").fill(totp_code(secret))
    response = submit_and_wait(page, submit_button(form))
    expect_path(site, f"{MFA_INDEX}recovery-codes/", "after a right code")
    site.check_current(response, how="recovery codes shown after activating the app")
    assert Authenticator.objects.filter(user=persona.user, type=Authenticator.Type.TOTP).exists()

    site.visit(localised(MFA_INDEX, site.language), how="setup page with an app and recovery codes")
    site.visit(localised(f"{MFA_INDEX}recovery-codes/generate/", site.language), how="new recovery codes")
    site.visit(localised(f"{MFA_INDEX}totp/deactivate/", site.language), how="deactivating the app")
    site.visit(localised(f"{MFA_INDEX}reauthenticate/", site.language), how="confirming access with the app")
    response = page.goto(localised("/staff/", site.language))
    assert response is not None and response.status == 200, f"the staff list answered {response and response.status}"


def add_a_passkey(site: SiteCheck) -> None:
    page = site.page
    add_virtual_security_key(page)
    response = page.goto(localised(f"{MFA_INDEX}webauthn/add/", site.language))
    site.check_current(response, how="adding a security key")
    page.locator("main [name='passwordless']").check()
    response = click_and_wait(page, page.locator("#mfa_webauthn_add"))
    expect_path(site, MFA_INDEX, "after adding a security key")
    site.check_current(response, how="setup page with an app, a passkey and recovery codes")
    assert Authenticator.objects.filter(type=Authenticator.Type.WEBAUTHN).count() == 1
    response = click_and_wait(page, page.locator(f"main a[href$='{MFA_INDEX}webauthn/']"))
    site.check_current(response, how="the list of security keys, with the passkey just added")
    site.visit(localised(f"{MFA_INDEX}webauthn/reauthenticate/", site.language), how="confirming access with a key")


def log_in_again(site: SiteCheck, persona: Persona) -> None:
    """With an app the password is not enough; with a passkey nothing else is needed."""
    page = site.page
    click_and_wait(page, page.locator(".site-nav button[type='submit']"))  # log out
    page.goto(localised("/accounts/login/", site.language))
    response = submit_login_form(page, persona.email, PASSWORD)
    expect_path(site, f"{MFA_INDEX}authenticate/", "after the password of an account with two factors")
    site.check_current(response, how="code asked for at login")
    form = page.locator("main form", has=page.locator("[name='code']"))
    form.locator("[name='code']").fill("000000")
    response = submit_and_wait(page, submit_button(form))
    site.check_current(response, how="code at login refused")
    expect_path(site, f"{MFA_INDEX}authenticate/", "after a wrong code")
    click_and_wait(page, page.locator("main button[form='logout-from-stage']"))  # cancel

    page.goto(localised("/accounts/login/", site.language))
    response = click_and_wait(page, page.locator("#passkey_login"))
    expect_path(site, "/staff/", "after logging in with a passkey")
    assert response is not None and response.status == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_setting_up_and_using_two_factors_passes_axe_and_the_page_checks(
    page: Page,
    live_server: LiveServer,
    personas: dict[str, Persona],
    staff_mfa_required: None,
    language: str,
) -> None:
    persona = personas[SECRETARIAT]
    site = SiteCheck(page, live_server.url, language)
    script_problems = browser_problems(page)
    set_up_an_authenticator_app(site, persona)
    add_a_passkey(site)
    log_in_again(site, persona)

    problems = site.problems() + script_problems
    assert not problems, (
        f"{len(problems)} problems on the two-factor pages in {language} "
        f"({len(site.reports)} pages checked; {AXE_VERSION}):\n" + "\n".join(problems) + "\n\n" + site.summary()
    )
