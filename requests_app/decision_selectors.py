"""Reads for the questions to the chief municipal executive and the UNECE report's highlights.

The inquiry page shows an inquiry's questions and highlights with at most one query (it is at its budget), and none for
an inquiry whose history has neither (`read_questions_and_highlights`): both come as JSON text
(`with_questions_and_highlights`), read back into unsaved rows by `questions_of` and `highlights_of`. The executive's
queue reads the tables directly.
"""

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from partners.models import User
from requests_app.models import DecisionRequest, Inquiry, InquiryEvent, ReportHighlight

# The recently answered questions shown below the executive's queue.
RECENTLY_ANSWERED = 20


def open_decision_requests() -> QuerySet[DecisionRequest]:
    """The questions waiting for the executive, oldest first, with what the queue shows of each (one query)."""
    return (
        DecisionRequest.objects.filter(answered_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("inquiry", "inquiry__organisation", "requested_by")
        .order_by("requested_at", "pk")
    )


def recently_answered_decision_requests() -> QuerySet[DecisionRequest]:
    """The latest answered questions, newest first (one query)."""
    return (
        DecisionRequest.objects.filter(answered_at__isnull=False)
        .select_related("inquiry", "inquiry__organisation", "requested_by", "answered_by")
        .order_by("-answered_at", "-pk")[:RECENTLY_ANSWERED]
    )


def _json_rows(queryset: QuerySet[Any], **fields: Any) -> Subquery:
    """The rows of `queryset` for the outer inquiry as one text of comma-separated JSON objects (None for none)."""
    rows = (
        queryset.filter(inquiry=OuterRef("pk"))
        .order_by()
        .values("inquiry")
        .annotate(rows=StringAgg(Cast(JSONObject(**fields), TextField()), Value(",")))
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


def with_questions_and_highlights(inquiries: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """The inquiries with their questions to the executive and their highlights, read by questions_of and
    highlights_of, in the same query."""
    return inquiries.annotate(
        decision_rows=_json_rows(
            DecisionRequest.objects.all(),
            pk="pk",
            reason="reason",
            question="question",
            requested_at="requested_at",
            requested_by="requested_by_id",
            requested_by_name="requested_by__full_name",
            requested_by_email="requested_by__email",
            answer="answer",
            answer_text="answer_text",
            answered_at="answered_at",
            answered_by="answered_by_id",
            answered_by_name="answered_by__full_name",
            answered_by_email="answered_by__email",
            withdrawn_at="withdrawn_at",
        ),
        highlight_rows=_json_rows(ReportHighlight.objects.all(), pk="pk", year="year", text="text"),
    )


# The events that announce a question or a highlight: every service that writes either row writes one of these in the
# same transaction, and events are never deleted (retention keeps them).
_ANNOUNCED_BY = frozenset({InquiryEvent.Kind.DECISION_REQUESTED, InquiryEvent.Kind.HIGHLIGHT_SET})


def read_questions_and_highlights(inquiry: Inquiry, event_kinds: Iterable[str]) -> None:
    """Give the inquiry page's inquiry its questions and highlights (read by questions_of and highlights_of), knowing
    the kinds of its events (the page has them for the timeline): one query when its history has a question to the
    executive or a highlight, none when it has neither, as most inquiries. (Read with the inquiry itself, the two
    JSON subqueries cost every page 2 ms of query building.)"""
    if _ANNOUNCED_BY.isdisjoint(event_kinds):
        inquiry.decision_rows = inquiry.highlight_rows = None  # type: ignore[attr-defined]
        return
    annotated: Any = with_questions_and_highlights(Inquiry.objects.filter(pk=inquiry.pk))  # the stubs miss the names
    rows = annotated.values_list("decision_rows", "highlight_rows").get()
    inquiry.decision_rows, inquiry.highlight_rows = rows  # type: ignore[attr-defined]


def _moment(value: str | None) -> datetime.datetime | None:
    """A datetime as JSON has it: ISO with an offset (PostgreSQL), or the stored UTC text (SQLite)."""
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _person(pk: int | None, name: str | None, email: str | None) -> User | None:
    return None if pk is None else User(pk=pk, full_name=name or "", email=email or "")


def _rows(inquiry: Inquiry, attribute: str) -> list[dict[str, Any]]:
    text = getattr(inquiry, attribute, None)
    return json.loads(f"[{text}]") if text else []


def questions_of(inquiry: Inquiry) -> list[DecisionRequest]:
    """The inquiry's questions to the executive, oldest first, from with_questions_and_highlights (unsaved rows with
    the people who asked and answered as far as the page shows them: name and e-mail)."""
    questions = []
    for row in _rows(inquiry, "decision_rows"):
        question = DecisionRequest(
            pk=row["pk"],
            inquiry=inquiry,
            reason=row["reason"],
            question=row["question"],
            requested_at=_moment(row["requested_at"]) or timezone.now(),  # never empty in the table
            answer=row["answer"] or "",
            answer_text=row["answer_text"] or "",
            answered_at=_moment(row["answered_at"]),
            withdrawn_at=_moment(row["withdrawn_at"]),
        )
        question.requested_by = _person(row["requested_by"], row["requested_by_name"], row["requested_by_email"])
        question.answered_by = _person(row["answered_by"], row["answered_by_name"], row["answered_by_email"])
        questions.append(question)
    return sorted(questions, key=lambda question: (question.requested_at, question.pk or 0))


def highlights_of(inquiry: Inquiry) -> list[ReportHighlight]:
    """The inquiry's highlights, latest year first, from with_questions_and_highlights."""
    highlights = [
        ReportHighlight(pk=row["pk"], inquiry=inquiry, year=row["year"], text=row["text"])
        for row in _rows(inquiry, "highlight_rows")
    ]
    return sorted(highlights, key=lambda highlight: -highlight.year)
