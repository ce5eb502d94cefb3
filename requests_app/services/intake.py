"""Intake: a new inquiry gets its reference, organisation, contact, deadlines and routing suggestion."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners.models import User
from partners.services import (
    ContactDetails,
    OrganisationDetails,
    find_or_create_contact,
    find_or_create_organisation,
)
from requests_app import emails
from requests_app.business_days import add_business_days
from requests_app.models import Inquiry, InquiryEvent, ReferenceCounter, SdgGoal, SdgTarget, ServiceTargets
from requests_app.services.routing import suggest_unit


def allocate_reference(year: int) -> str:
    """Hand out the next reference of the year, such as 2026-0042.

    Must run inside the transaction that stores the inquiry: the counter row stays locked until it commits,
    so concurrent submissions queue, and a rolled-back submission gives its number back (no gaps).
    """
    counter = ReferenceCounter.objects.filter(year=year)
    if not counter.update(last_number=F("last_number") + 1):  # the year's first inquiry: no row yet
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
        counter.update(last_number=F("last_number") + 1)
    number = counter.values_list("last_number", flat=True).get()
    return f"{year}-{number:04d}"


@transaction.atomic
def submit_inquiry(
    *,
    organisation: OrganisationDetails,
    contact: ContactDetails,
    title: str,
    description: str,
    inquiry_type: str,
    language: str,
    sdg_goals: Iterable[SdgGoal] = (),
    sdg_targets: Iterable[SdgTarget] = (),
    channel: str = Inquiry.Channel.WEB,
    consent_given: bool = True,
    send_receipt: bool = True,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Store a new inquiry with its organisation and contact, and send the receipt after commit.

    An existing organisation and contact are reused. The SDG goals are the chosen goals plus the goal of
    every chosen target. The receipt goes to the contact in the inquiry's language, unless `send_receipt`
    is false (inquiries registered after the fact, such as imported records or demo data).
    """
    now = now or timezone.now()
    received_on = timezone.localtime(now).date()
    # The reference is allocated first: its counter row stays locked until commit, so concurrent submissions
    # also find or create their organisation one at a time and never duplicate it.
    reference = allocate_reference(received_on.year)
    organisation_row = find_or_create_organisation(organisation)
    contact_row = find_or_create_contact(organisation_row, contact)
    targets = list(sdg_targets)
    goal_numbers = {goal.pk for goal in sdg_goals} | {target.goal_id for target in targets}
    targets_in_force = ServiceTargets.current()
    suggestion = suggest_unit(
        title=title,
        description=description,
        inquiry_type=inquiry_type,
        organisation_kind=organisation_row.kind,
        goal_numbers=goal_numbers,
    )
    inquiry = Inquiry.objects.create(
        reference=reference,
        title=" ".join(title.split()),
        description=description.strip(),
        inquiry_type=inquiry_type,
        organisation=organisation_row,
        contact=contact_row,
        channel=channel,
        language=language,
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        consent_at=now if consent_given else None,
        received_at=now,
        first_reply_due_on=add_business_days(received_on, targets_in_force.first_reply_business_days),
        decision_due_on=add_business_days(received_on, targets_in_force.decision_business_days),
        suggested_unit=suggestion.unit if suggestion else None,
        suggestion_basis=suggestion.basis if suggestion else {},
    )
    # add(), not set(): a new inquiry has no tags to compare with (one INSERT each, no SELECT first).
    if goal_numbers:
        inquiry.sdg_goals.add(*sorted(goal_numbers))
    if targets:
        inquiry.sdg_targets.add(*targets)
    event = InquiryEvent.objects.create(
        inquiry=inquiry,
        kind=InquiryEvent.Kind.SUBMITTED,
        actor=inquiry.submitted_by,
        data={
            "channel": channel,
            "organisation": organisation_row.pk,
            "contact": contact_row.pk,
            "sdg_goals": sorted(goal_numbers),
            "sdg_targets": sorted(target.pk for target in targets),
            "suggested_unit": suggestion.unit.pk if suggestion else None,
            "version": inquiry.version,
        },
    )
    if send_receipt:
        emails.queue_inquiry_receipt(inquiry, event=event)
    return inquiry
