"""The people the browser tests act as, and demo-like data so that their pages are not empty."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from partners.models import MunicipalUnit, Organisation, OrganisationMembership, Role, User
from partners.services import invite_colleague, mark_email_verified
from requests_app.models import (
    DecisionRequest,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    SdgGoal,
    SdgTarget,
    UnitAssignment,
)
from requests_app.services.decisions import answer_decision_request, request_decision
from requests_app.services.highlights import set_report_highlight
from tests.base import make_user
from tests.factories import make_contact, make_inquiry, make_organisation


@dataclass(frozen=True)
class Persona:
    """A role as the browser tests see it: who logs in (nobody for `anonymous`) and where their crawl starts."""

    role: str
    user: User | None
    start_path: str  # in bokmål; the English start page is the same path under /en/

    @property
    def email(self) -> str:
        assert self.user is not None, f"{self.role} has no account"
        return self.user.email


ANONYMOUS = "anonymous"
PARTNER = "partner"
UNIT_MEMBER = "unit_member"
SECRETARIAT = "secretariat"
EXECUTIVE = "executive"
ADMIN = "admin"
ROLES = (ANONYMOUS, PARTNER, UNIT_MEMBER, SECRETARIAT, EXECUTIVE, ADMIN)


def create_personas() -> dict[str, Persona]:
    """The same people as PortalTestCase's, each with a verified e-mail address so that allauth lets them log in.

    The partner has an account but no staff role; partner pages come later and are found by the crawl through
    links from the partner's start page.
    """
    bym_unit = MunicipalUnit.objects.get(code="bym")
    people = {
        PARTNER: make_user("partner@example.no", full_name="Per Partner"),
        UNIT_MEMBER: make_user("bruno@trondheim.kommune.no", full_name="Bruno Solberg", units=(bym_unit,)),
        SECRETARIAT: make_user("amina@trondheim.kommune.no", full_name="Amina Haddad", groups=(Role.SECRETARIAT,)),
        EXECUTIVE: make_user("dina@trondheim.kommune.no", full_name="Dina Berg", groups=(Role.EXECUTIVE,)),
        # The portal's administrator: everything the secretariat sees, and the access log.
        ADMIN: make_user("admin@trondheim.kommune.no", full_name="Ada Admin", groups=(Role.ADMIN,)),
    }
    for user in people.values():
        mark_email_verified(user)
    return {
        ANONYMOUS: Persona(ANONYMOUS, None, "/"),
        PARTNER: Persona(PARTNER, people[PARTNER], "/"),
        UNIT_MEMBER: Persona(UNIT_MEMBER, people[UNIT_MEMBER], "/staff/"),
        SECRETARIAT: Persona(SECRETARIAT, people[SECRETARIAT], "/staff/"),
        EXECUTIVE: Persona(EXECUTIVE, people[EXECUTIVE], "/staff/"),
        ADMIN: Persona(ADMIN, people[ADMIN], "/staff/"),
    }


@dataclass(frozen=True)
class DemoData:
    organisations: list[Organisation]
    inquiries: list[Inquiry]


def create_demo_data() -> DemoData:
    """A few organisations and a handful of inquiries in several states, two routed to the unit member's unit
    and one to another unit (which the unit member must not see)."""
    bym_unit = MunicipalUnit.objects.get(code="bym")
    oppvekst_unit = MunicipalUnit.objects.get(code="oppvekst")
    organisations = [
        make_organisation(name="Nidaros Klimalab AS", kind=Organisation.Kind.COMPANY),
        make_organisation(name="NTNU Institutt for by- og regionplanlegging", kind=Organisation.Kind.RESEARCH),
        make_organisation(name="City of Tampere", kind=Organisation.Kind.MUNICIPALITY, country="FI"),
        make_organisation(name="Grønn Framtid Trøndelag", kind=Organisation.Kind.NGO),
    ]
    now = timezone.now()
    specs: list[tuple[str, Organisation, dict[str, object]]] = [
        ("Utslippsfrie byggeplasser i Midtbyen", organisations[0], {"language": "nb"}),
        (
            "Study visit on citizen participation",
            organisations[2],
            {"language": "en", "status": Inquiry.Status.ROUTED, "unit": bym_unit, "priority": Inquiry.Priority.HIGH},
        ),
        (
            "Forskningssamarbeid om mobilitetsdata",
            organisations[1],
            {"status": Inquiry.Status.IN_PROGRESS, "unit": bym_unit, "inquiry_type": Inquiry.Type.RESEARCH},
        ),
        (
            "Skolehager og matsvinn",
            organisations[3],
            {"status": Inquiry.Status.ROUTED, "unit": oppvekst_unit, "inquiry_type": Inquiry.Type.PILOT},
        ),
        ("Finansiering av solceller på idrettshaller", organisations[0], {"status": Inquiry.Status.IN_TRIAGE}),
    ]
    goal_11 = SdgGoal.objects.get(number=11)
    goal_13 = SdgGoal.objects.get(number=13)
    target_11_2 = SdgTarget.objects.get(code="11.2")
    inquiries = []
    for days_ago, (title, organisation, fields) in enumerate(specs):
        inquiry = make_inquiry(
            title=title,
            organisation=organisation,
            contact=make_contact(organisation),
            received_at=now - datetime.timedelta(days=days_ago, hours=2),
            sdg_goals=[goal_11, goal_13],
            sdg_targets=[target_11_2],
            **fields,
        )
        InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.SUBMITTED, data={})
        inquiries.append(inquiry)
    # Finished inquiries with the privacy features on their pages: one that can be put on retention hold (the
    # hold's form), one on hold (lifting it), and one whose personal data has been removed.
    finished = {
        "status": Inquiry.Status.CLOSED,
        "unit": bym_unit,
        "decided_at": now - datetime.timedelta(days=40),
        "closed_at": now - datetime.timedelta(days=30),
        "decision_summary": "Vi inngår et samarbeid.",
    }
    inquiries.append(
        make_inquiry(
            title="Fjernvarme på Lade",
            organisation=organisations[0],
            contact=make_contact(organisations[0]),
            received_at=now - datetime.timedelta(days=90),
            **finished,
        )
    )
    inquiries.append(
        make_inquiry(
            title="Klimabudsjett for små kommuner",
            organisation=organisations[1],
            contact=make_contact(organisations[1]),
            received_at=now - datetime.timedelta(days=60),
            retention_hold_reason="Klagesak 2026/17",
            retention_hold_at=now - datetime.timedelta(days=5),
            **finished,
        )
    )
    inquiries.append(
        make_inquiry(
            title="Grønne tak i Trondheim",
            organisation=organisations[3],
            contact=make_contact(organisations[3]),
            received_at=now - datetime.timedelta(days=1200),
            description="",
            anonymised_at=now - datetime.timedelta(days=1),
            **finished,
        )
    )
    add_unit_stays(inquiries, now)
    link_partner(organisations, inquiries)
    ask_the_executive(inquiries, now)
    return DemoData(organisations=organisations, inquiries=inquiries)


def link_partner(organisations: list[Organisation], inquiries: list[Inquiry]) -> None:
    """The partner persona speaks for two organisations (so the header offers the switch): as the admin of City of
    Tampere, the first by name and so the one it speaks for after logging in (My organisation shows members, a
    waiting invitation and the invitation form), and as a member of Nidaros Klimalab, one of whose inquiries has a
    message to the partner (for My data). Needs create_personas' partner (the demo_data fixture asks for the
    personas first)."""
    partner = User.objects.get(email="partner@example.no")
    colleague = make_user("juha@tampere.example.fi", full_name="Juha Virtanen")
    mark_email_verified(colleague)
    tampere = organisations[2]
    OrganisationMembership.objects.create(user=partner, organisation=tampere, is_admin=True)
    OrganisationMembership.objects.create(user=colleague, organisation=tampere)
    OrganisationMembership.objects.create(user=partner, organisation=organisations[0])
    invite_colleague(tampere, email="aino@tampere.example.fi", actor=partner)
    finished = next(inquiry for inquiry in inquiries if inquiry.organisation == organisations[0] and inquiry.closed_at)
    InquiryMessage.objects.create(
        inquiry=finished,
        kind=InquiryMessage.Kind.TO_PARTNER,
        body="Takk for et godt samarbeid.",
        sent_at=finished.closed_at,
    )


def add_unit_stays(inquiries: list[Inquiry], now: datetime.datetime) -> None:
    """The chain of units behind the demo inquiries, so the unit queue shows its accept-or-decline dates (one past)
    and the inquiry pages their "Units" section; the inquiry in triage was declined by Oppvekst and is flagged."""
    oppvekst_unit = MunicipalUnit.objects.get(code="oppvekst")
    for inquiry in inquiries:
        if inquiry.unit is None or inquiry.status not in {Inquiry.Status.ROUTED, Inquiry.Status.IN_PROGRESS}:
            continue
        routed_at = now - datetime.timedelta(days=8 if inquiry.priority == Inquiry.Priority.HIGH else 1)
        UnitAssignment.objects.create(
            inquiry=inquiry,
            unit=inquiry.unit,
            routed_at=routed_at,
            respond_by=(routed_at + datetime.timedelta(days=3)).date(),
            accepted_at=routed_at if inquiry.status == Inquiry.Status.IN_PROGRESS else None,
        )
    declined = next(inquiry for inquiry in inquiries if inquiry.status == Inquiry.Status.IN_TRIAGE)
    UnitAssignment.objects.create(
        inquiry=declined,
        unit=oppvekst_unit,
        routed_at=now - datetime.timedelta(days=3),
        respond_by=now.date(),
        ended_at=now - datetime.timedelta(days=1),
        end=UnitAssignment.End.DECLINED,
        decline_reason="Dette gjelder idrettsanleggene, ikke skolene.",
    )
    declined.returned_by_unit = oppvekst_unit
    declined.save(update_fields=["returned_by_unit"])


def ask_the_executive(inquiries: list[Inquiry], now: datetime.datetime) -> None:
    """A question waiting for kommunedirektøren (so the queue shows an answer form), one answered (so the inquiry
    page shows the history), and a highlight of this year's UNECE report. Needs create_personas' people."""
    secretariat = User.objects.get(email="amina@trondheim.kommune.no")
    executive = User.objects.get(email="dina@trondheim.kommune.no")
    high = next(inquiry for inquiry in inquiries if inquiry.priority == Inquiry.Priority.HIGH)
    request_decision(
        high,
        reason=DecisionRequest.Reason.LEADERSHIP,
        question="Tampere's mayor asks to meet the chief municipal executive during the study visit. Yes?",
        actor=secretariat,
    )
    research = next(inquiry for inquiry in inquiries if inquiry.inquiry_type == Inquiry.Type.RESEARCH)
    answered = request_decision(
        research, reason=DecisionRequest.Reason.COMMITMENT, question="Skal vi dele mobilitetsdata?", actor=secretariat
    )
    answer_decision_request(
        answered, answer=DecisionRequest.Answer.COMMENT, text="Ja, når personvernet er vurdert.", actor=executive
    )
    finished = next(inquiry for inquiry in inquiries if inquiry.status == Inquiry.Status.CLOSED)
    set_report_highlight(
        finished, year=now.year, text="District heating at Lade: a model for other cities.", actor=secretariat
    )
