"""Routing: which unit an inquiry most likely belongs to, and why, from the admin's routing rules."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, StringAgg, Value
from django.db.models.functions import Cast

from partners.models import MunicipalUnit
from requests_app.models import RoutingRule
from requests_app.models.inquiry import routing_reason


@dataclass(frozen=True)
class Suggestion:
    unit: MunicipalUnit
    basis: dict[str, Any]  # what matched, stored on the inquiry; Inquiry.suggestion_reason words it
    rule: RoutingRule

    @property
    def reason(self) -> str:
        return routing_reason(self.basis, self.unit)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _matching_keyword(rule: RoutingRule, words: list[str]) -> str | None:
    for keyword in rule.keyword_list:
        # Split like the text, so a keyword with punctuation (e-mobilitet, co2-utslipp) can match at all.
        parts = _words(keyword)
        if not parts:
            continue
        for index in range(len(words) - len(parts) + 1):
            window = words[index : index + len(parts)]
            if window[:-1] == parts[:-1] and window[-1].startswith(parts[-1]):
                return keyword
    return None


def suggest_unit(
    *, title: str, description: str, inquiry_type: str, organisation_kind: str, goal_numbers: Iterable[int]
) -> Suggestion | None:
    """The first active rule, by priority, whose every filled-in condition the inquiry meets.

    One query (the rules with their units, and each rule's goals as a list), whatever the number of rules. The
    reason names what matched, for example: SDG 11 and the word “mobilitet” → Byutvikling og miljø.
    """
    goals = set(goal_numbers)
    words = _words(f"{title} {description}")
    rules = (
        RoutingRule.objects.filter(is_active=True, unit__accepts_inquiries=True)
        .select_related("unit")
        # The goals' numbers, "4,11", in the same query: lighter than prefetching every rule's SdgGoal rows.
        .annotate(goal_list=StringAgg(Cast("sdg_goals", CharField()), Value(","), default=Value("")))
        .order_by("position", "pk")
    )
    for rule in rules:
        basis: dict[str, Any] = {"rule": rule.pk}
        if rule.inquiry_types:
            if inquiry_type not in rule.inquiry_types:
                continue
            basis["inquiry_type"] = inquiry_type
        if rule.organisation_kinds:
            if organisation_kind not in rule.organisation_kinds:
                continue
            basis["organisation_kind"] = organisation_kind
        rule_goals = {int(number) for number in rule.goal_list.split(",") if number}
        if rule_goals:
            matched = sorted(rule_goals & goals)
            if not matched:
                continue
            basis["goals"] = matched
        if rule.keyword_list:
            keyword = _matching_keyword(rule, words)
            if keyword is None:
                continue
            basis["word"] = keyword
        if len(basis) == 1:
            continue  # a rule without conditions would match everything
        return Suggestion(unit=rule.unit, basis=basis, rule=rule)
    return None
