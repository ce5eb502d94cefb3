"""Retention: the personal data of finished inquiries is removed after the period of their rule (time travel by
passing `now`), held inquiries and still-needed contacts are kept, and the staff can put holds on and lift them."""

import datetime
import io
import json
from typing import Any

from celery.schedules import crontab
from django.core.management import call_command
from django.utils import timezone

from partners.models import Contact
from portal.celery import app
from requests_app import tasks
from requests_app.models import AccessLogEntry, Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, Outcome, SdgGoal
from requests_app.retention import ACCESS_LOG_YEARS, FINISHED_STATUSES, OTHER_EMAIL_YEARS, RETENTION_RULES, rule_for
from requests_app.services.audit import record_access
from requests_app.services.errors import InquiryStateError
from requests_app.services.outbox import write_email
from requests_app.services.retention import apply_retention, lift_retention_hold, put_on_retention_hold
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry_in

S = Inquiry.Status
T0 = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def years_after(moment: datetime.datetime, years: int) -> datetime.datetime:
    return moment.replace(year=moment.year + years)


def finished(status: str, at: datetime.datetime, **overrides: Any) -> Inquiry:
    """An inquiry that ended in `status` at `at`, with the timestamp its service would have set."""
    fields: dict[str, Any] = {"closed_at": at, "decided_at": at - 10 * DAY}
    if status == S.DECIDED:
        fields = {"decided_at": at, "closed_at": None}
    elif status == S.DUPLICATE:
        fields = {"closed_at": None, "decided_at": None}
    inquiry = make_inquiry_in(status, **{**fields, **overrides})
    if status == S.DUPLICATE:  # a duplicate's end is its event
        event = InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.MARKED_DUPLICATE)
        InquiryEvent.objects.filter(pk=event.pk).update(created_at=at)
    return inquiry


def person(**overrides: Any) -> Contact:
    fields = {"name": "Ola Nordmann", "email": "ola.nordmann@example.no", "phone": "+47 912 34 567"}
    return make_contact(**{**fields, **overrides})


def add_correspondence(inquiry: Inquiry) -> None:
    """A partner's message and our reply with its e-mail (one sent, one still waiting) and an internal note."""
    reply = InquiryMessage.objects.create(
        inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, subject="Om søknaden til Ola", body="Hei Ola!"
    )
    InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body="Mvh Ola Nordmann")
    InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.NOTE, body="Ola ringte i dag.")
    common = {"template": "partner_message", "language": "nb", "to": inquiry.contact.email, "inquiry": inquiry}
    OutboxMessage.objects.create(
        key=f"test-{inquiry.pk}-1",
        subject="Om søknaden til Ola",
        body_text="Hei Ola!",
        body_html="<p>Hei Ola!</p>",
        status=OutboxMessage.Status.SENT,
        **common,
    )
    # Linked only through its message: found all the same.
    OutboxMessage.objects.create(
        key=f"test-{inquiry.pk}-2",
        subject="Om søknaden til Ola",
        body_text="Hei igjen, Ola!",
        last_error="550 ola.nordmann@example.no: no such user",
        **{**common, "inquiry": None, "message": reply},
    )


class RetentionRuleTests(PortalTestCase):
    def test_the_rules_by_outcome_type_cover_exactly_the_final_statuses(self) -> None:
        self.assertEqual(
            {rule.key: rule.years for rule in RETENTION_RULES},
            {"partnership": 5, "outcome": 3, "no_outcome": 3, "duplicate": 3, "spam": 1},
        )
        self.assertFalse(FINISHED_STATUSES & set(Inquiry.OPEN_STATUSES))
        for status in S.values:
            with self.subTest(status=status):
                rule = rule_for(make_inquiry_in(status))
                self.assertEqual(rule is not None, status in FINISHED_STATUSES)
        kinds = {
            Outcome.Type.AGREEMENT: "partnership",
            Outcome.Type.JOINT_PROJECT: "partnership",
            Outcome.Type.PILOT: "partnership",
            **dict.fromkeys(set(Outcome.Type) - set(Outcome.PARTNERSHIP_TYPES), "outcome"),
        }
        for kind, key in kinds.items():
            with self.subTest(outcome=kind):
                inquiry = make_inquiry_in(S.CLOSED)
                Outcome.objects.filter(inquiry=inquiry).update(type=kind)
                self.assertEqual(rule_for(inquiry).key, key)  # type: ignore[union-attr]

    def test_a_partnership_keeps_its_contacts_five_years(self) -> None:
        inquiry = finished(S.CLOSED, T0)
        Outcome.objects.filter(inquiry=inquiry).update(type=Outcome.Type.PILOT)
        self.assertEqual(apply_retention(now=years_after(T0, 3) + DAY).inquiries, 0)
        self.assertEqual(apply_retention(now=years_after(T0, 5) + DAY).references, [inquiry.reference])


