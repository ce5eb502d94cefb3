"""Partner accounts where they touch requests_app: invitations e-mailed through the outbox, and the privacy requests
(data downloaded, account deleted) that the secretariat follows up.

The memberships themselves are partners' (partners.services); only what needs this app's outbox or models is here,
because partners never imports requests_app.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import services as partner_services
from partners.models import Organisation, OrganisationInvitation, User
from requests_app import emails
from requests_app.models import PrivacyRequest


class PrivacyRequestError(Exception):
    """A privacy request that cannot be changed as asked; the message is shown to the user as it is."""


@transaction.atomic
def send_invitation(
    organisation: Organisation, *, email: str, actor: User, language: str, now: datetime.datetime | None = None
) -> OrganisationInvitation:
    """An organisation admin invites a colleague: the invitation (partners.services.invite_colleague, which refuses
    non-admins) and its e-mail with the one copy of the token, written to the outbox in the same transaction."""
    invitation, token = partner_services.invite_colleague(organisation, email=email, actor=actor, now=now)
    emails.queue_organisation_invitation(invitation, token=token, language=language)
    return invitation


@transaction.atomic
def record_data_download(user: User, *, now: datetime.datetime | None = None) -> PrivacyRequest:
    """Note for the secretariat that the person downloaded the data the portal holds about them (a subject access
    request served on the spot). One row per account and day, however often the page is opened."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    existing = PrivacyRequest.objects.filter(
        kind=PrivacyRequest.Kind.EXPORT, user=user, created_at__gte=start_of_day
    ).first()
    if existing is not None:
        return existing
    return PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.EXPORT, email=user.email, user=user)


@transaction.atomic
def delete_partner_account(user: User) -> PrivacyRequest:
    """Delete a partner's own account (partners.services.delete_account: deactivated, scrubbed, sessions ended) and
    record the request for the secretariat, with the address the account had.

    Inquiries stay as the municipality's records; their contacts' personal data goes by the retention rules.
    Staff accounts are refused (MembershipError).
    """
    email = partner_services.delete_account(user)
    return PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.DELETION, email=email, user=user)


@transaction.atomic
def mark_privacy_request_handled(
    privacy_request: PrivacyRequest, *, actor: User, note: str = "", now: datetime.datetime | None = None
) -> PrivacyRequest:
    """The secretariat has done what the request needed (checked the person's inquiries and contacts, answered)."""
    privacy_request = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
    if privacy_request.handled_at is not None:
        raise PrivacyRequestError(_("This request has already been marked as handled."))
    privacy_request.handled_at, privacy_request.handled_by = now or timezone.now(), actor
    privacy_request.note = note.strip()
    privacy_request.save(update_fields=["handled_at", "handled_by", "note"])
    return privacy_request
