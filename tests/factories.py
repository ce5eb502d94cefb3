"""Plain functions that create rows with unique defaults; pass keyword overrides for what a test cares about."""

import itertools
from typing import Any

from django.utils import timezone

from partners.models import Contact, MunicipalUnit, Organisation
from requests_app.business_days import add_business_days
from requests_app.models import Inquiry, Outcome, UnitAssignment
from requests_app.services.intake import allocate_reference

_sequence = itertools.count(1)
S = Inquiry.Status


def make_organisation(**overrides: Any) -> Organisation:
    number = next(_sequence)
    fields: dict[str, Any] = {
        "name": f"Organisasjon {number}",
        "kind": Organisation.Kind.COMPANY,
        "country": "NO",
    }
    fields.update(overrides)
    return Organisation.objects.create(**fields)


def make_contact(organisation: Organisation | None = None, **overrides: Any) -> Contact:
    number = next(_sequence)
    fields: dict[str, Any] = {
        "organisation": organisation or make_organisation(),
        "name": f"Kontakt {number}",
        "email": f"kontakt{number}@example.no",
        "role": "Prosjektleder",
    }
    fields.update(overrides)
    return Contact.objects.create(**fields)


def make_inquiry(**overrides: Any) -> Inquiry:
    """An inquiry stored directly, without the receipt e-mail; the reference comes from the year's counter."""
    number = next(_sequence)
    sdg_goals = overrides.pop("sdg_goals", [])
    sdg_targets = overrides.pop("sdg_targets", [])
    fields: dict[str, Any] = {
        "title": f"Henvendelse {number}",
        "description": f"Beskrivelse av henvendelse {number}.",
        "inquiry_type": Inquiry.Type.PARTNERSHIP,
        "received_at": timezone.now(),
    }
    fields.update(overrides)
    if "contact" not in fields:
        fields["contact"] = make_contact(organisation=fields.get("organisation"))
    fields.setdefault("organisation", fields["contact"].organisation)
    fields.setdefault("reference", allocate_reference(timezone.localtime(fields["received_at"]).year))
    inquiry = Inquiry.objects.create(**fields)
    inquiry.sdg_goals.set(sdg_goals)
    inquiry.sdg_targets.set(sdg_targets)
    return inquiry


def make_inquiry_in(status: str, **overrides: Any) -> Inquiry:
    """An inquiry in `status` with the fields the lifecycle would have set on the way there.

    Routed and later inquiries belong to Byutvikling og miljø; one awaiting the partner was in progress before.
    """
    now = timezone.now()
    fields: dict[str, Any] = {"status": status}
    if status in {
        Inquiry.Status.ROUTED,
        Inquiry.Status.IN_PROGRESS,
        Inquiry.Status.AWAITING_PARTNER,
        Inquiry.Status.DECIDED,
        Inquiry.Status.CLOSED,
    }:
        fields.update(unit=MunicipalUnit.objects.get(code="bym"), routed_at=now)
    if status == Inquiry.Status.AWAITING_PARTNER:
        fields.update(awaiting_since=now, status_before_waiting=Inquiry.Status.IN_PROGRESS, first_replied_at=now)
    if status in {Inquiry.Status.DECIDED, Inquiry.Status.CLOSED}:
        fields.update(decided_at=now, decision_summary="Vi inngår et samarbeid.")
    if status in {Inquiry.Status.CLOSED, Inquiry.Status.WITHDRAWN, Inquiry.Status.SPAM}:
        fields["closed_at"] = now
    if status == Inquiry.Status.DUPLICATE:
        fields["duplicate_of"] = make_inquiry()
    fields.update(overrides)
    inquiry = make_inquiry(**fields)
    if inquiry.unit_id is not None and status in {S.ROUTED, S.IN_PROGRESS, S.AWAITING_PARTNER}:
        # Its current stay with the unit, as route_inquiry (and accept_inquiry) would have left it.
        UnitAssignment.objects.create(
            inquiry=inquiry,
            unit_id=inquiry.unit_id,
            routed_at=now,
            respond_by=add_business_days(timezone.localdate(), 3),
            accepted_at=None if status == S.ROUTED else now,
        )
    if status in {S.DECIDED, S.CLOSED}:
        Outcome.objects.create(
            inquiry=inquiry,
            type=Outcome.Type.KNOWLEDGE_SHARED,
            summary=inquiry.decision_summary,
            decided_on=timezone.localdate(),
            recorded_at=now,
        )
    return inquiry