class ApplyRetentionTests(PortalTestCase):
    def make_closed(self, **overrides: Any) -> Inquiry:
        inquiry = finished(
            S.CLOSED,
            T0,
            contact=overrides.pop("contact", None) or person(),
            description="Jeg, Ola Nordmann (45), vil samarbeide om sykkelveier.",
            sdg_goals=[SdgGoal.objects.get(number=11)],
            **overrides,
        )
        add_correspondence(inquiry)
        return inquiry

    def test_before_the_period_nothing_changes(self) -> None:
        inquiry = self.make_closed()
        report = apply_retention(now=years_after(T0, 3) - DAY)
        self.assertEqual(report.inquiries, 0)
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.anonymised_at)
        self.assertEqual(inquiry.contact.name, "Ola Nordmann")
        self.assertIn("Ola", inquiry.description)
        self.assertEqual(InquiryMessage.objects.filter(body="").count(), 0)
        self.assertFalse(inquiry.events.exists())

    def test_after_the_period_the_personal_data_is_gone_and_the_record_kept(self) -> None:
        inquiry = self.make_closed(title="Sykkelveier i Midtbyen")
        organisation, contact = inquiry.organisation, inquiry.contact
        now = years_after(T0, 3) + DAY
        apply_retention(now=now)
        inquiry.refresh_from_db()
        contact.refresh_from_db()
        self.assertEqual((contact.name, contact.phone, contact.role), ("", "", ""))
        self.assertEqual(contact.email, f"contact-{contact.pk}@anonymised.invalid")
        self.assertTrue(contact.is_anonymised)
        self.assertEqual(inquiry.description, "")
        self.assertEqual(inquiry.anonymised_at, now)
        self.assertEqual(set(InquiryMessage.objects.values_list("subject", "body")), {("", "")})
        self.assertEqual(
            set(OutboxMessage.objects.values_list("to", "subject", "body_text", "body_html", "last_error")),
            {("", "", "", "", "")},
        )
        # Kept: the organisation, topic, SDGs, status, dates, decision and the message kinds (for statistics).
        self.assertEqual(inquiry.organisation, organisation)
        self.assertEqual(inquiry.title, "Sykkelveier i Midtbyen")
        self.assertEqual(list(inquiry.sdg_goals.values_list("number", flat=True)), [11])
        self.assertEqual((inquiry.status, inquiry.closed_at), (S.CLOSED, T0))
        self.assertEqual(inquiry.decision_summary, "Vi inngår et samarbeid.")
        self.assertEqual(inquiry.messages.count(), 3)
        self.assertEqual(inquiry.organisation.contacts.count(), 1)

    def test_one_event_records_the_counts_and_no_personal_data(self) -> None:
        inquiry = self.make_closed()
        version = inquiry.version
        apply_retention(now=years_after(T0, 3) + DAY)
        event = inquiry.events.get()
        self.assertEqual(event.kind, InquiryEvent.Kind.PERSONAL_DATA_REMOVED)
        self.assertIsNone(event.actor)
        self.assertEqual(
            event.data,
            {
                "rule": "outcome",
                "retention_years": 3,
                "description_removed": True,
                "messages": 3,
                "attachments": 0,
                "outbox_messages": 2,
                "contact_removed": True,
                "version": version + 1,
            },
        )
        self.assertNotIn("Ola", json.dumps(event.data))

    def test_an_email_still_waiting_is_never_sent_after_the_removal(self) -> None:
        self.make_closed()
        apply_retention(now=years_after(T0, 3) + DAY)
        self.assertFalse(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists())
        self.assertEqual(
            sorted(OutboxMessage.objects.values_list("status", flat=True)),
            [OutboxMessage.Status.FAILED, OutboxMessage.Status.SENT],
        )

    def test_each_final_status_has_its_own_period_from_its_own_end(self) -> None:
        inquiries = {status: finished(status, T0) for status in FINISHED_STATUSES}
        after_one_year = apply_retention(now=years_after(T0, 1) + DAY)
        self.assertEqual(after_one_year.references, [inquiries[S.SPAM].reference])
        after_three = apply_retention(now=years_after(T0, 3) + DAY)
        self.assertEqual(
            sorted(after_three.references),
            sorted(inquiry.reference for status, inquiry in inquiries.items() if status != S.SPAM),
        )
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=True, status__in=FINISHED_STATUSES).exists())

    def test_open_inquiries_are_never_touched(self) -> None:
        for status in Inquiry.OPEN_STATUSES:
            finished(status, T0, received_at=T0 - 400 * DAY)
        self.assertEqual(apply_retention(now=years_after(T0, 30)).inquiries, 0)

    def test_activity_after_the_end_postpones_the_removal(self) -> None:
        inquiry = finished(S.DECIDED, T0)
        reply = InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.PARTNER_REPLIED)
        InquiryEvent.objects.filter(pk=reply.pk).update(created_at=years_after(T0, 2))
        self.assertEqual(apply_retention(now=years_after(T0, 3) + DAY).inquiries, 0)
        self.assertEqual(apply_retention(now=years_after(T0, 5) + DAY).references, [inquiry.reference])

    def test_an_inquiry_on_hold_is_skipped_and_counted_until_the_hold_is_lifted(self) -> None:
        inquiry = self.make_closed()
        put_on_retention_hold(inquiry, reason="Klagesak 2029/123", actor=self.amina, now=T0 + DAY)
        now = years_after(T0, 3) + DAY
        report = apply_retention(now=now)
        closed = next(rule for rule in report.rules if rule.rule == "outcome")
        self.assertEqual((closed.inquiries, closed.held), (0, 1))
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.anonymised_at)
        self.assertEqual(inquiry.contact.name, "Ola Nordmann")
        # The hold's events are no activity: once lifted, the period that has run out applies at once.
        lift_retention_hold(inquiry, actor=self.amina)
        self.assertEqual(apply_retention(now=now).references, [inquiry.reference])

    def test_a_contact_shared_with_a_younger_inquiry_is_kept_until_that_one_is_due(self) -> None:
        contact = person()
        old = self.make_closed(contact=contact)
        young = finished(S.CLOSED, years_after(T0, 2), contact=contact, organisation=contact.organisation)
        first = apply_retention(now=years_after(T0, 3) + DAY)
        self.assertEqual(first.references, [old.reference])
        self.assertEqual(sum(rule.contacts for rule in first.rules), 0)
        old.refresh_from_db()
        contact.refresh_from_db()
        self.assertEqual(old.description, "")
        self.assertFalse(old.events.get().data["contact_removed"])
        self.assertEqual(contact.name, "Ola Nordmann")
        second = apply_retention(now=years_after(T0, 5) + DAY)
        self.assertEqual(second.references, [young.reference])
        contact.refresh_from_db()
        self.assertTrue(contact.is_anonymised)

    def test_a_contact_with_an_open_or_held_inquiry_is_kept(self) -> None:
        for blocker in ("open", "held"):
            with self.subTest(blocker):
                contact = person(email=f"{blocker}@example.no")
                self.make_closed(contact=contact)
                other = finished(S.CLOSED, T0, contact=contact, organisation=contact.organisation)
                if blocker == "open":
                    Inquiry.objects.filter(pk=other.pk).update(status=S.IN_PROGRESS)
                else:
                    put_on_retention_hold(other, reason="Innsynskrav", actor=self.amina)
                apply_retention(now=years_after(T0, 3) + DAY)
                contact.refresh_from_db()
                self.assertFalse(contact.is_anonymised)

    def test_two_due_inquiries_of_one_contact_remove_it_once(self) -> None:
        contact = person()
        self.make_closed(contact=contact)
        finished(S.WITHDRAWN, T0, contact=contact, organisation=contact.organisation)
        report = apply_retention(now=years_after(T0, 3) + DAY)
        self.assertEqual(report.inquiries, 2)
        self.assertEqual(sum(rule.contacts for rule in report.rules), 1)
        self.assertTrue(Contact.objects.get(pk=contact.pk).is_anonymised)

    def test_a_dry_run_changes_nothing_and_reports_what_the_real_run_does(self) -> None:
        contact = person()
        self.make_closed(contact=contact)
        finished(S.WITHDRAWN, T0, contact=contact, organisation=contact.organisation)
        self.make_closed()
        put_on_retention_hold(self.make_closed(), reason="Søksmål", actor=self.amina)
        finished(S.SPAM, T0)
        now = years_after(T0, 3) + DAY
        before = self.state()
        dry = apply_retention(now=now, dry_run=True)
        self.assertEqual(self.state(), before)
        real = apply_retention(now=now)
        self.assertNotEqual(self.state(), before)
        self.assertEqual(dry.rules, real.rules)
        self.assertEqual(dry.references, real.references)
        closed = next(rule for rule in dry.rules if rule.rule == "outcome")
        self.assertEqual(
            (closed.inquiries, closed.descriptions, closed.messages, closed.outbox_messages, closed.contacts),
            (2, 2, 6, 4, 1),
        )
        self.assertEqual(closed.held, 1)
        self.assertEqual(sum(rule.contacts for rule in dry.rules), 3)  # the shared one once, the others, spam's

    def test_running_twice_is_harmless(self) -> None:
        inquiry = self.make_closed()
        now = years_after(T0, 3) + DAY
        apply_retention(now=now)
        state = self.state()
        again = apply_retention(now=now + DAY)
        self.assertEqual(again.inquiries, 0)
        self.assertEqual(self.state(), state)
        self.assertEqual(inquiry.events.count(), 1)

    def test_the_command_prints_the_counts_per_rule_and_the_references(self) -> None:
        inquiry = self.make_closed(closed_at=timezone.now() - datetime.timedelta(days=4 * 365))
        out = io.StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
        printed = out.getvalue()
        self.assertIn("dry run: nothing changed", printed)
        self.assertIn(
            "outcome (3 years): inquiries 1, descriptions 1, messages 3, attachments 0, e-mails 2, contacts 1; "
            "skipped on hold 0",
            printed,
        )
        self.assertIn("spam (1 years): inquiries 0,", printed)
        self.assertIn("Personal data would be removed from 1 inquiries", printed)
        self.assertIn(inquiry.reference, printed)
        self.assertIsNone(Inquiry.objects.get(pk=inquiry.pk).anonymised_at)
        out = io.StringIO()
        call_command("apply_retention", stdout=out)
        self.assertIn("outcome (3 years): inquiries 1,", out.getvalue())
        self.assertIn("Personal data removed from 1 inquiries", out.getvalue())
        self.assertIsNotNone(Inquiry.objects.get(pk=inquiry.pk).anonymised_at)

    def test_the_nightly_task_is_scheduled_and_applies_the_rules(self) -> None:
        entry = app.conf.beat_schedule["apply-retention-rules"]
        self.assertEqual(entry["task"], "requests_app.tasks.apply_retention_rules")
        self.assertEqual(entry["schedule"], crontab(minute=15, hour=3))
        self.make_closed(closed_at=timezone.now() - datetime.timedelta(days=4 * 365))
        self.assertEqual(tasks.apply_retention_rules.delay().get(), 1)
        self.assertEqual(tasks.apply_retention_rules.delay().get(), 0)

    @staticmethod
    def state() -> tuple[object, ...]:
        return (
            list(Inquiry.objects.order_by("pk").values_list("description", "anonymised_at", "version")),
            list(Contact.objects.order_by("pk").values_list("name", "email", "phone", "role")),
            list(InquiryMessage.objects.order_by("pk").values_list("subject", "body")),
            list(OutboxMessage.objects.order_by("pk").values_list("to", "body_text", "status")),
            InquiryEvent.objects.count(),
        )


