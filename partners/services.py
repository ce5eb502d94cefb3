"""Writes to organisations and contacts."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models.functions import Length

from partners.models import Contact, Organisation, User


@dataclass(frozen=True)
class OrganisationDetails:
    """What an intake form says about the organisation behind an inquiry."""

    name: str
    kind: str
    country: str
    organisation_number: str = ""


@dataclass(frozen=True)
class ContactDetails:
    """What an intake form says about the person who writes."""

    name: str
    email: str
    role: str = ""
    phone: str = ""
    preferred_language: str = "nb"


def find_or_create_organisation(details: OrganisationDetails) -> Organisation:
    """Reuse the organisation with the same organisation number, or else the same name in the same country.

    A matched organisation without a number gets the one given. A new organisation is created otherwise;
    when two submissions create the same organisation number at once, the loser reuses the winner's row.
    """
    name = " ".join(details.name.split())
    if details.organisation_number:
        existing = Organisation.objects.filter(organisation_number=details.organisation_number).first()
        if existing is not None:
            return existing
    # The names are compared in Python: SQLite's case-insensitive matching ignores æ, ø and å (Ø is not ø).
    # Names of another length cannot match, so the database narrows the candidates down first.
    same_name = next(
        (
            candidate
            for candidate in Organisation.objects.alias(name_length=Length("name"))
            .filter(country=details.country, name_length=len(name))
            .filter(organisation_number__in=["", details.organisation_number])
            .order_by("pk")
            if candidate.name.casefold() == name.casefold()
        ),
        None,
    )
    if same_name is not None:
        if details.organisation_number and not same_name.organisation_number:
            same_name.organisation_number = details.organisation_number
            same_name.save(update_fields=["organisation_number", "updated_at"])
        return same_name
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                name=name,
                kind=details.kind,
                country=details.country,
                organisation_number=details.organisation_number,
            )
    except IntegrityError:
        if not details.organisation_number:
            raise
        return Organisation.objects.get(organisation_number=details.organisation_number)


def find_or_create_contact(organisation: Organisation, details: ContactDetails) -> Contact:
    """Reuse the organisation's contact with the same e-mail address, filling in what it lacked.

    Details already stored are not overwritten from a public form: nobody can change someone else's
    contact record by submitting an inquiry in their name.
    """
    email = details.email.strip().lower()
    contact = Contact.objects.filter(organisation=organisation, email__iexact=email).first()
    if contact is None:
        try:
            with transaction.atomic():
                return Contact.objects.create(
                    organisation=organisation,
                    name=details.name.strip(),
                    email=email,
                    role=details.role.strip(),
                    phone=details.phone.strip(),
                    preferred_language=details.preferred_language,
                )
        except IntegrityError:
            contact = Contact.objects.get(organisation=organisation, email__iexact=email)
    changed = []
    for field in ("role", "phone"):
        given = getattr(details, field).strip()
        if given and not getattr(contact, field):
            setattr(contact, field, given)
            changed.append(field)
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
    return contact


def mark_email_verified(user: User) -> None:
    """Record the user's e-mail address as verified and primary, for accounts an administrator vouches for.

    Staff accounts are made by administrators, not by sign-up, so there is no confirmation link to click;
    without this, allauth's mandatory verification would hold them at the login.
    """
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
