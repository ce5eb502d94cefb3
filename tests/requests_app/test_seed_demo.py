"""`manage.py seed_demo` loads the demo logins and inquiries, once, and only in the local demo."""

from io import StringIO

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from partners.models import MunicipalUnit, User
from requests_app.demo_data import DEMO_PASSWORD
from requests_app.models import FollowUp, Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, Outcome, UnitAssignment
from requests_app.services.lifecycle import route_inquiry


class SeedDemoTests(TestCase):
    def test_refused_when_debug_is_off(self) -> None:
        with override_settings(DEBUG=False), self.assertRaises(CommandError):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(User.objects.exists())

    @override_settings(DEBUG=True)
    def test_the_demo_history_is_not_emailed_but_later_changes_are(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
        self.assertEqual(mail.outbox, [])
        self.assertFalse(OutboxMessage.objects.exists())
        inquiry = Inquiry.objects.filter(status=Inquiry.Status.IN_TRIAGE).first()
        assert inquiry is not None
        with self.captureOnCommitCallbacks(execute=True):
            route_inquiry(
                inquiry,
                unit=MunicipalUnit.objects.get(code="bym"),
                actor=User.objects.get(email="sekretariat@demo.test"),
            )
        self.assertEqual(OutboxMessage.objects.get().status, OutboxMessage.Status.SENT)
        self.assertEqual(len(mail.outbox), 1)

    @override_settings(DEBUG=True)
    def test_loads_logins_and_inquiries_once(self) -> None:
        call_command("seed_demo", stdout=StringIO())
        inquiries = Inquiry.objects.count()
        self.assertGreaterEqual(inquiries, 40)
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(Inquiry.objects.count(), inquiries)
        self.assertEqual(User.objects.count(), 6)  # five staff logins and the demo partner

        secretariat = User.objects.get(email="sekretariat@demo.test")
        self.assertTrue(secretariat.is_secretariat)
        self.assertTrue(User.objects.get(email="direktor@demo.test").is_executive)
        self.assertTrue(User.objects.get(email="admin@demo.test").is_portal_admin)
        self.assertEqual(
            set(MunicipalUnit.objects.get(code="bym").members.values_list("email", flat=True)), {"miljo@demo.test"}
        )
        self.assertEqual(
            set(MunicipalUnit.objects.get(code="oppvekst").members.values_list("email", flat=True)),
            {"oppvekst@demo.test"},
        )
        self.assertEqual(set(Inquiry.objects.values_list("status", flat=True)), set(Inquiry.Status.values))
        kinds = set(Inquiry.objects.values_list("organisation__kind", flat=True))
        self.assertTrue({"municipality", "county", "company", "financial", "research"} <= kinds)
        self.assertGreater(Inquiry.objects.exclude(organisation__country="NO").count(), 0)
        # The triage workspace's demo: an overdue case, a duplicate pair, and real histories from the services.
        today = timezone.localdate()
        self.assertTrue(any(inquiry.is_overdue(today) for inquiry in Inquiry.objects.all()))
        duplicate = Inquiry.objects.get(status=Inquiry.Status.DUPLICATE)
        self.assertIsNotNone(duplicate.duplicate_of)
        self.assertTrue(duplicate.events.filter(kind=InquiryEvent.Kind.MARKED_DUPLICATE).exists())
        closed = Inquiry.objects.filter(status=Inquiry.Status.CLOSED, outcome__follow_ups__isnull=True).first()
        assert closed is not None
        self.assertEqual(
            list(closed.events.values_list("kind", flat=True)),
            [
                InquiryEvent.Kind.SUBMITTED,
                InquiryEvent.Kind.TRIAGE_STARTED,
                InquiryEvent.Kind.ROUTED,
                InquiryEvent.Kind.ACCEPTED,
                InquiryEvent.Kind.NOTE_ADDED,
                InquiryEvent.Kind.MESSAGE_SENT,
                InquiryEvent.Kind.DECIDED,
                InquiryEvent.Kind.CLOSED,
            ],
        )

        # Issue #6: accepted, declined and transferred inquiries, every outcome type, follow-ups, a held message.
        self.assertEqual(set(Outcome.objects.values_list("type", flat=True)), set(Outcome.Type.values))
        declined = Inquiry.objects.get(returned_by_unit__isnull=False)
        self.assertEqual((declined.status, declined.unit), (Inquiry.Status.IN_TRIAGE, None))
        self.assertEqual(declined.assignments.get().end, UnitAssignment.End.DECLINED)
        transferred = UnitAssignment.objects.filter(end=UnitAssignment.End.TRANSFERRED).get().inquiry
        self.assertEqual(
            [(stay.unit.code, stay.end) for stay in transferred.assignments.all()],
            [("bym", UnitAssignment.End.TRANSFERRED), ("oppvekst", "")],
        )
        self.assertTrue(UnitAssignment.objects.filter(accepted_at__isnull=False, ended_at__isnull=True).exists())
        self.assertGreaterEqual(FollowUp.objects.count(), 2)
        self.assertTrue(Outcome.objects.filter(follow_up_on__isnull=False).exists())
        self.assertEqual(InquiryMessage.objects.filter(held_at__isnull=False).count(), 1)

    @override_settings(DEBUG=True)
    def test_every_demo_login_works_and_sees_the_staff_list(self) -> None:
        call_command("seed_demo", stdout=StringIO())
        for email in (
            "sekretariat@demo.test",
            "miljo@demo.test",
            "oppvekst@demo.test",
            "direktor@demo.test",
            "admin@demo.test",
        ):
            response = self.client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
            self.assertEqual(response.status_code, 302, email)
            self.assertEqual(self.client.get("/staff/").status_code, 200, email)
            self.client.post("/accounts/logout/")
