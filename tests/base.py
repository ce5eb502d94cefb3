"""The people every test can use, created once per test class."""

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase

from partners.models import MunicipalUnit, Role, User

PASSWORD = "correct-horse-battery-staple"


def make_user(
    email: str, *, groups: tuple[str, ...] = (), units: tuple[MunicipalUnit, ...] = (), **fields: object
) -> User:
    user = User.objects.create_user(email, PASSWORD, **fields)
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    for unit in units:
        unit.members.add(user)
    return user


class PortalTestCase(TestCase):
    """Amina runs the secretariat, Bruno works in Byutvikling og miljø, Chen in Oppvekst og utdanning,
    Dina is an executive, Admin administers the portal, and Partner has an account but no staff role."""

    secretariat_unit: MunicipalUnit
    bym_unit: MunicipalUnit
    oppvekst_unit: MunicipalUnit
    amina: User
    bruno: User
    chen: User
    dina: User
    admin: User
    partner: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The units and groups come from the data migrations.
        cls.secretariat_unit = MunicipalUnit.objects.get(code="sekretariat")
        cls.bym_unit = MunicipalUnit.objects.get(code="bym")
        cls.oppvekst_unit = MunicipalUnit.objects.get(code="oppvekst")
        cls.amina = make_user("amina@trondheim.kommune.no", full_name="Amina Haddad", groups=(Role.SECRETARIAT,))
        cls.bruno = make_user("bruno@trondheim.kommune.no", full_name="Bruno Solberg", units=(cls.bym_unit,))
        cls.chen = make_user("chen@trondheim.kommune.no", full_name="Chen Li", units=(cls.oppvekst_unit,))
        cls.dina = make_user("dina@trondheim.kommune.no", full_name="Dina Berg", groups=(Role.EXECUTIVE,))
        cls.admin = make_user(
            "admin@trondheim.kommune.no",
            full_name="Ada Admin",
            groups=(Role.ADMIN,),
            is_staff=True,
            is_superuser=True,
        )
        cls.partner = make_user("partner@example.no", full_name="Per Partner")

    def setUp(self) -> None:
        super().setUp()
        # Rate-limit counters (ours and allauth's) live in the cache, which outlives each test's transaction.
        cache.clear()
