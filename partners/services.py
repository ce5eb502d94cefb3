"""Writes to organisations and contacts."""

import datetime
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partners.models import Contact, Organisation, OrganisationInvitation, OrganisationMembership, User
from partners.selectors import is_organisation_admin


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


def anonymise_contact(contact: Contact) -> bool:
    """Remove the contact's name, e-mail address, phone number and role; the row stays for its organisation and
    the inquiries that point to it. Returns False if it was already anonymised.

    The caller decides when (requests_app's retention rules): only once no inquiry needs the person any more.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.is_anonymised:
        return False
    contact.name, contact.phone, contact.role, contact.consent_on = "", "", "", None
    contact.email = f"contact-{contact.pk}@{Contact.ANONYMISED_EMAIL_DOMAIN}"
    contact.save(update_fields=["name", "email", "phone", "role", "consent_on", "updated_at"])
    return True


@transaction.atomic
def update_contact(
    contact: Contact,
    *,
    role: str,
    preferred_language: str,
    consent_on: datetime.date | None,
    actor: User,
    today: datetime.date | None = None,
) -> Contact:
    """Change what staff keep about a contact: role or title, preferred language and the date of consent.

    Raises ValidationError (per field, translated) for a role that is too long, a language the portal does not
    speak, a consent date after `today`, or a contact whose personal data has been removed. A change is written to
    the admin's history of the contact (LogEntry), which is where changes to partners' records are kept.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.is_anonymised:
        raise ValidationError(_("This contact's personal data has been removed, so there is nothing to edit."))
    role = " ".join(role.split())
    errors: dict[str, str] = {}
    role_limit = Contact._meta.get_field("role").max_length or 0
    if len(role) > role_limit:
        errors["role"] = _("Write the role in at most %(limit)d characters.") % {"limit": role_limit}
    if preferred_language not in dict(settings.LANGUAGES):
        errors["preferred_language"] = _("Choose one of the languages offered.")
    if consent_on is not None and consent_on > (today or timezone.localdate()):
        errors["consent_on"] = _("The date of consent cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    new_values = {"role": role, "preferred_language": preferred_language, "consent_on": consent_on}
    changed = [field for field, value in new_values.items() if getattr(contact, field) != value]
    if changed:
        for field in changed:
            setattr(contact, field, new_values[field])
        contact.save(update_fields=[*changed, "updated_at"])
        # Stored untranslated, as the admin stores its own change messages; it translates them when shown.
        with translation.override(None):
            labels = [str(getattr(Contact._meta.get_field(field), "verbose_name", field)) for field in changed]
        LogEntry.objects.log_actions(actor.pk, [contact], CHANGE, [{"changed": {"fields": labels}}])
    return contact


def mark_email_verified(user: User) -> None:
    """Record the user's e-mail address as verified and primary, for accounts an administrator vouches for.

    Staff accounts are made by administrators, not by sign-up, so there is no confirmation link to click;
    without this, allauth's mandatory verification would hold them at the login.
    """
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


# Partner accounts and their organisations -------------------------------------------------------------------------


# Invitations one organisation may have waiting at once.
MAX_PENDING_INVITATIONS = 20


class MembershipError(Exception):
    """A change to who speaks for an organisation that is not allowed; the message is shown to the user as it is."""


def _log_membership(actor: User, membership: OrganisationMembership, *, flag: int) -> None:
    """Write the change to the organisation's admin history (LogEntry), where changes to partners' records are kept.

    The account is named by its id, not its name or address: the history outlives a deleted account's scrubbing.
    """
    with translation.override(None):
        name = str(OrganisationMembership._meta.verbose_name)
    change = "added" if flag == ADDITION else "deleted"
    account = f"user {membership.user_id}{' (admin)' if membership.is_admin else ''}"
    LogEntry.objects.log_actions(
        actor.pk, [membership.organisation], CHANGE, [{change: {"name": name, "object": account}}]
    )


def _refuse_staff_account(user: User) -> None:
    if user.has_staff_access:
        raise MembershipError(_("Staff accounts cannot speak for an external organisation."))


@transaction.atomic
def link_account(
    organisation: Organisation, *, email: str, actor: User, is_admin: bool = False
) -> OrganisationMembership:
    """The secretariat links an existing partner account, found by one of its verified addresses, to an organisation.

    Only for User.may_manage_organisations. Refused for an address no active account has verified, for staff
    accounts and for an account that is already a member. Written to the organisation's admin history.
    """
    if not actor.may_manage_organisations:
        raise MembershipError(_("Only the secretariat and administrators link accounts to organisations."))
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if address is None:
        raise MembershipError(
            _("No account has confirmed the address %(email)s. The person must sign up and confirm it first.")
            % {"email": email.strip()}
        )
    user = address.user
    _refuse_staff_account(user)
    if OrganisationMembership.objects.filter(user=user, organisation=organisation).exists():
        raise MembershipError(
            _("%(email)s is already linked to %(organisation)s.") % {"email": user.email, "organisation": organisation}
        )
    membership = OrganisationMembership.objects.create(
        user=user, organisation=organisation, is_admin=is_admin, added_by=actor
    )
    _log_membership(actor, membership, flag=ADDITION)
    return membership


@transaction.atomic
def unlink_account(membership: OrganisationMembership, *, actor: User) -> None:
    """The secretariat removes an account from an organisation: it no longer sees the organisation's inquiries
    (those sent from its own verified addresses it still sees). Written to the organisation's admin history."""
    if not actor.may_manage_organisations:
        raise MembershipError(_("Only the secretariat and administrators remove accounts from organisations."))
    membership = OrganisationMembership.objects.select_related("user", "organisation").get(pk=membership.pk)
    _log_membership(actor, membership, flag=DELETION)
    membership.delete()


@transaction.atomic
def invite_colleague(
    organisation: Organisation, *, email: str, actor: User, now: datetime.datetime | None = None
) -> tuple[OrganisationInvitation, str]:
    """An organisation admin invites a colleague by e-mail address; valid for OrganisationInvitation.VALID_DAYS.

    Returns the invitation and its token, which only the e-mail carries (the caller writes it: the e-mail goes
    through requests_app's outbox); only the token's hash is stored. A pending invitation to the same address is
    replaced. Refused for anyone but the organisation's admins, for an address that belongs to a member, and when
    MAX_PENDING_INVITATIONS are already waiting (so that the portal cannot be used to send e-mail in bulk).
    """
    now = now or timezone.now()
    if not is_organisation_admin(actor, organisation):
        raise MembershipError(_("Only the organisation's admins may invite colleagues."))
    email = email.strip().lower()
    members = OrganisationMembership.objects.filter(organisation=organisation)
    if (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__in=members.values("user")).exists()
        or members.filter(user__email__iexact=email).exists()
    ):
        raise MembershipError(_("%(email)s is already a member of the organisation.") % {"email": email})
    pending = OrganisationInvitation.objects.select_for_update().filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    pending.filter(email__iexact=email).update(revoked_at=now)
    if pending.exclude(email__iexact=email).count() >= MAX_PENDING_INVITATIONS:
        raise MembershipError(
            _("%(count)d invitations are already waiting. Withdraw some before you invite more.")
            % {"count": MAX_PENDING_INVITATIONS}
        )
    token = secrets.token_urlsafe(32)
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation,
        email=email,
        token_hash=OrganisationInvitation.hash_token(token),
        invited_by=actor,
        expires_at=now + datetime.timedelta(days=OrganisationInvitation.VALID_DAYS),
    )
    return invitation, token


