"""The people of the load data: generated staff in every role, organisations of every kind, their contacts."""

import datetime
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import models

from partners.models import Contact, MunicipalUnit, Organisation, Role, User
from requests_app.benchmark import vocabulary as words
from requests_app.benchmark.marker import generated_address

# Kinds of the generated organisations (the named ones cover municipalities, counties, agencies and UN bodies).
GENERATED_KINDS = {"company": 50, "ngo": 18, "research": 12, "financial": 6, "other": 14}


_GIVEN_TIMESTAMPS: list[tuple[type[models.Model], str]] = [
    (Organisation, "created_at"),
    (Organisation, "updated_at"),
    (Contact, "created_at"),
    (Contact, "updated_at"),
]


@contextmanager
def timestamps_as_given() -> Iterator[None]:
    """auto_now and auto_now_add off while bulk_create writes organisations and contacts with their own times."""
    saved = []
    for model, name in _GIVEN_TIMESTAMPS:
        date_field = model._meta.get_field(name)
        assert isinstance(date_field, models.DateField)
        saved.append((date_field, date_field.auto_now, date_field.auto_now_add))
        date_field.auto_now = date_field.auto_now_add = False
    try:
        yield
    finally:
        for date_field, auto_now, auto_now_add in saved:
            date_field.auto_now, date_field.auto_now_add = auto_now, auto_now_add


