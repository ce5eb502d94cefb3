"""Journeys through the portal in the browser, step by step, each person in their own browser context.

One inquiry's life is one test, `test_inquiry_journey`; its steps are functions named for what the person does,
which share a `Journey`: the partner sends it, the secretariat routes it and asks kommunedirektøren, who answers in
the queue; the unit decides, the secretariat approves the message and marks the inquiry as a highlight that the
executive finds in the UNECE report's PDF; the partner reads the decision. Later issues add their steps in
lifecycle order and add to `Journey` what those steps need.
"""

import io
import re
from dataclasses import dataclass

import pypdf
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer
from pytest_playwright.pytest_playwright import CreateContextCallback

from requests_app.models import DecisionRequest, Inquiry, InquiryEvent, OutboxMessage, Outcome, ReportHighlight
from tests.browser.personas import EXECUTIVE, SECRETARIAT, UNIT_MEMBER, Persona
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
    unit_page: Page
    executive_page: Page
    secretariat: Persona
    unit_member: Persona
    executive: Persona
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


def nb(message: str) -> str:
    """The bokmål text of a message, as the staff see it (the steps use the bokmål pages)."""
    with translation.override("nb"):
        return gettext(message)


def _press(page: Page, name: str) -> None:
    """Click the button or link of an action on the inquiry page and wait for the page it leads to."""
    control = page.locator("main").get_by_role("button", name=name, exact=True)
    if control.count() == 0:
        control = page.locator("main").get_by_role("link", name=name, exact=True)
    with page.expect_navigation():
        control.first.click()


def secretariat_starts_triage_and_routes_to_the_unit(journey: Journey) -> None:
    page = journey.secretariat_page
    _press(page, nb("Start triage"))
    assert journey.inquiry.status == Inquiry.Status.IN_TRIAGE
    assert nb("In triage") in page.locator("main").inner_text()
    _press(page, nb("Route to a unit"))
    form = page.locator("form[action$='/route/']")
    form.get_by_label(nb("Responsible unit")).select_option(label="Byutvikling og miljø")
    form.get_by_label(nb("Note to the unit")).fill("Klimabudsjett: dette er deres fagfelt.")
    submit_and_wait(page, form.get_by_role("button", name=nb("Route to a unit")))
    inquiry = journey.inquiry
    assert inquiry.status == Inquiry.Status.ROUTED and inquiry.unit is not None and inquiry.unit.code == "bym"
    assert "Klimabudsjett: dette er deres fagfelt." in page.locator("#timeline").inner_text()


def secretariat_writes_an_internal_note_in_place(journey: Journey) -> None:
    """With JavaScript (htmx) the note is saved and the timeline redrawn without leaving the page."""
    page = journey.secretariat_page
    url = page.url
    form = page.locator("form.write-form")
    form.get_by_label(nb("Text")).fill("Ringte Tampere: de kommer i mars.")
    form.get_by_role("button", name=nb("Save")).click()
    page.locator("#timeline", has_text="Ringte Tampere: de kommer i mars.").wait_for()
    assert page.url == url
    assert journey.inquiry.messages.get().kind == "note"


def secretariat_asks_the_executive(journey: Journey) -> None:
    page = journey.secretariat_page
    _press(page, nb("Ask the chief municipal executive"))
    form = page.locator("form[action$='/ask-executive/']")
    form.get_by_label(nb("Why the executive must decide")).select_option(value=DecisionRequest.Reason.LEADERSHIP)
    form.get_by_label(nb("Question to the chief municipal executive")).fill("Tampere vil møte deg i mars. Ja?")
    submit_and_wait(page, form.get_by_role("button", name=nb("Ask the chief municipal executive")))
    question = DecisionRequest.objects.get(inquiry=journey.inquiry)
    assert question.is_open and question.requested_by is not None
    assert question.requested_by.email == journey.secretariat.email
    assert "Tampere vil møte deg i mars. Ja?" in page.locator("main").inner_text()


def executive_answers_in_the_queue(journey: Journey) -> None:
    """Kommunedirektøren finds the question through the menu and approves it with a few words."""
    page = journey.executive_page
    log_in_through_login_page(page, journey.executive, "nb")
    with page.expect_navigation():
        page.get_by_role("navigation", name=nb("Main menu")).get_by_role("link", name=nb("Decisions needed")).click()
    question = DecisionRequest.objects.get(inquiry=journey.inquiry)
    form = page.locator(f"form[action$='/decisions/{question.pk}/answer/']")
    form.get_by_label(nb("Approve"), exact=True).check()
    form.get_by_label(nb("Your words to the secretariat and the owner")).fill("Ja, gjerne. Sett av en time.")
    submit_and_wait(page, form.get_by_role("button", name=nb("Send the answer")))
    question.refresh_from_db()
    assert question.answer == DecisionRequest.Answer.APPROVE and question.answered_at is not None
    assert journey.inquiry.events.filter(kind=InquiryEvent.Kind.DECISION_ANSWERED).count() == 1
    assert page.locator(f"form[action$='/decisions/{question.pk}/answer/']").count() == 0


def secretariat_sees_the_answer_in_the_timeline(journey: Journey) -> None:
    page = journey.secretariat_page
    page.reload()
    assert "Ja, gjerne. Sett av en time." in page.locator("#timeline").inner_text()


