"""Changes to an inquiry's fields: one event per changed field, and a stale page never overwrites anyone."""

from django.core import mail

from requests_app.models import Inquiry, InquiryEvent, SdgGoal, SdgTarget
from requests_app.services.editing import assign_owner, set_collaborators, update_inquiry_details
from requests_app.services.errors import InquiryStateError, StaleInquiryError
from requests_app.services.lifecycle import start_triage
from tests.base import PortalTestCase, make_user
from tests.factories import make_inquiry, make_inquiry_in

S = Inquiry.Status


def goal(number: int) -> SdgGoal:
    return SdgGoal.objects.get(number=number)


def target(code: str) -> SdgTarget:
    return SdgTarget.objects.get(code=code)


class UpdateInquiryDetailsTests(PortalTestCase):
    def test_a_changed_type_is_one_event_with_before_and_after(self) -> None:
        inquiry = make_inquiry(inquiry_type=Inquiry.Type.PARTNERSHIP)
        update_inquiry_details(inquiry, actor=self.amina, expected_version=1, inquiry_type=Inquiry.Type.PILOT)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.inquiry_type, Inquiry.Type.PILOT)
        self.assertEqual(inquiry.version, 2)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.TYPE_CHANGED)
        self.assertEqual(event.actor, self.amina)
        self.assertEqual(event.data, {"before": "partnership", "after": "pilot", "version": 2})

    def test_a_changed_priority_is_one_event(self) -> None:
        inquiry = make_inquiry()
        update_inquiry_details(inquiry, actor=self.amina, expected_version=1, priority=Inquiry.Priority.HIGH)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.priority, Inquiry.Priority.HIGH)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.PRIORITY_CHANGED)
        self.assertEqual(event.data, {"before": "normal", "after": "high", "version": 2})

    def test_the_goals_include_the_goals_of_the_targets(self) -> None:
        inquiry = make_inquiry(sdg_goals=[goal(3)])
        update_inquiry_details(
            inquiry, actor=self.amina, expected_version=1, sdg_goals=[goal(3)], sdg_targets=[target("11.2")]
        )
        self.assertEqual(sorted(inquiry.sdg_goals.values_list("number", flat=True)), [3, 11])
        self.assertEqual(list(inquiry.sdg_targets.values_list("code", flat=True)), ["11.2"])
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.SDGS_CHANGED)
        self.assertEqual(event.data["before"], {"goals": [3], "targets": []})
        self.assertEqual(event.data["after"], {"goals": [3, 11], "targets": ["11.2"]})

    def test_changing_only_the_targets_keeps_the_chosen_goals(self) -> None:
        inquiry = make_inquiry(sdg_goals=[goal(4)])
        update_inquiry_details(inquiry, actor=self.amina, expected_version=1, sdg_targets=[target("13.1")])
        self.assertEqual(sorted(inquiry.sdg_goals.values_list("number", flat=True)), [4, 13])

    def test_every_changed_field_is_its_own_event_with_its_own_version(self) -> None:
        inquiry = make_inquiry()
        update_inquiry_details(
            inquiry,
            actor=self.bruno,
            expected_version=1,
            inquiry_type=Inquiry.Type.RESEARCH,
            priority=Inquiry.Priority.LOW,
            sdg_goals=[goal(11)],
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.version, 4)
        events = list(inquiry.events.values_list("kind", "data__version"))
        self.assertEqual(
            events,
            [
                (InquiryEvent.Kind.TYPE_CHANGED, 2),
                (InquiryEvent.Kind.PRIORITY_CHANGED, 3),
                (InquiryEvent.Kind.SDGS_CHANGED, 4),
            ],
        )

    def test_nothing_changed_writes_no_event(self) -> None:
        inquiry = make_inquiry(sdg_goals=[goal(11)], sdg_targets=[target("11.2")])
        update_inquiry_details(
            inquiry,
            actor=self.amina,
            expected_version=1,
            inquiry_type=inquiry.inquiry_type,
            priority=inquiry.priority,
            sdg_goals=[goal(11)],
            sdg_targets=[target("11.2")],
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.version, 1)
        self.assertFalse(inquiry.events.exists())

    def test_goals_already_implied_by_the_targets_are_no_change(self) -> None:
        inquiry = make_inquiry(sdg_goals=[goal(11)], sdg_targets=[target("11.2")])
        update_inquiry_details(
            inquiry, actor=self.amina, expected_version=1, sdg_goals=[], sdg_targets=[target("11.2")]
        )
        self.assertFalse(inquiry.events.exists())

    def test_spam_and_duplicates_cannot_be_edited(self) -> None:
        for status in (S.SPAM, S.DUPLICATE):
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status)
                with self.assertRaises(InquiryStateError):
                    update_inquiry_details(inquiry, actor=self.amina, expected_version=1, priority="high")
                inquiry.refresh_from_db()
                self.assertEqual(inquiry.priority, Inquiry.Priority.NORMAL)
                self.assertFalse(inquiry.events.exists())


