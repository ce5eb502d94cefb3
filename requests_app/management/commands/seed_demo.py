"""Load the local demo: staff logins for each role and about 40 inquiries in varied states."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from partners.models import MunicipalUnit, User
from partners.services import ContactDetails, OrganisationDetails, mark_email_verified
from requests_app import demo_data
from requests_app.models import Inquiry, SdgGoal, SdgTarget
from requests_app.services.intake import submit_inquiry


class Command(BaseCommand):
    help = "Load demo users and inquiries for the local demo. Idempotent; refused when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DJANGO_DEBUG=true: it creates logins with a known password.")
        with transaction.atomic():
            users = self._seed_users()
            created = self._seed_inquiries(users)
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
        goals = {goal.pk: goal for goal in SdgGoal.objects.all()}
        targets = {target.pk: target for target in SdgTarget.objects.all()}
        unit_owners = {"bym": users["miljo@demo.test"], "oppvekst": users["oppvekst@demo.test"]}
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
            # The lifecycle services arrive with the triage workspace; until then the demo states are set
            # directly so that the staff list shows every status.
            unit = units[unit_code] if unit_code else None
            Inquiry.objects.filter(pk=inquiry.pk).update(
                status=status,
                unit=unit,
                owner=unit_owners.get(unit_code or "")
                if status in {"in_progress", "awaiting_partner", "decided", "closed"}
                else None,
            )
            created += 1
        return created
