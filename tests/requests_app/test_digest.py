"""The weekly digest: every Monday 07:00 Europe/Oslo each active executive gets one e-mail with the past week's new
inquiries and decisions, what is overdue now and the questions waiting for them, in their language, once per ISO
week however often beat fires.

The fixture is the week of Monday 16 to Sunday 22 November 2026 (ISO week 47), digested on Monday 23 November (ISO
week 48), with inquiries on both sides of each midnight in Trondheim.
"""

import datetime
import zoneinfo
from unittest import mock

from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partners.models import Role, User
from requests_app import tasks
from requests_app.models import DecisionRequest, Inquiry, OutboxMessage, Outcome
from requests_app.services import decisions
from requests_app.services.digest import LISTED, OVERDUE_LISTED, iso_week_key, send_weekly_digest, weekly_digest
from tests.base import PortalTestCase, make_user
from tests.factories import make_inquiry, make_inquiry_in

S = Inquiry.Status
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
MONDAY = datetime.date(2026, 11, 23)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in Trondheim."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


def nov(number: int) -> datetime.date:
    return datetime.date(2026, 11, number)


def beat(on: datetime.date) -> int:
    """The digest task as beat runs it at 07:00 on `on`, with its e-mails delivered after the commit."""
    with mock.patch("django.utils.timezone.now", return_value=at(on, 7)):
        return int(tasks.send_weekly_digest())


class DigestTestCase(PortalTestCase):
    erik: User
    received: list[Inquiry]
    decided: list[Inquiry]
    overdue: list[Inquiry]
    waiting: DecisionRequest

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.erik = make_user(
            "erik@trondheim.kommune.no", full_name="Erik Eng", groups=(Role.EXECUTIVE,), preferred_language="en"
        )
        make_user("tidligere@trondheim.kommune.no", groups=(Role.EXECUTIVE,), is_active=False)
        earlier = at(datetime.date(2026, 10, 1), 9)
        # Received in the week: 00:30 on Monday 16th (23:30 UTC on the 15th), midweek, and 23:59 on Sunday 22nd.
        cls.received = [
            make_inquiry(title="Første i uka", received_at=at(nov(16), 0, 30)),
            make_inquiry(title="Midt i uka", received_at=at(nov(19), 12)),
            make_inquiry(title="Siste i uka", received_at=at(nov(22), 23, 59)),
        ]
        # Not in the week: 23:30 on Sunday 15th, 00:10 on the Monday of the digest; spam and a duplicate in the week.
        make_inquiry(title="Uka før", received_at=at(nov(15), 23, 30))
        make_inquiry(title="Samme morgen", received_at=at(MONDAY, 0, 10))
        make_inquiry_in(S.SPAM, title="Søppel", received_at=at(nov(18), 10))
        make_inquiry_in(S.DUPLICATE, title="Dobbel", received_at=at(nov(18), 11))
        # Decided in the week (outcome dates 18th and 22nd); one the week before; a withdrawal in the week.
        cls.decided = []
        for title, status, decided_on, kind in (
            ("Avtale med Tampere", S.DECIDED, nov(18), Outcome.Type.AGREEMENT),
            ("Avslått tilbud", S.CLOSED, nov(22), Outcome.Type.DECLINED),
            ("Avgjort uka før", S.DECIDED, nov(15), Outcome.Type.PILOT),
        ):
            inquiry = make_inquiry_in(status, title=title, received_at=earlier)
            Outcome.objects.filter(inquiry=inquiry).update(type=kind, decided_on=decided_on)
            cls.decided.append(inquiry)
        withdrawn = make_inquiry_in(S.WITHDRAWN, title="Trukket", received_at=earlier)
        Outcome.objects.create(
            inquiry=withdrawn, type=Outcome.Type.WITHDRAWN, decided_on=nov(20), recorded_at=at(nov(20), 9)
        )
        # Overdue on the 23rd: a decision due on the 20th, a first reply due on the 22nd. Not overdue: waiting for the
        # partner, due today, or replied to and without a decision date.
        cls.overdue = [
            make_inquiry_in(S.IN_PROGRESS, title="Sen avgjørelse", received_at=earlier, decision_due_on=nov(20)),
            make_inquiry_in(
                S.RECEIVED,
                title="Sent første svar",
                received_at=earlier + datetime.timedelta(days=4),
                first_reply_due_on=nov(22),
            ),
        ]
        make_inquiry_in(S.AWAITING_PARTNER, title="Venter", received_at=earlier, decision_due_on=nov(1))
        make_inquiry_in(S.IN_PROGRESS, title="Frist i dag", received_at=earlier, decision_due_on=MONDAY)
        make_inquiry_in(
            S.IN_TRIAGE,
            title="Besvart",
            received_at=earlier,
            first_reply_due_on=nov(2),
            first_replied_at=at(nov(1), 9),
        )
        # Questions to the executive: one waiting, one answered, one withdrawn.
        cls.waiting = decisions.request_decision(
            cls.overdue[0], reason="funding", question="Tar vi imot 2 millioner?", actor=cls.amina, now=at(nov(20), 9)
        )
        answered = decisions.request_decision(cls.decided[0], reason="other", question="Greit?", actor=cls.amina)
        decisions.answer_decision_request(answered, answer="approve", text="", actor=cls.dina)
        decisions.request_decision(cls.decided[1], reason="other", question="Trekkes?", actor=cls.amina)
        decisions.withdraw_decision_request(cls.decided[1], actor=cls.amina)
        OutboxMessage.objects.all().delete()

    def setUp(self) -> None:
        super().setUp()
        mail.outbox.clear()


