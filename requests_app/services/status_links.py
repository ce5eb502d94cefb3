"""Private status links: how a partner without an account follows, answers and withdraws their inquiry.

A link is an unguessable token (`secrets.token_urlsafe(32)`, 256 bits) of which only the SHA-256 is stored, so
the database alone opens no inquiry. Every e-mail to the partner carries a link of its own (`issue_status_link`,
called by `emails`); the plain token exists only in that e-mail, which means also in the outbox row's body until
the message is delivered and the retention rules clear it. A link works until staff revoke the inquiry's links
and until 90 days after the inquiry has finished (`StatusLink.expires_at`).
"""

import datetime
import hashlib
import secrets
from enum import StrEnum

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.models import Inquiry, InquiryEvent, StatusLink
from requests_app.services.common import lock, record
from requests_app.services.errors import InquiryStateError

# secrets.token_urlsafe(32) is 43 characters; anything much longer is not one of ours and is not even hashed.
_MAX_TOKEN_LENGTH = 64


class LinkState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_status_link(inquiry: Inquiry, *, email: str) -> str:
    """Create a link to the inquiry for the e-mail about to be sent to `email`; returns the plain token.

    Only the token's hash is stored: the caller puts the token in the e-mail and nowhere else.
    """
    token = secrets.token_urlsafe(32)
    StatusLink.objects.create(inquiry=inquiry, email=email, token_hash=_hash(token))
    return token


def status_link_for(token: str) -> StatusLink | None:
    """The link a token belongs to, with its inquiry, whatever its state; None for a token that is not ours.

    Looked up by the token's hash: the comparison happens in the database's unique index on the hash, so response
    times say nothing about the token. Links of inquiries rejected as spam are treated as unknown.
    """
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    return (
        StatusLink.objects.select_related("inquiry", "inquiry__organisation", "inquiry__contact")
        .exclude(inquiry__status=Inquiry.Status.SPAM)
        .filter(token_hash=_hash(token))
        .first()
    )


def links_expire_at(inquiry: Inquiry) -> datetime.datetime | None:
    """When the inquiry's status links stop working (90 days after it finished); None while it runs."""
    return StatusLink(inquiry=inquiry).expires_at()


def links_have_expired(inquiry: Inquiry, *, now: datetime.datetime | None = None) -> bool:
    expires_at = links_expire_at(inquiry)
    return expires_at is not None and expires_at <= (now or timezone.now())


def status_link_state(link: StatusLink, *, now: datetime.datetime | None = None) -> LinkState:
    """Valid, revoked by staff, or expired because the inquiry finished more than 90 days ago."""
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if links_have_expired(link.inquiry, now=now):
        return LinkState.EXPIRED
    return LinkState.VALID


def mark_status_link_used(link: StatusLink, *, now: datetime.datetime | None = None) -> None:
    """Remember when the link last opened the inquiry (shown to staff, who may then revoke it)."""
    link.last_used_at = now or timezone.now()
    StatusLink.objects.filter(pk=link.pk).update(last_used_at=link.last_used_at)


def has_verified_account(email: str) -> bool:
    """Whether someone has an active account with this e-mail address verified, so can log in to My inquiries."""
    return EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True).exists()


@transaction.atomic
def revoke_status_links(inquiry: Inquiry, *, actor: User, now: datetime.datetime | None = None) -> int:
    """Stop every link to the inquiry from working (a forwarded e-mail, a shared mailbox); returns how many.

    The links' pages then say that the link was withdrawn and offer a fresh one to the address each was sent to.
    Raises InquiryStateError when no link is left to revoke.
    """
    inquiry = lock(inquiry)
    now = now or timezone.now()
    count = StatusLink.objects.filter(inquiry=inquiry, revoked_at__isnull=True).update(revoked_at=now)
    if not count:
        raise InquiryStateError(_("The inquiry has no status links that still work."))
    record(inquiry, InquiryEvent.Kind.STATUS_LINKS_REVOKED, actor=actor, fields=[], count=count)
    return count


def _send_link(inquiry: Inquiry, *, email: str, actor: User | None, requested_by_partner: bool) -> None:
    from requests_app import emails  # emails issues the links, so it imports this module

    event = record(
        inquiry, InquiryEvent.Kind.STATUS_LINK_SENT, actor=actor, fields=[], requested_by_partner=requested_by_partner
    )
    emails.queue_status_link(inquiry, email=email, event=event)


@transaction.atomic
def send_fresh_status_link(link: StatusLink, *, now: datetime.datetime | None = None) -> bool:
    """A revoked link's page asks for a fresh link: e-mail one to the address the old link was sent to, and to
    no other. Returns whether an e-mail was written; the page says the same either way.

    Nothing is sent for a link that still works, for an inquiry whose links have expired (a fresh link would be
    expired too), rejected as spam or without its personal data, or when the address is gone.
    """
    inquiry = lock(link.inquiry)
    link = StatusLink.objects.get(pk=link.pk)
    if (
        link.revoked_at is None
        or not link.email
        or inquiry.status == Inquiry.Status.SPAM
        or inquiry.anonymised_at is not None
        or links_have_expired(inquiry, now=now)
    ):
        return False
    _send_link(inquiry, email=link.email, actor=None, requested_by_partner=True)
    return True


@transaction.atomic
def send_status_link_to_contact(inquiry: Inquiry, *, actor: User, now: datetime.datetime | None = None) -> None:
    """Staff e-mail a fresh link to the inquiry's contact (at the contact's current address).

    Raises InquiryStateError when a link could not work: the inquiry finished more than 90 days ago, was rejected
    as spam or has had its personal data removed.
    """
    inquiry = lock(inquiry)
    if inquiry.status == Inquiry.Status.SPAM or inquiry.anonymised_at is not None or not inquiry.contact.email:
        raise InquiryStateError(_("No status link can be sent for this inquiry."))
    if links_have_expired(inquiry, now=now):
        raise InquiryStateError(
            _("The inquiry finished more than %(days)s days ago; status links no longer work.")
            % {"days": StatusLink.VALID_DAYS_AFTER_FINISHING}
        )
    _send_link(inquiry, email=inquiry.contact.email, actor=actor, requested_by_partner=False)
