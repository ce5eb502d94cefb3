"""How long the personal data of a finished inquiry is kept: the rules, as code, and which inquiries are due.

The privacy page renders its table from RETENTION_RULES, so what the portal promises and what it does cannot
drift apart. The period counts from when the inquiry was finished (closed, decided, withdrawn, rejected, marked as
a duplicate) or from its last activity after that, whichever is later: a decided inquiry in which the partner
wrote again last month is not finished with last month's letter still in it.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, DateTimeField, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from requests_app.models import Inquiry, InquiryEvent, Outcome

S = Inquiry.Status


@dataclass(frozen=True)
class RetentionRule:
    """Personal data of a finished inquiry that matches `condition` is removed `years` after it ended.

    The conditions are disjoint (and written without negation: NOT over a missing outcome is NULL in SQL).
    """

    key: str
    label: Any  # lazily translated: what the rule is about, on the privacy page
    years: int
    condition: Q

    @property
    def period(self) -> str:
        return ngettext("%(years)d year", "%(years)d years", self.years) % {"years": self.years}


_ENDED_WITH_OUTCOME = {S.DECIDED, S.CLOSED, S.WITHDRAWN}
_PARTNERSHIPS = Q(status__in=_ENDED_WITH_OUTCOME, outcome__type__in=Outcome.PARTNERSHIP_TYPES)

# Three years is the general limitation period for claims (foreldelsesloven § 2): long enough to follow up a
# collaboration and answer for it, and no longer. Agreements, joint projects and pilots are followed up for their
# effect, so their contacts are kept five years after the last thing that happened (each follow-up pushes it on).
# Spam is not a real inquiry; a year is enough to recognise a sender who tries again. Duplicates are part of the
# case they repeat, so they follow the ordinary period; inquiries decided before outcomes were recorded too.
RETENTION_RULES: tuple[RetentionRule, ...] = (
    RetentionRule("partnership", _("Agreements, joint projects and pilots"), 5, _PARTNERSHIPS),
    RetentionRule(
        "outcome",
        _("Other outcomes: referred, knowledge shared, declined, not our remit, withdrawn, no reply"),
        3,
        Q(
            status__in=_ENDED_WITH_OUTCOME,
            outcome__type__in=[kind for kind in Outcome.Type if kind not in Outcome.PARTNERSHIP_TYPES],
        ),
    ),
    RetentionRule(
        "no_outcome",
        _("Finished without a recorded outcome"),
        3,
        Q(status__in=_ENDED_WITH_OUTCOME, outcome__isnull=True),
    ),
    RetentionRule("duplicate", _("Duplicates of another inquiry"), 3, Q(status=S.DUPLICATE)),
    RetentionRule("spam", _("Rejected as spam"), 1, Q(status=S.SPAM)),
)
RULES_BY_KEY: dict[str, RetentionRule] = {rule.key: rule for rule in RETENTION_RULES}
FINISHED_STATUSES: frozenset[str] = frozenset({*_ENDED_WITH_OUTCOME, S.DUPLICATE, S.SPAM})


def _rule_key() -> Case:
    """The key of the rule that applies to each row, in SQL ("" for an open inquiry)."""
    return Case(
        *[When(rule.condition, then=Value(rule.key)) for rule in RETENTION_RULES],
        default=Value(""),
        output_field=CharField(),
    )


def rule_for(inquiry: Inquiry) -> RetentionRule | None:
    """The rule that applies to a finished inquiry (one query), or None for an open one."""
    key = Inquiry.objects.filter(pk=inquiry.pk).annotate(rule=_rule_key()).values_list("rule", flat=True).first()
    return RULES_BY_KEY.get(key or "")


# Events that do not count as activity: putting on and lifting a hold, and the removal itself.
RETENTION_EVENT_KINDS = (
    InquiryEvent.Kind.RETENTION_HOLD_SET,
    InquiryEvent.Kind.RETENTION_HOLD_CLEARED,
    InquiryEvent.Kind.PERSONAL_DATA_REMOVED,
)


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same moment `years` earlier; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def with_finished_at(inquiries: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Annotate `finished_at`: the later of when the inquiry ended and its last event (hold events left out).

    Closed, withdrawn and spam set closed_at, a decision decided_at; a duplicate has only its event. Without any
    of them (rows made outside the services) it is None, and such an inquiry is never due.
    """
    last_activity = Subquery(
        InquiryEvent.objects.filter(inquiry=OuterRef("pk"))
        .exclude(kind__in=RETENTION_EVENT_KINDS)
        .order_by()
        .values("inquiry")
        .annotate(last=Max("created_at"))
        .values("last"),
        output_field=DateTimeField(),
    )
    ended = Coalesce("closed_at", "decided_at")
    # GREATEST is NULL on SQLite when either side is, so both sides fall back to the other.
    return inquiries.alias(ended=ended, last_activity=last_activity).annotate(
        finished_at=Case(
            When(ended__isnull=True, then=F("last_activity")),
            When(last_activity__isnull=True, then=F("ended")),
            default=Greatest("ended", "last_activity"),
            output_field=DateTimeField(),
        )
    )


def inquiries_past_retention(*, now: datetime.datetime) -> QuerySet[Inquiry]:
    """Finished inquiries whose period has run out and whose personal data is still there, held ones included
    (the caller skips and counts those); annotated with `finished_at` and the key of their rule, `retention_rule`."""
    due = Q()
    for rule in RETENTION_RULES:
        due |= rule.condition & Q(finished_at__lte=years_before(now, rule.years))
    return (
        with_finished_at(Inquiry.objects.filter(anonymised_at__isnull=True))
        .filter(due)
        .annotate(retention_rule=_rule_key())
    )


# Records that belong to no inquiry have periods of their own. The access log (who opened which inquiry or person's
# record, from which address) is kept as long as the longest rule above keeps an inquiry's personal data, so that
# every view of data still held can be accounted for; then its entries are deleted. E-mails not about an inquiry
# (the weekly digest to the chief municipal executive, and the like) keep their recipient and text a year, to
# answer a question about what was sent; then those are removed and the row says only that an e-mail went.
ACCESS_LOG_YEARS = max(rule.years for rule in RETENTION_RULES)
OTHER_EMAIL_YEARS = 1
