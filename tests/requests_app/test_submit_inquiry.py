import datetime
from typing import Any

from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext

from partners.models import Contact, Organisation
from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry, InquiryEvent, SdgGoal, SdgTarget
from requests_app.services.intake import submit_inquiry
from tests.base import PortalTestCase

UTC = datetime.UTC
# Tuesday 31 March 2026, 10:00 in Trondheim: the five business days run past Easter, to Friday 10 April.
BEFORE_EASTER = datetime.datetime(2026, 3, 31, 8, 0, tzinfo=UTC)


def html_part(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def submit(**overrides: Any) -> Inquiry:
    arguments: dict[str, Any] = {
        "organisation": OrganisationDetails(name="Nidaros Klimalab AS", kind="company", country="NO"),
        "contact": ContactDetails(name="Kari Nordmann", email="kari@klimalab.example", role="Daglig leder"),
        "title": "Felles pilot for  utslippsfrie byggeplasser",
        "description": "  Vi ønsker å teste utslippsfrie anleggsmaskiner sammen med kommunen.  ",
        "inquiry_type": Inquiry.Type.PILOT,
        "language": "nb",
        "now": BEFORE_EASTER,
    }
    arguments.update(overrides)
    return submit_inquiry(**arguments)


class ReferenceTests(PortalTestCase):
    def test_references_are_numbered_in_sequence_within_the_year(self) -> None:
        first = submit()
        second = submit(now=BEFORE_EASTER + datetime.timedelta(days=30))
        self.assertEqual(first.reference, "2026-0001")
        self.assertEqual(second.reference, "2026-0002")

    def test_numbering_restarts_in_a_new_year(self) -> None:
        submit(now=datetime.datetime(2026, 12, 30, 12, 0, tzinfo=UTC))
        submit(now=datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
        new_year = submit(now=datetime.datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
        self.assertEqual(new_year.reference, "2027-0001")

    def test_half_past_eleven_utc_on_new_years_eve_is_already_next_year_in_oslo(self) -> None:
        submit(now=datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
        late = submit(now=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
        self.assertEqual(late.reference, "2027-0001")
        # 1 January is a holiday, so the first reply is due five business days from it: Friday 8 January.
        self.assertEqual(late.first_reply_due_on, datetime.date(2027, 1, 8))


class SubmitInquiryTests(PortalTestCase):
    def test_inquiry_is_stored_with_organisation_contact_and_reply_date(self) -> None:
        inquiry = submit()
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Inquiry.Status.RECEIVED)
        self.assertEqual(inquiry.title, "Felles pilot for utslippsfrie byggeplasser")
        self.assertEqual(inquiry.description, "Vi ønsker å teste utslippsfrie anleggsmaskiner sammen med kommunen.")
        self.assertEqual(inquiry.organisation, Organisation.objects.get())
        self.assertEqual(inquiry.contact, Contact.objects.get(organisation=inquiry.organisation))
        self.assertEqual(inquiry.received_at, BEFORE_EASTER)
        self.assertEqual(inquiry.consent_at, BEFORE_EASTER)
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 4, 10))
        self.assertIsNone(inquiry.submitted_by)

    def test_goals_include_the_goal_of_every_chosen_target(self) -> None:
        inquiry = submit(
            sdg_goals=[SdgGoal.objects.get(number=3)],
            sdg_targets=list(SdgTarget.objects.filter(code__in=["11.2", "13.1"])),
        )
        self.assertEqual(sorted(inquiry.sdg_goals.values_list("number", flat=True)), [3, 11, 13])
        self.assertEqual(sorted(inquiry.sdg_targets.values_list("code", flat=True)), ["11.2", "13.1"])

    def test_one_submitted_event_records_what_was_stored(self) -> None:
        inquiry = submit(sdg_targets=[SdgTarget.objects.get(code="11.2")])
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.SUBMITTED)
        self.assertIsNone(event.actor)
        self.assertEqual(event.data["organisation"], inquiry.organisation_id)
        self.assertEqual(event.data["contact"], inquiry.contact_id)
        self.assertEqual(event.data["sdg_goals"], [11])
        self.assertEqual(event.data["sdg_targets"], ["11.2"])

    def test_staff_who_register_an_inquiry_are_its_submitter_and_the_event_actor(self) -> None:
        inquiry = submit(actor=self.amina, channel=Inquiry.Channel.PHONE)
        self.assertEqual(inquiry.submitted_by, self.amina)
        self.assertEqual(inquiry.channel, Inquiry.Channel.PHONE)
        self.assertEqual(inquiry.events.get().actor, self.amina)

    def test_without_consent_no_consent_time_is_stored(self) -> None:
        self.assertIsNone(submit(consent_given=False).consent_at)

    def test_existing_organisation_and_contact_are_reused(self) -> None:
        first = submit()
        second = submit(organisation=OrganisationDetails(name="NIDAROS KLIMALAB AS", kind="company", country="NO"))
        self.assertEqual(second.organisation, first.organisation)
        self.assertEqual(second.contact, first.contact)
        self.assertEqual(Organisation.objects.count(), 1)
        self.assertEqual(Contact.objects.count(), 1)


class ReceiptEmailTests(PortalTestCase):
    def test_receipt_is_sent_only_after_commit(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            inquiry = submit()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)
        callbacks[0]()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["kari@klimalab.example"])
        self.assertIn(inquiry.reference, mail.outbox[0].subject)

    def test_receipt_has_a_text_and_an_html_part_with_the_reference(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            inquiry = submit()
        message = mail.outbox[0]
        self.assertIn(inquiry.reference, message.body)
        self.assertIn("Nidaros Klimalab AS", message.body)
        self.assertIn(f"<strong>{inquiry.reference}</strong>", html_part(message))

    def test_english_inquiry_gets_an_english_receipt(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            inquiry = submit(language="en")
        message = mail.outbox[0]
        self.assertEqual(message.subject, f"We have received your inquiry {inquiry.reference}")
        self.assertEqual(message.extra_headers["Content-Language"], "en")
        self.assertIn("Dear Kari Nordmann,", message.body)
        self.assertIn("You will hear from us by 10 April 2026 at the latest.", message.body)
        self.assertIn('<html lang="en">', html_part(message))

    def test_bokmal_inquiry_gets_a_bokmal_receipt(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            inquiry = submit(language="nb")
        message = mail.outbox[0]
        with translation.override("nb"):
            subject = gettext("We have received your inquiry %(reference)s") % {"reference": inquiry.reference}
        self.assertEqual(message.subject, subject)
        self.assertEqual(message.extra_headers["Content-Language"], "nb")
        self.assertIn("10. april 2026", message.body)
        self.assertNotIn("10 April 2026", message.body)
        self.assertIn('<html lang="nb">', html_part(message))

    def test_receipt_language_does_not_depend_on_the_language_active_when_submitting(self) -> None:
        with translation.override("en"), self.captureOnCommitCallbacks(execute=True):
            submit(language="nb")
        self.assertEqual(mail.outbox[0].extra_headers["Content-Language"], "nb")
        self.assertIn("10. april 2026", mail.outbox[0].body)
