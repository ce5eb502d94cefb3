"""Reads of inquiries, scoped to what the user may see."""

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from partners.models import MunicipalUnit, User
from requests_app.business_days import add_business_days
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage, SdgGoal, SdgTarget, ServiceTargets

_RUNNING = (Inquiry.Status.RECEIVED, Inquiry.Status.IN_TRIAGE, Inquiry.Status.ROUTED, Inquiry.Status.IN_PROGRESS)
DUPLICATE_WINDOW_DAYS = 180
DUPLICATE_TITLE_SIMILARITY = 0.6


def inquiries_visible_to(user: User) -> QuerySet[Inquiry]:
    """Every inquiry for the secretariat, executives and administrators; a unit's for its members; else none."""
    inquiries = Inquiry.objects.all()
    if not user.is_authenticated or not user.is_active:
        return inquiries.none()
    if user.sees_all_inquiries:
        return inquiries
    if user.unit_ids:
        # Their units' inquiries, and any they own or collaborate on (e.g. after a transfer or as an expert).
        collaborating = Inquiry.collaborators.through.objects.filter(inquiry=OuterRef("pk"), user=user)
        return inquiries.filter(Q(unit__in=user.unit_ids) | Q(owner=user) | Exists(collaborating))
    return inquiries.none()


def staff_inquiry_list(user: User) -> QuerySet[Inquiry]:
    """The staff list's rows with what the list shows, in a fixed number of queries."""
    return (
        inquiries_visible_to(user)
        .select_related("organisation", "contact", "unit", "owner")
        .order_by("-received_at", "-pk")
    )


def overdue_condition(today: datetime.date) -> Q:
    """Open, not paused for the partner, and past the first-reply or decision due date (see Inquiry.is_overdue)."""
    first_reply_late = Q(first_replied_at__isnull=True, first_reply_due_on__lt=today)
    return Q(status__in=_RUNNING) & (first_reply_late | Q(decision_due_on__lt=today))


def inquiries_needing_interim_reply(*, today: datetime.date) -> QuerySet[Inquiry]:
    """Running inquiries whose decision is due within the warning period, without interim reply or reminder."""
    warning = ServiceTargets.current().interim_reply_warning_business_days
    return Inquiry.objects.filter(
        status__in=_RUNNING,
        decision_due_on__lte=add_business_days(today, warning),
        interim_reply_sent_at__isnull=True,
        interim_reminder_sent_at__isnull=True,
    ).order_by("decision_due_on", "pk")


def _normalised(title: str) -> str:
    return " ".join(title.lower().split())


def likely_duplicates(inquiry: Inquiry, *, visible_to: User) -> list[Inquiry]:
    """Other inquiries within 180 days from the same organisation or contact e-mail with a similar title.

    One query for the candidates; the titles are compared in Python (difflib ratio >= 0.6).
    """
    window = datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = (
        inquiries_visible_to(visible_to)
        .filter(received_at__gte=inquiry.received_at - window, received_at__lte=inquiry.received_at + window)
        .filter(Q(organisation_id=inquiry.organisation_id) | Q(contact__email__iexact=inquiry.contact.email))
        .exclude(pk=inquiry.pk)
        .exclude(status__in=[Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE])
        .select_related("organisation")
        .order_by("-received_at")
    )
    title = _normalised(inquiry.title)
    return [
        candidate
        for candidate in candidates[:200]
        if difflib.SequenceMatcher(None, title, _normalised(candidate.title)).ratio() >= DUPLICATE_TITLE_SIMILARITY
    ]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an inquiry's timeline: an event with a readable detail, or a message or note."""

    at: datetime.datetime
    event: InquiryEvent | None = None
    message: InquiryMessage | None = None
    detail: str = ""


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _describe(event: InquiryEvent, names: dict[str, dict[Any, str]]) -> str:
    """What changed, in words: statuses, units, people, priorities, types, SDGs, linked inquiries and notes."""
    data = event.data or {}
    before, after = data.get("before"), data.get("after")
    parts: list[str] = []
    kind = InquiryEvent.Kind
    if event.kind == kind.ROUTED and isinstance(after, dict):
        parts.append(names["unit"].get(after.get("unit"), "?"))
    elif event.kind in {kind.OWNER_CHANGED}:
        parts.append(f"{names['user'].get(before, '–')} → {names['user'].get(after, '–')}")
    elif event.kind == kind.PRIORITY_CHANGED:
        parts.append(f"{_label(Inquiry.Priority, before)} → {_label(Inquiry.Priority, after)}")
    elif event.kind == kind.TYPE_CHANGED:
        parts.append(f"{_label(Inquiry.Type, before)} → {_label(Inquiry.Type, after)}")
    elif event.kind == kind.SDGS_CHANGED and isinstance(before, dict) and isinstance(after, dict):
        old_goals = ", ".join(map(str, before.get("goals", []))) or "–"
        new_goals = ", ".join(map(str, after.get("goals", []))) or "–"
        parts.append(f"{old_goals} → {new_goals}")
    elif event.kind == kind.COLLABORATORS_CHANGED and isinstance(after, list):
        parts.append(", ".join(names["user"].get(pk, "?") for pk in after) or "–")
    elif event.kind == kind.MARKED_DUPLICATE:
        parts.append(names["inquiry"].get(data.get("original"), ""))
    elif event.kind == kind.DUPLICATE_MERGED:
        parts.append(names["inquiry"].get(data.get("duplicate"), ""))
    elif isinstance(before, str) and isinstance(after, str):
        parts.append(f"{_label(Inquiry.Status, before)} → {_label(Inquiry.Status, after)}")
    if data.get("note"):
        parts.append(str(data["note"]))
    return " – ".join(part for part in parts if part)


