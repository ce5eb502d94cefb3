"""Who gets what from every URL of the project: one matrix of URL × role, read against the URL resolver.

Each request targets something that is not the user's: an inquiry routed to another unit, a saved view somebody
else made. A new URL without an entry in MATRIX fails the test, so nobody adds a page without deciding who may
open it.
"""

import datetime
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation

from partners.models import MunicipalUnit, Organisation, OrganisationMembership, Role, User
from partners.services import invite_colleague
from requests_app.models import (
    Attachment,
    DecisionRequest,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    OutboxMessage,
    Outcome,
    PrivacyRequest,
    ReportRun,
    SavedView,
)
from requests_app.permissions import Action
from requests_app.services.attachments import attach_files
from requests_app.services.status_links import issue_status_link
from tests.base import PASSWORD, PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry_in, make_organisation


class Persona(StrEnum):
    ANONYMOUS = "anonymous"
    PARTNER_A = "partner of organisation A"
    PARTNER_B = "partner of organisation B"
    UNIT_A = "member of unit A (bym)"
    UNIT_B = "member of unit B (oppvekst)"
    SECRETARIAT = "secretariat"
    EXECUTIVE = "executive"
    ADMIN = "admin"


P = Persona
# Expected answers besides plain status codes: a redirect to our login page (with ?next=) or to the admin's.
LOGIN = "302 to login"
ADMIN_LOGIN = "302 to admin login"
Expected = int | str
ByPersona = dict[Persona, Expected]

REFUSED = {403, 404, 405, LOGIN, ADMIN_LOGIN}
SEES_ALL = {P.SECRETARIAT, P.EXECUTIVE, P.ADMIN}


def every(expected: Expected) -> ByPersona:
    return dict.fromkeys(Persona, expected)


def staff(
    *, unit: Expected, executive: Expected, manager: Expected, partner: Expected = 403, anonymous: Expected = LOGIN
) -> ByPersona:
    """Behind staff_required: anonymous to login, users without a staff role 403, then the view decides."""
    return {
        P.ANONYMOUS: anonymous,
        P.PARTNER_A: partner,
        P.PARTNER_B: partner,
        P.UNIT_A: unit,
        P.UNIT_B: unit,
        P.SECRETARIAT: manager,
        P.EXECUTIVE: executive,
        P.ADMIN: manager,
    }


@dataclass(frozen=True)
class Target:
    """What one request is about: URL kwargs, the POST data, and the other person's inquiry it touches."""

    kwargs: dict[str, object] = field(default_factory=dict)
    data: dict[str, object] = field(default_factory=dict)
    inquiry: Inquiry | None = None


def other_units_inquiry(persona: Persona) -> Inquiry:
    """A routed inquiry of the unit the persona is not in (Oppvekst, or for Chen of Oppvekst: Byutvikling)."""
    code = "bym" if persona == P.UNIT_B else "oppvekst"
    return make_inquiry_in(Inquiry.Status.ROUTED, unit=MunicipalUnit.objects.get(code=code))


def nothing(persona: Persona) -> Target:
    return Target()


def inquiry_page(persona: Persona) -> Target:
    inquiry = other_units_inquiry(persona)
    return Target(kwargs={"pk": inquiry.pk}, inquiry=inquiry)


def listed_inquiry(persona: Persona) -> Target:
    return Target(inquiry=other_units_inquiry(persona))


def bulk(persona: Persona) -> Target:
    inquiry = other_units_inquiry(persona)
    return Target(
        data={"inquiries": [inquiry.pk], "action": "priority", "priority": "high", "confirm": "yes"},
        inquiry=inquiry,
    )


def someone_elses_saved_view(persona: Persona) -> Target:
    owner = User.objects.get(email="eva@trondheim.kommune.no")
    view, _ = SavedView.objects.get_or_create(
        owner=owner, name="Evas utvalg", defaults={"query": "status=received", "is_shared": True}
    )
    return Target(kwargs={"pk": view.pk})


