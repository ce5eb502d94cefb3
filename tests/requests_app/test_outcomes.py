"""Outcomes: recorded with the decision, validated per type, held decision messages, follow-ups and reminders."""

import datetime
from typing import Any

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from partners.models import Organisation
from requests_app import selectors, tasks
from requests_app.models import FollowUp, Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, Outcome, SdgTarget
from requests_app.outcome_forms import DecideForm
from requests_app.services.errors import InquiryStateError
from requests_app.services.outcomes import (
    FollowUpDetails,
    OutcomeDetails,
    approve_decision_message,
    decide_inquiry,
    outcome_errors,
    record_follow_up,
    remind_about_follow_up,
    return_decision_message,
)
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

S = Inquiry.Status
T = Outcome.Type
TODAY = datetime.date(2026, 3, 10)  # a Tuesday
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


def complete(kind: str, **overrides: Any) -> OutcomeDetails:
    """Details that satisfy every rule of the type."""
    fields: dict[str, Any] = {
        "type": kind,
        "decided_on": TODAY,
        "summary": "Det ble enighet om et samarbeid.",
        "partners_involved": list(Organisation.objects.all()[:1]),
        "sdg_targets": list(SdgTarget.objects.filter(pk="11.2")),
        "follow_up_on": TODAY + datetime.timedelta(days=180),
        "referred_to": Outcome.ReferredTo.NTNU,
        "decline_reason": Outcome.DeclineReason.NO_CAPACITY,
    }
    fields.update(overrides)
    return OutcomeDetails(**fields)


class OutcomeRulesTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_inquiry_in(S.IN_PROGRESS)  # so that an organisation exists

    def test_complete_details_pass_for_every_type(self) -> None:
        for kind in T.values:
            with self.subTest(kind=kind):
                self.assertEqual(outcome_errors(complete(kind), today=TODAY), {})

    def test_what_each_type_requires(self) -> None:
        # (type, the field emptied, the field the message is about)
        cases = [
            *[(kind, "summary", "summary") for kind in (T.AGREEMENT, T.JOINT_PROJECT, T.PILOT, T.KNOWLEDGE_SHARED)],
            (T.DECLINED, "summary", "summary"),
            (T.NOT_OUR_REMIT, "summary", "summary"),
            *[(kind, "partners_involved", "partners_involved") for kind in Outcome.PARTNERSHIP_TYPES],
            *[(kind, "sdg_targets", "sdg_targets") for kind in Outcome.PARTNERSHIP_TYPES],
            *[(kind, "follow_up_on", "follow_up_on") for kind in Outcome.PARTNERSHIP_TYPES],
            (T.REFERRED, "referred_to", "referred_to"),
            (T.DECLINED, "decline_reason", "decline_reason"),
        ]
        empty: dict[str, Any] = {"summary": "", "partners_involved": [], "sdg_targets": [], "follow_up_on": None}
        empty.update(referred_to="", decline_reason="")
        for kind, field, message_field in cases:
            with self.subTest(kind=kind, field=field):
                errors = outcome_errors(complete(kind, **{field: empty[field]}), today=TODAY)
                self.assertEqual(list(errors), [message_field])
                self.assertTrue(errors[message_field][0])

    def test_what_each_type_does_not_require(self) -> None:
        minimal: dict[str, Any] = {"summary": "", "partners_involved": [], "sdg_targets": [], "follow_up_on": None}
        for kind in (T.REFERRED, T.WITHDRAWN, T.NO_REPLY):
            with self.subTest(kind=kind):
                self.assertEqual(outcome_errors(complete(kind, **minimal), today=TODAY), {})

    def test_a_referral_to_another_city_or_body_names_it(self) -> None:
        for body in (Outcome.ReferredTo.NETWORK_CITY, Outcome.ReferredTo.OTHER):
            with self.subTest(body=body):
                errors = outcome_errors(complete(T.REFERRED, referred_to=body), today=TODAY)
                self.assertEqual(list(errors), ["referred_to_detail"])
                detailed = complete(T.REFERRED, referred_to=body, referred_to_detail="Stavanger kommune")
                self.assertEqual(outcome_errors(detailed, today=TODAY), {})

    def test_dates_must_make_sense(self) -> None:
        self.assertEqual(list(outcome_errors(complete(T.AGREEMENT, decided_on=None), today=TODAY)), ["decided_on"])
        future = complete(T.AGREEMENT, decided_on=TODAY + datetime.timedelta(days=1))
        self.assertEqual(list(outcome_errors(future, today=TODAY)), ["decided_on"])
        early = complete(T.AGREEMENT, follow_up_on=TODAY)
        self.assertEqual(list(outcome_errors(early, today=TODAY)), ["follow_up_on"])
        self.assertEqual(list(outcome_errors(complete("promised"), today=TODAY)), ["type"])

    def test_the_form_shows_the_rules_next_to_their_fields_in_bokmaal(self) -> None:
        inquiry = Inquiry.objects.get()
        form = DecideForm(
            {"type": T.PILOT, "decided_on": timezone.localdate().isoformat(), "summary": "Pilot i to skoler."},
            organisations=selectors.organisations_for_outcome(inquiry),
        )
        with translation.override("nb"):  # the page's language; a request earlier in this process may have left "en"
            self.assertFalse(form.is_valid())
        self.assertEqual(set(form.errors), {"partners_involved", "sdg_targets", "follow_up_on"})
        english = "Set a date to follow up the effect of the collaboration."
        with translation.override("nb"):
            expected = gettext(english)
        self.assertNotEqual(expected, english)  # translated
        self.assertEqual(form.errors["follow_up_on"], [expected])


