"""Every lifecycle arrow: its happy path with its one audit event, every status it is refused in, side effects."""

import datetime
from collections.abc import Callable, Collection
from functools import partial
from typing import Any

from django.core import mail

from partners.models import MunicipalUnit
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, Outcome
from requests_app.services.conversation import record_partner_reply, request_information
from requests_app.services.duplicates import mark_duplicate
from requests_app.services.errors import InquiryStateError, StaleInquiryError
from requests_app.services.lifecycle import (
    accept_inquiry,
    close_inquiry,
    decline_referral,
    mark_spam,
    reopen_inquiry,
    route_inquiry,
    start_triage,
    withdraw_inquiry,
)
from tests.base import PortalTestCase, make_user
from tests.factories import make_inquiry, make_inquiry_in

S = Inquiry.Status
OPEN = set(Inquiry.OPEN_STATUSES)
# Tuesday 10 March 2026, 10:00 in Trondheim.
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)

Act = Callable[[Inquiry], Any]


class LifecycleTestCase(PortalTestCase):
    """Assertions shared by every transition's tests."""

    def assert_one_event(self, inquiry: Inquiry, kind: str, *, actor: Any, before: Any, after: Any) -> InquiryEvent:
        """The inquiry (made by a factory, so without events) has exactly one event, and its version moved on."""
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.version, 2)
        event = inquiry.events.get()
        self.assertEqual(event.kind, kind)
        self.assertEqual(event.actor, actor)
        self.assertEqual(event.data["before"], before)
        self.assertEqual(event.data["after"], after)
        self.assertEqual(event.data["version"], inquiry.version)
        return event

    def assert_refused(self, inquiry: Inquiry, act: Act) -> InquiryStateError:
        """`act` raises a readable InquiryStateError and changes nothing: no save, event, message or e-mail."""
        events = InquiryEvent.objects.count()
        messages = InquiryMessage.objects.count()
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(InquiryStateError) as caught,
        ):
            act(inquiry)
        self.assertIs(type(caught.exception), InquiryStateError)
        self.assertNotEqual(str(caught.exception).strip(), "")
        stored = Inquiry.objects.get(pk=inquiry.pk)
        self.assertEqual(stored.status, inquiry.status)
        self.assertEqual(stored.version, inquiry.version)
        self.assertEqual(stored.unit_id, inquiry.unit_id)
        self.assertEqual(stored.owner_id, inquiry.owner_id)
        self.assertEqual(InquiryEvent.objects.count(), events)
        self.assertEqual(InquiryMessage.objects.count(), messages)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        return caught.exception

    def assert_allowed_only_in(self, allowed: Collection[str], act: Act) -> None:
        """`act` succeeds (one event, a new version) in every allowed status and is refused in every other."""
        self.assertTrue(set(allowed) <= set(S.values))
        for status in S.values:
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                if status in allowed:
                    with self.captureOnCommitCallbacks(execute=True):
                        act(inquiry)
                    inquiry.refresh_from_db()
                    self.assertEqual(inquiry.version, 2)
                    self.assertEqual(inquiry.events.count(), 1)
                else:
                    self.assert_refused(inquiry, act)
            mail.outbox.clear()


class StartTriageTests(LifecycleTestCase):
    def test_received_inquiry_goes_into_triage_with_one_event(self) -> None:
        inquiry = make_inquiry()
        with self.captureOnCommitCallbacks(execute=True):
            returned = start_triage(inquiry, actor=self.amina)
        self.assertEqual(returned.status, S.IN_TRIAGE)
        self.assert_one_event(
            inquiry, InquiryEvent.Kind.TRIAGE_STARTED, actor=self.amina, before=S.RECEIVED, after=S.IN_TRIAGE
        )
        self.assertEqual(inquiry.status, S.IN_TRIAGE)
        self.assertEqual(mail.outbox, [])

    def test_only_a_received_inquiry_can_be_taken_into_triage(self) -> None:
        self.assert_allowed_only_in({S.RECEIVED}, lambda inquiry: start_triage(inquiry, actor=self.amina))

    def test_a_page_loaded_before_someone_else_acted_is_refused_as_stale(self) -> None:
        inquiry = make_inquiry(version=3)
        with self.assertRaises(StaleInquiryError):
            start_triage(inquiry, actor=self.amina, expected_version=2)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, S.RECEIVED)
        self.assertEqual(inquiry.version, 3)
        self.assertFalse(inquiry.events.exists())


