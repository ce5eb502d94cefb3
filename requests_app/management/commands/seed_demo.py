"""Load the local demo: staff logins for each role and about 40 inquiries in varied states."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partners.models import MunicipalUnit, Organisation, User
from partners.services import ContactDetails, OrganisationDetails, link_account, mark_email_verified
from requests_app import demo_data
from requests_app.models import (
    FollowUp,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    OutboxMessage,
    Outcome,
    SdgGoal,
    SdgTarget,
)
from requests_app.services import conversation, decisions, duplicates, highlights, lifecycle, outcomes
from requests_app.services.intake import submit_inquiry


class Command(BaseCommand):
    help = "Load demo users and inquiries for the local demo. Idempotent; refused when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DJANGO_DEBUG=true: it creates logins with a known password.")
        started = timezone.now()
        with transaction.atomic():
            users = self._seed_users()
            created = self._seed_inquiries(users)
            self._link_demo_partner(users)
            # The demo's history happened only in the portal: its e-mails never go to the example addresses.
            OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__gte=started).delete()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(users)} logins, {created} new inquiries."))

    def _seed_users(self) -> dict[str, User]:
        units = {unit.code: unit for unit in MunicipalUnit.objects.all()}
        users = {}
        for email, full_name, group_name, unit_code, language in demo_data.DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": full_name, "preferred_language": language}
            )
            if created:
                user.set_password(demo_data.DEMO_PASSWORD)
                if group_name == "Admin":
                    user.is_staff = user.is_superuser = True
                user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            if unit_code:
                units[unit_code].members.add(user)
            mark_email_verified(user)
            users[email] = user
        return users

    def _seed_inquiries(self, users: dict[str, User]) -> int:
        contact_emails = [contact[1] for contact in demo_data.DEMO_CONTACTS.values()]
        if Inquiry.objects.filter(contact__email__in=contact_emails).exists():
            return 0
        units = {unit.code: unit for unit in MunicipalUnit.objects.all()}
        self.units = units
        self.declined_one = self.transferred_one = False
        self.outcomes_made = 0
        goals = {goal.pk: goal for goal in SdgGoal.objects.all()}
        targets = {target.pk: target for target in SdgTarget.objects.all()}
        now = timezone.now()
        created = 0
        for index, (
            key,
            kind,
            title,
            description,
            goal_numbers,
            target_codes,
            status,
            unit_code,
            days_ago,
        ) in enumerate(demo_data.DEMO_INQUIRIES):
            name, org_kind, country, number = demo_data.DEMO_ORGANISATIONS[key]
            contact_name, email, role, language = demo_data.DEMO_CONTACTS[key]
            received_at = now - datetime.timedelta(days=days_ago, hours=index % 7, minutes=13 * index % 60)
            inquiry = submit_inquiry(
                organisation=OrganisationDetails(name=name, kind=org_kind, country=country, organisation_number=number),
                contact=ContactDetails(name=contact_name, email=email, role=role, preferred_language=language),
                title=title,
                description=description,
                inquiry_type=kind,
                language=language,
                sdg_goals=[goals[number] for number in goal_numbers],
                sdg_targets=[targets[code] for code in target_codes],
                send_receipt=False,
                now=received_at,
            )
            self._play_history(inquiry, status=status, unit=units[unit_code] if unit_code else None, users=users)
            self._spread_events(inquiry, received_at, now)
            created += 1
        created += self._seed_partner_inquiries(users, goals=goals, targets=targets, now=now)
        self._link_duplicates(users["sekretariat@demo.test"])
        self._seed_questions_and_highlights(users)
        for name, number in demo_data.DEMO_MUNICIPALITY_NUMBERS.items():
            Organisation.objects.filter(name=name, country="NO").update(municipality_number=number)
        for name, days_ago in demo_data.DEMO_NAMED_IN_STATISTICS.items():
            agreed_on = timezone.localdate() - datetime.timedelta(days=days_ago)
            Organisation.objects.filter(name=name, country="NO").update(name_published_since=agreed_on)
        return created

    def _seed_partner_inquiries(
        self,
        users: dict[str, User],
        *,
        goals: dict[int, SdgGoal],
        targets: dict[str, SdgTarget],
        now: datetime.datetime,
    ) -> int:
        """The demo partner's own inquiries, sent while logged in (so submitted_by is the partner's account)."""
        partner = users[demo_data.DEMO_PARTNER_CONTACT[1]]
        name, org_kind, country, number = demo_data.DEMO_ORGANISATIONS[demo_data.DEMO_PARTNER_ORGANISATION]
        contact_name, email, role, language = demo_data.DEMO_PARTNER_CONTACT
        for (
            kind,
            title,
            description,
            goal_numbers,
            target_codes,
            status,
            unit_code,
            days_ago,
        ) in demo_data.DEMO_PARTNER_INQUIRIES:
            inquiry = submit_inquiry(
                organisation=OrganisationDetails(name=name, kind=org_kind, country=country, organisation_number=number),
                contact=ContactDetails(name=contact_name, email=email, role=role, preferred_language=language),
                title=title,
                description=description,
                inquiry_type=kind,
                language=language,
                sdg_goals=[goals[number] for number in goal_numbers],
                sdg_targets=[targets[code] for code in target_codes],
                send_receipt=False,
                actor=partner,
                now=now - datetime.timedelta(days=days_ago, hours=3),
            )
            unit = self.units[unit_code] if unit_code else None
            self._play_history(inquiry, status=status, unit=unit, users=users)
            self._spread_events(inquiry, inquiry.received_at, now)
        return len(demo_data.DEMO_PARTNER_INQUIRIES)

    def _link_demo_partner(self, users: dict[str, User]) -> None:
        """The demo partner speaks for their organisation, as its admin: linked by the secretariat, through the
        service, once."""
        partner = users[demo_data.DEMO_PARTNER_CONTACT[1]]
        name, _kind, country, _number = demo_data.DEMO_ORGANISATIONS[demo_data.DEMO_PARTNER_ORGANISATION]
        organisation = Organisation.objects.filter(name=name, country=country).order_by("pk").first()
        if organisation is None or partner.memberships.filter(organisation=organisation).exists():
            return
        link_account(organisation, email=partner.email, is_admin=True, actor=users["sekretariat@demo.test"])

    def _play_history(
        self, inquiry: Inquiry, *, status: str, unit: MunicipalUnit | None, users: dict[str, User]
    ) -> None:
        """Bring the inquiry to its demo status through the real services, so its timeline is a real one."""
        secretariat = users["sekretariat@demo.test"]
        handler = {"bym": users["miljo@demo.test"], "oppvekst": users["oppvekst@demo.test"]}.get(
            unit.code if unit else "", secretariat
        )
        S = Inquiry.Status
        if status in {S.RECEIVED, S.DUPLICATE}:
            return  # duplicates are linked once all demo inquiries exist
        if status == S.SPAM:
            lifecycle.mark_spam(inquiry, actor=secretariat)
            return
        if status == S.WITHDRAWN:
            lifecycle.start_triage(inquiry, actor=secretariat)
            lifecycle.withdraw_inquiry(inquiry, actor=None, reason="Partneren trakk henvendelsen.")
            return
        lifecycle.start_triage(inquiry, actor=secretariat)
        if status == S.IN_TRIAGE and not self.declined_one:
            # A referral the unit declined: back in triage, flagged, with the unit's reason.
            self.declined_one = True
            lifecycle.route_inquiry(inquiry, unit=self.units["oppvekst"], actor=secretariat, note="")
            lifecycle.decline_referral(
                inquiry,
                reason="Dette handler om næringsutvikling mer enn skole; foreslår Næring og innovasjon.",
                actor=users["oppvekst@demo.test"],
            )
            return
        if status == S.IN_TRIAGE or unit is None:
            return
        if status == S.IN_PROGRESS and unit.code == "oppvekst" and not self.transferred_one:
            # A transfer: first routed to another unit, then moved to the one that took it.
            self.transferred_one = True
            lifecycle.route_inquiry(inquiry, unit=self.units["bym"], actor=secretariat, note="")
        lifecycle.route_inquiry(inquiry, unit=unit, actor=secretariat, note="")
        if status == S.ROUTED:
            return
        lifecycle.accept_inquiry(inquiry, actor=handler)
        conversation.add_note(inquiry, body="Tatt opp på enhetsmøtet; vi ser på kapasitet.", actor=handler)
        if status == S.IN_PROGRESS:
            return
        if status == S.AWAITING_PARTNER:
            conversation.request_information(
                inquiry, body="Kan dere si litt mer om tidsplan og hvem som deltar fra dere?", actor=handler
            )
            return
        conversation.send_message(inquiry, body="Takk for henvendelsen. Vi ser gjerne på et samarbeid.", actor=handler)
        plan = demo_data.DEMO_OUTCOMES[self.outcomes_made % len(demo_data.DEMO_OUTCOMES)]
        self.outcomes_made += 1
        today = timezone.localdate()
        held = plan.get("held", False)
        partnership = plan["type"] in Outcome.PARTNERSHIP_TYPES
        outcomes.decide_inquiry(
            inquiry,
            outcome=outcomes.OutcomeDetails(
                type=plan["type"],
                decided_on=today,
                summary=plan.get("summary", ""),
                partners_involved=[inquiry.organisation] if partnership else [],
                referred_to=plan.get("referred_to", ""),
                referred_to_detail=plan.get("referred_to_detail", ""),
                decline_reason=plan.get("decline_reason", ""),
                funding_nok=plan.get("funding_nok"),
                sdg_targets=list(inquiry.sdg_targets.all()),
                follow_up_on=today + datetime.timedelta(days=180)
                if plan["type"] in Outcome.PARTNERSHIP_TYPES
                else None,
            ),
            message="Vi har nå tatt stilling til henvendelsen. " + plan.get("summary", ""),
            hold_message_for_approval=held,
            actor=handler,
        )
        if plan.get("follow_up"):
            outcomes.record_follow_up(
                inquiry,
                details=outcomes.FollowUpDetails(
                    collaboration_status=FollowUp.CollaborationStatus.ONGOING,
                    results=plan["follow_up"],
                    sdg_targets=list(inquiry.sdg_targets.all()),
                    u4ssc_areas=[FollowUp.Area.ENVIRONMENT, FollowUp.Area.SOCIETY],
                    next_follow_up_on=today + datetime.timedelta(days=120),
                ),
                actor=handler,
            )
        if status == S.CLOSED and not held:
            lifecycle.close_inquiry(inquiry, actor=secretariat)

    def _spread_events(self, inquiry: Inquiry, received_at: datetime.datetime, now: datetime.datetime) -> None:
        """Space the demo history out between receipt and now, as if it had happened over the days."""
        events = list(inquiry.events.order_by("pk"))
        messages = list(inquiry.messages.order_by("pk"))
        span = max((now - received_at) / (len(events) + 1), datetime.timedelta(minutes=5))
        for step, event in enumerate(events):
            InquiryEvent.objects.filter(pk=event.pk).update(created_at=received_at + span * step)
        for step, message in enumerate(messages, start=1):
            # Marked as sent, so the demo's history is not e-mailed to the example addresses.
            moment = received_at + span * step + span / 2
            InquiryMessage.objects.filter(pk=message.pk).update(
                created_at=moment, sent_at=moment if message.kind == InquiryMessage.Kind.TO_PARTNER else None
            )

    def _seed_questions_and_highlights(self, users: dict[str, User]) -> None:
        """Questions to the chief municipal executive (two waiting, two answered) and this year's UNECE report
        highlights, through the services, with their events dated as if asked and answered on those days."""
        secretariat, executive = users["sekretariat@demo.test"], users["direktor@demo.test"]
        now = timezone.now()
        for title, reason, text, answer, words, days_ago in demo_data.DEMO_DECISION_REQUESTS:
            inquiry = Inquiry.objects.get(title=title)
            asked_at = now - datetime.timedelta(days=days_ago)
            question = decisions.request_decision(
                inquiry, reason=reason, question=text, actor=secretariat, now=asked_at
            )
            moments = {InquiryEvent.Kind.DECISION_REQUESTED: asked_at}
            if answer:
                answered_at = asked_at + datetime.timedelta(days=1)
                decisions.answer_decision_request(question, answer=answer, text=words, actor=executive, now=answered_at)
                moments[InquiryEvent.Kind.DECISION_ANSWERED] = answered_at
            for kind, moment in moments.items():
                InquiryEvent.objects.filter(inquiry=inquiry, kind=kind).update(created_at=moment)
        for title, text in demo_data.DEMO_REPORT_HIGHLIGHTS:
            highlights.set_report_highlight(
                Inquiry.objects.get(title=title), year=timezone.localdate().year, text=text, actor=secretariat
            )

    def _link_duplicates(self, actor: User) -> None:
        """The demo's duplicate pair: the later Bonn inquiry repeats the earlier one."""
        for duplicate in Inquiry.objects.filter(
            status=Inquiry.Status.RECEIVED, title__startswith="Exchange on SDG indicator"
        ):
            original = Inquiry.objects.filter(title="Exchange on SDG reporting").first()
            if original is not None:
                duplicates.mark_duplicate(duplicate, original=original, actor=actor, tell_partner=False)
