"""Duplicates: finding likely ones, and marking one so its conversation moves to the original."""

import datetime
from typing import Any

from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from partners.models import Organisation
from requests_app import selectors
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage
from requests_app.services.duplicates import mark_duplicate
from requests_app.services.errors import InquiryStateError
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

S = Inquiry.Status
RECEIVED = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
TITLE = "Felles pilot for utslippsfrie byggeplasser"


class LikelyDuplicatesTests(PortalTestCase):
    organisation: Organisation
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.organisation = make_organisation(name="Nidaros Klimalab AS")
        contact = make_contact(cls.organisation, email="kari@klimalab.example")
        cls.inquiry = make_inquiry(contact=contact, title=TITLE, received_at=RECEIVED)

    def candidate(self, *, days: int = -10, **overrides: Any) -> Inquiry:
        fields: dict[str, Any] = {
            "organisation": self.organisation,
            "title": "Felles pilot for utslippsfri byggeplass",
            "received_at": RECEIVED + datetime.timedelta(days=days),
        }
        fields.update(overrides)
        return make_inquiry(**fields)

    def likely(self, **options: Any) -> list[Inquiry]:
        return selectors.likely_duplicates(self.inquiry, visible_to=options.get("visible_to", self.amina))

    def test_same_organisation_and_similar_title_is_found(self) -> None:
        same = self.candidate()
        self.assertEqual(self.likely(), [same])

    def test_same_contact_email_in_another_organisation_is_found_whatever_its_case(self) -> None:
        other_organisation = make_organisation(name="Klimalab Invest AS")
        contact = make_contact(other_organisation, email="KARI@Klimalab.Example")
        same_person = self.candidate(organisation=other_organisation, contact=contact)
        self.assertEqual(self.likely(), [same_person])

    def test_a_dissimilar_title_is_not_found(self) -> None:
        self.candidate(title="Invitasjon til frokostmøte om sirkulærøkonomi")
        self.assertEqual(self.likely(), [])

    def test_another_organisation_and_contact_are_not_found(self) -> None:
        self.candidate(organisation=make_organisation(name="Et annet selskap AS"))
        self.assertEqual(self.likely(), [])

    def test_only_within_180_days(self) -> None:
        inside = [self.candidate(days=-180), self.candidate(days=180)]
        self.candidate(days=-181)
        self.candidate(days=181)
        self.assertEqual(set(self.likely()), set(inside))

    def test_spam_is_not_found(self) -> None:
        self.candidate(status=S.SPAM)
        self.assertEqual(self.likely(), [])

    def test_the_inquiry_itself_is_not_found(self) -> None:
        self.assertNotIn(self.inquiry, self.likely())
        self.assertEqual(self.likely(), [])

    def test_newest_first(self) -> None:
        older, newer = self.candidate(days=-30), self.candidate(days=-3)
        self.assertEqual(self.likely(), [newer, older])

    def test_a_unit_member_sees_only_their_units_inquiries(self) -> None:
        ours = self.candidate(unit=self.bym_unit, status=S.ROUTED)
        theirs = self.candidate(unit=self.oppvekst_unit, status=S.ROUTED)
        self.candidate()  # not routed yet: only the secretariat sees it
        self.assertEqual(self.likely(visible_to=self.bruno), [ours])
        self.assertEqual(self.likely(visible_to=self.chen), [theirs])
        self.assertEqual(len(self.likely(visible_to=self.amina)), 3)
        self.assertEqual(self.likely(visible_to=self.partner), [])


