"""Journeys through the portal in the browser, step by step, each person in their own browser context.

One inquiry's life is one test, `test_inquiry_journey`; its steps are functions named for what the person
does, which share a `Journey`. Later issues append their steps in lifecycle order after the last one here
(the secretariat triages and routes the inquiry, the unit accepts it, the partner answers, an outcome is
recorded, the inquiry is closed) and add to `Journey` what those steps need.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer
from pytest_playwright.pytest_playwright import CreateContextCallback

from requests_app.models import Inquiry
from tests.browser.personas import SECRETARIAT, Persona
from tests.browser.site import (
    REFERENCE_PATTERN,
    IntakeAnswers,
    fill_intake_form,
    log_in_through_login_page,
    submit_and_wait,
    submit_button,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@dataclass
class Journey:
    """What the steps share: one browser page per person, and what has happened so far."""

    partner_page: Page
    secretariat_page: Page
    secretariat: Persona
    answers: IntakeAnswers
    reference: str = ""

    @property
    def inquiry(self) -> Inquiry:
        return Inquiry.objects.get(reference=self.reference)


def partner_sends_an_inquiry(journey: Journey) -> None:
    page = journey.partner_page
    page.goto("/en/")
    page.locator("main a[href$='/inquiries/new/']").first.click()
    page.wait_for_url("**/en/inquiries/new/")
    form = fill_intake_form(page, journey.answers)
    submit_and_wait(page, submit_button(form))
    match = re.search(REFERENCE_PATTERN, page.locator("main").inner_text())
    assert match, f"no reference on the receipt page {page.url}"
    journey.reference = match.group()
    assert journey.inquiry.title == journey.answers.title
    assert journey.inquiry.language == "en"


def secretariat_logs_in(journey: Journey) -> None:
    page = journey.secretariat_page
    response = log_in_through_login_page(page, journey.secretariat, "nb")
    assert response is not None and response.ok, f"the login led to {page.url} ({response and response.status})"
    assert page.url.endswith("/staff/"), f"the secretariat should land on the staff list, not {page.url}"


def secretariat_sees_the_inquiry_in_the_staff_list(journey: Journey) -> None:
    page = journey.secretariat_page
    row = page.locator("tr", has_text=journey.reference)
    assert row.count() == 1, f"{journey.reference} is not a row of the staff list at {page.url}"
    row_text = row.inner_text()
    assert journey.answers.title in row_text
    assert journey.answers.organisation_name in row_text


def secretariat_opens_the_inquiry(journey: Journey) -> None:
    page = journey.secretariat_page
    page.locator("tr", has_text=journey.reference).get_by_role("link", name=journey.reference).click()
    page.wait_for_url(f"**/staff/inquiries/{journey.inquiry.pk}/")
    heading = page.locator("h1").inner_text()
    assert journey.reference in heading and journey.answers.title in heading, heading
    main = page.locator("main").inner_text()
    assert journey.answers.contact_email in main
    assert journey.answers.description in main


def test_inquiry_journey(
    new_context: CreateContextCallback, live_server: LiveServer, personas: dict[str, Persona]
) -> None:
    journey = Journey(
        partner_page=new_context().new_page(),
        secretariat_page=new_context().new_page(),
        secretariat=personas[SECRETARIAT],
        answers=IntakeAnswers(
            organisation_name="City of Tampere",
            organisation_kind="municipality",
            contact_name="Aino Virtanen",
            contact_email="aino.virtanen@tampere.example",
            contact_role="Sustainability coordinator",
            inquiry_type="knowledge_exchange",
            title="Study visit on climate budgets",
            description="We would like to learn how Trondheim uses its climate budget in the municipal budget.",
        ),
    )
    partner_sends_an_inquiry(journey)
    secretariat_logs_in(journey)
    secretariat_sees_the_inquiry_in_the_staff_list(journey)
    secretariat_opens_the_inquiry(journey)