class DecideInquiryTests(PortalTestCase):
    def test_the_decision_records_the_outcome_and_one_event_with_it(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        details = complete(
            T.AGREEMENT, partners_involved=[inquiry.organisation], funding_nok=250_000, summary="  Avtale signert. "
        )
        with self.captureOnCommitCallbacks(execute=True):
            decide_inquiry(inquiry, outcome=details, actor=self.bruno, now=NOW)
        inquiry.refresh_from_db()
        self.assertEqual(
            (inquiry.status, inquiry.decided_at, inquiry.decision_summary), (S.DECIDED, NOW, "Avtale signert.")
        )
        outcome = inquiry.outcome
        self.assertEqual(
            (outcome.type, outcome.summary, outcome.funding_nok), (T.AGREEMENT, "Avtale signert.", 250_000)
        )
        self.assertEqual(list(outcome.partners_involved.all()), [inquiry.organisation])
        self.assertEqual([target.pk for target in outcome.sdg_targets.all()], ["11.2"])
        self.assertTrue(outcome.is_active_partnership)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.DECIDED)
        self.assertEqual(
            {key: event.data[key] for key in ("outcome", "funding_nok", "sdg_targets", "follow_up_on", "note")},
            {
                "outcome": "agreement",
                "funding_nok": 250_000,
                "sdg_targets": ["11.2"],
                "follow_up_on": "2026-09-06",
                "note": "Avtale signert.",
            },
        )
        self.assertEqual(inquiry.assignments.get().end, "finished")
        self.assertEqual(mail.outbox, [])  # no message was written

    def test_fields_that_do_not_belong_to_the_type_are_not_kept(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        decide_inquiry(inquiry, outcome=complete(T.KNOWLEDGE_SHARED), actor=self.bruno, now=NOW)
        outcome = Outcome.objects.get(inquiry=inquiry)
        self.assertEqual((outcome.referred_to, outcome.decline_reason), ("", ""))

    def test_an_incomplete_outcome_is_refused_and_nothing_changes(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with translation.override("nb"), self.assertRaises(InquiryStateError) as caught:
            decide_inquiry(inquiry, outcome=complete(T.PILOT, sdg_targets=[]), actor=self.bruno, now=NOW)
        with translation.override("nb"):
            expected = gettext("Choose at least one SDG target the collaboration addresses.")
        self.assertEqual(str(caught.exception), expected)
        inquiry.refresh_from_db()
        self.assertEqual((inquiry.status, inquiry.version), (S.IN_PROGRESS, 1))
        self.assertFalse(Outcome.objects.filter(inquiry=inquiry).exists())
        self.assertFalse(inquiry.events.exists())

    def test_only_an_inquiry_being_handled_can_be_decided(self) -> None:
        for status in S.values:
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                if status in {S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}:
                    decide_inquiry(inquiry, outcome=complete(T.NO_REPLY), actor=self.amina, now=NOW)
                    self.assertEqual(Inquiry.objects.get(pk=inquiry.pk).status, S.DECIDED)
                else:
                    with self.assertRaises(InquiryStateError):
                        decide_inquiry(inquiry, outcome=complete(T.NO_REPLY), actor=self.amina, now=NOW)

    def test_the_decision_message_goes_to_the_partner_at_once(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with self.captureOnCommitCallbacks(execute=True):
            decide_inquiry(
                inquiry, outcome=complete(T.DECLINED), message="Vi må dessverre si nei.", actor=self.bruno, now=NOW
            )
        [email] = mail.outbox
        self.assertEqual(email.to, [inquiry.contact.email])
        self.assertIn("Vi må dessverre si nei.", email.body)
        message = InquiryMessage.objects.get(inquiry=inquiry)
        self.assertTrue(message.is_decision)
        self.assertIsNone(message.held_at)


class HeldDecisionMessageTests(PortalTestCase):
    def decide_with_held_message(self) -> tuple[Inquiry, InquiryMessage]:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        with self.captureOnCommitCallbacks(execute=True):
            decide_inquiry(
                inquiry,
                outcome=complete(T.DECLINED),
                message="Vi har vurdert henvendelsen og må si nei denne gangen.",
                hold_message_for_approval=True,
                actor=self.bruno,
                now=NOW,
            )
        return inquiry, InquiryMessage.objects.get(inquiry=inquiry)

    def test_a_held_message_is_not_sent_until_the_secretariat_approves_it(self) -> None:
        inquiry, message = self.decide_with_held_message()
        self.assertEqual(message.held_at, NOW)
        self.assertFalse(OutboxMessage.objects.exists())
        self.assertEqual(mail.outbox, [])
        with self.captureOnCommitCallbacks(execute=True):
            approve_decision_message(message, actor=self.amina)
        [email] = mail.outbox
        self.assertEqual(email.to, [inquiry.contact.email])
        message.refresh_from_db()
        self.assertEqual((message.held_at, message.approved_by), (None, self.amina))
        self.assertEqual(inquiry.events.last().kind, InquiryEvent.Kind.MESSAGE_APPROVED)  # type: ignore[union-attr]
        with self.assertRaises(InquiryStateError):
            approve_decision_message(message, actor=self.amina)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_message_sent_back_is_never_sent(self) -> None:
        inquiry, message = self.decide_with_held_message()
        with self.assertRaises(InquiryStateError):
            return_decision_message(message, comment=" ", actor=self.amina)
        with self.captureOnCommitCallbacks(execute=True):
            return_decision_message(message, comment="Begrunn avslaget bedre.", actor=self.amina)
        message.refresh_from_db()
        self.assertIsNone(message.held_at)
        self.assertIsNotNone(message.returned_at)
        event = inquiry.events.last()
        assert event is not None
        self.assertEqual(
            (event.kind, event.data["note"]), (InquiryEvent.Kind.MESSAGE_RETURNED, "Begrunn avslaget bedre.")
        )
        with self.assertRaises(InquiryStateError):
            approve_decision_message(message, actor=self.amina)
        self.assertEqual(mail.outbox, [])

    def test_only_the_secretariat_is_offered_the_approval_on_the_page(self) -> None:
        inquiry, _message = self.decide_with_held_message()
        url = reverse("requests_app:inquiry-approve-message", args=[inquiry.pk])
        self.client.force_login(self.bruno)
        self.assertNotContains(self.client.get(inquiry.get_absolute_url()), url)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(mail.outbox, [])
        self.client.force_login(self.amina)
        self.assertContains(self.client.get(inquiry.get_absolute_url()), url)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url)
        self.assertRedirects(response, inquiry.get_absolute_url())
        self.assertEqual(len(mail.outbox), 1)
        self.assertNotContains(self.client.get(inquiry.get_absolute_url()), url)


class FollowUpTests(PortalTestCase):
    def decided_partnership(self, **overrides: Any) -> Inquiry:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        decide_inquiry(
            inquiry,
            outcome=complete(T.PILOT, partners_involved=[inquiry.organisation], **overrides),
            actor=self.bruno,
            now=NOW,
        )
        return Inquiry.objects.get(pk=inquiry.pk)

    def test_each_follow_up_is_kept_and_sets_the_next_date(self) -> None:
        inquiry = self.decided_partnership()
        first = record_follow_up(
            inquiry,
            details=FollowUpDetails(
                collaboration_status=FollowUp.CollaborationStatus.ONGOING,
                results=" Sensorene er montert. ",
                sdg_targets=list(SdgTarget.objects.filter(pk__in=["11.6", "3.9"])),
                u4ssc_areas=[FollowUp.Area.ENVIRONMENT, FollowUp.Area.SOCIETY],
                next_follow_up_on=TODAY + datetime.timedelta(days=90),
            ),
            actor=self.bruno,
            now=NOW,
        )
        self.assertEqual(
            (first.results, first.u4ssc_areas), ("Sensorene er montert.", ["environment", "society_culture"])
        )
        outcome = Outcome.objects.get(inquiry=inquiry)
        self.assertEqual(outcome.follow_up_on, TODAY + datetime.timedelta(days=90))
        self.assertTrue(outcome.is_active_partnership)
        record_follow_up(
            inquiry,
            details=FollowUpDetails(collaboration_status=FollowUp.CollaborationStatus.COMPLETED, results="Ferdig."),
            actor=self.bruno,
            now=NOW + datetime.timedelta(days=90),
        )
        outcome.refresh_from_db()
        self.assertEqual(outcome.follow_ups.count(), 2)
        self.assertIsNone(outcome.follow_up_on)
        self.assertEqual(outcome.partnership_ended_on, datetime.date(2026, 6, 8))
        self.assertFalse(outcome.is_active_partnership)
        self.assertNotIn(outcome, selectors.active_partnerships())
        kinds = list(inquiry.events.values_list("kind", flat=True))
        self.assertEqual(kinds.count(InquiryEvent.Kind.FOLLOW_UP_RECORDED), 2)

    def test_a_follow_up_needs_a_status_results_and_a_future_next_date(self) -> None:
        inquiry = self.decided_partnership()
        for details in (
            FollowUpDetails(collaboration_status="", results="Noe skjedde."),
            FollowUpDetails(collaboration_status="ongoing", results="  "),
            FollowUpDetails(collaboration_status="ongoing", results="Noe.", u4ssc_areas=["governance"]),
            FollowUpDetails(collaboration_status="ongoing", results="Noe.", next_follow_up_on=TODAY),
        ):
            with self.subTest(details=details), self.assertRaises(InquiryStateError):
                record_follow_up(inquiry, details=details, actor=self.bruno, now=NOW)
        self.assertFalse(FollowUp.objects.exists())

    def test_an_inquiry_without_an_outcome_cannot_be_followed_up(self) -> None:
        inquiry = make_inquiry_in(S.DECIDED)
        Outcome.objects.filter(inquiry=inquiry).delete()
        with self.assertRaises(InquiryStateError):
            record_follow_up(
                inquiry, details=FollowUpDetails(collaboration_status="ongoing", results="Noe."), actor=self.bruno
            )

    def test_the_owner_is_reminded_once_on_the_follow_up_date(self) -> None:
        inquiry = self.decided_partnership(follow_up_on=datetime.date(2026, 9, 7))  # a Monday
        outcome = inquiry.outcome
        day_before = datetime.datetime(2026, 9, 6, 6, 0, tzinfo=datetime.UTC)
        on_the_day = datetime.datetime(2026, 9, 7, 6, 0, tzinfo=datetime.UTC)
        self.assertNotIn(outcome, selectors.outcomes_due_for_follow_up(today=datetime.date(2026, 9, 6)))
        self.assertFalse(remind_about_follow_up(outcome, now=day_before))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(remind_about_follow_up(outcome, now=on_the_day))
        [email] = mail.outbox
        self.assertEqual(email.to, [self.bruno.email])
        self.assertIn(inquiry.reference, email.subject)
        self.assertFalse(remind_about_follow_up(outcome, now=on_the_day + datetime.timedelta(days=1)))
        self.assertNotIn(outcome, selectors.outcomes_due_for_follow_up(today=datetime.date(2026, 9, 8)))
        self.assertEqual(inquiry.events.filter(kind=InquiryEvent.Kind.FOLLOW_UP_REMINDED).count(), 1)
        # A new date means a new reminder on that date.
        record_follow_up(
            inquiry,
            details=FollowUpDetails(
                collaboration_status="delayed", results="Forsinket.", next_follow_up_on=datetime.date(2026, 12, 1)
            ),
            actor=self.bruno,
            now=on_the_day,
        )
        outcome.refresh_from_db()
        self.assertIn(outcome, selectors.outcomes_due_for_follow_up(today=datetime.date(2026, 12, 1)))

    def test_the_periodic_task_reminds_what_is_due_and_runs_on_weekday_mornings(self) -> None:
        inquiry = self.decided_partnership(follow_up_on=timezone.localdate() - datetime.timedelta(days=3))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(tasks.remind_follow_ups(), 1)
        self.assertEqual([email.to for email in mail.outbox], [[self.bruno.email]])
        self.assertEqual(tasks.remind_follow_ups(), 0)
        self.assertTrue(inquiry.events.filter(kind=InquiryEvent.Kind.FOLLOW_UP_REMINDED).exists())
        from portal.celery import app

        entry = app.conf.beat_schedule["remind-follow-ups"]
        self.assertEqual(entry["task"], "requests_app.tasks.remind_follow_ups")
        self.assertEqual(entry["schedule"].day_of_week, {1, 2, 3, 4, 5})

    def test_the_follow_up_form_on_the_page_records_it(self) -> None:
        inquiry = self.decided_partnership()
        self.client.force_login(self.bruno)
        url = reverse("requests_app:inquiry-follow-up", args=[inquiry.pk])
        next_date = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
        response = self.client.post(
            url,
            {
                "follow-up-collaboration_status": "ongoing",
                "follow-up-results": "Første resultater er lovende.",
                "follow-up-sdg_targets": ["11.6"],
                "follow-up-u4ssc_areas": ["environment"],
                "follow-up-next_follow_up_on": next_date,
            },
        )
        self.assertRedirects(response, inquiry.get_absolute_url())
        follow_up = FollowUp.objects.get()
        self.assertEqual([target.pk for target in follow_up.sdg_targets.all()], ["11.6"])
        page = self.client.get(inquiry.get_absolute_url())
        self.assertContains(page, "Første resultater er lovende.")


class OutcomeOnThePageTests(PortalTestCase):
    def test_the_outcome_and_its_follow_ups_are_shown_within_the_page_budget(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=self.bym_unit, owner=self.bruno)
        decide_inquiry(
            inquiry,
            outcome=complete(T.JOINT_PROJECT, partners_involved=[inquiry.organisation], funding_nok=1_200_000),
            actor=self.bruno,
            now=NOW,
        )
        self.client.force_login(self.amina)
        counts = []
        for number in range(1, 6):
            record_follow_up(
                inquiry,
                details=FollowUpDetails(
                    collaboration_status="ongoing",
                    results=f"Oppfølging nummer {number}.",
                    sdg_targets=list(SdgTarget.objects.filter(pk="11.2")),
                    u4ssc_areas=["economy"],
                ),
                actor=self.bruno,
                now=NOW + datetime.timedelta(days=number),
            )
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[-1])
        self.assertLessEqual(counts[-1], 15, "\n".join(query["sql"][:160] for query in queries))
        self.assertContains(response, "Joint project started")
        self.assertContains(response, "Active partnership")
        self.assertContains(response, "NOK 1,200,000")
        self.assertContains(response, "Oppfølging nummer 5.")
        self.assertContains(response, "U4SSC: Economy")


class PartnershipListTests(PortalTestCase):
    url = "/en/staff/partnerships/"

    def make_partnership(self, unit: Any, **overrides: Any) -> Inquiry:
        inquiry = make_inquiry_in(S.IN_PROGRESS, unit=unit)
        decide_inquiry(
            inquiry,
            outcome=complete(T.AGREEMENT, partners_involved=[inquiry.organisation], **overrides),
            actor=self.amina,
            now=NOW,
        )
        return inquiry

    def test_active_partnerships_are_listed_and_ended_ones_are_not(self) -> None:
        active = self.make_partnership(self.bym_unit)
        ended = self.make_partnership(self.bym_unit)
        record_follow_up(
            ended,
            details=FollowUpDetails(collaboration_status="stopped", results="Partneren trakk seg."),
            actor=self.amina,
            now=NOW,
        )
        declined = make_inquiry_in(S.IN_PROGRESS)
        decide_inquiry(declined, outcome=complete(T.DECLINED), actor=self.amina, now=NOW)
        self.client.force_login(self.dina)
        response = self.client.get(self.url)
        self.assertContains(response, active.reference)
        self.assertNotContains(response, ended.reference)
        self.assertNotContains(response, declined.reference)

    def test_a_unit_member_sees_only_their_units_partnerships(self) -> None:
        mine = self.make_partnership(self.bym_unit)
        theirs = self.make_partnership(self.oppvekst_unit)
        self.client.force_login(self.bruno)
        response = self.client.get(self.url)
        self.assertContains(response, mine.reference)
        self.assertNotContains(response, theirs.reference)

    def test_the_number_of_queries_does_not_grow_with_the_rows(self) -> None:
        self.client.force_login(self.amina)
        counts = []
        for total in (3, 12):
            while Outcome.objects.count() < total:
                self.make_partnership(self.bym_unit)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 12)