def new_saved_view(persona: Persona) -> Target:
    return Target(data={"name": "Mitt utvalg", "query": "status=received"})


def _someone_elses_email(persona: Persona) -> tuple[OutboxMessage, Inquiry]:
    inquiry = other_units_inquiry(persona)
    row = OutboxMessage.objects.create(
        key=f"matrix-{uuid.uuid4()}",
        template="partner_message",
        to="kari@example.com",
        language="nb",
        subject="Hei",
        body_text="Hei",
        inquiry=inquiry,
    )
    return row, inquiry


def someone_elses_email(persona: Persona) -> Target:
    row, inquiry = _someone_elses_email(persona)
    return Target(kwargs={"pk": row.pk}, inquiry=inquiry)


def listed_email(persona: Persona) -> Target:
    return Target(inquiry=_someone_elses_email(persona)[1])


def listed_partnership(persona: Persona) -> Target:
    inquiry = other_units_inquiry(persona)
    Outcome.objects.create(
        inquiry=inquiry, type=Outcome.Type.PILOT, decided_on=timezone.localdate(), recorded_at=timezone.now()
    )
    return Target(inquiry=inquiry)


def other_units_organisation(persona: Persona) -> Target:
    """The organisation of another unit's inquiry: none of a unit member's business (that inquiry is its only one)."""
    inquiry = other_units_inquiry(persona)
    return Target(kwargs={"pk": inquiry.organisation_id}, inquiry=inquiry)


def other_units_contact(persona: Persona) -> Target:
    inquiry = other_units_inquiry(persona)
    return Target(kwargs={"pk": inquiry.contact_id}, inquiry=inquiry)


def someone_elses_status_link(persona: Persona) -> Target:
    """A status link to an inquiry that is nobody's among the personas: the token alone opens it, for anyone."""
    inquiry = make_inquiry_in(Inquiry.Status.ROUTED)
    return Target(kwargs={"token": issue_status_link(inquiry, email=inquiry.contact.email)}, inquiry=inquiry)


def another_partners_inquiry(persona: Persona) -> Target:
    """An inquiry sent from the other partner's verified address: My inquiries shows each account only its own,
    staff included, so it is a 404 for everyone."""
    other = "partner@example.se" if persona == P.PARTNER_A else "partner@example.no"
    user = User.objects.get(email=other)
    EmailAddress.objects.get_or_create(email=other, defaults={"user": user, "verified": True, "primary": True})
    inquiry = make_inquiry_in(Inquiry.Status.ROUTED, contact=make_contact(email=other))
    return Target(kwargs={"pk": inquiry.pk}, inquiry=inquiry)


def _attachment_of(inquiry: Inquiry, kind: str = InquiryMessage.Kind.TO_PARTNER) -> Attachment:
    message = InquiryMessage.objects.create(inquiry=inquiry, kind=kind, body="Se vedlegget.")
    with transaction.atomic():
        (attachment,) = attach_files(
            message, [SimpleUploadedFile("vedlegg.pdf", b"%PDF-1.4\n%%EOF\n")], uploaded_by=None
        )
    return attachment


def other_units_attachment(persona: Persona) -> Target:
    """An attachment of an internal note on another unit's inquiry."""
    inquiry = other_units_inquiry(persona)
    return Target(kwargs={"pk": _attachment_of(inquiry, InquiryMessage.Kind.NOTE).pk}, inquiry=inquiry)


def another_partners_attachment(persona: Persona) -> Target:
    """The attachment of a message to the partner of an inquiry that is none of the personas' (nor is a staff
    member's account a partner's): a 404 for everyone."""
    inquiry = make_inquiry_in(Inquiry.Status.ROUTED)
    return Target(kwargs={"pk": _attachment_of(inquiry).pk}, inquiry=inquiry)