def inquiry_timeline(inquiry: Inquiry) -> list[TimelineEntry]:
    """Events, messages and notes in one stream, oldest first, with the names the events refer to.

    Five queries whatever the length: events, messages, and the units, people and inquiries named. Events
    that only announce a message are left out: the message itself stands in the stream.
    """
    message_kinds = {InquiryEvent.Kind.MESSAGE_SENT, InquiryEvent.Kind.NOTE_ADDED}
    events = list(inquiry.events.exclude(kind__in=message_kinds).select_related("actor"))
    messages = list(inquiry.messages.select_related("author", "moved_from"))
    unit_ids, user_ids, inquiry_ids = set(), set(), set()
    for event in events:
        data = event.data or {}
        for side in (data.get("before"), data.get("after")):
            if isinstance(side, dict) and side.get("unit"):
                unit_ids.add(side["unit"])
            if isinstance(side, int) and event.kind == InquiryEvent.Kind.OWNER_CHANGED:
                user_ids.add(side)
            if isinstance(side, list) and event.kind == InquiryEvent.Kind.COLLABORATORS_CHANGED:
                user_ids.update(side)
        for key in ("original", "duplicate"):
            if data.get(key):
                inquiry_ids.add(data[key])
    names: dict[str, dict[Any, str]] = {
        "unit": {unit.pk: unit.name for unit in MunicipalUnit.objects.filter(pk__in=unit_ids)} if unit_ids else {},
        "user": {person.pk: person.get_full_name() for person in User.objects.filter(pk__in=user_ids)}
        if user_ids
        else {},
        "inquiry": dict(Inquiry.objects.filter(pk__in=inquiry_ids).values_list("pk", "reference"))
        if inquiry_ids
        else {},
    }
    entries = [TimelineEntry(at=event.created_at, event=event, detail=_describe(event, names)) for event in events]
    entries += [TimelineEntry(at=message.created_at, message=message) for message in messages]
    return sorted(entries, key=lambda entry: (entry.at, 0 if entry.event else 1))


def staff_workload() -> list[dict[str, Any]]:
    """Open inquiries per owner, busiest first (one query)."""
    rows: Any = (
        Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, owner__isnull=False)
        .values("owner", "owner__full_name", "owner__email")
        .annotate(open_count=Count("pk"))
        .order_by("-open_count", "owner__full_name")
    )
    return list(rows)


def assignable_staff(inquiry: Inquiry) -> QuerySet[User]:
    """Staff who may own the inquiry: the secretariat, and members of its unit."""
    condition = Q(groups__name="Secretariat")
    if inquiry.unit_id:
        condition |= Q(units=inquiry.unit_id)
    return User.objects.filter(condition, is_active=True).distinct().order_by("full_name", "email")


def sdg_goals() -> QuerySet[SdgGoal]:
    return SdgGoal.objects.order_by("number")


def sdg_targets() -> QuerySet[SdgTarget]:
    return SdgTarget.objects.order_by("goal_id", "position")