class MarkDuplicateTests(PortalTestCase):
    def make_pair(self, status: str = S.RECEIVED, **duplicate_fields: Any) -> tuple[Inquiry, Inquiry]:
        original = make_inquiry_in(S.IN_PROGRESS, title=TITLE)
        duplicate = make_inquiry_in(status, title=TITLE, organisation=original.organisation, **duplicate_fields)
        return duplicate, original

    def test_the_duplicate_is_linked_and_its_messages_move_to_the_original(self) -> None:
        duplicate, original = self.make_pair()
        kept = InquiryMessage.objects.create(inquiry=original, kind=InquiryMessage.Kind.NOTE, body="Original.")
        moved = [
            InquiryMessage.objects.create(inquiry=duplicate, kind=InquiryMessage.Kind.FROM_PARTNER, body="Spørsmål."),
            InquiryMessage.objects.create(inquiry=duplicate, kind=InquiryMessage.Kind.NOTE, body="Notat."),
        ]
        with self.captureOnCommitCallbacks(execute=True):
            mark_duplicate(duplicate, original=original, actor=self.amina)
        duplicate.refresh_from_db()
        self.assertEqual(duplicate.status, S.DUPLICATE)
        self.assertEqual(duplicate.duplicate_of, original)
        self.assertEqual(list(original.duplicates.all()), [duplicate])
        self.assertEqual(list(original.messages.order_by("pk")), [kept, *moved])
        self.assertFalse(duplicate.messages.exists())
        for message in moved:
            message.refresh_from_db()
            self.assertEqual(message.moved_from, duplicate)
        kept.refresh_from_db()
        self.assertIsNone(kept.moved_from)
        self.assertEqual(mail.outbox, [])

    def test_both_timelines_get_an_event(self) -> None:
        duplicate, original = self.make_pair()
        message = InquiryMessage.objects.create(inquiry=duplicate, kind=InquiryMessage.Kind.NOTE, body="Notat.")
        mark_duplicate(duplicate, original=original, actor=self.amina)
        marked = duplicate.events.get()
        self.assertEqual(marked.kind, InquiryEvent.Kind.MARKED_DUPLICATE)
        self.assertEqual(marked.actor, self.amina)
        self.assertEqual(marked.data["before"], S.RECEIVED)
        self.assertEqual(marked.data["after"], S.DUPLICATE)
        self.assertEqual(marked.data["original"], original.pk)
        self.assertEqual(marked.data["moved_messages"], [message.pk])
        self.assertIsNone(marked.data["message"])
        merged = original.events.get()
        self.assertEqual(merged.kind, InquiryEvent.Kind.DUPLICATE_MERGED)
        self.assertEqual(merged.actor, self.amina)
        self.assertEqual(merged.data["duplicate"], duplicate.pk)
        self.assertEqual(merged.data["moved_messages"], [message.pk])

    def test_a_duplicate_awaiting_the_partner_stops_waiting(self) -> None:
        duplicate, original = self.make_pair(S.AWAITING_PARTNER)
        mark_duplicate(duplicate, original=original, actor=self.amina)
        duplicate.refresh_from_db()
        self.assertIsNone(duplicate.awaiting_since)
        self.assertEqual(duplicate.status_before_waiting, "")

    def test_the_partner_is_told_in_the_duplicates_language_only_if_asked(self) -> None:
        duplicate, original = self.make_pair(language="en")
        with translation.override("nb"), self.captureOnCommitCallbacks() as callbacks:
            mark_duplicate(duplicate, original=original, actor=self.amina, tell_partner=True)
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        [email] = mail.outbox
        self.assertEqual(email.to, [duplicate.contact.email])
        self.assertEqual(email.extra_headers["Content-Language"], "en")
        with translation.override("en"):
            expected = gettext(
                "Your inquiry %(duplicate)s “%(title)s” is about the same as %(original)s, and we handle the two "
                "together under the reference %(original)s. You do not need to do anything."
            ) % {"duplicate": duplicate.reference, "title": TITLE, "original": original.reference}
        self.assertIn(expected, email.body)
        notice = InquiryMessage.objects.get(inquiry=duplicate)
        self.assertEqual(notice.kind, InquiryMessage.Kind.TO_PARTNER)
        self.assertEqual(notice.body, expected)
        self.assertIsNotNone(notice.sent_at)
        self.assertEqual(duplicate.events.get().data["message"], notice.pk)

    def test_a_bokmal_partner_is_told_in_bokmal(self) -> None:
        duplicate, original = self.make_pair(language="nb")
        with translation.override("en"), self.captureOnCommitCallbacks(execute=True):
            mark_duplicate(duplicate, original=original, actor=self.amina, tell_partner=True)
        [email] = mail.outbox
        self.assertEqual(email.extra_headers["Content-Language"], "nb")
        with translation.override("nb"):
            start = gettext(
                "Your inquiry %(duplicate)s “%(title)s” is about the same as %(original)s, and we handle the two "
                "together under the reference %(original)s. You do not need to do anything."
            ) % {"duplicate": duplicate.reference, "title": TITLE, "original": original.reference}
        self.assertIn(start, email.body)

    def assert_refused(self, duplicate: Inquiry, original: Inquiry) -> None:
        message = InquiryMessage.objects.create(inquiry=duplicate, kind=InquiryMessage.Kind.NOTE, body="Notat.")
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(InquiryStateError) as caught,
        ):
            mark_duplicate(duplicate, original=original, actor=self.amina, tell_partner=True)
        self.assertNotEqual(str(caught.exception), "")
        for inquiry in (duplicate, original):
            stored = Inquiry.objects.get(pk=inquiry.pk)
            self.assertEqual(stored.status, inquiry.status)
            self.assertEqual(stored.version, inquiry.version)
            self.assertEqual(stored.duplicate_of_id, inquiry.duplicate_of_id)
            self.assertFalse(stored.events.exists())
        message.refresh_from_db()
        self.assertEqual(message.inquiry_id, duplicate.pk)
        self.assertIsNone(message.moved_from)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])

    def test_an_inquiry_cannot_be_a_duplicate_of_itself(self) -> None:
        inquiry = make_inquiry()
        self.assert_refused(inquiry, Inquiry.objects.get(pk=inquiry.pk))

    def test_the_original_cannot_itself_be_a_duplicate_or_spam(self) -> None:
        for status in (S.DUPLICATE, S.SPAM):
            with self.subTest(status=status):
                duplicate, _original = self.make_pair()
                self.assert_refused(duplicate, make_inquiry_in(status, title=TITLE))

    def test_a_closed_inquiry_cannot_be_marked_as_a_duplicate(self) -> None:
        duplicate, original = self.make_pair(S.CLOSED)
        self.assert_refused(duplicate, original)

    def test_the_original_may_be_closed_already(self) -> None:
        duplicate, _original = self.make_pair()
        closed = make_inquiry_in(S.CLOSED, title=TITLE)
        mark_duplicate(duplicate, original=closed, actor=self.amina)
        duplicate.refresh_from_db()
        self.assertEqual(duplicate.duplicate_of, closed)