class FigureTests(DigestTestCase):
    def test_the_figures_match_the_hand_made_fixture(self) -> None:
        digest = weekly_digest(today=MONDAY)
        self.assertEqual((digest.week.first, digest.week.last, digest.week_key), (nov(16), nov(22), "2026-W48"))
        self.assertEqual(digest.received_count, 3)
        self.assertEqual([inquiry.title for inquiry in digest.received], ["Første i uka", "Midt i uka", "Siste i uka"])
        self.assertEqual(digest.decided_count, 2)
        self.assertEqual(
            [(outcome.inquiry.title, outcome.type) for outcome in digest.decided],
            [("Avtale med Tampere", Outcome.Type.AGREEMENT), ("Avslått tilbud", Outcome.Type.DECLINED)],
        )
        self.assertEqual(digest.overdue_count, 2)
        self.assertEqual([inquiry.title for inquiry in digest.overdue], ["Sen avgjørelse", "Sent første svar"])
        self.assertEqual([question.pk for question in digest.open_questions], [self.waiting.pk])
        self.assertEqual((digest.more_received, digest.more_decided, digest.more_overdue), (0, 0, 0))
        self.assertEqual(digest.received_query, "received_after=2026-11-16&received_before=2026-11-22&counted=true")

    def test_the_week_is_the_seven_days_before_the_run_and_the_key_its_iso_week(self) -> None:
        self.assertEqual(iso_week_key(MONDAY), "2026-W48")
        self.assertEqual(iso_week_key(datetime.date(2027, 1, 4)), "2027-W01")
        self.assertEqual(iso_week_key(datetime.date(2027, 1, 1)), "2026-W53")  # a Friday in 2026's last week
        digest = weekly_digest(today=datetime.date(2026, 11, 24))  # beat a day late
        self.assertEqual((digest.week.first, digest.week.last, digest.week_key), (nov(17), nov(23), "2026-W48"))
        self.assertEqual([inquiry.title for inquiry in digest.received], ["Midt i uka", "Siste i uka", "Samme morgen"])

    def count_queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            weekly_digest(today=MONDAY)
        return len(queries)

    def test_the_figures_take_the_same_few_queries_however_many_inquiries_and_the_lists_are_capped(self) -> None:
        few = self.count_queries()
        for number in range(LISTED + 5):
            make_inquiry(title=f"Ny {number}", received_at=at(nov(17), 8, number))
            make_inquiry_in(S.IN_PROGRESS, title=f"Sen {number}", received_at=at(nov(1), 8), decision_due_on=nov(2))
            decided = make_inquiry_in(S.DECIDED, received_at=at(nov(1), 8))
            Outcome.objects.filter(inquiry=decided).update(decided_on=nov(19))
        self.assertEqual(self.count_queries(), few)
        self.assertLessEqual(few, 7)
        digest = weekly_digest(today=MONDAY)
        self.assertEqual((digest.received_count, len(digest.received), digest.more_received), (18, LISTED, 8))
        self.assertEqual((digest.decided_count, len(digest.decided), digest.more_decided), (17, LISTED, 7))
        self.assertEqual((digest.overdue_count, len(digest.overdue)), (17, OVERDUE_LISTED))
        # The oldest overdue first: the fixture's two, received on 1 and 5 October.
        self.assertEqual([inquiry.title for inquiry in digest.overdue[:2]], ["Sen avgjørelse", "Sent første svar"])

    def test_more_executives_cost_no_more_queries_for_the_figures_only_their_outbox_rows(self) -> None:
        with CaptureQueriesContext(connection) as two:
            send_weekly_digest(now=at(MONDAY, 7))
        OutboxMessage.objects.all().delete()
        for number in range(3):
            make_user(f"direktor{number}@trondheim.kommune.no", groups=(Role.EXECUTIVE,))
        with CaptureQueriesContext(connection) as five:
            send_weekly_digest(now=at(MONDAY, 7))
        self.assertEqual(OutboxMessage.objects.filter(template="weekly_digest").count(), 5)
        per_row = (len(five) - len(two)) / 3
        self.assertLessEqual(per_row, 4)  # the row's get-or-create (with its savepoint), nothing per inquiry


