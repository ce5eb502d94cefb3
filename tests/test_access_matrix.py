"""Who gets what from every URL of the project: one matrix of URL × role, read against the URL resolver.

Each request targets something that is not the user's: an inquiry routed to another unit, a saved view somebody
else made. A new URL without an entry in MATRIX fails the test, so nobody adds a page without deciding who may
open it.
"""

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpResponseBase
from django.test import Client
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from partners.models import MunicipalUnit, Role, User
from requests_app.models import Inquiry, InquiryEvent, SavedView
from requests_app.permissions import Action
from tests.base import PASSWORD, PortalTestCase, make_user
from tests.factories import make_inquiry_in


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
    **dict.fromkeys((Action.TRIAGE, Action.CLOSE, Action.SPAM, Action.REOPEN), 409),
    **dict.fromkeys((Action.ACCEPT, Action.WITHDRAW, Action.ASSIGN, Action.ASSIGN_TO_ME, Action.COLLABORATORS), 302),
}

MATRIX: dict[str, Entry] = {
    "healthz": Entry({"GET": every(200), "POST": every(405)}),
    "set_language": Entry({"POST": every(302)}, build=language),
    # Two representatives of the third-party URL sets (see collected_url_names).
    "admin:index": Entry({"GET": {**every(ADMIN_LOGIN), P.ADMIN: 200}}),
    "account_login": Entry({"GET": {**every(302), P.ANONYMOUS: 200}}),
    "requests_app:landing": PUBLIC_PAGE,
    "requests_app:privacy": PUBLIC_PAGE,
    "requests_app:accessibility": PUBLIC_PAGE,
    "requests_app:inquiry-create": PUBLIC_PAGE,
    # Without a submission in this browser's session the receipt sends the visitor to the form.
    "requests_app:inquiry-receipt": Entry({"GET": every(302)}),
    "requests_app:staff-inquiry-list": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
    "requests_app:staff-inquiry-export-csv": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
    "requests_app:staff-inquiry-export-xlsx": Entry(
        {"GET": staff(unit=200, executive=200, manager=200)}, build=listed_inquiry, lists_inquiries=True
    ),
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
    "requests_app:staff-inquiry-create": Entry(
        {
            "GET": staff(unit=403, executive=403, manager=200),
            "POST": staff(unit=403, executive=403, manager=200),  # the empty form comes back with its errors
        },
    ),
    "requests_app:staff-inquiry-detail": Entry(
        {"GET": staff(unit=404, executive=200, manager=200)}, build=inquiry_page
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


def collected_url_names() -> dict[str, tuple[URLPattern, bool]]:
    """Every named URL of the project: full name → (pattern, whether it is under i18n_patterns)."""
    names = {}
    for name, pattern, i18n, module in _walk(get_resolver().url_patterns, (), False, "portal.urls"):
        # Django's admin and allauth are third-party and tested there; one representative of each stays in.
        if name.startswith("admin:") and name != "admin:index":
            continue
        if module.startswith("allauth.") and name != "account_login":
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
            kwargs = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
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
