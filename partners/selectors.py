"""Reads of partners data that other apps reuse."""

import datetime
import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from partners.models import (
    Contact,
    MunicipalUnit,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    User,
)


def units_taking_inquiries() -> QuerySet[MunicipalUnit]:
    """Units that inquiries may be routed to, in display order."""
    return MunicipalUnit.objects.filter(accepts_inquiries=True, is_secretariat=False)


# Partner accounts and their organisations ---------------------------------------------------------------------------


def memberships_of(user: User) -> QuerySet[OrganisationMembership]:
    """The organisations an active account speaks for, by name, with the organisation loaded."""
    if not user.is_authenticated or not user.is_active:
        return OrganisationMembership.objects.none()
    return (
        OrganisationMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )


def is_organisation_admin(user: User, organisation: Organisation) -> bool:
    """Whether the user may invite colleagues to the organisation (and withdraw invitations)."""
    return memberships_of(user).filter(organisation=organisation, is_admin=True).exists()


def organisation_members(organisation: Organisation) -> QuerySet[OrganisationMembership]:
    """Who speaks for the organisation, admins first, with the accounts loaded."""
    return (
        OrganisationMembership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user", "added_by")
        .order_by("-is_admin", "user__full_name", "user__email")
    )


def pending_invitations(organisation: Organisation, *, now: datetime.datetime) -> QuerySet[OrganisationInvitation]:
    """Invitations to the organisation whose link still works, newest first."""
    return (
        OrganisationInvitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_for_token(token: str) -> OrganisationInvitation | None:
    """The invitation whose e-mailed token this is, whatever its state; None for an unknown token."""
    return (
        OrganisationInvitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=OrganisationInvitation.hash_token(token))
        .first()
    )


# Likely duplicate organisations ---------------------------------------------------------------------------------
#
# Two organisations are flagged as likely the same when they are in the same country, do not have two different
# organisation numbers (then they are two legal entities, whatever their names), and their names are alike:
# equal, or with a difflib ratio of at least DUPLICATE_NAME_SIMILARITY, once normalised (see name_key). The same
# organisation number cannot occur twice (a unique constraint), so the number needs no comparison of its own.
#
# Cost: one query for the names; then only names in the same country whose keys start with the same letter are
# compared, and only those whose lengths allow the ratio (2·shorter / (sum of lengths)). A typo in the first
# letter is therefore not found. Good for the register's size (thousands); not meant for millions.

DUPLICATE_NAME_SIMILARITY = 0.85

# Letters that Unicode does not decompose into a base letter and a mark; the rest (é, ü, ä …) are decomposed.
_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"})
# Words that say what kind of body it is, not which one: left out, so that "Oslo kommune" and "Oslo", or
# "Nidaros Klimalab AS" and "Nidaros Klimalab", compare equal, and "Vestland fylkeskommune" and "Vestfold
# fylkeskommune" are compared on "vestland" and "vestfold" (not alike).
_GENERIC_WORDS = frozenset(
    {
        *("as", "asa", "ans", "da", "sa", "ba", "ab", "oy", "oyj", "aps"),  # Nordic legal forms
        *("ltd", "limited", "inc", "llc", "plc", "gmbh", "ag", "bv", "nv", "srl", "spa", "sas"),  # other legal forms
        *("kommune", "fylkeskommune", "kommun", "municipality", "county", "council", "city", "of", "the"),
    }
)


