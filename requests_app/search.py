"""The inbox's free-text search (its `q`), through the full-text indexes of migration 0013_search.

Every word must be found somewhere: in the inquiry's reference, title or description, in the name of its
organisation, or in the name or e-mail address of its contact (the fields may differ from word to word). A word
finds the words of those texts that begin with it, whatever their case: `mobil` finds “mobilitet” and “Mobilitetslab
AS”, `ØRLAND` finds “Ørlandet”. Letters are otherwise compared as they are: æ, ø and å are letters of their own
(`gronn` does not find “grønn”) and no accent is dropped (`cafe` does not find “café”), on both databases. A word
is not found inside a longer word (`mobilitet` does not find “bymobilitet”).

A word with punctuation in it is the runs of letters and digits it holds, in that order and side by side: a
reference (`2026-0042`), an e-mail address or the start of one (`ola.nordmann@firma`, `@firma.no`), “e-post”.
A reference typed without its leading zeros (`2026-42`) finds 2026-0042 as well. Whatever is typed is only ever
used as those runs of letters and digits, so no character (quotes, `*`, `-`, `NEAR(`, `:`, `&`, `!`) can change
the query or make it fail; a word without any letter or digit is left out.

- SQLite: one FTS5 table for each of inquiries, organisations and contacts (unicode61 tokens, no diacritics removed),
  over the rows themselves (external content) and kept up to date by triggers on the three tables.
- PostgreSQL: one document for each inquiry, requests_app_search_vector() of all those texts, which holds their
  words in the 'simple' (as written), 'norwegian' and 'english' configurations, with a GIN index; kept up to date by
  triggers. A word is looked up in all three configurations, so PostgreSQL also finds other forms of a word
  (`kommunene` finds “kommune”, `mobiliteten` finds “mobilitet”).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from requests_app.models import Inquiry

MAX_WORDS = 8

_PARTS = re.compile(r"[^\W_]+")  # runs of letters and digits, as SQLite's unicode61 tokenizer splits text
# PostgreSQL leaves words of more than 2047 bytes out of its documents; a longer part is cut to this length, on both
# databases alike (it then finds the words that begin with those letters, as a last part would).
MAX_PART_LENGTH = 200
_SHORT_REFERENCE = re.compile(r"([0-9]{4})-([0-9]{1,3})")
_REFERENCE = re.compile(r"[0-9]{4}-[0-9]{4,}")


@dataclass(frozen=True)
class Word:
    """One word of the search as the spellings it may have, each the runs of letters and digits in it.

    `selective`: a reference or an e-mail address, which few rows can hold (SQLite then looks up those rows).
    """

    spellings: tuple[tuple[str, ...], ...]
    selective: bool


def words(text: str) -> list[Word]:
    """The first MAX_WORDS words of `text` that hold a letter or a digit."""
    found = []
    for word in unicodedata.normalize("NFC", text).split():
        parts = tuple(part[:MAX_PART_LENGTH] for part in _PARTS.findall(word))
        if not parts:
            continue
        spellings = [parts]
        short = _SHORT_REFERENCE.fullmatch(word)
        if short:
            year, number = short.groups()
            spellings.append((year, number.zfill(4)))
        selective = bool(short or _REFERENCE.fullmatch(word) or ("@" in word and len(parts) > 1))
        found.append(Word(tuple(spellings), selective))
        if len(found) == MAX_WORDS:
            break
    return found


def matching(queryset: QuerySet[Inquiry], text: str) -> QuerySet[Inquiry]:
    """The inquiries of `queryset` in which every word of `text` is found (see the module's docstring).

    Only `id IN (subquery)` conditions are added (one for each word on SQLite, one in all on PostgreSQL), so an
    inquiry is never listed twice, and the order, the other filters and the pagination of `queryset` stay as they
    are; no query is added.
    """
    found = words(text)
    if not found:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        return _matching_sqlite(queryset, found)
    if vendor == "postgresql":
        return _matching_postgresql(queryset, found)
    raise NotImplementedError(f"No full-text search for {vendor}.")


# --- SQLite: FTS5 -------------------------------------------------------------------------------------------------

_SQLITE_WORD = """
    SELECT rowid FROM requests_app_search_inquiry WHERE requests_app_search_inquiry MATCH %s
    UNION ALL
    SELECT id FROM requests_app_inquiry WHERE organisation_id IN (
        SELECT rowid FROM requests_app_search_organisation WHERE requests_app_search_organisation MATCH %s
    )
    UNION ALL
    SELECT id FROM requests_app_inquiry WHERE contact_id IN (
        SELECT rowid FROM requests_app_search_contact WHERE requests_app_search_contact MATCH %s
    )
"""


def fts5_query(word: Word) -> str:
    """The FTS5 query for one word: each spelling a phrase whose last part is a prefix, e.g. `"2026 42"* OR
    "2026 0042"*`. The parts are letters and digits only, so they never hold a quote or an operator."""
    return " OR ".join('"' + " ".join(parts) + '"*' for parts in word.spellings)


def _matching_sqlite(queryset: QuerySet[Inquiry], found: list[Word]) -> QuerySet[Inquiry]:
    # SQLite takes the ids a subquery returns as the ones to look up, then sorts the rows it found; that is quick
    # for a reference, but for a common word it fetches and sorts tens of thousands of rows to show 25. Compared
    # as `id + 0`, the ids are checked while the list is read in its order instead, which stops after a page.
    queryset = queryset.alias(search_id=F("pk") + 0)
    for word in found:
        query = fts5_query(word)
        ids = RawSQL(_SQLITE_WORD, [query, query, query])  # noqa: S611  # constant SQL; the words are parameters
        queryset = queryset.filter(pk__in=ids) if word.selective else queryset.filter(search_id__in=ids)
    return queryset


# --- PostgreSQL: tsvector and GIN ---------------------------------------------------------------------------------


def tsquery(word: Word) -> str:
    """The to_tsquery() text for one word: each spelling a phrase whose last part is a prefix, e.g.
    `('2026' <-> '42':*) | ('2026' <-> '0042':*)`. The parts are letters and digits only, quoted all the same."""

    def quoted(part: str) -> str:
        return "'" + part.replace("\\", "\\\\").replace("'", "''") + "'"

    return " | ".join("(" + " <-> ".join(quoted(part) for part in parts) + ":*)" for parts in word.spellings)


def _matching_postgresql(queryset: QuerySet[Inquiry], found: list[Word]) -> QuerySet[Inquiry]:
    # All the words in one query of the index, which finds the documents that hold them all at once.
    queries = " && ".join(["requests_app_search_query(%s)"] * len(found))
    ids = RawSQL(  # noqa: S611  # the SQL is ours, the words are parameters
        f"SELECT inquiry_id FROM requests_app_search_document WHERE document @@ ({queries})",  # noqa: S608
        [tsquery(word) for word in found],
    )
    return queryset.filter(pk__in=ids)