def status_link_and_another_inquirys_attachment(persona: Persona) -> Target:
    """A working status link, and the attachment of a message to the partner of another inquiry."""
    link = someone_elses_status_link(persona)
    other = make_inquiry_in(Inquiry.Status.ROUTED)
    return Target(kwargs={**link.kwargs, "pk": _attachment_of(other).pk}, inquiry=other)


def _someone_elses_organisation() -> Organisation:
    """An organisation that none of the personas speaks for, with its own admin."""
    organisation = make_organisation()
    admin = make_user(f"admin-{uuid.uuid4().hex[:8]}@example.no")
    OrganisationMembership.objects.create(user=admin, organisation=organisation, is_admin=True)
    return organisation


def own_organisation_as_admin(persona: Persona) -> Target:
    """A partner persona is the admin of an organisation of its own (staff speak for none): an empty invitation is
    an invalid form for the partner, and a 404 for everyone without an organisation."""
    email = {P.PARTNER_A: "partner@example.no", P.PARTNER_B: "partner@example.se"}.get(persona, "")
    user = User.objects.filter(email=email).first()
    if user is not None:
        OrganisationMembership.objects.create(user=user, organisation=make_organisation(), is_admin=True)
    return Target()


def someone_elses_invitation(persona: Persona) -> Target:
    organisation = _someone_elses_organisation()
    invitation, _token = invite_colleague(
        organisation, email="colleague@example.no", actor=organisation.memberships.get().user
    )
    return Target(kwargs={"pk": invitation.pk})


def invitation_to_someone_else(persona: Persona) -> Target:
    """A valid invitation sent to an address none of the personas has: shown to nobody as acceptable (403)."""
    organisation = _someone_elses_organisation()
    _invitation, token = invite_colleague(
        organisation, email="colleague@example.no", actor=organisation.memberships.get().user
    )
    return Target(kwargs={"token": token})


def someone_elses_organisation_choice(persona: Persona) -> Target:
    return Target(data={"organisation": _someone_elses_organisation().pk, "next": "/"})


def someone_elses_membership(persona: Persona) -> Target:
    return Target(kwargs={"pk": _someone_elses_organisation().memberships.get().pk})


def a_privacy_request(persona: Persona) -> Target:
    privacy_request = PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.DELETION, email="gone@example.no")
    return Target(kwargs={"pk": privacy_request.pk})


def open_question(persona: Persona) -> Target:
    """A question to the chief municipal executive about another unit's inquiry, waiting for the answer."""
    inquiry = other_units_inquiry(persona)
    question = DecisionRequest.objects.create(
        inquiry=inquiry, reason=DecisionRequest.Reason.OTHER, question="Skal vi?", requested_at=timezone.now()
    )
    return Target(kwargs={"pk": question.pk}, inquiry=inquiry)


def listed_question(persona: Persona) -> Target:
    return Target(inquiry=open_question(persona).inquiry)


def a_years_report(persona: Persona) -> Target:
    """The UNECE report of 2016, whose data-quality flags list another unit's inquiry of that year (no SDG tags)."""
    code = "bym" if persona == P.UNIT_B else "oppvekst"
    received_at = timezone.make_aware(datetime.datetime(2016, 5, 1, 12))
    inquiry = make_inquiry_in(Inquiry.Status.ROUTED, unit=MunicipalUnit.objects.get(code=code), received_at=received_at)
    return Target(kwargs={"year": 2016}, inquiry=inquiry)


