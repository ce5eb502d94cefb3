"""Keyboard-only use of the intake form, visible focus, and status messages that assistive technology announces.

The journey presses keys only (page.keyboard); the page is read with JavaScript to check where focus is.
"""

import re

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from requests_app.models import Inquiry
from tests.browser.checks import describe_focus, start_from_top
from tests.browser.keyboard import choose_option, focus_indicator_problem, focus_matches, focus_style, tab_to
from tests.browser.personas import SECRETARIAT, Persona
from tests.browser.site import (
    LANGUAGES,
    REFERENCE_PATTERN,
    IntakeAnswers,
    fill_intake_form,
    localised,
    log_in_through_login_page,
    submit_and_wait,
    submit_button,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

INTAKE_SUBMIT = "form:has([name='organisation_name']) button[type='submit']"


def focus_is_in_main(page: Page) -> bool:
    return bool(page.evaluate("() => document.querySelector('main').contains(document.activeElement)"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_only_journey_through_the_intake_form_with_errors_and_the_sdg_picker(
    page: Page, live_server: LiveServer, language: str
) -> None:
    keyboard = page.keyboard
    page.goto(localised("/inquiries/new/", language))

    keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')?.startsWith('#')"), (
        f"the first Tab should reach the skip link, not {describe_focus(page)}"
    )
    keyboard.press("Enter")
    assert focus_is_in_main(page), f"the skip link left focus on {describe_focus(page)}"

    tab_to(page, "[name='organisation_name']")
    keyboard.type("Nidaros Klimalab AS")
    tab_to(page, "[name='organisation_kind']")
    choose_option(page, "research")
    tab_to(page, "[name='contact_name']")
    keyboard.type("Kari Nordmann")
    tab_to(page, "[name='contact_email']")
    keyboard.type("kari@klimalab.example")
    tab_to(page, "[name='contact_role']")
    keyboard.type("Daglig leder")
    tab_to(page, "[name='inquiry_type']")  # a radio group is one Tab stop; Space chooses the focused option
    keyboard.press("Space")
    inquiry_type = page.evaluate("() => document.activeElement.value")
    # The title is left out: the first submission must come back with one error.
    tab_to(page, "[name='description']")
    keyboard.type("Vi vil teste utslippsfrie anleggsmaskiner sammen med kommunen.")

    tab_to(page, "[name='sdg_goals'][value='11']")
    keyboard.press("Space")
    keyboard.press("Tab")
    assert focus_matches(page, "summary"), f"after goal 11 the next Tab should open its targets: {describe_focus(page)}"
    assert page.evaluate(
        "() => document.activeElement.parentElement.querySelector(\"[name='sdg_targets'][value^='11.']\") !== null"
    ), f"the disclosure after goal 11 should hold goal 11's targets: {describe_focus(page)}"
    keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open"), "Enter did not open goal 11's targets"
    tab_to(page, "[name='sdg_targets'][value='11.2']")
    keyboard.press("Space")
    tab_to(page, "[name='sdg_targets'][value='11.1']", backwards=True)
    tab_to(page, "[name='sdg_targets'][value='11.2']")

    tab_to(page, "[name='consent']")
    keyboard.press("Space")
    tab_to(page, INTAKE_SUBMIT)
    with page.expect_navigation():
        keyboard.press("Enter")

    summary = page.evaluate(
        """() => {
            const link = document.querySelector("a[href='#id_title']");
            if (!link) return null;
            const region = link.closest('[role=alert], [aria-live]');
            const focused = document.activeElement;
            return {
                announced: region !== null && region.getAttribute('aria-live') !== 'off',
                focused: focused !== document.body && focused.contains(link),
                errorLinks: document.querySelectorAll("main a[href^='#id_']").length,
            };
        }"""
    )
    assert summary is not None, "the form sent without a title shows no error summary linking to the title field"
    assert summary["announced"] or summary["focused"], (
        "the error summary is neither a live region (role=alert) nor focused, so a screen reader does not hear it"
    )
    assert summary["errorLinks"] == 1, f"only the title was missing, but the summary links {summary['errorLinks']}"

    tab_to(page, "a[href='#id_title']")
    keyboard.press("Enter")
    assert focus_matches(page, "[name='title']"), f"the summary link left focus on {describe_focus(page)}"
    keyboard.type("Felles pilot for utslippsfrie byggeplasser")
    kept = page.evaluate(
        """() => ({
            goal: document.querySelector("[name='sdg_goals'][value='11']").checked,
            target: document.querySelector("[name='sdg_targets'][value='11.2']").checked,
            consent: document.querySelector("[name='consent']").checked,
        })"""
    )
    assert kept == {"goal": True, "target": True, "consent": True}, f"the form lost what was chosen: {kept}"
    with page.expect_navigation():
        keyboard.press("Enter")  # implicit submission from the text field

    match = re.search(REFERENCE_PATTERN, page.locator("main").inner_text())
    assert match, f"no reference on the receipt page {page.url}"
    inquiry = Inquiry.objects.get(reference=match.group())
    assert inquiry.title == "Felles pilot for utslippsfrie byggeplasser"
    assert inquiry.inquiry_type == inquiry_type
    assert inquiry.organisation.kind == "research"
    assert inquiry.language == language
    assert set(inquiry.sdg_goals.values_list("number", flat=True)) == {11}
    assert set(inquiry.sdg_targets.values_list("code", flat=True)) == {"11.2"}


def test_keyboard_focus_is_visible_on_links_buttons_and_fields(page: Page, live_server: LiveServer) -> None:
    page.goto("/inquiries/new/")
    # In the order Tab reaches them.
    elements = {
        "skip link": "a[href^='#']",
        "link in the main menu": "header nav a",
        "language button": "header button[name='language']",
        "text field": "[name='organisation_name']",
        "select": "[name='organisation_kind']",
        "radio button": "[name='inquiry_type']",
        "goal checkbox": "[name='sdg_goals']",
        "disclosure of a goal's targets": "summary",
        "link in the form": "form:has([name='organisation_name']) a[href]",
        "consent checkbox": "[name='consent']",
        "submit button": INTAKE_SUBMIT,
    }
    unfocused = {name: focus_style(page, selector) for name, selector in elements.items()}
    start_from_top(page)
    problems = []
    for name, selector in elements.items():
        tab_to(page, selector)
        problem = focus_indicator_problem(name, unfocused[name], focus_style(page))
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


def live_region_texts(page: Page) -> list[str]:
    """The text of every element that assistive technology announces when it changes."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('[role=status], [role=alert], [aria-live]')]
                .filter(el => el.getAttribute('aria-live') !== 'off')
                .map(el => el.innerText)"""
        )
    )


def test_status_messages_are_in_a_live_region(
    page: Page, live_server: LiveServer, personas: dict[str, Persona]
) -> None:
    secretariat = personas[SECRETARIAT]
    assert secretariat.user is not None
    log_in_through_login_page(page, secretariat, "en")
    names = (secretariat.user.full_name, secretariat.email)
    assert any(name in text for text in live_region_texts(page) for name in names), (
        f"the signed-in message on {page.url} is not in a role=status/alert or aria-live region: "
        f"{live_region_texts(page)}"
    )

    page.goto("/en/staff/inquiries/new/")
    form = fill_intake_form(page, IntakeAnswers(contact_email="registered@example.no"))
    submit_and_wait(page, submit_button(form))
    reference = Inquiry.objects.get(contact__email="registered@example.no").reference
    assert any(reference in text for text in live_region_texts(page)), (
        f"the message that {reference} is registered is not in a role=status/alert or aria-live region on "
        f"{page.url}: {live_region_texts(page)}"
    )
