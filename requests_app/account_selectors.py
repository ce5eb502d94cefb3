"""Reads for a partner's own account pages: what "Download my data" contains, and the secretariat's list of
privacy requests."""

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import F, Q, QuerySet

from partners.models import OrganisationMembership, User
from partners.selectors import memberships_of
from requests_app.models import Inquiry, InquiryMessage, Outcome, PrivacyRequest
from requests_app.partner_selectors import (
    PartnerStatus,
    partner_inquiries,
    partner_outcome,
    partner_status,
    visible_outcome,
)
from requests_app.selectors import messages_with_attachments


def _conversations(inquiries: list[Inquiry]) -> dict[int, list[InquiryMessage]]:
    """For each inquiry, its messages as the partner's pages show them (partner_selectors.partner_conversation: to and
    from the partner only, nothing held or sent back, a moved message on the inquiry it was written for), in one
    query for all of them."""
    ids = [inquiry.pk for inquiry in inquiries]
    rows = (
        InquiryMessage.objects.filter(
            Q(inquiry_id__in=ids, moved_from__isnull=True) | Q(moved_from_id__in=ids),
            kind__in=[InquiryMessage.Kind.TO_PARTNER, InquiryMessage.Kind.FROM_PARTNER],
            held_at__isnull=True,
            returned_at__isnull=True,
        )
        .exclude(body="")
        .order_by("created_at", "pk")
    )
    conversations: dict[int, list[InquiryMessage]] = {pk: [] for pk in ids}
    for message in messages_with_attachments(rows):  # each with `attachment_links`, in the same query
        conversations[message.moved_from_id or message.inquiry_id].append(message)
    return conversations


@dataclass(frozen=True)
class DataInquiry:
    """One inquiry in the partner's data: as the partner's pages show it, with the outcome once they may see it."""

    inquiry: Inquiry
    status: PartnerStatus
    messages: list[InquiryMessage]
    outcome: Outcome | None = None
    outcome_text: str = ""


@dataclass(frozen=True)
class AccountData:
    """Everything the portal shows a partner about themselves: the account, its addresses, the organisations it
    speaks for, and the inquiries it may see with their messages."""

    user: User
    addresses: list[EmailAddress]
    memberships: list[OrganisationMembership]
    inquiries: list[DataInquiry]
    generated_at: datetime.datetime

    @property
    def own_addresses(self) -> set[str]:
        return {address.email.lower() for address in self.addresses if address.verified}


def account_data(user: User, *, now: datetime.datetime) -> AccountData:
    """The partner's data in a fixed number of queries, whatever the number of inquiries and messages."""
    inquiries = list(partner_inquiries(user).select_related("contact").prefetch_related("sdg_goals"))
    conversations = _conversations(inquiries)
    return AccountData(
        user=user,
        addresses=list(EmailAddress.objects.filter(user=user).order_by("-primary", "email")),
        memberships=list(memberships_of(user)),
        inquiries=[_data_inquiry(inquiry, conversations[inquiry.pk]) for inquiry in inquiries],
        generated_at=now,
    )


def _data_inquiry(inquiry: Inquiry, messages: list[InquiryMessage]) -> DataInquiry:
    held: bool = inquiry.decision_held  # type: ignore[attr-defined]
    outcome = visible_outcome(inquiry, decision_held=held)  # loaded with the inquiry (partner_inquiries)
    return DataInquiry(
        inquiry=inquiry,
        status=partner_status(inquiry, decision_held=held),
        messages=messages,
        outcome=outcome,
        outcome_text=partner_outcome(outcome) if outcome is not None else "",
    )


def account_data_document(data: AccountData) -> dict[str, Any]:
    """The same data as a JSON-ready dictionary (datetimes as ISO 8601). A contact's e-mail address, phone and role
    are given only when the contact is the person themself; a colleague's only by name."""
    own = data.own_addresses
    user = data.user
    return {
        "generated_at": data.generated_at.isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in data.addresses
        ],
        "organisations": [
            {
                "name": membership.organisation.name,
                "organisation_admin": membership.is_admin,
                "member_since": membership.created_at.isoformat(),
            }
            for membership in data.memberships
        ],
        "inquiries": [_inquiry_document(inquiry, own) for inquiry in data.inquiries],
    }


def _inquiry_document(row: DataInquiry, own_addresses: set[str]) -> dict[str, Any]:
    inquiry, contact = row.inquiry, row.inquiry.contact
    contact_document: dict[str, Any] = {"name": contact.name}
    if contact.email.lower() in own_addresses:
        contact_document.update({"email": contact.email, "phone": contact.phone, "role": contact.role})
    return {
        "reference": inquiry.reference,
        "title": inquiry.title,
        "description": inquiry.description,
        "type": inquiry.get_inquiry_type_display(),
        "status": row.status.text,
        "language": inquiry.language,
        "received_at": inquiry.received_at.isoformat(),
        "organisation": inquiry.organisation.name,
        "contact": contact_document,
        "sdg_goals": sorted(goal.pk for goal in inquiry.sdg_goals.all()),
        "outcome": {
            "text": row.outcome_text,
            "summary": row.outcome.summary,
            "decided_on": row.outcome.decided_on.isoformat() if row.outcome.decided_on else None,
        }
        if row.outcome is not None
        else None,
        "messages": [
            {
                "from": "partner" if message.kind == InquiryMessage.Kind.FROM_PARTNER else "centre",
                "subject": message.subject,
                "text": message.body,
                "at": message.created_at.isoformat(),
                # The files are downloaded from the inquiry's page; here, what they are.
                "attachments": [
                    {"name": file.name, "type": file.label, "size_bytes": file.size}
                    for file in message.attachment_links  # type: ignore[attr-defined]
                ],
            }
            for message in row.messages
        ],
    }


def privacy_requests() -> QuerySet[PrivacyRequest]:
    """The secretariat's list: waiting ones first, then newest first, with the people loaded."""
    return PrivacyRequest.objects.select_related("user", "handled_by").order_by(
        F("handled_at").desc(nulls_first=True), "-created_at", "-pk"
    )