def finished_report_run(persona: Persona) -> Target:
    """A PDF of the UNECE report that someone else made."""
    run = ReportRun.objects.create(year=timezone.localdate().year - 1, status=ReportRun.Status.DONE, progress=100)
    run.file.save("unece-report.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return Target(kwargs={"pk": run.pk})


def language(persona: Persona) -> Target:
    return Target(data={"language": "en", "next": "/"})


@dataclass(frozen=True)
class Entry:
    expected: dict[str, ByPersona]  # HTTP method → persona → expected answer
    build: Callable[[Persona], Target] = nothing
    lists_inquiries: bool = False  # the body lists inquiries: another unit's must not be in it


PUBLIC_PAGE = Entry({"GET": every(200)})
# The secretariat and administrators may do anything on a routed inquiry, so an empty form gets: 409 where the
# action does not fit the status, 302 where the action needs no input and ran, 400 where the form wants input.
MANAGER_ON_EMPTY_ACTION: dict[Action, int] = {
    **dict.fromkeys(Action, 400),
    **dict.fromkeys(
        (
            Action.TRIAGE,
            Action.CLOSE,
            Action.SPAM,
            Action.REOPEN,
            Action.APPROVE_MESSAGE,
            Action.RETURN_MESSAGE,
            Action.FOLLOW_UP,
        ),
        409,
    ),
    # A routed inquiry is not finished (no hold yet) and not held (nothing to lift), and has no status link to revoke.
    **dict.fromkeys((Action.RETENTION_HOLD, Action.LIFT_RETENTION_HOLD, Action.REVOKE_STATUS_LINKS), 409),
    Action.SEND_STATUS_LINK: 302,
    # No question to the executive is open, so there is none to withdraw.
    Action.WITHDRAW_QUESTION: 409,
    **dict.fromkeys((Action.ACCEPT, Action.WITHDRAW, Action.ASSIGN, Action.ASSIGN_TO_ME, Action.COLLABORATORS), 302),
}

MATRIX: dict[str, Entry] = {
    "healthz": Entry({"GET": every(200), "POST": every(405)}),
    "set_language": Entry({"POST": every(302)}, build=language),
    # Representatives of the third-party URL sets (see collected_url_names).
    "admin:index": Entry({"GET": {**every(ADMIN_LOGIN), P.ADMIN: 200}}),
    "account_login": Entry({"GET": {**every(302), P.ANONYMOUS: 200}}),
    # Two-factor authentication: everyone with an account may set it up (staff must, see tests/test_mfa.py).
    "mfa_index": Entry({"GET": {**every(200), P.ANONYMOUS: LOGIN}}),
    # Adding an authenticator asks for the password again first (allauth's reauthentication), even right after login.
    "mfa_activate_totp": Entry({"GET": {**every(302), P.ANONYMOUS: LOGIN}}),
    "requests_app:landing": PUBLIC_PAGE,
    "requests_app:privacy": PUBLIC_PAGE,
    "requests_app:accessibility": PUBLIC_PAGE,
    # The open statistics and their downloads: anyone, read only.
    **{
        name: Entry({"GET": every(200), "POST": every(405)})
        for name in ("requests_app:statistics", "requests_app:statistics-csv", "requests_app:statistics-json")
    },
    "requests_app:inquiry-create": PUBLIC_PAGE,
    # Without a submission in this browser's session the receipt sends the visitor to the form.
    "requests_app:inquiry-receipt": Entry({"GET": every(302)}),
    # A status link: whoever has the token may read, answer (an empty answer comes back with its error) and withdraw
    # the inquiry; asking for a new link redirects with the same words whatever happened.
    "requests_app:status-link": Entry({"GET": every(200)}, build=someone_elses_status_link),
    "requests_app:status-link-reply": Entry({"GET": every(405), "POST": every(400)}, build=someone_elses_status_link),
    "requests_app:status-link-withdraw": Entry(
        {"GET": every(405), "POST": every(302)}, build=someone_elses_status_link
    ),
    "requests_app:status-link-fresh": Entry({"GET": every(405), "POST": every(302)}, build=someone_elses_status_link),
    # My inquiries: any account, showing only the inquiries of its own verified addresses (or organisations).
    "requests_app:my-inquiry-list": Entry({"GET": {**every(200), P.ANONYMOUS: LOGIN}}),
    **{
        name: Entry(
            {"GET": {**every(get), P.ANONYMOUS: LOGIN}, "POST": {**every(404), P.ANONYMOUS: LOGIN}},
            build=another_partners_inquiry,
        )
        for name, get in (
            ("requests_app:my-inquiry-detail", 404),
            ("requests_app:my-inquiry-reply", 405),
            ("requests_app:my-inquiry-withdraw", 405),
        )
    },
    # Attachments: a partner downloads only those of the messages its own pages show; staff those of the inquiries
    # they may see. Guessed ids are 404s.
    "requests_app:my-attachment": Entry(
        {"GET": {**every(404), P.ANONYMOUS: LOGIN}, "POST": {**every(405), P.ANONYMOUS: LOGIN}},
        build=another_partners_attachment,
    ),
    "requests_app:status-link-attachment": Entry(
        {"GET": every(404), "POST": every(405)}, build=status_link_and_another_inquirys_attachment
    ),
    "requests_app:attachment-download": Entry(
        {"GET": staff(unit=404, executive=200, manager=200), "POST": staff(unit=405, executive=405, manager=405)},
        build=other_units_attachment,
    ),
    "requests_app:staff-inquiry-list": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
    "requests_app:staff-inquiry-export-csv": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
    "requests_app:staff-inquiry-export-xlsx": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
    # The unit queue and its exports: a member's own units only; every unit's for those who see all inquiries.
    **{
        name: Entry({"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True)
        for name in (
            "requests_app:unit-queue",
            "requests_app:unit-queue-export-csv",
            "requests_app:unit-queue-export-xlsx",
        )
    },
    "requests_app:staff-inquiry-bulk": Entry(
        {
            "GET": staff(unit=405, executive=405, manager=405),
            "POST": staff(unit=403, executive=403, manager=302),
        },
        build=bulk,
    ),
    "requests_app:saved-view-create": Entry(
        {
            "GET": staff(unit=405, executive=405, manager=405),
            "POST": staff(unit=302, executive=302, manager=302),
        },
        build=new_saved_view,
    ),
    "requests_app:saved-view-delete": Entry(
        {
            "GET": staff(unit=405, executive=405, manager=405),
            "POST": staff(unit=404, executive=404, manager=404),
        },
        build=someone_elses_saved_view,
    ),
    # Recipients of every inquiry: only for those who see every inquiry's partner (not the executive's business).
    "requests_app:outbox-list": Entry({"GET": staff(unit=403, executive=403, manager=200)}, build=listed_email),
    "requests_app:partnership-list": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_partnership, lists_inquiries=True
    ),
    # The UNECE report, its files and the PDF runs: for those who see every inquiry (it lists their references).
    "requests_app:unece-report-latest": Entry(
        {"GET": staff(unit=403, executive=302, manager=302), "POST": staff(unit=405, executive=405, manager=405)}
    ),
    **{
        name: Entry({"GET": staff(unit=403, executive=200, manager=200)}, build=a_years_report, lists_inquiries=True)
        for name in ("requests_app:unece-report", "requests_app:unece-report-json")
    },
    "requests_app:unece-report-xlsx": Entry(
        {"GET": staff(unit=403, executive=200, manager=200), "POST": staff(unit=405, executive=405, manager=405)},
        build=a_years_report,
    ),
    "requests_app:report-run-create": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=302, manager=302)},
        build=a_years_report,
    ),
    **{
        name: Entry({"GET": staff(unit=403, executive=200, manager=200)}, build=finished_report_run)
        for name in ("requests_app:report-run-detail", "requests_app:report-run-download")
    },
    # The summary counts every inquiry: only for those who see them all (a POST is refused).
    "requests_app:summary": Entry(
        {"GET": staff(unit=403, executive=200, manager=200), "POST": staff(unit=405, executive=405, manager=405)}
    ),
    "requests_app:outbox-send-again": Entry(
        {
            "GET": staff(unit=405, executive=405, manager=405),
            "POST": staff(unit=403, executive=403, manager=302),
        },
        build=someone_elses_email,
    ),
    "requests_app:staff-inquiry-create": Entry(
        {
            "GET": staff(unit=403, executive=403, manager=200),
            "POST": staff(unit=403, executive=403, manager=200),  # the empty form comes back with its errors
        },
    ),
    "requests_app:staff-inquiry-detail": Entry(
        {"GET": staff(unit=404, executive=200, manager=200)}, build=inquiry_page
    ),
    # Decisions needed: the queue for those who see every inquiry; only executives answer (an empty answer comes back
    # with its errors).
    "requests_app:decision-request-list": Entry(
        {"GET": staff(unit=403, executive=200, manager=200)}, build=listed_question, lists_inquiries=True
    ),
    "requests_app:decision-request-answer": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=400, manager=403)},
        build=open_question,
    ),
    # Administrators only: the secretariat's reading is what the log records.
    "requests_app:access-log-list": Entry({"GET": {**staff(unit=403, executive=403, manager=403), P.ADMIN: 200}}),
    # The partner register: every staff role, a unit member scoped to their inquiries' organisations (so another
    # unit's organisation is a 404); editing contacts and merging only for the secretariat and administrators. An
    # empty merge post goes back to choosing the other organisation; an empty contact form comes back with errors.
    **{
        name: Entry({"GET": staff(unit=200, executive=200, manager=200)})
        for name in (
            "requests_app:organisation-list",
            "requests_app:organisation-export-csv",
            "requests_app:organisation-export-xlsx",
        )
    },
    "requests_app:organisation-detail": Entry(
        {"GET": staff(unit=404, executive=200, manager=200)}, build=other_units_organisation, lists_inquiries=True
    ),
    "requests_app:organisation-merge": Entry(
        {
            "GET": staff(unit=403, executive=403, manager=200),
            "POST": staff(unit=403, executive=403, manager=302),
        },
        build=other_units_organisation,
    ),
    # Consent to be named in the open statistics: an empty post comes back with its error.
    "requests_app:organisation-publication": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=403, manager=400)},
        build=other_units_organisation,
    ),
    "requests_app:contact-edit": Entry(
        {
            "GET": staff(unit=403, executive=403, manager=200),
            "POST": staff(unit=403, executive=403, manager=400),
        },
        build=other_units_contact,
    ),
    # A partner's own account: any signed-in account (staff find no organisation there). Invitations and
    # memberships of an organisation one does not speak for are 404s; an invitation sent to another address is
    # shown as not the account's to accept (403). Deleting an account always asks for the password again first
    # (302 to allauth's reauthentication), and staff accounts are refused.
    "requests_app:my-organisation": Entry({"GET": {**every(200), P.ANONYMOUS: LOGIN}}),
    "requests_app:invitation-create": Entry(
        {
            "GET": {**every(405), P.ANONYMOUS: LOGIN},
            "POST": {**every(404), P.PARTNER_A: 400, P.PARTNER_B: 400, P.ANONYMOUS: LOGIN},
        },
        build=own_organisation_as_admin,
    ),
    "requests_app:invitation-revoke": Entry(
        {"GET": {**every(405), P.ANONYMOUS: LOGIN}, "POST": {**every(404), P.ANONYMOUS: LOGIN}},
        build=someone_elses_invitation,
    ),
    "requests_app:invitation-accept": Entry(
        {"GET": {**every(403), P.ANONYMOUS: LOGIN}, "POST": {**every(403), P.ANONYMOUS: LOGIN}},
        build=invitation_to_someone_else,
    ),
    "requests_app:organisation-switch": Entry(
        {"GET": {**every(405), P.ANONYMOUS: LOGIN}, "POST": {**every(404), P.ANONYMOUS: LOGIN}},
        build=someone_elses_organisation_choice,
    ),
    "requests_app:account-data": Entry({"GET": {**every(200), P.ANONYMOUS: LOGIN}}),
    "requests_app:account-data-json": Entry({"GET": {**every(200), P.ANONYMOUS: LOGIN}}),
    "requests_app:account-delete": Entry(
        {
            "GET": {**staff(unit=403, executive=403, manager=403, partner=200)},
            "POST": {**every(302), P.ANONYMOUS: LOGIN},
        }
    ),
    # Staff: the privacy requests for the secretariat and administrators, linking accounts to organisations too.
    "requests_app:privacy-request-list": Entry({"GET": staff(unit=403, executive=403, manager=200)}),
    "requests_app:privacy-request-handle": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=403, manager=302)},
        build=a_privacy_request,
    ),
    "requests_app:membership-create": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=403, manager=302)},
        build=other_units_organisation,
    ),
    "requests_app:membership-delete": Entry(
        {"GET": staff(unit=405, executive=405, manager=405), "POST": staff(unit=403, executive=403, manager=302)},
        build=someone_elses_membership,
    ),
    # Every action of the inquiry page. require_POST answers a GET with 405 before the inquiry is looked up (the
    # same for any pk, so it reveals nothing); a POST looks up the inquiry first, so another unit's is a 404.
    **{
        f"requests_app:inquiry-{action.value}": Entry(
            {
                "GET": staff(unit=405, executive=405, manager=405),
                "POST": staff(unit=404, executive=403, manager=MANAGER_ON_EMPTY_ACTION[action]),
            },
            build=inquiry_page,
        )
        for action in Action
    },
}


