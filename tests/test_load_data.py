"""`manage.py generate_load_data`: invented inquiries with consistent histories, the same for a seed, and never
mixed into a database that holds real data."""

import datetime
import random
from collections import Counter
from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import TestCase
from django.utils import timezone

from partners.counties import county_of
from partners.models import Contact, Organisation, Role, User
from requests_app.benchmark.calendar import BusinessCalendar
from requests_app.benchmark.marker import GENERATED_EMAIL_SUFFIX, real_data_found
from requests_app.business_days import add_business_days, business_days_between
from requests_app.models import (
    FollowUp,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    Outcome,
    ReferenceCounter,
    UnitAssignment,
)
from requests_app.services.intake import allocate_reference
from tests.base import make_user
from tests.factories import make_inquiry

S = Inquiry.Status
UNTIL = datetime.date(2026, 3, 2)


def generate(inquiries: int, seed: int = 1, **options: object) -> str:
    out = StringIO()
    call_command("generate_load_data", inquiries=inquiries, seed=seed, until=UNTIL, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> list[tuple[object, ...]]:
    """What the data says, without the database's ids."""
    rows: list[tuple[object, ...]] = []
    for inquiry in Inquiry.objects.select_related("organisation", "contact").prefetch_related("events", "messages"):
        rows.append(
            (
                inquiry.reference,
                inquiry.title,
                inquiry.status,
                inquiry.received_at,
                inquiry.closed_at,
                inquiry.organisation.name,
                inquiry.contact.email,
                tuple((event.kind, event.created_at) for event in inquiry.events.all()),
                tuple(message.body for message in inquiry.messages.all()),
            )
        )
    return rows


class GeneratedDataTests(TestCase):
    output: str
    until: datetime.datetime

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = generate(300, seed=3)
        cls.until = timezone.make_aware(datetime.datetime.combine(UNTIL, datetime.time.min))

    def test_creates_the_inquiries_and_says_what_it_made(self) -> None:
        self.assertEqual(Inquiry.objects.count(), 300)
        self.assertIn("300 inquiries", self.output)
        self.assertEqual(real_data_found(), [])

    def test_references_follow_the_order_of_receipt_and_the_counters_give_the_next_number(self) -> None:
        by_year: dict[int, list[int]] = {}
        rows = Inquiry.objects.order_by("received_at", "pk").values_list("reference", "received_at")
        for reference, received_at in rows:
            self.assertRegex(reference, r"^\d{4}-\d{4,}$")
            year_text, number = reference.split("-")
            self.assertEqual(int(year_text), timezone.localtime(received_at).year)
            by_year.setdefault(int(year_text), []).append(int(number))
        self.assertGreaterEqual(len(by_year), 5)  # five years of history
        for year, numbers in by_year.items():
            self.assertEqual(numbers, list(range(1, len(numbers) + 1)))
            self.assertEqual(ReferenceCounter.objects.get(year=year).last_number, len(numbers))
        latest = max(by_year)
        with transaction.atomic():
            self.assertEqual(allocate_reference(latest), f"{latest}-{len(by_year[latest]) + 1:04d}")

    def test_every_inquiry_has_three_to_ten_events_and_at_most_five_messages(self) -> None:
        events = Inquiry.objects.annotate(count=Count("events")).aggregate(low=Min("count"), high=Max("count"))
        messages = Inquiry.objects.annotate(count=Count("messages")).aggregate(low=Min("count"), high=Max("count"))
        self.assertGreaterEqual(events["low"], 3)
        self.assertLessEqual(events["high"], 10)
        self.assertGreaterEqual(messages["low"], 0)
        self.assertLessEqual(messages["high"], 5)
        self.assertGreater(InquiryMessage.objects.count(), 300)

    def test_statuses_span_the_lifecycle_with_consistent_times(self) -> None:
        statuses = Counter(Inquiry.objects.values_list("status", flat=True))
        for status in (S.CLOSED, S.DECIDED, S.WITHDRAWN, S.SPAM):
            self.assertIn(status, statuses)
        self.assertGreater(sum(statuses[status] for status in Inquiry.OPEN_STATUSES), 0)
        for inquiry in Inquiry.objects.prefetch_related("events", "messages", "assignments"):
            events = list(inquiry.events.all())
            self.assertEqual(events[0].kind, InquiryEvent.Kind.SUBMITTED)
            self.assertEqual(events[0].created_at, inquiry.received_at)
            times = [event.created_at for event in events]
            self.assertEqual(times, sorted(times))
            self.assertLess(times[-1], self.until)
            self.assertEqual(inquiry.version, 1 + sum(event.kind != InquiryEvent.Kind.SUBMITTED for event in events))
            self.assertEqual(
                inquiry.first_reply_due_on, add_business_days(timezone.localtime(inquiry.received_at).date(), 5)
            )
            replies = [m.created_at for m in inquiry.messages.all() if m.kind == InquiryMessage.Kind.TO_PARTNER]
            self.assertEqual(inquiry.first_replied_at, min(replies) if replies else None)
            if inquiry.status in {S.DECIDED, S.CLOSED}:
                assert inquiry.decided_at is not None
                self.assertLessEqual(inquiry.received_at, inquiry.decided_at)
            if inquiry.status == S.CLOSED:
                assert inquiry.decided_at is not None and inquiry.closed_at is not None
                self.assertLessEqual(inquiry.decided_at, inquiry.closed_at)
            if inquiry.status in {S.ROUTED, S.IN_PROGRESS} or (
                inquiry.status == S.AWAITING_PARTNER and inquiry.unit_id
            ):
                open_stays = [stay for stay in inquiry.assignments.all() if stay.ended_at is None]
                self.assertEqual([stay.unit_id for stay in open_stays], [inquiry.unit_id])
            if inquiry.routed_at is not None:
                self.assertLessEqual(inquiry.received_at, inquiry.routed_at)
            if inquiry.status == S.AWAITING_PARTNER:
                self.assertIsNotNone(inquiry.awaiting_since)

    def test_decided_closed_and_withdrawn_inquiries_have_outcomes_of_every_kind(self) -> None:
        finished = Inquiry.objects.filter(status__in=[S.DECIDED, S.CLOSED, S.WITHDRAWN])
        self.assertEqual(Outcome.objects.filter(inquiry__in=finished).count(), finished.count())
        self.assertFalse(Outcome.objects.exclude(inquiry__in=finished).exists())
        types = set(Outcome.objects.values_list("type", flat=True))
        self.assertEqual(types, set(Outcome.Type.values))
        self.assertEqual(
            set(Outcome.objects.filter(inquiry__status=S.WITHDRAWN).values_list("type", flat=True)),
            {Outcome.Type.WITHDRAWN},
        )
        partnerships = Outcome.objects.filter(type__in=Outcome.PARTNERSHIP_TYPES)
        for outcome in partnerships.prefetch_related("partners_involved", "sdg_targets"):
            self.assertTrue(outcome.partners_involved.exists())
            self.assertTrue(outcome.sdg_targets.exists())
        self.assertTrue(partnerships.filter(funding_nok__gt=0).exists())
        self.assertTrue(FollowUp.objects.exists())
        self.assertTrue(Outcome.objects.filter(type=Outcome.Type.DECLINED).exclude(decline_reason="").exists())

    def test_routed_inquiries_have_unit_assignments_including_declines_and_transfers(self) -> None:
        routed = Inquiry.objects.filter(routed_at__isnull=False)
        self.assertGreater(routed.count(), 100)
        self.assertFalse(routed.exclude(assignments__isnull=False).exists())
        self.assertTrue(UnitAssignment.objects.filter(end=UnitAssignment.End.FINISHED).exists())
        ends = set(UnitAssignment.objects.values_list("end", flat=True))
        self.assertTrue({UnitAssignment.End.DECLINED, UnitAssignment.End.TRANSFERRED} & ends)

    def test_organisations_of_every_kind_and_several_countries_with_contacts(self) -> None:
        self.assertEqual(set(Organisation.objects.values_list("kind", flat=True)), set(Organisation.Kind.values))
        self.assertGreaterEqual(Organisation.objects.values("country").distinct().count(), 5)
        municipalities = Organisation.objects.filter(kind="municipality", country="NO")
        self.assertGreater(municipalities.count(), 20)
        for organisation in municipalities:
            self.assertRegex(organisation.municipality_number, r"^\d{4}$")
            self.assertTrue(county_of(organisation.municipality_number), organisation.name)
        self.assertFalse(Organisation.objects.annotate(n=Count("contacts")).filter(n=0).exists())
        self.assertFalse(Contact.objects.exclude(email__endswith=GENERATED_EMAIL_SUFFIX).exists())

    def test_sdgs_one_to_three_goals_with_the_goal_of_every_target(self) -> None:
        for inquiry in Inquiry.objects.exclude(status=S.SPAM).prefetch_related("sdg_goals", "sdg_targets"):
            goals = {goal.pk for goal in inquiry.sdg_goals.all()}
            self.assertTrue(1 <= len(goals) <= 3, inquiry.reference)
            self.assertLessEqual({target.goal_id for target in inquiry.sdg_targets.all()}, goals)
        self.assertGreater(Inquiry.objects.filter(sdg_targets__isnull=False).distinct().count(), 60)

    def test_staff_of_every_role_and_units_with_members(self) -> None:
        self.assertEqual(Group.objects.get(name=Role.SECRETARIAT).user_set.count(), 5)
        self.assertEqual(Group.objects.get(name=Role.EXECUTIVE).user_set.count(), 2)
        self.assertTrue(Inquiry.objects.filter(owner__units__isnull=False).exists())

    def test_the_staff_pages_show_generated_inquiries_in_every_status(self) -> None:
        reader = make_user("reader" + GENERATED_EMAIL_SUFFIX, groups=(Role.SECRETARIAT,))
        self.client.force_login(reader)
        for status in sorted(set(Inquiry.objects.values_list("status", flat=True))):
            inquiry = Inquiry.objects.filter(status=status).order_by("-version").first()
            assert inquiry is not None
            response = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
            self.assertContains(response, inquiry.reference)
        busiest = Organisation.objects.annotate(n=Count("inquiries")).order_by("-n").first()
        assert busiest is not None
        self.assertEqual(self.client.get(f"/en/staff/organisations/{busiest.pk}/").status_code, 200)


class DeterminismTests(TestCase):
    def test_the_same_seed_and_day_give_the_same_data_and_another_seed_other_data(self) -> None:
        with transaction.atomic():
            generate(40, seed=11)
            first = fingerprint()
            transaction.set_rollback(True)
        with transaction.atomic():
            generate(40, seed=11)
            again = fingerprint()
            transaction.set_rollback(True)
        generate(40, seed=12)
        self.assertEqual(len(first), 40)
        self.assertEqual(first, again)
        self.assertNotEqual(first, fingerprint())

    def test_a_second_run_adds_to_generated_data_and_continues_the_references(self) -> None:
        generate(30, seed=1)
        generate(30, seed=2)
        self.assertEqual(Inquiry.objects.count(), 60)
        references = Inquiry.objects.values_list("reference", flat=True)
        self.assertEqual(len(set(references)), 60)
        for counter in ReferenceCounter.objects.all():
            self.assertEqual(
                counter.last_number, Inquiry.objects.filter(reference__startswith=f"{counter.year}-").count()
            )


class RefusalTests(TestCase):
    def test_refuses_a_database_with_real_inquiries_unless_forced(self) -> None:
        make_inquiry()
        with self.assertRaisesMessage(CommandError, "not generated (inquiries, contacts, organisations)"):
            generate(5)
        self.assertEqual(Inquiry.objects.count(), 1)
        generate(5, force=True)
        self.assertEqual(Inquiry.objects.count(), 6)

    def test_refuses_a_database_with_real_users(self) -> None:
        User.objects.create_user("someone@trondheim.kommune.no", "x")
        self.assertEqual(real_data_found(), ["users"])
        with self.assertRaisesMessage(CommandError, "(users)"):
            generate(5)
        self.assertFalse(Inquiry.objects.exists())

    def test_refuses_nonsense(self) -> None:
        with self.assertRaisesMessage(CommandError, "at least 1"):
            generate(0)


class CalendarTests(TestCase):
    def test_the_lookup_calendar_counts_business_days_as_the_portal_does(self) -> None:
        first, last = datetime.date(2021, 1, 1), datetime.date(2027, 12, 31)
        calendar = BusinessCalendar(first, last)
        rng = random.Random(5)
        for _ in range(300):
            start = first + datetime.timedelta(days=rng.randrange(2000))
            days = rng.randrange(0, 40)
            end = start + datetime.timedelta(days=rng.randrange(-5, 60))
            self.assertEqual(calendar.add(start, days), add_business_days(start, days), (start, days))
            self.assertEqual(calendar.between(start, end), business_days_between(start, end), (start, end))
        # Two business days before Monday 18 May 2026: Friday the 15th, then Wednesday the 13th (the 14th is
        # Ascension Day).
        self.assertEqual(calendar.before(datetime.date(2026, 5, 18), 2), datetime.date(2026, 5, 13))
