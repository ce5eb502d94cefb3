import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.forms.renderers import TemplatesSetting
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import formats, timezone, translation

from partners.models import Contact, Organisation
from requests_app.business_days import add_business_days
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.forms import InquiryIntakeForm
from requests_app.models import Inquiry, ServiceTargets
from tests.base import PortalTestCase
from tests.factories import make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

NEW = "/inquiries/new/"
NEW_EN = "/en/inquiries/new/"
SUBMITTED = "/inquiries/submitted/"
SUBMITTED_EN = "/en/inquiries/submitted/"


def intake_data(**overrides: Any) -> dict[str, Any]:
    """A valid intake post, as a browser sends it."""
    data: dict[str, Any] = {
        "organisation_name": "Nidaros Klimalab AS",
        "organisation_kind": "company",
        "organisation_number": "974760673",
        "country": "NO",
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@klimalab.example",
        "contact_phone": "+47 73 00 00 00",
        "contact_role": "Daglig leder",
        "inquiry_type": "pilot",
        "title": "Felles pilot for utslippsfrie byggeplasser",
        "description": "Vi ønsker å teste utslippsfrie anleggsmaskiner sammen med kommunen.",
        "sdg_goals": ["11"],
        "sdg_targets": ["13.1", "13.2"],
        "language": "nb",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


class _FormValues(HTMLParser):
    """Collects what the form on a page shows as filled in: field name to the list of its values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def _add(self, name: str, value: str) -> None:
        if name in InquiryIntakeForm.base_fields:  # not the language switcher's fields
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self._add(name, attributes.get("value") or "on")
            elif attributes.get("value") is not None:
                self._add(name, attributes["value"] or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self._add(self._select, attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea in self.values:
            self.values[self._textarea][-1] += data


def form_values(response: "TestResponse") -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    # Browsers drop the one newline that may follow <textarea>.
    return {name: [value.removeprefix("\n") for value in values] for name, values in parser.values.items()}


def posted_values(data: dict[str, Any]) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [value] for name, value in data.items() if value}


def expected_reply_date(language: str) -> str:
    due = add_business_days(timezone.localdate(), ServiceTargets.DEFAULT_FIRST_REPLY_BUSINESS_DAYS)
    with translation.override(language):
        return formats.date_format(due, "DATE_FORMAT")


class IntakeTestCase(PortalTestCase):
    def post_intake(self, data: dict[str, Any], url: str = NEW, **extra: Any) -> "TestResponse":
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data, **extra)

    def assert_nothing_stored(self) -> None:
        self.assertFalse(Inquiry.objects.exists())
        self.assertFalse(Organisation.objects.exists())
        self.assertFalse(Contact.objects.exists())
        self.assertEqual(mail.outbox, [])


class IntakePageTests(IntakeTestCase):
    def test_form_is_in_bokmal_without_a_language_prefix(self) -> None:
        response = self.client.get(NEW)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="nb">')
        self.assertEqual(form_values(response)["language"], ["nb"])
        self.assertEqual(form_values(response)["country"], ["NO"])

    def test_form_is_in_english_under_en(self) -> None:
        response = self.client.get(NEW_EN)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Send an inquiry to the UN Centre")
        self.assertEqual(form_values(response)["language"], ["en"])

    def test_country_names_are_in_the_pages_language(self) -> None:
        self.assertContains(self.client.get(NEW), '<option value="NO" selected>Norge</option>', html=True)
        self.assertContains(self.client.get(NEW_EN), '<option value="NO" selected>Norway</option>', html=True)
        self.assertContains(self.client.get(NEW), '<option value="NO" selected>Norge</option>', html=True)

    def test_form_offers_every_goal_and_target(self) -> None:
        response = self.client.get(NEW)
        self.assertContains(response, 'name="sdg_goals"', count=17)
        self.assertContains(response, 'name="sdg_targets"', count=169)

    def test_receipt_page_without_a_submission_sends_you_to_the_form(self) -> None:
        self.assertRedirects(self.client.get(SUBMITTED), NEW)

    def test_the_form_is_drawn_by_the_python_renderer_exactly_as_its_templates_draw_it(self) -> None:
        """The SDG picker's 186 checkboxes and the country list go through form_rendering.PythonFieldRenderer:
        the whole page, unbound and with errors, in both languages, is the HTML the site's templates write."""
        self.assertIs(self.client.get(NEW).context["form"].renderer, FIELD_RENDERER)
        bad = {
            "organisation_name": "<b>Byen</b> & co",
            "sdg_goals": ["11", "99"],
            "sdg_targets": ["11.2"],
            "country": "SE",
            "contact_email": "not an address",
            "language": "en",
        }
        request = RequestFactory().get(NEW)
        request.user = AnonymousUser()
        for language in ("nb", "en"):
            for data in (None, bad):
                drawn = []
                for renderer in (TemplatesSetting(), FIELD_RENDERER):
                    with translation.override(language):
                        form = InquiryIntakeForm(data, initial={"country": "NO", "language": language})
                        form.renderer = renderer
                        form.is_valid()
                        page = render_to_string("requests_app/inquiry_form.html", {"form": form}, request=request)
                    drawn.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
                with self.subTest(language=language, bound=data is not None):
                    self.assertIn('name="sdg_targets"', drawn[1])
                    self.assertEqual(drawn[1], drawn[0])


class IntakeSubmissionTests(IntakeTestCase):
    def test_valid_bokmal_post_redirects_to_the_receipt_with_reference_and_reply_date(self) -> None:
        response = self.post_intake(intake_data())
        self.assertRedirects(response, SUBMITTED)
        inquiry = Inquiry.objects.get()
        self.assertEqual(inquiry.language, "nb")
        receipt = self.client.get(SUBMITTED)
        self.assertContains(receipt, '<html lang="nb">')
        self.assertContains(receipt, f"<strong>{inquiry.reference}</strong>", html=True)
        self.assertContains(receipt, expected_reply_date("nb"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["kari@klimalab.example"])
        self.assertIn(inquiry.reference, mail.outbox[0].subject)

    def test_valid_english_post_redirects_to_the_english_receipt(self) -> None:
        response = self.post_intake(intake_data(language="en"), url=NEW_EN)
        self.assertRedirects(response, SUBMITTED_EN)
        inquiry = Inquiry.objects.get()
        receipt = self.client.get(SUBMITTED_EN)
        self.assertContains(receipt, '<html lang="en">')
        self.assertContains(receipt, "Thank you – we have received your inquiry")
        self.assertContains(receipt, f"<strong>{inquiry.reference}</strong>", html=True)
        self.assertContains(receipt, f"You will hear from us by {expected_reply_date('en')} at the latest.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].subject, f"We have received your inquiry {inquiry.reference}")

    def test_what_was_posted_is_stored(self) -> None:
        self.post_intake(intake_data(organisation_number="974 760 673"))
        inquiry = Inquiry.objects.select_related("organisation", "contact").get()
        self.assertEqual(inquiry.title, "Felles pilot for utslippsfrie byggeplasser")
        self.assertEqual(inquiry.inquiry_type, Inquiry.Type.PILOT)
        self.assertEqual(inquiry.channel, Inquiry.Channel.WEB)
        self.assertIsNotNone(inquiry.consent_at)
        self.assertEqual(inquiry.organisation.organisation_number, "974760673")
        self.assertEqual(inquiry.contact.phone, "+47 73 00 00 00")
        self.assertEqual(sorted(inquiry.sdg_goals.values_list("number", flat=True)), [11, 13])
        self.assertEqual(inquiry.first_reply_due_on, add_business_days(timezone.localdate(), 5))

    def test_receipt_page_shows_only_this_browsers_inquiry(self) -> None:
        self.post_intake(intake_data())
        self.client.logout()  # a new session: another browser
        self.assertRedirects(self.client.get(SUBMITTED), NEW)

    def test_organisation_with_the_same_number_is_reused(self) -> None:
        existing = make_organisation(name="Klimalab Nidaros", organisation_number="974760673")
        self.post_intake(intake_data())
        self.assertEqual(Inquiry.objects.get().organisation, existing)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_organisation_with_the_same_name_and_country_is_reused(self) -> None:
        existing = make_organisation(name="Nidaros Klimalab AS", country="NO")
        self.post_intake(intake_data(organisation_name="NIDAROS KLIMALAB AS", organisation_number=""))
        self.assertEqual(Inquiry.objects.get().organisation, existing)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_a_second_inquiry_from_the_same_person_reuses_organisation_and_contact(self) -> None:
        self.post_intake(intake_data())
        self.post_intake(intake_data(title="Enda en idé"))
        self.assertEqual(Inquiry.objects.count(), 2)
        self.assertEqual(Organisation.objects.count(), 1)
        self.assertEqual(Contact.objects.count(), 1)


class InvalidIntakeTests(IntakeTestCase):
    """Each mistake keeps everything the person typed, explains itself and links to the field."""

    def assert_refused_keeping_input(self, data: dict[str, Any], *, field: str, message: str) -> None:
        response = self.post_intake(data, url=NEW_EN)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Correct 1 error before you send")
        self.assertContains(response, f'<a href="#id_{field}">{message}</a>', html=True)
        self.assertContains(
            response, f'<p class="ds-validation-message" id="id_{field}_error">{message}</p>', html=True
        )
        self.assertEqual(form_values(response), posted_values(data))
        self.assert_nothing_stored()

    def test_title_over_200_characters(self) -> None:
        self.assert_refused_keeping_input(
            intake_data(title="T" * 201),
            field="title",
            message="The title can be at most 200 characters (it has 201).",
        )

    def test_description_over_10000_characters(self) -> None:
        self.assert_refused_keeping_input(
            intake_data(description="Vi foreslår et samarbeid. " * 385 + "Slutt."),  # 10,016 characters
            field="description",
            message="The description can be at most 10,000 characters (it has 10016).",
        )

    def test_organisation_number_with_a_wrong_check_digit(self) -> None:
        self.assert_refused_keeping_input(
            intake_data(organisation_number="974 760 674"),
            field="organisation_number",
            message="Enter a valid Norwegian organisation number: nine digits, as in the Brønnøysund Register.",
        )

    def test_malformed_e_mail_address(self) -> None:
        self.assert_refused_keeping_input(
            intake_data(contact_email="kari@klimalab"),
            field="contact_email",
            message="Enter an e-mail address in the form name@example.no.",
        )

    def test_missing_consent(self) -> None:
        self.assert_refused_keeping_input(
            intake_data(consent=""),
            field="consent",
            message="You must agree to the processing of the information before you can send.",
        )

    def test_bokmal_page_shows_the_error_summary_too(self) -> None:
        response = self.post_intake(intake_data(contact_email="kari@klimalab"))
        self.assertContains(response, '<html lang="nb">')
        self.assertContains(response, 'id="error-summary"')
        self.assertContains(response, '<a href="#id_contact_email">')
        self.assert_nothing_stored()


class HoneypotTests(IntakeTestCase):
    def test_filled_honeypot_gets_a_thank_you_and_nothing_is_stored_or_sent(self) -> None:
        response = self.post_intake(intake_data(website="https://cheap-pills.example"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "requests_app/inquiry_thanks.html")
        self.assert_nothing_stored()


@override_settings(INTAKE_RATE_LIMIT="2/h", RATELIMIT_ENABLE=True)
class RateLimitTests(IntakeTestCase):
    def test_third_submission_in_an_hour_gets_a_429_that_keeps_the_text(self) -> None:
        for _ in range(2):
            self.assertEqual(self.post_intake(intake_data()).status_code, 302)
        blocked = intake_data(description="Min tredje idé: solceller på alle skoletak i Trondheim.")
        response = self.post_intake(blocked)
        self.assertEqual(response.status_code, 429)
        seconds_left = int(response["Retry-After"])
        self.assertTrue(0 < seconds_left <= 3600)
        retry_at = response.context["retry_at"]
        self.assertAlmostEqual((retry_at - timezone.now()).total_seconds(), seconds_left, delta=5)
        with translation.override("nb"):
            self.assertContains(response, formats.time_format(retry_at, "TIME_FORMAT"), status_code=429)
        self.assertContains(response, "Min tredje idé: solceller på alle skoletak i Trondheim.", status_code=429)
        self.assertEqual(Inquiry.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_invalid_posts_do_not_count(self) -> None:
        for _ in range(3):
            self.assertEqual(self.post_intake(intake_data(consent="")).status_code, 200)
        for _ in range(2):
            self.assertEqual(self.post_intake(intake_data()).status_code, 302)
        self.assertEqual(self.post_intake(intake_data()).status_code, 429)
        self.assertEqual(Inquiry.objects.count(), 2)

    def test_another_address_is_not_limited(self) -> None:
        for _ in range(2):
            self.post_intake(intake_data(), REMOTE_ADDR="192.0.2.10")
        self.assertEqual(self.post_intake(intake_data(), REMOTE_ADDR="192.0.2.10").status_code, 429)
        response = self.post_intake(intake_data(), REMOTE_ADDR="198.51.100.20")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Inquiry.objects.count(), 3)