class RouteInquiryTests(LifecycleTestCase):
    helse_unit: MunicipalUnit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.helse_unit = MunicipalUnit.objects.get(code="helse")

    def test_routing_sets_unit_status_and_time_with_one_event(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks(execute=True):
            route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina, note="Gjelder mobilitet.", now=NOW)
        event = self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.ROUTED,
            actor=self.amina,
            before={"status": S.IN_TRIAGE, "unit": None, "owner": None},
            after={"status": S.ROUTED, "unit": self.bym_unit.pk, "owner": None},
        )
        self.assertEqual(inquiry.status, S.ROUTED)
        self.assertEqual(inquiry.unit, self.bym_unit)
        self.assertEqual(inquiry.routed_at, NOW)
        self.assertEqual(event.data["note"], "Gjelder mobilitet.")

    def test_the_unit_is_emailed_only_after_commit(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks() as callbacks:
            route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
            self.assertEqual(mail.outbox, [])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)
        callbacks[0]()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.bym_unit.email])
        self.assertIn(inquiry.reference, mail.outbox[0].subject)

    def test_routing_is_allowed_while_received_in_triage_routed_or_in_progress(self) -> None:
        # Routed inquiries from the factory belong to Byutvikling og miljø, so this is a real re-routing (or, in
        # progress, a transfer to another unit).
        self.assert_allowed_only_in(
            {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS},
            lambda inquiry: route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina),
        )

    def test_rerouting_moves_the_inquiry_to_the_other_unit_and_emails_it(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        with self.captureOnCommitCallbacks(execute=True):
            route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina)
        self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.ROUTED,
            actor=self.amina,
            before={"status": S.ROUTED, "unit": self.bym_unit.pk, "owner": None},
            after={"status": S.ROUTED, "unit": self.oppvekst_unit.pk, "owner": None},
        )
        self.assertEqual(inquiry.unit, self.oppvekst_unit)
        self.assertEqual([message.to for message in mail.outbox], [[self.oppvekst_unit.email]])

    def test_rerouting_to_the_same_unit_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        self.assert_refused(inquiry, lambda inquiry: route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina))

    def test_routing_to_the_secretariat_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.assert_refused(
            inquiry, lambda inquiry: route_inquiry(inquiry, unit=self.secretariat_unit, actor=self.amina)
        )

    def test_routing_to_a_unit_that_does_not_accept_inquiries_is_refused(self) -> None:
        MunicipalUnit.objects.filter(pk=self.helse_unit.pk).update(accepts_inquiries=False)
        self.helse_unit.refresh_from_db()
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.assert_refused(inquiry, lambda inquiry: route_inquiry(inquiry, unit=self.helse_unit, actor=self.amina))

    def test_rerouting_drops_an_owner_from_the_old_unit(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, owner=self.bruno)
        route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina)
        inquiry.refresh_from_db()
        # Bruno cannot see Oppvekst og utdanning's inquiries, so he cannot stay responsible for this one.
        self.assertIsNone(inquiry.owner)
        event = inquiry.events.get()
        self.assertEqual(event.data["before"]["owner"], self.bruno.pk)
        self.assertIsNone(event.data["after"]["owner"])

    def test_rerouting_keeps_an_owner_from_the_secretariat(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, owner=self.amina)
        route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.owner, self.amina)