class RetentionHoldServiceTests(PortalTestCase):
    def test_putting_on_hold_records_the_reason_and_one_event(self) -> None:
        inquiry = finished(S.CLOSED, T0)
        put_on_retention_hold(inquiry, reason="  Klagesak 2029/123 ", actor=self.amina, now=T0 + DAY)
        inquiry.refresh_from_db()
        self.assertEqual((inquiry.retention_hold_reason, inquiry.retention_hold_at), ("Klagesak 2029/123", T0 + DAY))
        event = inquiry.events.get()
        self.assertEqual(
            (event.kind, event.actor, event.data["note"]),
            (InquiryEvent.Kind.RETENTION_HOLD_SET, self.amina, "Klagesak 2029/123"),
        )

    def test_lifting_the_hold_records_one_event(self) -> None:
        inquiry = finished(S.SPAM, T0)
        put_on_retention_hold(inquiry, reason="Politianmeldt", actor=self.amina, now=T0 + DAY)
        lift_retention_hold(inquiry, actor=self.admin)
        inquiry.refresh_from_db()
        self.assertEqual((inquiry.retention_hold_reason, inquiry.retention_hold_at), ("", None))
        event = inquiry.events.latest("pk")
        self.assertEqual((event.kind, event.actor), (InquiryEvent.Kind.RETENTION_HOLD_CLEARED, self.admin))
        self.assertEqual(event.data["held_since"], (T0 + DAY).isoformat())

    def test_refused_holds_change_nothing(self) -> None:
        cases = {
            "no reason": (finished(S.CLOSED, T0), " "),
            "open": (make_inquiry_in(S.IN_PROGRESS), "Klage"),
            "removed": (finished(S.CLOSED, T0, anonymised_at=T0), "Klage"),
        }
        for name, (inquiry, reason) in cases.items():
            with self.subTest(name), self.assertRaises(InquiryStateError):
                put_on_retention_hold(inquiry, reason=reason, actor=self.amina)
        held = finished(S.CLOSED, T0)
        put_on_retention_hold(held, reason="Klage", actor=self.amina)
        with self.assertRaises(InquiryStateError):
            put_on_retention_hold(held, reason="Klage igjen", actor=self.amina)
        with self.assertRaises(InquiryStateError):
            lift_retention_hold(finished(S.CLOSED, T0), actor=self.amina)
        self.assertEqual(InquiryEvent.objects.filter(kind__startswith="inquiry.retention").count(), 1)