class StaleEditTests(PortalTestCase):
    def test_a_page_one_version_behind_saves_nothing_and_shows_what_changed(self) -> None:
        inquiry = make_inquiry(sdg_goals=[goal(11)])
        # Amina and Bruno both open the page at version 1; Bruno saves first.
        update_inquiry_details(inquiry, actor=self.bruno, expected_version=1, priority=Inquiry.Priority.HIGH)
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(StaleInquiryError) as caught,
        ):
            update_inquiry_details(
                inquiry,
                actor=self.amina,
                expected_version=1,
                inquiry_type=Inquiry.Type.EVENT,
                priority=Inquiry.Priority.LOW,
                sdg_goals=[goal(4)],
            )
        error = caught.exception
        self.assertIsInstance(error, InquiryStateError)
        self.assertNotEqual(str(error), "")
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.inquiry_type, Inquiry.Type.PARTNERSHIP)
        self.assertEqual(inquiry.priority, Inquiry.Priority.HIGH)
        self.assertEqual(list(inquiry.sdg_goals.values_list("number", flat=True)), [11])
        self.assertEqual(inquiry.version, 2)
        self.assertEqual(inquiry.events.count(), 1)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            [(change.actor, change.kind) for change in error.changes],
            [(self.bruno, InquiryEvent.Kind.PRIORITY_CHANGED)],
        )

    def test_the_changes_are_everything_since_the_page_was_loaded_in_order(self) -> None:
        inquiry = make_inquiry()
        start_triage(inquiry, actor=self.amina)  # version 2: the page is loaded after this
        assign_owner(inquiry, owner=self.dina, actor=self.dina, expected_version=2)
        update_inquiry_details(inquiry, actor=self.bruno, expected_version=3, inquiry_type=Inquiry.Type.FUNDING)
        with self.assertRaises(StaleInquiryError) as caught:
            update_inquiry_details(inquiry, actor=self.amina, expected_version=2, priority=Inquiry.Priority.HIGH)
        self.assertEqual(
            [(change.actor, change.kind) for change in caught.exception.changes],
            [(self.dina, InquiryEvent.Kind.OWNER_CHANGED), (self.bruno, InquiryEvent.Kind.TYPE_CHANGED)],
        )

    def test_the_current_version_saves(self) -> None:
        inquiry = make_inquiry()
        update_inquiry_details(inquiry, actor=self.bruno, expected_version=1, priority=Inquiry.Priority.HIGH)
        update_inquiry_details(inquiry, actor=self.amina, expected_version=2, priority=Inquiry.Priority.LOW)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.priority, Inquiry.Priority.LOW)
        self.assertEqual(inquiry.version, 3)

    def test_other_services_refuse_a_stale_page_too(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        assign_owner(inquiry, owner=self.bruno, actor=self.bruno, expected_version=1)
        with self.assertRaises(StaleInquiryError) as caught:
            assign_owner(inquiry, owner=self.amina, actor=self.amina, expected_version=1)
        self.assertEqual([change.actor for change in caught.exception.changes], [self.bruno])
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.owner, self.bruno)


