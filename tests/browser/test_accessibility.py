"""Every page each role can reach, in bokmål and English, passes axe-core's WCAG 2.1 A/AA and 2.2 AA rules and
the portal's own page checks (tests/browser/checks.py).

The pages are found by following links from the role's start page (tests/browser/crawl.py), so new pages are
covered as soon as something links to them. The pages that only a form leads to are visited here. A list of
the pages checked is written to test-artifacts/crawl/<role>-<language>.txt.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from partners.models import MunicipalUnit
from requests_app.views.inbox import STAFF_PAGE_SIZE
from tests.base import PASSWORD
from tests.browser.checks import AXE_TAGS, AXE_VERSION
from tests.browser.crawl import SiteCheck
from tests.browser.personas import PARTNER, ROLES, SECRETARIAT, DemoData, Persona
from tests.browser.site import (
    LANGUAGES,
    REFERENCE_PATTERN,
    IntakeAnswers,
    fill_intake_form,
    form_with_field,
    localised,
    log_in_with_session_cookie,
    submit_and_wait,
    submit_button,
    submit_login_form,
)
from tests.factories import make_inquiry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOT_FOUND_PATH = "/denne-siden-finnes-ikke/"


def log_in(site: SiteCheck, persona: Persona) -> None:
    """Everyone sees the login page refuse a wrong password; those with an account then log in for real."""
    page = site.page
    login_path = localised("/accounts/login/", site.language)
    page.goto(login_path)
    email = persona.email if persona.user is not None else "nobody@example.no"
    response = submit_login_form(page, email, "not-the-password")
    report = site.check_current(response, how="login form sent with a wrong password")
    if site.normalise(page.url) != login_path:
        report.problems.append(f"{page.url}: a wrong password did not leave the browser on the login page")
    if persona.user is None:
        return
    response = submit_login_form(page, persona.email, PASSWORD)
    landed = site.normalise(page.url) or page.url
    assert not landed.startswith(login_path) and "confirm-email" not in landed, f"{persona.role} could not log in"
    # The login goes to the staff list, where a partner (no staff role) is told "no access" until partner pages
    # exist; that answer must be accessible too.
    expected = (200, 403) if persona.role == PARTNER else (200,)
    site.check_current(response, how="page after logging in", expected_status=expected)


def check_pages_reached_by_forms(site: SiteCheck, persona: Persona) -> None:
    page = site.page
    language = site.language
    intake_path = localised("/inquiries/new/", language)

    page.goto(intake_path)
    response = submit_and_wait(page, submit_button(form_with_field(page, "organisation_name")))
    report = site.check_current(response, how="intake form sent empty")
    if page.locator("a[href='#id_organisation_name']").count() == 0:
        report.problems.append(f"{page.url}: the intake form sent empty has no error summary linking to the fields")

    page.goto(intake_path)
    form = fill_intake_form(page, IntakeAnswers(contact_email=f"{persona.role}.{language}@example.no"))
    response = submit_and_wait(page, submit_button(form))
    report = site.check_current(response, how="receipt after sending the intake form")
    if not re.search(REFERENCE_PATTERN, page.locator("main").inner_text()):
        report.problems.append(f"{page.url}: the receipt does not show the inquiry's reference")

    staff_form_path = localised("/staff/inquiries/new/", language)
    if staff_form_path in site.checked_urls:  # the roles that may register inquiries
        page.goto(staff_form_path)
        response = submit_and_wait(page, submit_button(form_with_field(page, "organisation_name")))
        site.check_current(response, how="staff registration form sent empty")

    site.visit(localised(NOT_FOUND_PATH, language), how="a page that does not exist", expected_status=(404,))


def write_log(site: SiteCheck, path: Path, problems: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{site.summary()}\n\n{len(problems)} problems\n" + "\n".join(problems) + "\n", encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_the_role_reaches_passes_axe_and_the_page_checks(
    page: Page,
    live_server: LiveServer,
    personas: dict[str, Persona],
    demo_data: DemoData,
    artifacts_dir: Path,
    role: str,
    language: str,
) -> None:
    persona = personas[role]
    site = SiteCheck(page, live_server.url, language)
    log_in(site, persona)
    site.crawl([localised(persona.start_path, language)])
    check_pages_reached_by_forms(site, persona)

    problems = site.problems()
    write_log(site, artifacts_dir / "crawl" / f"{role}-{language}.txt", problems)
    assert not problems, (
        f"{len(problems)} problems on the pages {role} sees in {language} "
        f"({len(site.reports)} pages checked; {AXE_VERSION}, tags {', '.join(AXE_TAGS)}):\n" + "\n".join(problems)
    )


def test_second_page_of_the_staff_list_passes_axe_and_the_page_checks(
    page: Page, live_server: LiveServer, personas: dict[str, Persona]
) -> None:
    """The crawls' demo data fits on one page; here there are enough inquiries for the list's next-page link."""
    bym_unit = MunicipalUnit.objects.get(code="bym")
    for _ in range(STAFF_PAGE_SIZE + 1):
        make_inquiry(unit=bym_unit)
    log_in_with_session_cookie(page.context, personas[SECRETARIAT], live_server.url)
    problems: list[str] = []
    for language in LANGUAGES:
        site = SiteCheck(page, live_server.url, language)
        page.goto(localised("/staff/", language))
        with page.expect_navigation() as navigation:
            page.locator("a[href*='page=2']").first.click()
        site.check_current(navigation.value, how="next-page link of the staff list")
        problems += site.problems()
    assert not problems, "\n".join(problems)
