"""One function per e-mail; each renders emails/<name>.subject.txt, <name>.txt and <name>.html into the outbox.

They are called by services inside the transaction of the change that causes the e-mail; a Celery task delivers
each outbox row after the commit (requests_app/services/outbox.py). The key of a row is the cause (the event) and the
recipient, so the same event never e-mails the same person twice.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from partners.models import MunicipalUnit, OrganisationInvitation, User
from requests_app.models import DecisionRequest, Inquiry, InquiryEvent, InquiryMessage, OutboxMessage, UnitAssignment
from requests_app.services.outbox import write_email
from requests_app.services.status_links import has_verified_account, issue_status_link

if TYPE_CHECKING:
    from requests_app.services.digest import WeeklyDigest


def render(name: str, *, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject (one line), text and HTML of an e-mail, in the given language."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "language": language}
        subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def _write(
    name: str,
    *,
    to: list[str],
    language: str,
    context: dict[str, Any],
    event: InquiryEvent,
    message: InquiryMessage | None = None,
) -> list[OutboxMessage]:
    subject, text, html = render(name, language=language, context=context)
    return [
        write_email(
            key=f"event-{event.pk}:{name}:{address.lower()}",
            template=name,
            to=address,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            headers={"Content-Language": language},
            inquiry=event.inquiry,
            event=event,
            message=message,
        )
        for address in to
    ]


def _partner_links(inquiry: Inquiry, address: str) -> dict[str, str]:
    """A new status link for this one e-mail to the partner (its token is in the body, so in the outbox row until
    the retention rules clear it), and My inquiries for an address with a verified account, in the inquiry's
    language."""
    token = issue_status_link(inquiry, email=address)
    with translation.override(inquiry.language):
        status_url = settings.SITE_URL + reverse("requests_app:status-link", args=[token])
        my_inquiries_url = settings.SITE_URL + reverse("requests_app:my-inquiry-list")
    return {"status_url": status_url, "my_inquiries_url": my_inquiries_url if has_verified_account(address) else ""}


def queue_inquiry_receipt(inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """Confirm to the contact that the inquiry was received, with its reference, expected reply date and a link
    to follow it."""
    with translation.override(inquiry.language):
        landing_url = settings.SITE_URL + reverse("requests_app:landing")
    address = inquiry.contact.email
    return _write(
        "inquiry_receipt",
        to=[address],
        language=inquiry.language,
        context={
            "inquiry": inquiry,
            "contact": inquiry.contact,
            "landing_url": landing_url,
            **_partner_links(inquiry, address),
        },
        event=event,
    )


def queue_status_link(inquiry: Inquiry, *, email: str, event: InquiryEvent) -> list[OutboxMessage]:
    """A fresh status link, to the address the partner's revoked link was sent to or (sent by staff) the contact."""
    return _write(
        "status_link",
        to=[email],
        language=inquiry.language,
        context={"inquiry": inquiry, **_partner_links(inquiry, email)},
        event=event,
    )


def _staff_url(inquiry: Inquiry) -> str:
    return settings.SITE_URL + reverse("requests_app:staff-inquiry-detail", args=[inquiry.pk])


def _handler_addresses(inquiry: Inquiry) -> list[str]:
    """Whoever handles the inquiry: its owner, else its unit, else the secretariat."""
    if inquiry.owner is not None and inquiry.owner.is_active:
        return [inquiry.owner.email]
    if inquiry.unit is not None:
        return [inquiry.unit.email]
    return _secretariat_addresses()


def _handler_language(inquiry: Inquiry) -> str:
    """The owner's language when the owner gets the e-mail; bokmål for a unit's or the secretariat's mailbox."""
    if inquiry.owner is not None and inquiry.owner.is_active:
        return inquiry.owner.preferred_language
    return settings.LANGUAGE_CODE


