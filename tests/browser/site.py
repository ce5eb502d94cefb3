"""The portal as a browser uses it: language prefixes, submitting forms, logging in, the intake form.

Fields are found by their form field names, which the restyling of the templates does not change.
"""

from dataclasses import dataclass

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Locator, Page, Response, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from tests.base import PASSWORD
from tests.browser.personas import Persona

LANGUAGES = ("nb", "en")
# Width and height of the windows the tests use; the pages are checked at the desktop size, and at the narrowest
# for WCAG 1.4.10 Reflow (320 CSS pixels without horizontal scrolling).
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}
NARROWEST: ViewportSize = {"width": 320, "height": 640}
REFERENCE_PATTERN = r"\b\d{4}-\d{4,}\b"


def localised(path: str, language: str) -> str:
    """The path of a page in a language: bokmål has no prefix, English is under /en/."""
    assert path.startswith("/"), path
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


def language_of(path: str) -> str:
    """The language a path is in, by its prefix."""
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and (path == f"/{code}/" or path.startswith(f"/{code}/")):
            return code
    return settings.LANGUAGE_CODE


def submit_button(form: Locator) -> Locator:
    return form.locator("button:not([type]), button[type='submit'], input[type='submit']").first


def submit_and_wait(page: Page, button: Locator) -> Response | None:
    """Click a submit button and wait for the page that the post leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def form_with_field(page: Page, name: str) -> Locator:
    """The form on the page that has a field of this name (not the language switcher's or the logout form)."""
    return page.locator("form", has=page.locator(f"[name='{name}']")).first


def log_in_through_login_page(
    page: Page, persona: Persona, language: str, *, password: str = PASSWORD
) -> Response | None:
    """Fill in and send the real login page; returns the response of the page the login leads to."""
    page.goto(localised("/accounts/login/", language))
    return submit_login_form(page, persona.email, password)


def submit_login_form(page: Page, email: str, password: str) -> Response | None:
    form = form_with_field(page, "password")
    form.locator("[name='login']").fill(email)
    form.locator("[name='password']").fill(password)
    return submit_and_wait(page, submit_button(form))


def log_in_with_session_cookie(context: BrowserContext, persona: Persona, base_url: str) -> None:
    """Give the browser a session of the persona without going through the login page (faster)."""
    assert persona.user is not None, f"{persona.role} has no account"
    client = Client()
    client.force_login(persona.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


@dataclass(frozen=True)
class IntakeAnswers:
    """What a partner writes in the intake form; the defaults are a complete, valid inquiry."""

    organisation_name: str = "Trondheim Havn IKS"
    organisation_kind: str = "public_agency"
    contact_name: str = "Kari Nordmann"
    contact_email: str = "kari.nordmann@example.no"
    contact_role: str = "Prosjektleder"
    inquiry_type: str = "partnership"
    title: str = "Landstrøm for cruiseskip"
    description: str = "Vi vil gjerne samarbeide om landstrøm og utslippsfri havn innen 2030."
    sdg_goals: tuple[str, ...] = ("11",)
    sdg_targets: tuple[str, ...] = ("11.6",)
    channel: str = "email"  # the staff form only


def fill_intake_form(page: Page, answers: IntakeAnswers) -> Locator:
    """Fill in the public intake form or the staff's registration form on the current page; returns the form."""
    form = form_with_field(page, "organisation_name")
    if form.locator("[name='channel']").count():
        form.locator(f"[name='channel'][value='{answers.channel}']").check()
    form.locator("[name='organisation_name']").fill(answers.organisation_name)
    form.locator("[name='organisation_kind']").select_option(answers.organisation_kind)
    form.locator("[name='contact_name']").fill(answers.contact_name)
    form.locator("[name='contact_email']").fill(answers.contact_email)
    form.locator("[name='contact_role']").fill(answers.contact_role)
    form.locator(f"[name='inquiry_type'][value='{answers.inquiry_type}']").check()
    form.locator("[name='title']").fill(answers.title)
    form.locator("[name='description']").fill(answers.description)
    for goal in answers.sdg_goals:
        form.locator(f"[name='sdg_goals'][value='{goal}']").check()
    for target in answers.sdg_targets:
        # The targets are inside a closed disclosure until someone opens it.
        selector = f"[name='sdg_targets'][value='{target}']"
        box = form.locator(selector)
        if not box.is_visible():
            form.locator("details", has=page.locator(selector)).locator("summary").click()
        # The disclosure opens with an animation (and Designsystemet's script may load in the middle of it); under
        # load a click can land before it has settled, so wait for the box and check again if it did not take.
        box.wait_for(state="visible")
        for _attempt in range(3):
            try:
                box.check(timeout=3000)
                break
            except PlaywrightError:
                page.wait_for_timeout(300)
        assert box.is_checked(), f"could not check the SDG target {target}"
    form.locator("[name='consent']").check()
    return form
