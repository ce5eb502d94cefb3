"""Every page each role can reach, in bokmål and English, passes axe-core's WCAG 2.1 A/AA and 2.2 AA rules and
the portal's own page checks (tests/browser/checks.py).

The pages are found by following links from the role's start page (tests/browser/crawl.py), so new pages are
covered as soon as something links to them. The pages that only a form leads to are visited here. A list of
the pages checked is written to test-artifacts/crawl/<role>-<language>.txt.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from partners.models import MunicipalUnit, OrganisationMembership
from partners.services import invite_colleague
from requests_app.models import Inquiry, InquiryMessage
from requests_app.services.status_links import issue_status_link, revoke_status_links
from requests_app.views.inbox import STAFF_PAGE_SIZE
from tests.base import PASSWORD, make_user
from tests.browser.checks import AXE_TAGS, AXE_VERSION
from tests.browser.crawl import SiteCheck
from tests.browser.personas import ANONYMOUS, PARTNER, ROLES, SECRETARIAT, DemoData, Persona
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
from tests.factories import make_inquiry, make_organisation

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
    # Staff land on the staff list, partners on My inquiries.
    site.check_current(response, how="page after logging in")


def check_pages_reached_by_forms(site: SiteCheck, persona: Persona) -> None:
    page = site.page
    language = site.language
    intake_path = localised("/inquiries/new/", language)

    page.goto(intake_path)
    response = submit_and_wait(page, submit_button(form_with_field(page, "organisation_name")))
    report = site.check_current(response, how="intake form sent empty")
    # A signed-in partner finds the organisation and contact filled in, so the summary links to the other fields.
    if page.locator("#error-summary a[href^='#id_']").count() == 0:
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

    access_log_path = localised("/staff/access-log/", language)
    if access_log_path in site.checked_urls:  # administrators: the crawl reached it early, when it was empty
        site.visit(f"{access_log_path}?kind=inquiry.viewed", how="access log with the crawl's views in it")

    summary_path = localised("/staff/summary/", language)
    if summary_path in site.checked_urls:  # the roles that see the summaries: a custom period typed wrongly
        site.visit(
            f"{summary_path}?period=custom&start=2026-05-01&end=2026-04-01", how="summary with a period typed wrongly"
        )

    decisions_path = localised("/staff/decisions/", language)
    if decisions_path in site.checked_urls:
        page.goto(decisions_path)
        answer_forms = page.locator("form.decision-answer")
        if answer_forms.count():  # the executive: "Comment" without words comes back with its errors
            answer_forms.first.locator("input[type=radio][value=comment]").check()
            response = submit_and_wait(page, submit_button(answer_forms.first))
            site.check_current(
                response, how="answer to the executive's question sent without words", expected_status=(400,)
            )

    if summary_path in site.checked_urls:  # the PDF's progress page, which only the UNECE report's form leads to
        page.goto(localised("/staff/reports/unece/", language))
        response = submit_and_wait(page, page.locator("form[action$='/pdf/'] button[type=submit]").first)
        report = site.check_current(response, how="the UNECE report's PDF being made")
        if page.locator("progress").count() != 1:
            report.problems.append(f"{page.url}: the PDF's page shows no progress bar")

    site.visit(localised(NOT_FOUND_PATH, language), how="a page that does not exist", expected_status=(404,))


@dataclass(frozen=True)
class StatusLinks:
    """Tokens of status links, which only e-mails lead to: one that works, one withdrawn by staff, one expired."""

    working: str
    revoked: str
    expired: str

    def path(self, token: str, language: str) -> str:
        return localised(f"/status/{token}/", language)


def create_status_links(demo_data: DemoData, personas: dict[str, Persona]) -> StatusLinks:
    """The working link opens an inquiry with a conversation and the reply and withdraw forms."""
    inquiry = next(inquiry for inquiry in demo_data.inquiries if inquiry.status == Inquiry.Status.ROUTED)
    InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body="Hvor mange kommer?")
    InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body="Vi blir åtte.")
    working = issue_status_link(inquiry, email=inquiry.contact.email)
    other = next(inquiry for inquiry in demo_data.inquiries if inquiry.status == Inquiry.Status.RECEIVED)
    revoked = issue_status_link(other, email=other.contact.email)
    secretariat = personas[SECRETARIAT].user
    assert secretariat is not None
    revoke_status_links(other, actor=secretariat)
    old = make_inquiry(status=Inquiry.Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=100))
    return StatusLinks(working=working, revoked=revoked, expired=issue_status_link(old, email=old.contact.email))


def check_status_link_forms(site: SiteCheck, links: StatusLinks) -> None:
    """The crawl started at the working link; here its reply form is sent empty, and the withdrawn link asks for a
    new one."""
    page = site.page
    page.goto(links.path(links.working, site.language))
    response = submit_and_wait(page, submit_button(form_with_field(page, "reply-body")))
    site.check_current(response, how="status link's reply form sent empty", expected_status=(400,))
    page.goto(links.path(links.revoked, site.language))
    response = submit_and_wait(page, submit_button(page.locator("main form[action$='/fresh/']")))
    site.check_current(response, how="withdrawn status link after asking for a new one")


def check_partner_account_pages(site: SiteCheck, persona: Persona) -> None:
    """The pages of a partner's account that only an e-mail or a form leads to: an invitation to the partner (to
    accept) and one to somebody else (refused), the invitation form sent empty, and "Delete my account" sent
    without its confirmation (after allauth asks for the password again)."""
    assert persona.user is not None
    page = site.page
    language = site.language
    organisation = make_organisation(name=f"Fjordbyen Energi {language}")
    admin = make_user(f"energi-admin.{language}@example.no", full_name="Erle Energi")
    OrganisationMembership.objects.create(user=admin, organisation=organisation, is_admin=True)
    _invitation, to_partner = invite_colleague(organisation, email=persona.email, actor=admin)
    _invitation, to_someone_else = invite_colleague(organisation, email=f"someone.{language}@example.no", actor=admin)
    site.visit(localised(f"/invitations/{to_partner}/", language), how="invitation to the partner")
    site.visit(
        localised(f"/invitations/{to_someone_else}/", language),
        how="invitation to another address",
        expected_status=(403,),
    )

    page.goto(localised("/my/organisation/", language))
    response = submit_and_wait(page, submit_button(page.locator("form[action$='/my/organisation/invitations/']")))
    site.check_current(response, how="invitation form sent empty", expected_status=(400,))

    page.goto(localised("/my/account/delete/", language))
    submit_and_wait(page, submit_button(page.locator("main form[action$='/my/account/delete/']")))
    form = form_with_field(page, "password")
    form.locator("[name='password']").fill(PASSWORD)
    response = submit_and_wait(page, submit_button(form))
    site.check_current(response, how="deleting the account without the confirmation", expected_status=(400,))


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
    start_paths = [localised(persona.start_path, language)]
    links = create_status_links(demo_data, personas) if role == ANONYMOUS else None
    if links is not None:  # the partner's pages behind a status link: anyone with the link sees them
        start_paths += [links.path(token, language) for token in (links.working, links.revoked, links.expired)]
    site.crawl(start_paths)
    check_pages_reached_by_forms(site, persona)
    if role == PARTNER:
        check_partner_account_pages(site, persona)
    if links is not None:
        check_status_link_forms(site, links)

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