def queue_partner_message(message: InquiryMessage, *, event: InquiryEvent) -> list[OutboxMessage]:
    """A message from the centre to the partner, in the inquiry's language, with a status link. Never used for
    internal notes."""
    if message.kind != InquiryMessage.Kind.TO_PARTNER:
        raise ValueError("Only messages to the partner are e-mailed.")
    inquiry = message.inquiry
    address = inquiry.contact.email
    return _write(
        "partner_message",
        to=[address],
        language=inquiry.language,
        context={
            "inquiry": inquiry,
            "message": message,
            "contact": inquiry.contact,
            **_partner_links(inquiry, address),
        },
        event=event,
        message=message,
    )


def queue_inquiry_routed(inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """Tell a unit that an inquiry has been routed to it (staff e-mails are in bokmål)."""
    assert inquiry.unit is not None
    return _write(
        "inquiry_routed",
        to=[inquiry.unit.email],
        language=settings.LANGUAGE_CODE,
        context={"inquiry": inquiry, "url": _staff_url(inquiry)},
        event=event,
    )


def _send_to_handler(name: str, inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """An e-mail about the inquiry to whoever handles it, linking to its staff page."""
    return _write(
        name,
        to=_handler_addresses(inquiry),
        language=_handler_language(inquiry),
        context={"inquiry": inquiry, "url": _staff_url(inquiry)},
        event=event,
    )


def queue_partner_replied(inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """Tell the handler that the partner has replied (the reply itself is read in the portal)."""
    return _send_to_handler("partner_replied", inquiry, event=event)


def queue_interim_reply_reminder(inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """Remind the handler that the decision will be late and an interim reply should go to the partner."""
    return _send_to_handler("interim_reply_reminder", inquiry, event=event)


def _secretariat_addresses() -> list[str]:
    address = MunicipalUnit.objects.filter(is_secretariat=True).values_list("email", flat=True).first()
    return [address] if address else []


def queue_referral_declined(
    inquiry: Inquiry, *, unit: MunicipalUnit, reason: str, event: InquiryEvent
) -> list[OutboxMessage]:
    """Tell the secretariat that a unit declined the inquiry and it is back in triage (in bokmål)."""
    return _write(
        "referral_declined",
        to=_secretariat_addresses(),
        language=settings.LANGUAGE_CODE,
        context={"inquiry": inquiry, "unit": unit, "reason": reason, "url": _staff_url(inquiry)},
        event=event,
    )


def queue_follow_up_reminder(inquiry: Inquiry, *, event: InquiryEvent) -> list[OutboxMessage]:
    """Remind the handler to record the effect of the inquiry's outcome."""
    return _send_to_handler("follow_up_reminder", inquiry, event=event)


def _unit_addresses(unit: MunicipalUnit) -> list[str]:
    return [unit.email] if unit.email else []


def _queue_handshake(
    name: str, *, to: list[str], inquiry: Inquiry, assignment: UnitAssignment, event: InquiryEvent
) -> list[OutboxMessage]:
    """An e-mail about a unit's pending accept-or-decline, to a mailbox of the municipality (so in bokmål)."""
    context = {"inquiry": inquiry, "unit": assignment.unit, "respond_by": assignment.respond_by}
    return _write(
        name, to=to, language=settings.LANGUAGE_CODE, context={**context, "url": _staff_url(inquiry)}, event=event
    )


def queue_handshake_reminder(
    inquiry: Inquiry, *, assignment: UnitAssignment, event: InquiryEvent
) -> list[OutboxMessage]:
    """Remind the unit that the inquiry waits for it to accept or decline, due today or already past."""
    to = _unit_addresses(assignment.unit)
    return _queue_handshake("handshake_reminder", to=to, inquiry=inquiry, assignment=assignment, event=event)


def queue_handshake_escalated(
    inquiry: Inquiry, *, assignment: UnitAssignment, event: InquiryEvent
) -> list[OutboxMessage]:
    """Tell the secretariat that a unit let its accept-or-decline date pass without an answer."""
    to = _secretariat_addresses()
    return _queue_handshake("handshake_escalated", to=to, inquiry=inquiry, assignment=assignment, event=event)


def queue_organisation_invitation(invitation: OrganisationInvitation, *, token: str, language: str) -> OutboxMessage:
    """Invite a colleague to speak for an organisation: the link with the token (which only this e-mail carries),
    who invited, and until when it is valid; in the language the inviting admin uses the portal in."""
    with translation.override(language):
        url = settings.SITE_URL + reverse("requests_app:invitation-accept", kwargs={"token": token})
        signup_url = settings.SITE_URL + reverse("account_signup")
    context = {"invitation": invitation, "url": url, "signup_url": signup_url}
    subject, text, html = render("organisation_invitation", language=language, context=context)
    return write_email(
        key=f"invitation-{invitation.pk}:{invitation.email.lower()}",
        template="organisation_invitation",
        to=invitation.email,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        headers={"Content-Language": language},
    )


def queue_partner_withdrew(inquiry: Inquiry, *, reason: str, event: InquiryEvent) -> list[OutboxMessage]:
    """Tell whoever handles the inquiry that the partner has withdrawn it, with their reason if they gave one."""
    return _write(
        "partner_withdrew",
        to=_handler_addresses(inquiry),
        language=_handler_language(inquiry),
        context={"inquiry": inquiry, "reason": reason, "url": _staff_url(inquiry)},
        event=event,
    )


# --- Summaries (issue #8): the chief municipal executive's questions and the weekly digest -----------------------
# These templates build their links with {% url %}, so each language's e-mail links to the pages in that language.


def _write_each(
    name: str, *, people: Iterable[tuple[str, str]], context: dict[str, Any], event: InquiryEvent
) -> list[OutboxMessage]:
    """The same e-mail to each (address, language), rendered once per language; each address once, none blank."""
    by_language: dict[str, list[str]] = {}
    seen: set[str] = set()
    for address, language in people:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            by_language.setdefault(language, []).append(address)
    return [
        row
        for language, addresses in by_language.items()
        for row in _write(name, to=addresses, language=language, context=context, event=event)
    ]


def queue_decision_requested(
    decision_request: DecisionRequest, *, executives: Iterable[User], event: InquiryEvent
) -> list[OutboxMessage]:
    """Tell each executive, in their language, that a question waits for them, with a link to their queue."""
    return _write_each(
        "decision_requested",
        people=[(person.email, person.preferred_language) for person in executives],
        context={"inquiry": decision_request.inquiry, "decision_request": decision_request},
        event=event,
    )


def queue_decision_answered(
    decision_request: DecisionRequest, *, inquiry: Inquiry, event: InquiryEvent
) -> list[OutboxMessage]:
    """The executive's answer to whoever handles the inquiry (its owner in their language, else the unit's or the
    secretariat's mailbox in bokmål) and to the person who asked, unless either is the one who answered."""
    owner = inquiry.owner
    if owner is not None and owner.is_active:
        people = [(owner.email, owner.preferred_language)]
    else:
        people = [(address, settings.LANGUAGE_CODE) for address in _handler_addresses(inquiry)]
    asker = decision_request.requested_by
    if asker is not None and asker.is_active:
        people.append((asker.email, asker.preferred_language))
    answerer = decision_request.answered_by
    people = [(address, language) for address, language in people if answerer is None or address != answerer.email]
    return _write_each(
        "decision_answered",
        people=people,
        context={"inquiry": inquiry, "decision_request": decision_request},
        event=event,
    )


def digest_key(week_key: str, address: str) -> str:
    """The outbox key of a weekly digest: one per ISO week and address."""
    return f"digest:{week_key}:{address.lower()}"


def queue_weekly_digest(digest: "WeeklyDigest", *, people: Iterable[tuple[str, str]]) -> list[OutboxMessage]:
    """The weekly digest to each (address, language): rendered once per language from figures computed once, and
    keyed by the ISO week and the address, so each person gets one per week however often the job runs."""
    rendered: dict[str, tuple[str, str, str]] = {}
    rows = []
    for address, language in people:
        if not address:
            continue
        if language not in rendered:
            rendered[language] = render("weekly_digest", language=language, context={"digest": digest})
        subject, text, html = rendered[language]
        rows.append(
            write_email(
                key=digest_key(digest.week_key, address),
                template="weekly_digest",
                to=address,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                headers={"Content-Language": language},
            )
        )
    return rows
