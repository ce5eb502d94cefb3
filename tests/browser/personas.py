"""The people the browser tests act as, and demo-like data so that their pages are not empty."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from partners.models import MunicipalUnit, Organisation, Role, User
from partners.services import mark_email_verified
from requests_app.models import Inquiry, InquiryEvent, SdgGoal, SdgTarget
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
ROLES = (ANONYMOUS, PARTNER, UNIT_MEMBER, SECRETARIAT, EXECUTIVE)


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
    }
    for user in people.values():
        mark_email_verified(user)
    return {
        ANONYMOUS: Persona(ANONYMOUS, None, "/"),
        PARTNER: Persona(PARTNER, people[PARTNER], "/"),
        UNIT_MEMBER: Persona(UNIT_MEMBER, people[UNIT_MEMBER], "/staff/"),
        SECRETARIAT: Persona(SECRETARIAT, people[SECRETARIAT], "/staff/"),
        EXECUTIVE: Persona(EXECUTIVE, people[EXECUTIVE], "/staff/"),
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
    return DemoData(organisations=organisations, inquiries=inquiries)
