"""Screenshots of the key pages at desktop and phone width, for people to look at, in test-artifacts/screenshots/
(named <page>-<language>-<desktop|phone>.png); and none of those pages scrolls sideways at 320 CSS pixels."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.checks import reflow_problems
from tests.browser.personas import SECRETARIAT, DemoData, Persona
from tests.browser.site import (
    DESKTOP,
    LANGUAGES,
    PHONE,
    IntakeAnswers,
    fill_intake_form,
    form_with_field,
    localised,
    log_in_with_session_cookie,
    submit_and_wait,
    submit_button,
    submit_login_form,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def send_empty(field: str) -> Callable[[Page], None]:
    def action(page: Page) -> None:
        submit_and_wait(page, submit_button(form_with_field(page, field)))

    return action


def send_intake(page: Page) -> None:
    submit_and_wait(page, submit_button(fill_intake_form(page, IntakeAnswers())))


def send_wrong_password(page: Page) -> None:
    submit_login_form(page, "nobody@example.no", "not-the-password")


@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots_of_the_key_pages_at_desktop_and_phone_width(
    new_context: CreateContextCallback,
    live_server: LiveServer,
    personas: dict[str, Persona],
    demo_data: DemoData,
    artifacts_dir: Path,
    language: str,
) -> None:
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    anonymous = new_context().new_page()
    secretariat = new_context().new_page()
    log_in_with_session_cookie(secretariat.context, personas[SECRETARIAT], live_server.url)
    routed = demo_data.inquiries[1]
    # name, who looks, path, what they do on the page before the screenshot
    pages: list[tuple[str, Page, str, Callable[[Page], None] | None]] = [
        ("landing", anonymous, "/", None),
        ("inquiry-form", anonymous, "/inquiries/new/", None),
        ("inquiry-form-errors", anonymous, "/inquiries/new/", send_empty("organisation_name")),
        ("inquiry-receipt", anonymous, "/inquiries/new/", send_intake),
        ("privacy", anonymous, "/privacy/", None),
        ("login", anonymous, "/accounts/login/", None),
        ("login-errors", anonymous, "/accounts/login/", send_wrong_password),
        ("not-found", anonymous, "/denne-siden-finnes-ikke/", None),
        ("staff-inquiry-list", secretariat, "/staff/", None),
        ("staff-inquiry-detail", secretariat, f"/staff/inquiries/{routed.pk}/", None),
        ("staff-inquiry-create", secretariat, "/staff/inquiries/new/", None),
        ("staff-inquiry-create-errors", secretariat, "/staff/inquiries/new/", send_empty("organisation_name")),
        ("summary", secretariat, "/staff/summary/?period=year", None),
        ("decisions", secretariat, "/staff/decisions/", None),
        ("unece-report", secretariat, f"/staff/reports/unece/{timezone.localdate().year}/", None),
        ("statistics", anonymous, "/statistics/", None),
    ]
    problems = []
    for name, page, path, action in pages:
        page.set_viewport_size(DESKTOP)
        page.goto(localised(path, language))
        if action is not None:
            action(page)
        for width_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=folder / f"{name}-{language}-{width_name}.png", full_page=True)
        problems += reflow_problems(page, page.url)
    assert not problems, "\n".join(problems)
