"""Deadlines: set at intake in Norwegian business days, and one definition of overdue in Python and in SQL."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry, ServiceTargets
from requests_app.selectors import overdue_condition
from requests_app.services.intake import submit_inquiry
from tests.base import PortalTestCase
from tests.factories import make_contact

S = Inquiry.Status
UTC = datetime.UTC


def submit_at(now: datetime.datetime) -> Inquiry:
    return submit_inquiry(
        organisation=OrganisationDetails(name="Nidaros Klimalab AS", kind="company", country="NO"),
        contact=ContactDetails(name="Kari Nordmann", email="kari@klimalab.example"),
        title="Felles pilot",
        description="Vi vil teste noe sammen med kommunen.",
        inquiry_type=Inquiry.Type.PILOT,
        language="nb",
        send_receipt=False,
        now=now,
    )


class DueDatesAtIntakeTests(PortalTestCase):
    def test_first_reply_in_5_and_decision_in_20_business_days(self) -> None:
        # Monday 2 March 2026: four plain weeks, no holidays.
        inquiry = submit_at(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 3, 9))
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 3, 30))

    def test_changed_service_targets_are_used(self) -> None:
        ServiceTargets.objects.filter(pk=ServiceTargets.current().pk).update(
            first_reply_business_days=2, decision_business_days=10
        )
        inquiry = submit_at(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 3, 4))
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 3, 16))

    def test_easter_2026_and_1_may_are_skipped(self) -> None:
        # Tuesday 31 March: Skjærtorsdag, Langfredag and 2. påskedag (2, 3 and 6 April) are not counted,
        # nor Arbeidernes dag (Friday 1 May), so the twentieth business day is Monday 4 May.
        inquiry = submit_at(datetime.datetime(2026, 3, 31, 8, 0, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 4, 10))
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 5, 4))

    def test_ascension_day_and_whit_monday_2026_are_skipped(self) -> None:
        # Monday 11 May 2026: Kristi himmelfartsdag 14 May; 17 May is a Sunday; 2. pinsedag 25 May.
        inquiry = submit_at(datetime.datetime(2026, 5, 11, 8, 0, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 5, 19))
        self.assertEqual(inquiry.decision_due_on, datetime.date(2026, 6, 10))

    def test_17_may_on_a_weekday_is_skipped(self) -> None:
        # Friday 14 May 2027: Monday 17 May is Grunnlovsdagen (and 2. pinsedag).
        inquiry = submit_at(datetime.datetime(2027, 5, 14, 8, 0, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2027, 5, 24))

    def test_the_day_counts_in_trondheim_time(self) -> None:
        # 23:30 UTC on Tuesday 31 March is Wednesday 1 April in Trondheim.
        inquiry = submit_at(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
        self.assertEqual(inquiry.first_reply_due_on, datetime.date(2026, 4, 13))


# Tuesday 10 March 2026.
TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)
DATES: dict[str, datetime.date | None] = {"past": TODAY - DAY, "today": TODAY, "future": TODAY + DAY, "none": None}


class OverdueTests(PortalTestCase):
    """Every status × first-reply due date × replied or not × decision due date."""

    cases: dict[int, dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        contact = make_contact()
        received = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
        grid = list(itertools.product(S.values, DATES, (False, True), DATES))
        rows = [
            Inquiry(
                reference=f"2026-{9000 + number}",
                title=f"Rutenett {number}",
                description="Et tilfelle i rutenettet.",
                inquiry_type=Inquiry.Type.OTHER,
                organisation=contact.organisation,
                contact=contact,
                received_at=received,
                status=status,
                first_reply_due_on=DATES[first_due],
                first_replied_at=received + DAY if replied else None,
                decision_due_on=DATES[decision_due],
                awaiting_since=received if status == S.AWAITING_PARTNER else None,
            )
            for number, (status, first_due, replied, decision_due) in enumerate(grid)
        ]
        created = Inquiry.objects.bulk_create(rows)
        cls.cases = {
            row.pk: {"status": status, "first_due": first_due, "replied": replied, "decision_due": decision_due}
            for row, (status, first_due, replied, decision_due) in zip(created, grid, strict=True)
        }

    def overdue_in_python(self, today: datetime.date) -> set[int]:
        return {inquiry.pk for inquiry in Inquiry.objects.all() if inquiry.is_overdue(today)}

    def overdue_in_sql(self, today: datetime.date) -> set[int]:
        return set(Inquiry.objects.filter(overdue_condition(today)).values_list("pk", flat=True))

    def test_the_model_and_the_selector_agree(self) -> None:
        self.assertEqual(len(self.cases), 10 * 4 * 2 * 4)
        for today in (TODAY, TODAY + DAY, TODAY + 2 * DAY):
            with self.subTest(today=today):
                in_python = self.overdue_in_python(today)
                self.assertEqual(self.overdue_in_sql(today), in_python)
                self.assertTrue(in_python)
                self.assertLess(len(in_python), len(self.cases))

    def test_overdue_means_running_and_past_a_due_date(self) -> None:
        overdue = self.overdue_in_python(TODAY)
        for pk, case in self.cases.items():
            running = case["status"] in {S.RECEIVED, S.IN_TRIAGE, S.ROUTED, S.IN_PROGRESS}
            first_reply_late = case["first_due"] == "past" and not case["replied"]
            decision_late = case["decision_due"] == "past"
            with self.subTest(**case):
                self.assertEqual(pk in overdue, running and (first_reply_late or decision_late))

    def test_a_paused_inquiry_is_never_overdue(self) -> None:
        paused = {pk for pk, case in self.cases.items() if case["status"] == S.AWAITING_PARTNER}
        late = {pk for pk, case in self.cases.items() if case["decision_due"] == "past"}
        self.assertTrue(paused & late)
        self.assertFalse(paused & self.overdue_in_sql(TODAY))
        self.assertFalse(paused & self.overdue_in_python(TODAY))

    def test_due_today_is_not_yet_overdue(self) -> None:
        due_today = {
            pk
            for pk, case in self.cases.items()
            if case["status"] == S.IN_PROGRESS and case["decision_due"] == "today" and case["first_due"] != "past"
        }
        self.assertTrue(due_today)
        self.assertFalse(due_today & self.overdue_in_sql(TODAY))