def unit_member_accepts_and_records_the_decision(journey: Journey) -> None:
    page = journey.unit_page
    log_in_through_login_page(page, journey.unit_member, "nb")
    row = page.locator("tr", has_text=journey.reference)
    assert row.count() == 1, f"{journey.reference} is not in the unit's list"
    with page.expect_navigation():
        row.get_by_role("link", name=journey.reference).click()
    _press(page, nb("Accept for the unit"))
    inquiry = journey.inquiry
    assert inquiry.status == Inquiry.Status.IN_PROGRESS and inquiry.owner is not None
    assert inquiry.owner.email == journey.unit_member.email
    _press(page, nb("Record the decision"))
    form = page.locator("form[action$='/decide/']")
    form.get_by_label(nb("Outcome"), exact=True).select_option(label=nb("Knowledge shared or meeting held"))
    form.get_by_label(nb("Summary")).fill("Studiebesøk avtalt 12. mars med byutviklingsdirektøren.")
    form.get_by_label(nb("Message to the partner")).fill("Velkommen til Trondheim 12. mars!")
    form.get_by_label(nb("Hold the message until the secretariat has approved it")).check()
    submit_and_wait(page, form.get_by_role("button", name=nb("Record the decision")))
    inquiry = journey.inquiry
    assert inquiry.status == Inquiry.Status.DECIDED
    assert inquiry.outcome.type == Outcome.Type.KNOWLEDGE_SHARED
    main = page.locator("main").inner_text()
    assert "Studiebesøk avtalt 12. mars" in main
    assert nb("Waiting for the secretariat's approval: not sent yet") in main
    assert not OutboxMessage.objects.filter(message__inquiry=inquiry).exists()


def secretariat_approves_the_decision_message(journey: Journey) -> None:
    page = journey.secretariat_page
    page.reload()
    _press(page, nb("Approve and send the decision message"))
    assert nb("Waiting for the secretariat's approval: not sent yet") not in page.locator("main").inner_text()
    message = journey.inquiry.messages.get(is_decision=True)
    assert message.approved_at is not None and message.held_at is None
    assert OutboxMessage.objects.get(message=message).to == journey.answers.contact_email


def secretariat_marks_a_highlight_of_the_report(journey: Journey) -> None:
    page = journey.secretariat_page
    _press(page, nb("Mark as a highlight for the UNECE report"))
    form = page.locator("form[action$='/highlight/']")
    form.get_by_label(nb("Highlight text (in English)")).fill("Tampere studied Trondheim's climate budget.")
    submit_and_wait(page, form.get_by_role("button", name=nb("Mark as a highlight for the UNECE report")))
    assert ReportHighlight.objects.get(inquiry=journey.inquiry).year == timezone.localdate().year


def executive_makes_the_unece_report_as_pdf(journey: Journey) -> None:
    """The year's report, in English, has the highlight; its PDF is made in the background and downloaded."""
    page = journey.executive_page
    year = timezone.localdate().year
    page.goto(f"/staff/reports/unece/{year}/")
    report = page.locator("div.report[lang=en]").inner_text()
    assert "Tampere studied Trondheim's climate budget." in report and journey.reference in report
    submit_and_wait(page, page.locator("form[action$='/pdf/']").get_by_role("button"))
    download_link = page.locator("main a[href$='/report.pdf']")
    download_link.wait_for(state="visible")
    with page.expect_download() as download:
        download_link.click()
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Tampere studied Trondheim" in text and str(year) in text


def partner_opens_the_status_link_from_the_receipt(journey: Journey) -> None:
    """The receipt e-mail's private link shows the partner the decision, in English, and none of the staff's notes."""
    receipt = OutboxMessage.objects.get(inquiry=journey.inquiry, template="inquiry_receipt")
    match = re.search(r"https?://[^/\s]+(/en/status/[A-Za-z0-9_-]+/)", receipt.body_text)
    assert match, f"no status link in the receipt:\n{receipt.body_text}"
    page = journey.partner_page
    response = page.goto(match.group(1))  # SITE_URL is not the live server's address: open the path there
    assert response is not None and response.ok, f"the status link answered {response and response.status}"
    assert response.headers.get("referrer-policy") == "strict-origin"
    main = page.locator("main").inner_text()
    assert journey.reference in main and journey.answers.title in main
    assert "We have decided" in main
    assert "Velkommen til Trondheim 12. mars!" in main  # the decision message, sent once approved
    assert "Ringte Tampere" not in main  # the internal note


def test_inquiry_journey(
    new_context: CreateContextCallback, live_server: LiveServer, personas: dict[str, Persona]
) -> None:
    journey = Journey(
        partner_page=new_context().new_page(),
        secretariat_page=new_context().new_page(),
        unit_page=new_context().new_page(),
        executive_page=new_context().new_page(),
        secretariat=personas[SECRETARIAT],
        unit_member=personas[UNIT_MEMBER],
        executive=personas[EXECUTIVE],
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
    secretariat_starts_triage_and_routes_to_the_unit(journey)
    secretariat_writes_an_internal_note_in_place(journey)
    secretariat_asks_the_executive(journey)
    executive_answers_in_the_queue(journey)
    secretariat_sees_the_answer_in_the_timeline(journey)
    unit_member_accepts_and_records_the_decision(journey)
    secretariat_approves_the_decision_message(journey)
    secretariat_marks_a_highlight_of_the_report(journey)
    executive_makes_the_unece_report_as_pdf(journey)
    partner_opens_the_status_link_from_the_receipt(journey)