@transaction.atomic
def revoke_invitation(
    invitation: OrganisationInvitation, *, actor: User, now: datetime.datetime | None = None
) -> OrganisationInvitation:
    """An organisation admin withdraws a pending invitation; its link stops working at once."""
    now = now or timezone.now()
    invitation = OrganisationInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not is_organisation_admin(actor, invitation.organisation):
        raise MembershipError(_("Only the organisation's admins may withdraw invitations."))
    if not invitation.is_pending(now):
        raise MembershipError(_("That invitation has already been used, withdrawn or has expired."))
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: OrganisationInvitation, *, user: User, now: datetime.datetime) -> str:
    """Why this account cannot accept the invitation now, in words for the person; "" when it can."""
    if invitation.revoked_at is not None:
        return _("This invitation has been withdrawn. Ask your colleague for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if now >= invitation.expires_at:
        return _("This invitation expired on %(date)s. Ask your colleague for a new one.") % {
            "date": date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        }
    if user.has_staff_access:
        return _("Staff accounts cannot speak for an external organisation.")
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        return _(
            "This invitation was sent to %(email)s. Log in with the account of that address, or add the address to "
            "your account and confirm it, then open the link again."
        ) % {"email": invitation.email}
    return ""


@transaction.atomic
def accept_invitation(
    invitation: OrganisationInvitation, *, user: User, now: datetime.datetime | None = None
) -> OrganisationMembership:
    """The invited person joins the organisation (as a member, not an admin).

    The account must have verified the very address the invitation was sent to: a link forwarded to someone else,
    or opened while logged in to another account, joins nobody. Refused when withdrawn, used, expired or for staff.
    """
    now = now or timezone.now()
    invitation = OrganisationInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    problem = invitation_problem(invitation, user=user, now=now)
    if problem:
        raise MembershipError(problem)
    membership, created = OrganisationMembership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"added_by": invitation.invited_by}
    )
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        _log_membership(user, membership, flag=ADDITION)
    return membership


@transaction.atomic
def delete_account(user: User) -> str:
    """Deactivate a partner's account and remove what it says about the person; returns the address it had.

    The name is blanked, the e-mail replaced by a unique address at a reserved domain, the password made unusable,
    its e-mail addresses, memberships and authenticators removed and its sessions ended. Inquiries and contacts are
    the municipality's records and stay (their personal data goes by the retention rules). Staff accounts are
    closed by an administrator, not here.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_staff_access:
        raise MembershipError(_("Staff accounts are closed by an administrator."))
    email = user.email
    EmailAddress.objects.filter(user=user).delete()
    OrganisationMembership.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    user.full_name = ""
    user.email = f"deleted-{user.pk}@{User.DELETED_EMAIL_DOMAIN}"
    user.is_active = False
    # A new password hash also invalidates every session of the account that usersessions did not track.
    user.set_unusable_password()
    user.save(update_fields=["full_name", "email", "is_active", "password"])
    return email