def _batch_size(model: type[models.Model]) -> int:
    """Rows per INSERT: well inside SQLite's and PostgreSQL's limits on parameters per statement."""
    return max(1, 30_000 // len(model._meta.concrete_fields))


def _bulk(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    if rows:
        model._default_manager.bulk_create(rows, batch_size=_batch_size(model))


def ensure_staff() -> tuple[list[int], dict[int, list[int]]]:
    """The generated staff: five in the secretariat, two executives, four officers per unit (created once)."""
    units = list(MunicipalUnit.objects.filter(is_secretariat=False).order_by("code"))
    names = list(words.STAFF_NAMES)
    plan: list[tuple[str, str | None, MunicipalUnit | None]] = []
    plan += [(names.pop(0), Role.SECRETARIAT, None) for _ in range(5)]
    plan += [(names.pop(0), Role.EXECUTIVE, None) for _ in range(2)]
    for member_of in units:
        plan += [(names.pop(0) if names else f"{member_of.code} {index}", None, member_of) for index in range(4)]
    groups = {group.name: group for group in Group.objects.all()}
    secretariat: list[int] = []
    officers: dict[int, list[int]] = {}
    for full_name, role, unit in plan:
        email = generated_address("staff." + full_name.replace(" ", "."))
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=full_name, preferred_language="nb")
            if role:
                user.groups.add(groups[role])
            if unit:
                unit.members.add(user)
        if role == Role.SECRETARIAT:
            secretariat.append(user.pk)
        if unit:
            officers.setdefault(unit.pk, []).append(user.pk)
    return secretariat, officers


def _organisation_number(rng: random.Random, taken: set[str]) -> str:
    """A valid, unused Norwegian organisation number (nine digits, MOD11)."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = str(rng.randrange(80_000_000, 100_000_000))
        check = (11 - sum(weight * int(digit) for weight, digit in zip(weights, digits, strict=True)) % 11) % 11
        if check == 10:
            continue
        number = digits + str(check)
        if number not in taken:
            taken.add(number)
            return number


def _generated_name(rng: random.Random, kind: str, country: str) -> str:
    stem, field_name = rng.choice(words.NAME_STEMS), rng.choice(words.NAME_FIELDS)
    topic = rng.choice(words.TOPICS).nb
    fill = {"stem": stem, "field": field_name, "field_lower": field_name.lower(), "topic": topic}
    if kind == Organisation.Kind.NGO:
        return rng.choice(words.NGO_PATTERNS).format(**fill)
    if kind == Organisation.Kind.RESEARCH:
        return rng.choice(words.RESEARCH_PATTERNS).format(**fill)
    if kind == Organisation.Kind.FINANCIAL:
        return rng.choice(words.FINANCIAL_PATTERNS).format(**fill)
    if kind == Organisation.Kind.OTHER:
        return rng.choice(words.OTHER_PATTERNS).format(**fill)
    region = rng.choice(words.NAME_REGIONS)
    form = words.LEGAL_FORMS.get(country, "Ltd")
    return " ".join(part for part in (f"{stem}{field_name.lower()}", region, form) if part)


@dataclass
class Partner:
    """An organisation as the stories need it, with its contacts (id, language)."""

    pk: int
    name: str
    kind: str
    country: str
    contacts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def story_view(self) -> tuple[int, str, str, str]:
        return (self.pk, self.name, self.kind, self.country)


def create_partners(rng: random.Random, count: int, since: datetime.datetime) -> list[Partner]:
    """The named organisations (reused when they exist) and `count` generated ones, each with 1–8 contacts."""
    wanted: list[Organisation] = []
    for name, number in words.NORWEGIAN_MUNICIPALITIES:
        wanted.append(Organisation(name=name, kind="municipality", country="NO", municipality_number=number))
    for name, country in words.FOREIGN_MUNICIPALITIES:
        wanted.append(Organisation(name=name, kind="municipality", country=country))
    wanted += [Organisation(name=name, kind="county", country="NO") for name in words.COUNTIES]
    wanted += [Organisation(name=name, kind=kind, country=country) for name, kind, country in words.NAMED_ORGANISATIONS]
    existing = {
        (org.name, str(org.country)): org for org in Organisation.objects.filter(name__in=[o.name for o in wanted])
    }
    taken = set(Organisation.objects.exclude(organisation_number="").values_list("organisation_number", flat=True))
    countries = [country for country, _weight in words.GENERATED_COUNTRIES]
    country_weights = [weight for _country, weight in words.GENERATED_COUNTRIES]
    for _ in range(count):
        kind = rng.choices(list(GENERATED_KINDS), weights=list(GENERATED_KINDS.values()))[0]
        country = rng.choices(countries, weights=country_weights)[0]
        wanted.append(Organisation(name=_generated_name(rng, kind, country), kind=kind, country=country))
    new: list[Organisation] = []
    for organisation in wanted:
        known = existing.get((organisation.name, str(organisation.country)))
        if known is not None:
            organisation.pk = known.pk
            continue
        created = since - datetime.timedelta(days=rng.randint(1, 400))
        organisation.created_at = organisation.updated_at = created
        registered = organisation.kind in {"company", "ngo", "research", "financial", "other"}
        if organisation.country == "NO" and registered and rng.random() < 0.8:
            organisation.organisation_number = _organisation_number(rng, taken)
        if rng.random() < 0.5:
            slug = generated_address(organisation.name.replace(" ", "-")).split("@")[0][:40]
            organisation.website = f"https://{slug}.{words.GENERATED_DOMAIN}/"
        if rng.random() < 0.2:
            organisation.name_published_since = (since + datetime.timedelta(days=rng.randint(0, 1500))).date()
        new.append(organisation)
    _bulk(Organisation, new)
    # The named ones first, in a shuffled order: the first ones are the most frequent senders.
    named, generated = wanted[: len(wanted) - count], wanted[len(wanted) - count :]
    rng.shuffle(named)
    partners = [Partner(org.pk, org.name, org.kind, str(org.country)) for org in [*named, *generated]]
    contacts: list[Contact] = []
    languages: list[tuple[Partner, str]] = []
    offset = Contact.objects.count()
    for rank, partner in enumerate(partners):
        norwegian = partner.country == "NO"
        how_many = rng.randint(3, 8) if rank < 40 else rng.choice([1, 1, 1, 2, 2, 3])
        for _ in range(how_many):
            english = not norwegian or rng.random() < 0.08
            first = rng.choice(words.FIRST_NAMES_EN if english and not norwegian else words.FIRST_NAMES_NB)
            last = rng.choice(words.LAST_NAMES_EN if english and not norwegian else words.LAST_NAMES_NB)
            offset += 1
            language = "en" if english else "nb"
            created = since - datetime.timedelta(days=rng.randint(0, 300))
            contacts.append(
                Contact(
                    organisation_id=partner.pk,
                    name=f"{first} {last}",
                    email=generated_address(f"{first}.{last}.{offset}"),
                    phone=f"+47 {rng.randint(400, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}"
                    if norwegian
                    else "",
                    role=rng.choice(words.ROLES_EN if english else words.ROLES_NB),
                    preferred_language=language,
                    consent_on=created.date(),
                    created_at=created,
                    updated_at=created,
                )
            )
            languages.append((partner, language))
    _bulk(Contact, contacts)
    for contact, (partner, language) in zip(contacts, languages, strict=True):
        partner.contacts.append((contact.pk, language))
    return partners