class AcceptInquiryTests(LifecycleTestCase):
    def test_the_unit_member_who_accepts_becomes_the_owner(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        accept_inquiry(inquiry, actor=self.bruno)
        self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.ACCEPTED,
            actor=self.bruno,
            before={"status": S.ROUTED, "owner": None},
            after={"status": S.IN_PROGRESS, "owner": self.bruno.pk},
        )
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        self.assertEqual(inquiry.owner, self.bruno)

    def test_an_owner_chosen_when_accepting_is_kept(self) -> None:
        colleague = make_user("eva@trondheim.kommune.no", full_name="Eva Moe", units=(self.bym_unit,))
        inquiry = make_inquiry_in(S.ROUTED)
        accept_inquiry(inquiry, actor=self.bruno, owner=colleague)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.owner, colleague)

    def test_an_owner_assigned_before_is_kept(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, owner=self.amina)
        accept_inquiry(inquiry, actor=self.bruno)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.owner, self.amina)

    def test_an_owner_from_another_unit_or_without_staff_role_is_refused(self) -> None:
        for owner in (self.chen, self.partner):
            with self.subTest(owner=owner):
                self.assert_refused(
                    make_inquiry_in(S.ROUTED),
                    partial(accept_inquiry, actor=self.bruno, owner=owner),
                )

    def test_only_a_routed_inquiry_can_be_accepted(self) -> None:
        self.assert_allowed_only_in({S.ROUTED}, lambda inquiry: accept_inquiry(inquiry, actor=self.bruno))


class DeclineReferralTests(LifecycleTestCase):
    def test_the_unit_declines_with_a_reason_and_the_inquiry_is_back_in_triage_flagged(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, unit=self.bym_unit, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            decline_referral(inquiry, reason=" Gjelder skole, ikke byutvikling. ", actor=self.bruno, now=NOW)
        event = self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.REFERRAL_DECLINED,
            actor=self.bruno,
            before={"status": S.ROUTED, "unit": self.bym_unit.pk, "owner": self.bruno.pk},
            after={"status": S.IN_TRIAGE, "unit": None, "owner": None},
        )
        self.assertEqual(event.data["note"], "Gjelder skole, ikke byutvikling.")
        self.assertEqual((inquiry.status, inquiry.unit, inquiry.owner), (S.IN_TRIAGE, None, None))
        self.assertEqual(inquiry.returned_by_unit, self.bym_unit)
        stay = inquiry.assignments.get()
        self.assertEqual(
            (stay.end, stay.ended_at, stay.decline_reason), ("declined", NOW, "Gjelder skole, ikke byutvikling.")
        )
        [email] = mail.outbox
        self.assertEqual(email.to, [self.secretariat_unit.email])
        self.assertIn("Gjelder skole, ikke byutvikling.", email.body)

    def test_declining_needs_a_reason(self) -> None:
        self.assert_refused(make_inquiry_in(S.ROUTED), partial(decline_referral, reason="  ", actor=self.bruno))

    def test_only_a_routed_inquiry_can_be_declined(self) -> None:
        self.assert_allowed_only_in(
            {S.ROUTED}, lambda inquiry: decline_referral(inquiry, reason="Ikke vårt fag.", actor=self.bruno)
        )

    def test_routing_again_clears_the_flag_and_starts_a_new_stay(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina, now=NOW - datetime.timedelta(hours=1))
        decline_referral(inquiry, reason="Ikke vårt fag.", actor=self.bruno, now=NOW)
        route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina, now=NOW + datetime.timedelta(hours=1))
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.returned_by_unit)
        self.assertEqual(
            [(stay.unit.code, stay.end) for stay in inquiry.assignments.all()], [("bym", "declined"), ("oppvekst", "")]
        )


