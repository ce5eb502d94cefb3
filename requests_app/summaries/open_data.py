"""The open statistics at /statistics/: per year, how many inquiries the centre received by SDG goal and by kind of
organisation, the outcomes decided by type, and the organisations that agreed to be named with their number of
inquiries.

Counts only. Nothing here reads a contact, a member of staff, a reference, a title, a description or any other text
of an inquiry, and an organisation is named only from the day its consent is recorded
(Organisation.name_published_since on or before today). Every year is computed at once, grouped in the database by
the year in Europe/Oslo time, so the whole set is a fixed number of queries however many years and inquiries there
are. The set is kept in the cache for a few minutes per language and day, and forgotten when a consent changes.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Organisation
from requests_app.models import Inquiry, Outcome, SdgGoal
from requests_app.summaries.aggregates import NOT_COUNTED, counted_inquiries

# The figures are open data under this licence, with the centre as the source (named in the active language).
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = gettext_lazy("UN Centre Trondheim")

# How long the page and the downloads may be kept, by our cache and by browsers and proxies (seconds).
CACHE_SECONDS = 300
_CACHE_KEY = "open-statistics:v1:{language}:{day}"


class Dimension(StrEnum):
    """What a row counts by."""

    TOTAL = "total"
    SDG_GOAL = "sdg_goal"
    ORGANISATION_KIND = "organisation_kind"
    OUTCOME = "outcome"
    ORGANISATION = "organisation"


class Total(StrEnum):
    """The codes of the year's totals."""

    INQUIRIES = "inquiries"
    WITHOUT_GOAL = "inquiries_without_goal"
    OUTCOMES = "outcomes"


# The columns of the CSV and the keys of each row of the JSON, in order, with what each means: the page's <dl> and
# the JSON's "fields" both come from here.
FIELDS: tuple[tuple[str, Promise], ...] = (
    (
        "year",
        gettext_lazy(
            "The calendar year in Norwegian time: an inquiry received at 00:30 on 1 January, Norwegian time, "
            "counts in the new year."
        ),
    ),
    (
        "dimension",
        gettext_lazy(
            "What the row counts by: total (the year's totals), sdg_goal (inquiries by Sustainable Development "
            "Goal), organisation_kind (inquiries by kind of organisation), outcome (outcomes by type, in the year "
            "they were decided) or organisation (inquiries from an organisation that has agreed to be named)."
        ),
    ),
    (
        "code",
        gettext_lazy(
            "A code for the value that stays the same in both languages: the name of the total, the goal's number "
            "(1–17), the kind of organisation, the type of outcome, or the organisation's Norwegian organisation "
            "number (empty if it has none)."
        ),
    ),
    ("label", gettext_lazy("The value in words, in the language of the page or download (bokmål or English).")),
    (
        "count",
        gettext_lazy(
            "How many. Spam and duplicates are not counted. An inquiry about several goals counts once for each "
            "of them."
        ),
    ),
)


@dataclass(frozen=True)
class Row:
    """One count: a line of the CSV, an object of the JSON's data, a row of one of the page's tables."""

    year: int
    dimension: str
    code: str
    label: str
    count: int

    def as_dict(self) -> dict[str, str | int]:
        return {
            "year": self.year,
            "dimension": str(self.dimension),
            "code": str(self.code),
            "label": self.label,
            "count": self.count,
        }


@dataclass(frozen=True)
class YearFigures:
    """One year's counts. Every goal, kind and type of outcome is listed, with 0 where there is nothing; only the
    consenting organisations with inquiries in the year are."""

    year: int
    totals: list[Row]
    goals: list[Row]
    kinds: list[Row]
    outcomes: list[Row]
    organisations: list[Row]

    def total(self, code: Total) -> int:
        return next(row.count for row in self.totals if row.code == code)

    @property
    def inquiries(self) -> int:
        return self.total(Total.INQUIRIES)

    @property
    def without_goal(self) -> int:
        return self.total(Total.WITHOUT_GOAL)

    @property
    def outcomes_decided(self) -> int:
        return self.total(Total.OUTCOMES)

    def rows(self) -> Iterator[Row]:
        yield from self.totals
        yield from self.goals
        yield from self.kinds
        yield from self.outcomes
        yield from self.organisations


@dataclass(frozen=True)
class OpenStatistics:
    """Every year's figures, oldest first, with the labels in `language` and the moment they were computed."""

    language: str
    generated_at: datetime.datetime
    years: list[YearFigures] = field(default_factory=list)

    def rows(self) -> Iterator[Row]:
        for figures in self.years:
            yield from figures.rows()

    def year(self, year: int) -> YearFigures | None:
        return next((figures for figures in self.years if figures.year == year), None)


YearCounts = dict[int, dict[str, int]]


def _by_year(rows: Iterable[Mapping[str, Any]], key: str) -> YearCounts:
    """{year: {value of `key`: count}} from grouped rows with "year", `key` and "n"."""
    counts: YearCounts = {}
    for row in rows:
        counts.setdefault(int(row["year"]), {})[str(row[key])] = int(row["n"])
    return counts