def _walk(
    patterns: list[URLPattern | URLResolver], namespaces: tuple[str, ...], i18n: bool, module: str
) -> Iterator[tuple[str, URLPattern, bool, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            urlconf = pattern.urlconf_name
            inner = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", module)
            yield from _walk(
                pattern.url_patterns,
                (*namespaces, pattern.namespace) if pattern.namespace else namespaces,
                i18n or isinstance(pattern.pattern, LocalePrefixPattern),
                inner,
            )
        elif pattern.name:
            yield ":".join((*namespaces, pattern.name)), pattern, i18n, module


# allauth's URLs that stay in the matrix: the login, and the two-factor pages that staff are sent to.
ALLAUTH_REPRESENTATIVES = frozenset({"account_login", "mfa_index", "mfa_activate_totp"})


def collected_url_names() -> dict[str, tuple[URLPattern, bool]]:
    """Every named URL of the project: full name → (pattern, whether it is under i18n_patterns)."""
    names = {}
    for name, pattern, i18n, module in _walk(get_resolver().url_patterns, (), False, "portal.urls"):
        # Django's admin and allauth are third-party and tested there; representatives of each stay in.
        if name.startswith("admin:") and name != "admin:index":
            continue
        if module.startswith("allauth.") and name not in ALLAUTH_REPRESENTATIVES:
            continue
        names[name] = (pattern, i18n)
    return names


class AccessMatrixTests(PortalTestCase):
    partner_b: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Partner accounts are not linked to organisations yet: both partners are users without a staff role.
        cls.partner_b = make_user("partner@example.se", full_name="Pia Partner")
        make_user("eva@trondheim.kommune.no", full_name="Eva Eier", groups=(Role.SECRETARIAT,))

    def user_for(self, persona: Persona) -> User | None:
        return {
            P.ANONYMOUS: None,
            P.PARTNER_A: self.partner,
            P.PARTNER_B: self.partner_b,
            P.UNIT_A: self.bruno,
            P.UNIT_B: self.chen,
            P.SECRETARIAT: self.amina,
            P.EXECUTIVE: self.dina,
            P.ADMIN: self.admin,
        }[persona]

    def test_every_url_has_an_entry_in_the_matrix(self) -> None:
        collected = set(collected_url_names())
        self.assertEqual(sorted(collected - MATRIX.keys()), [], "URLs without an entry in the access matrix")
        self.assertEqual(sorted(MATRIX.keys() - collected), [], "Matrix entries for URLs that no longer exist")

    def test_every_page_in_bokmal_has_an_english_twin(self) -> None:
        self.assertTrue(is_language_prefix_patterns_used("portal.urls")[0])
        for name, (pattern, i18n) in collected_url_names().items():
            if not i18n:
                continue
            kwargs: dict[str, object] = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
            if "<int:year>" in str(pattern.pattern):
                kwargs["year"] = 2025
            if "<slug:token>" in str(pattern.pattern):
                kwargs["token"] = "a-token"
            with self.subTest(name), translation.override("en"):
                path = reverse(name, kwargs=kwargs)
                self.assertTrue(path.startswith("/en/"), path)
                self.assertEqual(resolve(path).view_name, name)

    def test_every_role_gets_the_expected_answer_from_every_url(self) -> None:
        for name, entry in MATRIX.items():
            for method, by_persona in entry.expected.items():
                for persona in Persona:
                    with self.subTest(url=name, method=method, role=persona.value):
                        self.check(name, entry, method, persona, by_persona[persona])

    def check(self, name: str, entry: Entry, method: str, persona: Persona, expected: Expected) -> None:
        client = Client()
        user = self.user_for(persona)
        if user is not None:
            client.force_login(user)
        target = entry.build(persona)
        path = reverse(name, kwargs=target.kwargs)
        before = self.snapshot(target.inquiry)
        response = client.get(path) if method == "GET" else client.post(path, target.data)
        self.assert_answer(response, expected, path)
        if expected in REFUSED:
            self.assertEqual(self.snapshot(target.inquiry), before, "a refused request changed something")
        if entry.lists_inquiries and response.status_code == 200 and target.inquiry is not None:
            shown = target.inquiry.reference in self.body(response)
            self.assertEqual(shown, persona in SEES_ALL, f"{target.inquiry.reference} shown to {persona.value}")

    def assert_answer(self, response: HttpResponseBase, expected: Expected, path: str) -> None:
        location = urlsplit(response.get("Location", ""))
        if expected == LOGIN:
            self.assertEqual((response.status_code, location.path), (302, reverse("account_login")))
            self.assertIn("next=", location.query)
        elif expected == ADMIN_LOGIN:
            self.assertEqual((response.status_code, location.path), (302, reverse("admin:login")))
        else:
            self.assertEqual(response.status_code, expected)
            if response.status_code == 302:
                self.assertEqual(location.netloc, "", "redirects stay on this site")

    @staticmethod
    def snapshot(inquiry: Inquiry | None) -> tuple[object, ...]:
        state: tuple[object, ...] = ()
        if inquiry is not None:
            state = tuple(Inquiry.objects.filter(pk=inquiry.pk).values_list("status", "version", "priority").get())
        return (*state, Inquiry.objects.count(), InquiryEvent.objects.count(), SavedView.objects.count())

    @staticmethod
    def body(response: HttpResponseBase) -> str:
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        if content.startswith(b"PK"):  # xlsx: XlsxWriter's constant_memory mode writes the strings inline
            with zipfile.ZipFile(io.BytesIO(content)) as workbook:
                content = workbook.read("xl/worksheets/sheet1.xml")
        return content.decode("utf-8-sig")


class LoginRedirectTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.amina, email=cls.amina.email, verified=True, primary=True)

    def test_login_never_redirects_to_another_site(self) -> None:
        for target in ("https://evil.example/", "//evil.example/", "https:evil.example"):
            with self.subTest(target):
                client = Client()
                response = client.post(
                    reverse("account_login"), {"login": self.amina.email, "password": PASSWORD, "next": target}
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(int(client.session["_auth_user_id"]), self.amina.pk)
                self.assertEqual(response["Location"], reverse("requests_app:staff-inquiry-list"))

    def test_login_honours_a_local_next(self) -> None:
        for target in ("/staff/", "/privacy/"):
            with self.subTest(target):
                response = Client().post(
                    reverse("account_login"), {"login": self.amina.email, "password": PASSWORD, "next": target}
                )
                self.assertRedirects(response, target, fetch_redirect_response=False)