class SendingTests(DigestTestCase):
    def test_sent_once_when_beat_fires_twice_and_again_the_next_week(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(beat(MONDAY), 2)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(beat(MONDAY), 0)  # beat fired twice (or the task was retried)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(beat(nov(24)), 0)  # a late run in the same ISO week
        self.assertEqual(sorted(message.to[0] for message in mail.outbox), [self.dina.email, self.erik.email])
        self.assertEqual(
            set(OutboxMessage.objects.values_list("key", flat=True)),
            {f"digest:2026-W48:{self.dina.email}", f"digest:2026-W48:{self.erik.email}"},
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(beat(nov(30)), 2)
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(OutboxMessage.objects.filter(key__startswith="digest:2026-W49:").count(), 2)

    def test_the_outbox_key_alone_keeps_a_second_writer_from_sending_again(self) -> None:
        # Two runs that both computed the figures before either wrote: the second's rows are the first's.
        from requests_app import emails

        digest = weekly_digest(today=MONDAY)
        people = [(self.dina.email, "nb")]
        first = emails.queue_weekly_digest(digest, people=people)
        second = emails.queue_weekly_digest(digest, people=people)
        self.assertEqual([row.pk for row in first], [row.pk for row in second])
        self.assertEqual(OutboxMessage.objects.count(), 1)

    def test_only_active_executives_get_it(self) -> None:
        beat(MONDAY)
        recipients = set(OutboxMessage.objects.values_list("to", flat=True))
        self.assertEqual(recipients, {self.dina.email, self.erik.email})  # not the closed account, not the secretariat

    def test_the_beat_schedule_runs_it_on_monday_at_seven_in_oslo(self) -> None:
        from portal.celery import app

        schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
        self.assertEqual(schedules[tasks.send_weekly_digest.name], crontab(minute=0, hour=7, day_of_week="mon"))
        self.assertEqual(app.conf.timezone, "Europe/Oslo")
        self.assertIn(tasks.send_weekly_digest.name, app.tasks)


class ContentTests(DigestTestCase):
    def digests(self) -> dict[str, OutboxMessage]:
        with self.captureOnCommitCallbacks(execute=True):
            beat(MONDAY)
        return {row.to: row for row in OutboxMessage.objects.filter(template="weekly_digest")}

    def test_in_english_for_an_english_reader_and_in_bokmal_by_default(self) -> None:
        rows = self.digests()
        english, bokmal = rows[self.erik.email], rows[self.dina.email]
        self.assertEqual((english.language, english.headers), ("en", {"Content-Language": "en"}))
        self.assertEqual((bokmal.language, bokmal.headers), ("nb", {"Content-Language": "nb"}))
        self.assertEqual(english.subject, "Weekly digest from the UN centre: 16/11/2026 to 22/11/2026")
        self.assertIn("16.11.2026", bokmal.subject)
        with translation.override("nb"):
            agreement_nb = str(Outcome.Type.AGREEMENT.label)
        self.assertNotEqual(agreement_nb, "Agreement or MoU signed")
        self.assertIn(agreement_nb, bokmal.body_text)
        self.assertIn("Agreement or MoU signed", english.body_text)
        self.assertNotIn("Agreement or MoU signed", bokmal.body_text)
        # Links to the pages in the reader's language.
        self.assertIn(f"{settings.SITE_URL}/en/staff/decisions/", english.body_text)
        self.assertIn(f"{settings.SITE_URL}/staff/decisions/", bokmal.body_text)
        self.assertNotIn("/en/", bokmal.body_text)

    def test_the_numbers_and_the_links_are_in_the_text(self) -> None:
        text = self.digests()[self.erik.email].body_text
        site = settings.SITE_URL
        for expected in (
            "3 new inquiries",
            "2 decisions made",
            "2 overdue inquiries now",
            "1 question waits for your decision",
            f"{self.received[0].reference} Første i uka",
            f"{self.decided[1].reference} Avslått tilbud: Declined",
            "Tar vi imot 2 millioner?",
            "Funding offer above the threshold (asked 20/11/2026)",
            f"{site}/en/staff/?received_after=2026-11-16&received_before=2026-11-22&counted=true",
            f"{site}/en/staff/?overdue=true",
            f"{site}/en/staff/inquiries/{self.overdue[1].pk}/",
            f"{site}/en/staff/summary/",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        for absent in ("Uka før", "Samme morgen", "Søppel", "Dobbel", "Avgjort uka før", "Trukket", "Venter", "Greit?"):
            with self.subTest(absent=absent):
                self.assertNotIn(absent, text)

    def test_the_links_to_the_inbox_list_what_the_digest_counted(self) -> None:
        text = self.digests()[self.erik.email].body_text
        received_link = next(line for line in text.splitlines() if "received_after=" in line).split(": ", 1)[1]
        overdue_link = next(line for line in text.splitlines() if "overdue=true" in line).split(": ", 1)[1]
        self.client.force_login(self.erik)
        with mock.patch("django.utils.timezone.now", return_value=at(MONDAY, 9)):
            for link, expected in ((received_link, self.received), (overdue_link, self.overdue)):
                with self.subTest(link=link):
                    response = self.client.get(link.removeprefix(settings.SITE_URL))
                    self.assertEqual(response.status_code, 200)
                    listed = {row.pk for row in response.context["paginator"].object_list}
                    self.assertEqual(listed, {inquiry.pk for inquiry in expected})

    def test_the_e_mail_sent_has_a_text_and_an_html_part(self) -> None:
        self.digests()
        message = next(message for message in mail.outbox if message.to == [self.erik.email])
        self.assertEqual(message.subject, "Weekly digest from the UN centre: 16/11/2026 to 22/11/2026")
        self.assertIn("3 new inquiries", message.body)
        ((html, mimetype),) = message.alternatives  # type: ignore[attr-defined]
        self.assertEqual(mimetype, "text/html")
        self.assertIn('<html lang="en">', html)
        self.assertIn("<h2", html)
        self.assertIn(
            f'<a href="{settings.SITE_URL}/en/staff/inquiries/{self.received[2].pk}/">{self.received[2].reference}</a>',
            html,
        )
        self.assertIn(
            f'href="{settings.SITE_URL}/en/staff/?received_after=2026-11-16&amp;received_before=2026-11-22&amp;counted=true"',
            html,
        )


class EmptyWeekTests(PortalTestCase):
    def test_a_quiet_week_still_brings_a_digest_with_zeros(self) -> None:
        User.objects.filter(pk=self.dina.pk).update(preferred_language="en")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(beat(MONDAY), 1)
        (message,) = mail.outbox
        self.assertEqual(message.to, [self.dina.email])
        for expected in (
            "0 new inquiries",
            "0 decisions made",
            "0 overdue inquiries now",
            "0 questions wait for your decision",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, message.body)
        self.assertNotIn("received_after", message.body)  # no link to an empty list
        self.assertNotIn("overdue=true", message.body)
        self.assertEqual(OutboxMessage.objects.get().key, f"digest:2026-W48:{self.dina.email}")