@dataclass(frozen=True)
class _Counts:
    """What the database says, grouped by year: five queries."""

    received: dict[int, int]
    without_goal: dict[int, int]
    goals: YearCounts
    kinds: YearCounts
    outcomes: YearCounts
    named: dict[int, list[tuple[str, str, int]]]  # year → (name, organisation number, inquiries)

    @classmethod
    def query(cls, today: datetime.date) -> "_Counts":
        # ExtractYear reads the datetime in the current time zone (Europe/Oslo), as the summary periods do.
        inquiries = counted_inquiries().order_by().annotate(year=ExtractYear("received_at"))
        tagged = Inquiry.sdg_goals.through.objects.filter(inquiry=OuterRef("pk"))
        totals = list(
            inquiries.annotate(tagged=Exists(tagged))
            .values("year")
            .annotate(n=Count("pk"), untagged=Count("pk", filter=Q(tagged=False)))
            .values("year", "n", "untagged")
        )
        through: Any = Inquiry.sdg_goals.through  # the stubs cannot see annotations on an auto-created table
        goals = (
            through.objects.filter(inquiry__in=counted_inquiries().values("pk"))
            .annotate(year=ExtractYear("inquiry__received_at"))
            .values("year", "sdggoal_id")
            .annotate(n=Count("inquiry_id"))
            .values("year", "sdggoal_id", "n")
        )
        kinds = (
            inquiries.values("year", "organisation__kind")
            .annotate(n=Count("pk"))
            .values("year", "organisation__kind", "n")
        )
        # The outcomes of spam and duplicates are not counted either; an outcome counts in the year it was decided.
        outcomes = (
            Outcome.objects.exclude(inquiry__status__in=NOT_COUNTED)
            .order_by()
            .annotate(year=ExtractYear("decided_on"))
            .values("year", "type")
            .annotate(n=Count("pk"))
            .values("year", "type", "n")
        )
        named: dict[int, list[tuple[str, str, int]]] = {}
        for row in (
            inquiries.filter(organisation__name_published_since__lte=today)
            .values("year", "organisation_id", "organisation__name", "organisation__organisation_number")
            .annotate(n=Count("pk"))
            .values("year", "organisation__name", "organisation__organisation_number", "n")
        ):
            named.setdefault(int(row["year"]), []).append(
                (row["organisation__name"], row["organisation__organisation_number"], int(row["n"]))
            )
        return cls(
            received={int(row["year"]): int(row["n"]) for row in totals},
            without_goal={int(row["year"]): int(row["untagged"]) for row in totals},
            goals=_by_year(goals, "sdggoal_id"),
            kinds=_by_year(kinds, "organisation__kind"),
            outcomes=_by_year(outcomes, "type"),
            named=named,
        )

    def year(self, year: int, goals: list[SdgGoal]) -> YearFigures:
        """The year's rows, labelled in the active language."""
        goal_counts, kind_counts = self.goals.get(year, {}), self.kinds.get(year, {})
        outcome_counts = self.outcomes.get(year, {})
        return YearFigures(
            year=year,
            totals=[
                Row(year, Dimension.TOTAL, Total.INQUIRIES, _("Inquiries received"), self.received.get(year, 0)),
                Row(
                    year,
                    Dimension.TOTAL,
                    Total.WITHOUT_GOAL,
                    _("Inquiries without an SDG goal"),
                    self.without_goal.get(year, 0),
                ),
                Row(year, Dimension.TOTAL, Total.OUTCOMES, _("Outcomes decided"), sum(outcome_counts.values())),
            ],
            goals=[
                Row(year, Dimension.SDG_GOAL, str(goal.number), str(goal), goal_counts.get(str(goal.number), 0))
                for goal in goals
            ],
            kinds=[
                Row(year, Dimension.ORGANISATION_KIND, code, str(label), kind_counts.get(code, 0))
                for code, label in Organisation.Kind.choices
            ],
            outcomes=[
                Row(year, Dimension.OUTCOME, code, str(label), outcome_counts.get(code, 0))
                for code, label in Outcome.Type.choices
            ],
            organisations=[
                Row(year, Dimension.ORGANISATION, number, name, count)
                for name, number, count in sorted(self.named.get(year, []), key=lambda item: (-item[2], item[0]))
            ],
        )


def compute_open_statistics(today: datetime.date | None = None) -> OpenStatistics:
    """The figures of every year from the first with an inquiry or an outcome to `today`'s, labelled in the active
    language. Six queries, whatever is in the database."""
    today = today or timezone.localdate()
    counts = _Counts.query(today)
    goals = list(SdgGoal.objects.order_by("number"))
    first = min([*counts.received, *counts.outcomes, today.year])
    return OpenStatistics(
        language=translation.get_language() or settings.LANGUAGE_CODE,
        generated_at=timezone.now(),
        years=[counts.year(year, goals) for year in range(first, today.year + 1)],
    )


def _cache_key(language: str, day: datetime.date) -> str:
    return _CACHE_KEY.format(language=language, day=day.isoformat())


def open_statistics() -> OpenStatistics:
    """The figures in the active language, from the cache when they were computed in the last few minutes today."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    today = timezone.localdate()
    key = _cache_key(language, today)
    figures = cache.get(key)
    if not isinstance(figures, OpenStatistics):
        figures = compute_open_statistics(today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def forget_open_statistics() -> None:
    """Drop today's cached figures in every language, so that a recorded or withdrawn consent shows at once."""
    today = timezone.localdate()
    cache.delete_many([_cache_key(code, today) for code, _name in settings.LANGUAGES])