class RetentionOnTheInquiryPageTests(PortalTestCase):
    def page(self, inquiry: Inquiry, user: Any = None, **query: str) -> Any:
        self.client.force_login(user or self.amina)
        return self.client.get(f"/en/staff/inquiries/{inquiry.pk}/", query)

    def post(self, inquiry: Inquiry, action: str, data: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/en/staff/inquiries/{inquiry.pk}/{action}/", data or {})

    def test_the_secretariat_puts_a_finished_inquiry_on_hold_and_lifts_it(self) -> None:
        inquiry = finished(S.CLOSED, T0)
        self.assertContains(self.page(inquiry), 'href="?action=retention-hold#action-retention-hold"')
        form = self.page(inquiry, action="retention-hold")
        self.assertContains(form, 'name="retention-hold-reason"')
        response = self.post(inquiry, "retention-hold", {"retention-hold-reason": "Klagesak 2029/123"})
        self.assertRedirects(response, inquiry.get_absolute_url(), fetch_redirect_response=False)
        page = self.page(inquiry)
        self.assertContains(page, "On retention hold")
        self.assertContains(page, "Klagesak 2029/123")
        self.assertContains(page, f'action="/en/staff/inquiries/{inquiry.pk}/lift-retention-hold/"')
        self.assertNotContains(page, "?action=retention-hold")
        self.assertRedirects(
            self.post(inquiry, "lift-retention-hold"), inquiry.get_absolute_url(), fetch_redirect_response=False
        )
        inquiry.refresh_from_db()
        self.assertFalse(inquiry.is_on_retention_hold)

    def test_a_hold_without_a_reason_is_refused_with_the_form(self) -> None:
        inquiry = finished(S.CLOSED, T0)
        self.client.force_login(self.amina)
        response = self.post(inquiry, "retention-hold", {"retention-hold-reason": ""})
        self.assertContains(response, "Give the reason for the hold.", status_code=400)
        inquiry.refresh_from_db()
        self.assertFalse(inquiry.is_on_retention_hold)

    def test_open_inquiries_do_not_offer_a_hold(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        self.assertNotContains(self.page(inquiry), "retention-hold")

    def test_unit_members_and_executives_may_not_hold(self) -> None:
        inquiry = finished(S.CLOSED, T0)  # Byutvikling og miljø: Bruno's unit
        for user in (self.bruno, self.dina):
            with self.subTest(user.email):
                self.assertNotContains(self.page(inquiry, user), "retention-hold")
                response = self.post(inquiry, "retention-hold", {"retention-hold-reason": "Klage"})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(inquiry.events.exists())

    def test_an_inquiry_without_its_personal_data_says_so_and_shows_none(self) -> None:
        contact = person()
        inquiry = finished(S.CLOSED, T0, contact=contact, description="Ola sin idé")
        InquiryMessage.objects.create(inquiry=inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body="Hilsen Ola")
        # A younger inquiry keeps the shared contact: the old one must not show it.
        finished(S.CLOSED, years_after(T0, 2), contact=contact, organisation=contact.organisation)
        apply_retention(now=years_after(T0, 3) + DAY)
        response = self.page(inquiry)
        self.assertContains(response, "Personal data removed on")
        self.assertContains(response, "Text removed.")
        for personal in ("Ola Nordmann", "ola.nordmann@example.no", "+47 912 34 567", "Hilsen Ola", "Ola sin idé"):
            self.assertNotContains(response, personal)
        # Only the details (type, priority, SDGs) can still be corrected.
        self.assertNotContains(response, "?action=reopen")
        self.assertContains(response, "?action=edit")
        self.assertEqual(self.post(inquiry, "reopen", {"reopen-reason": "Nytt"}).status_code, 409)

    def test_the_export_leaves_out_the_contact_of_an_inquiry_without_personal_data(self) -> None:
        contact = person()
        finished(S.CLOSED, T0, contact=contact)
        finished(S.CLOSED, years_after(T0, 2), contact=contact, organisation=contact.organisation)
        apply_retention(now=years_after(T0, 3) + DAY)
        self.client.force_login(self.amina)
        response = self.client.get("/en/staff/export.csv")
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
        self.assertEqual(sum("ola.nordmann@example.no" in line for line in lines), 1)


class StatusLinkRetentionTests(PortalTestCase):
    def test_the_status_links_of_an_inquiry_go_with_its_personal_data(self) -> None:
        from requests_app.models import StatusLink
        from requests_app.services.status_links import issue_status_link

        inquiry = finished(S.CLOSED, T0)
        token = issue_status_link(inquiry, email=inquiry.contact.email)
        self.assertTrue(StatusLink.objects.filter(inquiry=inquiry).exists())
        apply_retention(now=years_after(T0, 3) + DAY)
        self.assertFalse(StatusLink.objects.filter(inquiry=inquiry).exists())
        self.assertEqual(self.client.get(f"/status/{token}/").status_code, 404)


class RecordRetentionTests(PortalTestCase):
    """The access log and the e-mails about no inquiry have periods of their own (retention.ACCESS_LOG_YEARS,
    OTHER_EMAIL_YEARS), applied by the same nightly job."""

    def log_entry(self, at: datetime.datetime) -> AccessLogEntry:
        entry = record_access(actor=self.amina, kind=AccessLogEntry.Kind.INQUIRY_VIEWED, ip_address="192.0.2.1")
        AccessLogEntry.objects.filter(pk=entry.pk).update(created_at=at)
        return entry

    def email(self, at: datetime.datetime, *, inquiry: Inquiry | None = None, status: str = "sent") -> OutboxMessage:
        row = write_email(
            key=f"test:{at.isoformat()}:{inquiry.pk if inquiry else ''}",
            template="weekly_digest",
            to="kommunedirektor@trondheim.kommune.no",
            language="nb",
            subject="Ukens oversikt",
            body_text="Tall for uka",
            body_html="<p>Tall for uka</p>",
            inquiry=inquiry,
        )
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=at, status=status)
        return row

    def test_access_log_entries_are_deleted_after_the_longest_inquiry_period(self) -> None:
        self.assertEqual(ACCESS_LOG_YEARS, 5)
        old, young = self.log_entry(T0), self.log_entry(T0 + 10 * DAY)
        now = years_after(T0, 5) + DAY
        dry = apply_retention(now=now, dry_run=True)
        self.assertEqual(dry.access_log_entries, 1)
        self.assertTrue(AccessLogEntry.objects.filter(pk=old.pk).exists())  # a dry run deletes nothing
        report = apply_retention(now=now)
        self.assertEqual(report.access_log_entries, 1)
        self.assertEqual(list(AccessLogEntry.objects.values_list("pk", flat=True)), [young.pk])
        self.assertEqual(apply_retention(now=now).access_log_entries, 0)  # twice is harmless
        with self.assertRaises(ValueError):  # outside retention the log stays append-only
            young.delete()

    def test_emails_about_no_inquiry_are_emptied_after_a_year_and_never_sent_after(self) -> None:
        self.assertEqual(OTHER_EMAIL_YEARS, 1)
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        sent, waiting = self.email(T0), self.email(T0 + DAY, status="pending")
        young = self.email(T0 + 100 * DAY)
        about_an_inquiry = self.email(T0 + 2 * DAY, inquiry=inquiry)  # follows its inquiry's rule instead
        now = years_after(T0, 1) + 3 * DAY
        self.assertEqual(apply_retention(now=now, dry_run=True).other_emails, 2)
        self.assertEqual(OutboxMessage.objects.get(pk=sent.pk).to, "kommunedirektor@trondheim.kommune.no")
        self.assertEqual(apply_retention(now=now).other_emails, 2)
        for row in (sent, waiting):
            row.refresh_from_db()
            self.assertEqual((row.to, row.subject, row.body_text, row.body_html, row.headers), ("", "", "", "", {}))
            self.assertEqual(row.template, "weekly_digest")  # the fact that an e-mail went remains
        self.assertEqual(waiting.status, OutboxMessage.Status.FAILED)  # a waiting one is never sent afterwards
        for row in (young, about_an_inquiry):
            row.refresh_from_db()
            self.assertEqual(row.body_text, "Tall for uka")
        self.assertEqual(apply_retention(now=now).other_emails, 0)

    def test_the_command_reports_them(self) -> None:
        self.log_entry(timezone.now() - datetime.timedelta(days=6 * 366))
        self.email(timezone.now() - datetime.timedelta(days=400))
        out = io.StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
        self.assertIn(
            "Access log entries older than 5 years to be deleted: 1; e-mails about no inquiry older than 1 year to be "
            "emptied: 1",
            out.getvalue(),
        )
        out = io.StringIO()
        call_command("apply_retention", stdout=out)
        self.assertIn("Access log entries older than 5 years deleted: 1; e-mails about no inquiry", out.getvalue())
        self.assertFalse(AccessLogEntry.objects.exists())
