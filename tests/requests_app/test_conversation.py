"""The conversation with the partner: messages are e-mailed after commit, internal notes never leave the house."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from partners.models import Contact
from requests_app import emails, tasks
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, ReplyTemplate
from requests_app.services.conversation import (
    add_note,
    fill_reply_template,
    record_partner_reply,
    request_information,
    send_interim_reply,
    send_message,
)
from requests_app.services.errors import InquiryStateError
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry_in, make_organisation

S = Inquiry.Status
UTC = datetime.UTC


def at_ten_in_trondheim(day: datetime.date) -> datetime.datetime:
    """10:00 in Trondheim (summer time, UTC+2, in every date these tests use)."""
    return datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


class SendMessageTests(PortalTestCase):
    def test_message_is_stored_and_emailed_after_commit_to_the_contact(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks() as callbacks:
            message = send_message(inquiry, body="  Takk, vi ser på saken.  ", subject="Om saken", actor=self.bruno)
        self.assertEqual(message.kind, InquiryMessage.Kind.TO_PARTNER)
        self.assertEqual(message.body, "Takk, vi ser på saken.")
        self.assertEqual(message.author, self.bruno)
        self.assertIsNone(message.sent_at)
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        [email] = mail.outbox
        self.assertEqual(email.to, [inquiry.contact.email])
        self.assertEqual(email.subject, "Om saken")
        self.assertIn("Takk, vi ser på saken.", email.body)
        message.refresh_from_db()
        self.assertIsNotNone(message.sent_at)

    def test_one_message_sent_event(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        message = send_message(inquiry, body="Hei!", actor=self.amina)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.MESSAGE_SENT)
        self.assertEqual(event.actor, self.amina)
        self.assertEqual(event.data["message"], message.pk)
        self.assertEqual(event.data["version"], 2)

    def test_the_email_is_in_the_inquirys_language(self) -> None:
        for language in ("en", "nb"):
            with self.subTest(language=language):
                mail.outbox.clear()
                inquiry = make_inquiry_in(S.IN_TRIAGE, language=language)
                with (
                    translation.override("nb" if language == "en" else "en"),
                    self.captureOnCommitCallbacks(execute=True),
                ):
                    send_message(inquiry, body="Hello", actor=self.amina)
                [email] = mail.outbox
                with translation.override(language):
                    subject = gettext("About your inquiry %(reference)s") % {"reference": inquiry.reference}
                    footer = gettext("Please quote your reference if you write to us.")
                self.assertEqual(email.subject, subject)
                self.assertIn(footer, email.body)
                self.assertEqual(email.extra_headers["Content-Language"], language)

    def test_the_first_message_sets_first_replied_at_once(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        first = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
        send_message(inquiry, body="Første svar.", actor=self.amina, now=first)
        send_message(inquiry, body="Andre svar.", actor=self.amina, now=first + datetime.timedelta(days=2))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.first_replied_at, first)
        self.assertEqual(inquiry.version, 3)

    def test_a_message_is_not_sent_twice(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks(execute=True):
            message = send_message(inquiry, body="Hei!", actor=self.amina)
        [row] = message.outbox_messages.all()
        self.assertFalse(tasks.deliver_outbox_message(row.pk))
        tasks.deliver_outbox_message.delay(row.pk)
        self.assertEqual(len(mail.outbox), 1)
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), (OutboxMessage.Status.SENT, 1))
        message.refresh_from_db()
        self.assertEqual(message.sent_at, row.sent_at)

    def test_an_empty_message_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.assertRaises(InquiryStateError):
            send_message(inquiry, body=" \n ", actor=self.amina)
        self.assertFalse(inquiry.messages.exists())
        self.assertFalse(inquiry.events.exists())

    def test_messages_are_refused_once_the_inquiry_is_finished(self) -> None:
        for status in (S.CLOSED, S.WITHDRAWN, S.DUPLICATE, S.SPAM):
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                with self.captureOnCommitCallbacks(execute=True), self.assertRaises(InquiryStateError):
                    send_message(inquiry, body="Hei!", actor=self.amina)
                self.assertFalse(inquiry.messages.exists())
                self.assertEqual(mail.outbox, [])


class AddNoteTests(PortalTestCase):
    def test_a_note_is_stored_with_its_event_and_never_emailed(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            note = add_note(inquiry, body="Ring partneren før fredag.", actor=self.bruno)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        self.assertTrue(note.is_note)
        self.assertEqual(note.author, self.bruno)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.NOTE_ADDED)
        self.assertEqual(event.data["message"], note.pk)
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.first_replied_at)

    def test_a_note_cannot_be_written_to_the_outbox_even_when_asked_directly(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        note = add_note(inquiry, body="Internt: budsjettet er ikke avklart.", actor=self.bruno)
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(ValueError):
            emails.queue_partner_message(note, event=inquiry.events.get())
        self.assertFalse(OutboxMessage.objects.exists())
        self.assertEqual(mail.outbox, [])
        note.refresh_from_db()
        self.assertIsNone(note.sent_at)

    def test_notes_in_between_messages_are_not_emailed_with_them(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with self.captureOnCommitCallbacks(execute=True):
            add_note(inquiry, body="Internt notat.", actor=self.bruno)
            send_message(inquiry, body="Til partneren.", actor=self.bruno)
            add_note(inquiry, body="Enda et internt notat.", actor=self.bruno)
        [email] = mail.outbox
        self.assertNotIn("Internt", email.body)
        [row] = OutboxMessage.objects.all()
        self.assertNotIn("Internt", row.body_text + row.body_html)

    def test_a_reply_from_the_partner_is_not_emailed_back_to_them(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with self.captureOnCommitCallbacks(execute=True):
            record_partner_reply(inquiry, body="Svar fra partneren.", actor=None)
        self.assertFalse(OutboxMessage.objects.filter(to=inquiry.contact.email).exists())
        self.assertNotIn([inquiry.contact.email], [email.to for email in mail.outbox])


class PauseForPartnerTests(PortalTestCase):
    def test_a_pause_over_easter_2026_counts_one_business_day(self) -> None:
        # Paused Wednesday 1 April, answered Tuesday 7 April: Skjærtorsdag 2 April, Langfredag 3 April and
        # 2. påskedag 6 April are holidays and 4-5 April a weekend, so only 7 April is counted.
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 20))
        request_information(
            inquiry, body="Hvem deltar?", actor=self.bruno, now=at_ten_in_trondheim(datetime.date(2026, 4, 1))
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.AWAITING_PARTNER)
        self.assertEqual(inquiry.status_before_waiting, S.IN_PROGRESS)
        self.assertEqual(inquiry.awaiting_since, at_ten_in_trondheim(datetime.date(2026, 4, 1)))

        record_partner_reply(
            inquiry, body="Tolv personer.", actor=None, now=at_ten_in_trondheim(datetime.date(2026, 4, 7))
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 4, 21))
        self.assertIsNone(inquiry.awaiting_since)
        self.assertEqual(inquiry.status_before_waiting, "")
        self.assertEqual(inquiry.events.get(kind=InquiryEvent.Kind.PARTNER_REPLIED).data["business_days_waited"], 1)

    def test_a_pause_over_ascension_day_and_17_may_2026(self) -> None:
        # Paused Wednesday 13 May, answered Tuesday 19 May: Kristi himmelfartsdag 14 May is a holiday and
        # 17 May a Sunday, so 15, 18 and 19 May are counted. The decision moves on from Friday 22 May past
        # 2. pinsedag (25 May) to Thursday 28 May.
        inquiry = make_inquiry_in(S.ROUTED, decision_due_on=datetime.date(2026, 5, 22))
        request_information(inquiry, body="?", actor=self.amina, now=at_ten_in_trondheim(datetime.date(2026, 5, 13)))
        record_partner_reply(inquiry, body="!", actor=None, now=at_ten_in_trondheim(datetime.date(2026, 5, 19)))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.ROUTED)
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 5, 28))
        self.assertEqual(inquiry.events.get(kind=InquiryEvent.Kind.PARTNER_REPLIED).data["business_days_waited"], 3)

    def test_a_pause_over_17_may_on_a_monday_in_2027(self) -> None:
        # Paused Friday 14 May 2027, answered Tuesday 18 May: 17 May (also 2. pinsedag) is a holiday.
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2027, 5, 21))
        request_information(inquiry, body="?", actor=self.bruno, now=at_ten_in_trondheim(datetime.date(2027, 5, 14)))
        record_partner_reply(inquiry, body="!", actor=None, now=at_ten_in_trondheim(datetime.date(2027, 5, 18)))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.decision_due_on, datetime.date(2027, 5, 24))

    def test_an_answer_the_same_day_does_not_move_the_deadline(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 3, 20))
        morning = datetime.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
        request_information(inquiry, body="?", actor=self.bruno, now=morning)
        record_partner_reply(inquiry, body="!", actor=None, now=morning + datetime.timedelta(hours=5))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 3, 20))

    def test_days_are_counted_in_trondheim_time(self) -> None:
        # 23:30 UTC on Tuesday 31 March is already Wednesday 1 April in Trondheim: Easter follows, so the
        # answer on Tuesday 7 April has waited one business day, not two.
        inquiry = make_inquiry_in(S.IN_PROGRESS, decision_due_on=datetime.date(2026, 4, 20))
        request_information(inquiry, body="?", actor=self.bruno, now=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
        record_partner_reply(inquiry, body="!", actor=None, now=at_ten_in_trondheim(datetime.date(2026, 4, 7)))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 4, 21))

    def test_a_first_reply_deadline_still_open_moves_too(self) -> None:
        # An inquiry put on hold before anyone wrote to the partner (data from before the conversation existed).
        inquiry = make_inquiry_in(
            S.AWAITING_PARTNER,
            status_before_waiting=S.IN_TRIAGE,
            awaiting_since=at_ten_in_trondheim(datetime.date(2026, 4, 1)),
            first_replied_at=None,
            first_reply_due_on=datetime.date(2026, 4, 8),
            decision_due_on=datetime.date(2026, 4, 28),
        )
        record_partner_reply(inquiry, body="!", actor=None, now=at_ten_in_trondheim(datetime.date(2026, 4, 8)))
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.IN_TRIAGE)
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 4, 10))
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 4, 30))

    def test_asking_the_partner_counts_as_the_first_reply(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        now = at_ten_in_trondheim(datetime.date(2026, 3, 10))
        request_information(inquiry, body="?", actor=self.amina, now=now)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.first_replied_at, now)
        self.assertEqual(inquiry.status_before_waiting, S.RECEIVED)


class PartnerReplyWhileNotWaitingTests(PortalTestCase):
    def test_the_reply_is_added_and_nothing_else_changes(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno, decision_due_on=datetime.date(2026, 4, 20))
        message = record_partner_reply(inquiry, body="  Et tillegg.  ", actor=self.partner)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 4, 20))
        self.assertEqual(message.kind, InquiryMessage.Kind.FROM_PARTNER)
        self.assertEqual(message.body, "Et tillegg.")
        self.assertEqual(message.author, self.partner)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.PARTNER_REPLIED)
        self.assertNotIn("before", event.data)
        self.assertEqual(event.data["message"], message.pk)

    def test_the_owner_is_emailed(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            record_partner_reply(inquiry, body="Et tillegg.", actor=None)
        [email] = mail.outbox
        self.assertEqual(email.to, [self.bruno.email])
        self.assertIn(inquiry.reference, email.subject)

    def test_without_an_owner_the_unit_is_emailed(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        with self.captureOnCommitCallbacks(execute=True):
            record_partner_reply(inquiry, body="Et tillegg.", actor=None)
        self.assertEqual([email.to for email in mail.outbox], [[self.bym_unit.email]])

    def test_without_owner_or_unit_the_secretariat_is_emailed(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        with self.captureOnCommitCallbacks(execute=True):
            record_partner_reply(inquiry, body="Et tillegg.", actor=None)
        self.assertEqual([email.to for email in mail.outbox], [[self.secretariat_unit.email]])

    def test_a_reply_after_the_decision_is_taken(self) -> None:
        inquiry = make_inquiry_in(S.DECIDED, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            record_partner_reply(inquiry, body="Takk for svaret.", actor=None)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.DECIDED)
        self.assertEqual([email.to for email in mail.outbox], [[self.bruno.email]])


class SendInterimReplyTests(PortalTestCase):
    def test_the_interim_reply_is_recorded_and_emailed(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        now = at_ten_in_trondheim(datetime.date(2026, 4, 14))
        with self.captureOnCommitCallbacks(execute=True):
            message = send_interim_reply(inquiry, body="Svar kommer innen mai.", actor=self.bruno, now=now)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.interim_reply_sent_at, now)
        self.assertEqual(inquiry.first_replied_at, now)
        self.assertTrue(message.is_interim_reply)
        self.assertEqual(message.kind, InquiryMessage.Kind.TO_PARTNER)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.INTERIM_REPLY_SENT)
        self.assertEqual(event.data["message"], message.pk)
        [email] = mail.outbox
        self.assertEqual(email.to, [inquiry.contact.email])
        self.assertIn("Svar kommer innen mai.", email.body)

    def test_no_interim_reply_once_decided_or_paused(self) -> None:
        for status in (S.AWAITING_PARTNER, S.DECIDED, S.CLOSED):
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                with self.captureOnCommitCallbacks(execute=True), self.assertRaises(InquiryStateError):
                    send_interim_reply(inquiry, body="Svar kommer.", actor=self.bruno)
                inquiry.refresh_from_db()
                self.assertIsNone(inquiry.interim_reply_sent_at)
                self.assertEqual(mail.outbox, [])


class FillReplyTemplateTests(PortalTestCase):
    contact: Contact

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        organisation = make_organisation(name="Nidaros Klimalab AS")
        cls.contact = make_contact(organisation, name="Kari Nordmann")

    def make_template(self, language: str, body: str, subject: str = "Sak {reference}") -> ReplyTemplate:
        return ReplyTemplate.objects.create(name=f"Mal {language}", language=language, subject=subject, body=body)

    def test_placeholders_are_filled_in(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, contact=self.contact, title="Sykkelveier i Midtbyen")
        template = self.make_template(
            "nb", "Hei {contact_name} i {organisation}: «{title}» ({reference}) hos {unit}.\n{staff_name}"
        )
        subject, body = fill_reply_template(template, inquiry, staff=self.bruno)
        self.assertEqual(subject, f"Sak {inquiry.reference}")
        self.assertEqual(
            body,
            f"Hei Kari Nordmann i Nidaros Klimalab AS: «Sykkelveier i Midtbyen» ({inquiry.reference}) hos "
            "Byutvikling og miljø.\nBruno Solberg",
        )

    def test_dates_and_unit_are_written_in_the_templates_language(self) -> None:
        inquiry = make_inquiry_in(
            S.IN_PROGRESS,
            contact=self.contact,
            first_reply_due_on=datetime.date(2026, 4, 10),
            decision_due_on=datetime.date(2026, 5, 4),
        )
        body = "{first_reply_due} / {decision_due} / {unit}"
        # The language active on the page must not leak into the text.
        with translation.override("en"):
            _subject, bokmal = fill_reply_template(self.make_template("nb", body), inquiry, staff=self.bruno)
        with translation.override("nb"):
            _subject, english = fill_reply_template(self.make_template("en", body), inquiry, staff=self.bruno)
        self.assertEqual(bokmal, "10. april 2026 / 4. mai 2026 / Byutvikling og miljø")
        self.assertEqual(english, "10 April 2026 / 4 May 2026 / Urban Development and Environment")

    def test_without_a_unit_the_secretariat_is_named_in_the_templates_language(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE, contact=self.contact, decision_due_on=None)
        for language in ("nb", "en"):
            with self.subTest(language=language):
                _subject, body = fill_reply_template(
                    self.make_template(language, "{unit}|{decision_due}"), inquiry, staff=self.amina
                )
                with translation.override(language):
                    secretariat = gettext("the centre's secretariat")
                self.assertEqual(body, f"{secretariat}|")

    def test_unknown_placeholders_are_left_as_they_are(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE, contact=self.contact)
        template = self.make_template("nb", "Hei {contact_name}, {ukjent} og {{klammer}}", subject="{ukjent_emne}")
        subject, body = fill_reply_template(template, inquiry, staff=self.amina)
        self.assertEqual(subject, "{ukjent_emne}")
        self.assertEqual(body, "Hei Kari Nordmann, {ukjent} og {klammer}")

    def test_the_default_templates_are_valid_and_fill_in_completely(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, contact=self.contact, decision_due_on=datetime.date(2026, 5, 4))
        templates = list(ReplyTemplate.objects.all())
        self.assertEqual(len(templates), 4)
        for template in templates:
            with self.subTest(template=str(template)):
                template.full_clean()
                subject, body = fill_reply_template(template, inquiry, staff=self.bruno)
                self.assertIn(inquiry.reference, subject)
                self.assertIn("Kari Nordmann", body)
                self.assertIn("Bruno Solberg", body)
                self.assertNotIn("{", subject + body)


class ReplyTemplateCleanTests(PortalTestCase):
    def assert_invalid(self, field: str, **values: str) -> None:
        fields = {"name": "Mal", "language": "nb", "subject": "Sak {reference}", "body": "Hei {contact_name}"}
        fields.update(values)
        with self.assertRaises(ValidationError) as caught:
            ReplyTemplate(**fields).full_clean()
        self.assertIn(field, caught.exception.message_dict)

    def test_every_known_placeholder_is_accepted(self) -> None:
        body = " ".join("{" + name + "}" for name in ReplyTemplate.PLACEHOLDERS) + " {{literal}}"
        ReplyTemplate(name="Mal", language="nb", subject="{reference}", body=body).full_clean()

    def test_unknown_placeholders_are_refused(self) -> None:
        self.assert_invalid("body", body="Hei {kontaktperson}")
        self.assert_invalid("subject", subject="Sak {referanse}")
        self.assert_invalid("body", body="Hei {contact_name.__class__}")

    def test_unbalanced_braces_are_refused(self) -> None:
        for text in ("Hei {contact_name", "Hei contact_name}", "{", "}"):
            with self.subTest(text=text):
                self.assert_invalid("body", body=text)
        self.assert_invalid("subject", subject="Sak {reference")

    def test_an_empty_placeholder_is_refused(self) -> None:
        # "{}" would make filling in the template fail: format_map has no positional values.
        self.assert_invalid("body", body="Hei {}")
        self.assert_invalid("subject", subject="{0}")