class AssignOwnerTests(PortalTestCase):
    def test_a_member_of_the_inquirys_unit_becomes_owner_with_one_event(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        assign_owner(inquiry, owner=self.bruno, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.owner, self.bruno)
        self.assertEqual(inquiry.version, 2)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.OWNER_CHANGED)
        self.assertEqual(event.actor, self.amina)
        self.assertEqual(event.data, {"before": None, "after": self.bruno.pk, "version": 2})

    def test_the_secretariat_may_own_any_inquiry(self) -> None:
        for inquiry in (make_inquiry_in(S.RECEIVED), make_inquiry_in(S.IN_PROGRESS)):
            with self.subTest(status=inquiry.status):
                assign_owner(inquiry, owner=self.amina, actor=self.amina)
                inquiry.refresh_from_db()
                self.assertEqual(inquiry.owner, self.amina)

    def test_someone_without_a_staff_role_is_refused(self) -> None:
        inactive = make_user("gone@trondheim.kommune.no", units=(self.bym_unit,), is_active=False)
        for person in (self.partner, inactive):
            with self.subTest(person=person):
                inquiry = make_inquiry_in(S.ROUTED)
                with self.assertRaises(InquiryStateError):
                    assign_owner(inquiry, owner=person, actor=self.amina)
                inquiry.refresh_from_db()
                self.assertIsNone(inquiry.owner)
                self.assertFalse(inquiry.events.exists())

    def test_a_member_of_another_unit_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        with self.assertRaises(InquiryStateError) as caught:
            assign_owner(inquiry, owner=self.chen, actor=self.amina)
        self.assertIn(str(self.chen), str(caught.exception))
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.owner)
        self.assertFalse(inquiry.events.exists())

    def test_a_unit_member_cannot_own_an_inquiry_not_yet_routed(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        with self.assertRaises(InquiryStateError):
            assign_owner(inquiry, owner=self.bruno, actor=self.amina)

    def test_the_same_owner_again_writes_no_event(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, owner=self.bruno)
        assign_owner(inquiry, owner=self.bruno, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.version, 1)
        self.assertFalse(inquiry.events.exists())

    def test_nobody_clears_the_owner(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED, owner=self.bruno)
        assign_owner(inquiry, owner=None, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.owner)
        self.assertEqual(inquiry.events.get().data, {"before": self.bruno.pk, "after": None, "version": 2})


class SetCollaboratorsTests(PortalTestCase):
    def test_collaborators_are_set_with_one_event(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        set_collaborators(inquiry, collaborators=[self.amina, self.dina], actor=self.bruno)
        self.assertEqual(set(inquiry.collaborators.all()), {self.amina, self.dina})
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.COLLABORATORS_CHANGED)
        self.assertEqual(event.actor, self.bruno)
        self.assertEqual(event.data["before"], [])
        self.assertEqual(event.data["after"], sorted([self.amina.pk, self.dina.pk]))
        self.assertEqual(event.data["version"], 2)

    def test_the_owner_is_not_also_a_collaborator(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        set_collaborators(inquiry, collaborators=[self.bruno, self.amina], actor=self.bruno)
        self.assertEqual(list(inquiry.collaborators.all()), [self.amina])

    def test_the_same_collaborators_again_write_no_event(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        inquiry.collaborators.set([self.amina])
        set_collaborators(inquiry, collaborators=[self.amina], actor=self.bruno)
        self.assertFalse(inquiry.events.exists())

    def test_collaborators_can_be_removed(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        inquiry.collaborators.set([self.amina])
        set_collaborators(inquiry, collaborators=[], actor=self.bruno)
        self.assertFalse(inquiry.collaborators.exists())
        self.assertEqual(inquiry.events.get().data["after"], [])

    def test_someone_without_a_staff_role_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        with self.assertRaises(InquiryStateError):
            set_collaborators(inquiry, collaborators=[self.amina, self.partner], actor=self.bruno)
        self.assertFalse(inquiry.collaborators.exists())
        self.assertFalse(inquiry.events.exists())