@functools.lru_cache(maxsize=100_000)
def name_key(name: str) -> str:
    """A name as the duplicate check compares it: case-folded, æ/ø/å and accents spelled out in plain letters,
    punctuation and spaces dropped, legal forms and words like “kommune” left out."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    text = "".join(character for character in text if not unicodedata.combining(character))
    words = re.findall(r"[a-z0-9]+", text)
    distinctive = [word for word in words if word not in _GENERIC_WORDS]
    return "".join(distinctive or words)


@dataclass(frozen=True)
class _Candidate:
    pk: int
    key: str
    number: str


def _alike(first: _Candidate, second: _Candidate, matcher: difflib.SequenceMatcher[str]) -> bool:
    """Whether the two are likely the same; `matcher` has `first.key` as its second sequence (which difflib
    analyses once and caches, so one matcher serves every comparison with `first`)."""
    if first.number and second.number and first.number != second.number:
        return False
    if first.key == second.key:
        return True
    matcher.set_seq1(second.key)
    return matcher.quick_ratio() >= DUPLICATE_NAME_SIMILARITY and matcher.ratio() >= DUPLICATE_NAME_SIMILARITY


def _matcher(key: str) -> difflib.SequenceMatcher[str]:
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)
    return matcher


def _within_reach(shorter: int, longer: int) -> bool:
    """Whether two keys of these lengths can reach the similarity at all (difflib's real_quick_ratio)."""
    return 2 * shorter >= DUPLICATE_NAME_SIMILARITY * (shorter + longer)


def _pairs(candidates: Iterable[tuple[str, _Candidate]]) -> Iterable[tuple[_Candidate, _Candidate]]:
    """Alike pairs among (country, candidate)s, compared only within a country and first letter of the key."""
    blocks: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    for country, candidate in candidates:
        if candidate.key:
            blocks[(country, candidate.key[0])].append(candidate)
    for block in blocks.values():
        block.sort(key=lambda candidate: len(candidate.key))
        for index, first in enumerate(block):
            matcher = _matcher(first.key)
            for second in block[index + 1 :]:
                if not _within_reach(len(first.key), len(second.key)):
                    break  # sorted by length: every later key is longer still
                if _alike(first, second, matcher):
                    yield first, second


def likely_duplicate_map(organisations: QuerySet[Organisation]) -> dict[int, set[int]]:
    """For each of `organisations` with a likely duplicate among them: the ids of those duplicates. One query."""
    rows = organisations.order_by().values_list("pk", "name", "country", "organisation_number")
    candidates = [(str(country), _Candidate(pk, name_key(name), number)) for pk, name, country, number in rows]
    duplicates: dict[int, set[int]] = defaultdict(set)
    for first, second in _pairs(candidates):
        duplicates[first.pk].add(second.pk)
        duplicates[second.pk].add(first.pk)
    return dict(duplicates)


def likely_duplicates_of(organisation: Organisation, among: QuerySet[Organisation]) -> list[Organisation]:
    """The organisations in `among` that are likely the same as `organisation`, by name, with what the pages show of
    them (id, name, organisation number; the country is the same). One query: the names of those in its country
    (thousands for Norway) are read as values, not as objects, and each name's key is computed once per process."""
    own = _Candidate(organisation.pk, name_key(organisation.name), organisation.organisation_number)
    if not own.key:
        return []
    others = (
        among.filter(country=organisation.country)
        .exclude(pk=organisation.pk)
        .order_by()
        .values_list("pk", "name", "organisation_number")
    )
    matcher = _matcher(own.key)
    found = []
    for pk, name, number in others:
        candidate = _Candidate(pk, name_key(name), number)
        lengths = sorted((len(own.key), len(candidate.key)))
        if candidate.key[:1] == own.key[:1] and _within_reach(*lengths) and _alike(own, candidate, matcher):
            found.append(Organisation(pk=pk, name=name, organisation_number=number, country=organisation.country))
    return sorted(found, key=lambda other: (other.name, other.pk))


def primary_verified_address(user: User) -> str:
    """The account's primary address if it is verified, else any verified one; "" when none is."""
    address = (
        EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk").values_list("email", flat=True)
    ).first()
    return address or ""


def contact_in(organisation: Organisation, email: str) -> Contact | None:
    """The organisation's contact with this e-mail address, if the register has one."""
    return Contact.objects.filter(organisation=organisation, email__iexact=email).first() if email else None