class UnitAssignmentTests(LifecycleTestCase):
    def test_routing_starts_a_stay_with_its_respond_by_date_and_accepting_marks_it(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina, now=NOW)  # Tuesday 10 March 2026
        stay = inquiry.assignments.get()
        self.assertEqual((stay.unit, stay.routed_at, stay.routed_by), (self.bym_unit, NOW, self.amina))
        self.assertEqual(stay.respond_by, datetime.date(2026, 3, 13))  # three business days: Friday
        accept_inquiry(inquiry, actor=self.bruno)
        stay.refresh_from_db()
        self.assertIsNotNone(stay.accepted_at)
        self.assertEqual(stay.end, "")

    def test_a_transfer_ends_the_first_stay_and_keeps_the_chain_with_the_time_spent(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina, now=NOW)
        accept_inquiry(inquiry, actor=self.bruno)
        later = NOW + datetime.timedelta(days=2)
        route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina, now=later)
        inquiry.refresh_from_db()
        self.assertEqual((inquiry.status, inquiry.unit, inquiry.owner), (S.ROUTED, self.oppvekst_unit, None))
        first, second = inquiry.assignments.all()
        self.assertEqual((first.unit, first.end, first.ended_at), (self.bym_unit, "transferred", later))
        self.assertEqual(first.time_with_unit(later), datetime.timedelta(days=2))
        self.assertEqual((second.unit, second.ended_at), (self.oppvekst_unit, None))
        routed = inquiry.events.filter(kind=InquiryEvent.Kind.ROUTED).last()
        assert routed is not None
        self.assertTrue(routed.data["transfer"])

    def test_routing_to_the_unit_already_handling_it_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit)
        self.assert_refused(inquiry, partial(route_inquiry, unit=self.bym_unit, actor=self.amina))

    def test_withdrawing_ends_the_stay_and_records_the_outcome(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit)
        withdraw_inquiry(inquiry, actor=None, reason=" Prosjektet ble avlyst. ", now=NOW)
        stay = inquiry.assignments.get()
        self.assertEqual((stay.end, stay.ended_at), ("finished", NOW))
        outcome = Outcome.objects.get(inquiry=inquiry)
        self.assertEqual((outcome.type, outcome.summary), (Outcome.Type.WITHDRAWN, "Prosjektet ble avlyst."))

    def test_rejecting_as_spam_ends_a_stay(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        mark_spam(inquiry, actor=self.amina, now=NOW)
        self.assertFalse(inquiry.assignments.exists())


class CloseInquiryTests(LifecycleTestCase):
    def test_a_decided_inquiry_is_closed(self) -> None:
        inquiry = make_inquiry_in(S.DECIDED)
        close_inquiry(inquiry, actor=self.bruno, now=NOW)
        self.assert_one_event(inquiry, InquiryEvent.Kind.CLOSED, actor=self.bruno, before=S.DECIDED, after=S.CLOSED)
        self.assertEqual(inquiry.status, S.CLOSED)
        self.assertEqual(inquiry.closed_at, NOW)

    def test_only_a_decided_inquiry_can_be_closed(self) -> None:
        self.assert_allowed_only_in({S.DECIDED}, lambda inquiry: close_inquiry(inquiry, actor=self.bruno))


class WithdrawInquiryTests(LifecycleTestCase):
    def test_withdrawing_while_awaiting_the_partner_ends_the_wait(self) -> None:
        inquiry = make_inquiry_in(S.AWAITING_PARTNER)
        withdraw_inquiry(inquiry, actor=None, reason=" Prosjektet ble avlyst. ", now=NOW)
        event = self.assert_one_event(
            inquiry, InquiryEvent.Kind.WITHDRAWN, actor=None, before=S.AWAITING_PARTNER, after=S.WITHDRAWN
        )
        self.assertEqual(inquiry.status, S.WITHDRAWN)
        self.assertEqual(inquiry.closed_at, NOW)
        self.assertIsNone(inquiry.awaiting_since)
        self.assertEqual(inquiry.status_before_waiting, "")
        self.assertEqual(event.data["note"], "Prosjektet ble avlyst.")

    def test_staff_can_record_the_withdrawal(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        withdraw_inquiry(inquiry, actor=self.amina)
        self.assert_one_event(
            inquiry, InquiryEvent.Kind.WITHDRAWN, actor=self.amina, before=S.IN_TRIAGE, after=S.WITHDRAWN
        )

    def test_only_an_open_inquiry_can_be_withdrawn(self) -> None:
        self.assert_allowed_only_in(OPEN, lambda inquiry: withdraw_inquiry(inquiry, actor=None))


class MarkSpamTests(LifecycleTestCase):
    def test_spam_is_rejected_without_telling_the_sender(self) -> None:
        inquiry = make_inquiry()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            mark_spam(inquiry, actor=self.amina, now=NOW)
        self.assert_one_event(inquiry, InquiryEvent.Kind.MARKED_SPAM, actor=self.amina, before=S.RECEIVED, after=S.SPAM)
        self.assertEqual(inquiry.status, S.SPAM)
        self.assertEqual(inquiry.closed_at, NOW)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])

    def test_only_an_inquiry_not_yet_routed_can_be_rejected_as_spam(self) -> None:
        self.assert_allowed_only_in({S.RECEIVED, S.IN_TRIAGE}, lambda inquiry: mark_spam(inquiry, actor=self.amina))


class ReopenInquiryTests(LifecycleTestCase):
    def test_a_closed_inquiry_with_a_unit_goes_back_to_the_unit(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        reopen_inquiry(inquiry, reason="  Partneren har nye opplysninger. ", actor=self.amina)
        event = self.assert_one_event(
            inquiry, InquiryEvent.Kind.REOPENED, actor=self.amina, before=S.CLOSED, after=S.IN_PROGRESS
        )
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        self.assertIsNone(inquiry.closed_at)
        self.assertEqual(event.data["note"], "Partneren har nye opplysninger.")

    def test_a_closed_inquiry_without_a_unit_goes_back_to_triage(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED, unit=None)
        reopen_inquiry(inquiry, reason="Feil avsluttet.", actor=self.amina)
        self.assert_one_event(inquiry, InquiryEvent.Kind.REOPENED, actor=self.amina, before=S.CLOSED, after=S.IN_TRIAGE)

    def test_reopening_needs_a_reason(self) -> None:
        for reason in ("", "  "):
            with self.subTest(reason=reason):
                self.assert_refused(
                    make_inquiry_in(S.CLOSED),
                    partial(reopen_inquiry, reason=reason, actor=self.amina),
                )

    def test_only_a_closed_inquiry_can_be_reopened(self) -> None:
        self.assert_allowed_only_in(
            {S.CLOSED}, lambda inquiry: reopen_inquiry(inquiry, reason="Ny informasjon.", actor=self.amina)
        )


class RequestInformationTests(LifecycleTestCase):
    def test_asking_the_partner_pauses_the_inquiry_and_remembers_its_status(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            message = request_information(inquiry, body="Hvor mange deltar?", actor=self.bruno, now=NOW)
        event = self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.INFORMATION_REQUESTED,
            actor=self.bruno,
            before=S.IN_PROGRESS,
            after=S.AWAITING_PARTNER,
        )
        self.assertEqual(inquiry.status, S.AWAITING_PARTNER)
        self.assertEqual(inquiry.status_before_waiting, S.IN_PROGRESS)
        self.assertEqual(inquiry.awaiting_since, NOW)
        self.assertEqual(event.data["message"], message.pk)
        self.assertEqual(message.kind, InquiryMessage.Kind.TO_PARTNER)
        self.assertEqual(message.inquiry, inquiry)

    def test_the_partner_is_emailed_only_after_commit(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.captureOnCommitCallbacks() as callbacks:
            request_information(inquiry, body="Hvor mange deltar?", actor=self.amina)
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [inquiry.contact.email])
        self.assertIn("Hvor mange deltar?", mail.outbox[0].body)

    def test_only_an_inquiry_being_handled_can_be_put_on_hold(self) -> None:
        self.assert_allowed_only_in(
            {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS},
            lambda inquiry: request_information(inquiry, body="Et spørsmål.", actor=self.amina),
        )

    def test_an_empty_question_is_refused(self) -> None:
        self.assert_refused(
            make_inquiry_in(S.IN_TRIAGE), lambda inquiry: request_information(inquiry, body="  ", actor=self.amina)
        )


class RecordPartnerReplyTests(LifecycleTestCase):
    def test_the_reply_resumes_the_inquiry_where_it_was(self) -> None:
        inquiry = make_inquiry_in(S.AWAITING_PARTNER, owner=self.bruno)
        message = record_partner_reply(inquiry, body="Vi blir tolv personer.", actor=self.partner)
        event = self.assert_one_event(
            inquiry,
            InquiryEvent.Kind.PARTNER_REPLIED,
            actor=self.partner,
            before=S.AWAITING_PARTNER,
            after=S.IN_PROGRESS,
        )
        self.assertEqual(inquiry.status, S.IN_PROGRESS)
        self.assertIsNone(inquiry.awaiting_since)
        self.assertEqual(inquiry.status_before_waiting, "")
        self.assertEqual(event.data["message"], message.pk)
        self.assertEqual(event.data["business_days_waited"], 0)
        self.assertEqual(message.kind, InquiryMessage.Kind.FROM_PARTNER)

    def test_the_handler_is_emailed_only_after_commit(self) -> None:
        inquiry = make_inquiry_in(S.AWAITING_PARTNER, owner=self.bruno)
        with self.captureOnCommitCallbacks() as callbacks:
            record_partner_reply(inquiry, body="Svar.", actor=None)
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual([message.to for message in mail.outbox], [[self.bruno.email]])

    def test_a_reply_is_taken_while_open_or_decided(self) -> None:
        for status in S.values:
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                act: Act = lambda inquiry: record_partner_reply(inquiry, body="Svar.", actor=None)  # noqa: E731
                if status in OPEN | {S.DECIDED}:
                    with self.captureOnCommitCallbacks(execute=True):
                        act(inquiry)
                    inquiry.refresh_from_db()
                    self.assertEqual(inquiry.version, 2)
                    self.assertEqual(inquiry.events.get().kind, InquiryEvent.Kind.PARTNER_REPLIED)
                    self.assertEqual(inquiry.messages.get().kind, InquiryMessage.Kind.FROM_PARTNER)
                else:
                    self.assert_refused(inquiry, act)
            mail.outbox.clear()


class MarkDuplicateLifecycleTests(LifecycleTestCase):
    def test_the_duplicate_is_linked_with_one_event_and_the_original_gets_one(self) -> None:
        original = make_inquiry_in(S.IN_PROGRESS)
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        mark_duplicate(inquiry, original=original, actor=self.amina)
        event = self.assert_one_event(
            inquiry, InquiryEvent.Kind.MARKED_DUPLICATE, actor=self.amina, before=S.IN_TRIAGE, after=S.DUPLICATE
        )
        self.assertEqual(inquiry.status, S.DUPLICATE)
        self.assertEqual(inquiry.duplicate_of, original)
        self.assertEqual(event.data["original"], original.pk)
        original.refresh_from_db()
        self.assertEqual(original.status, S.IN_PROGRESS)
        self.assertEqual(original.version, 2)
        merged = original.events.get()
        self.assertEqual(merged.kind, InquiryEvent.Kind.DUPLICATE_MERGED)
        self.assertEqual(merged.data["duplicate"], inquiry.pk)
        self.assertEqual(merged.data["version"], 2)

    def test_only_an_open_inquiry_can_be_marked_as_a_duplicate(self) -> None:
        self.assert_allowed_only_in(
            OPEN, lambda inquiry: mark_duplicate(inquiry, original=make_inquiry(), actor=self.amina)
        )


class WithdrawalNoticeTests(LifecycleTestCase):
    def test_the_handler_is_emailed_when_the_partner_withdraws_but_not_when_staff_record_it(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            withdraw_inquiry(inquiry, actor=None, reason="Prosjektet ble avlyst.", now=NOW)
        [email] = mail.outbox
        self.assertEqual(email.to, [self.bruno.email])
        self.assertIn("Prosjektet ble avlyst.", email.body)
        mail.outbox.clear()
        other = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            withdraw_inquiry(other, actor=self.amina, reason="Partneren ringte.", now=NOW)
        self.assertEqual(mail.outbox, [])
