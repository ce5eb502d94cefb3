"""Reads of inquiries, scoped to what the user may see."""

import datetime
import difflib
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.query import RawQuerySet
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language

from partners.models import Contact, MunicipalUnit, Organisation, User
from requests_app.business_days import add_business_days, business_days_between
from requests_app.file_types import type_label
from requests_app.models import (
    AccessLogEntry,
    Attachment,
    FollowUp,
    Inquiry,
    InquiryEvent,
    InquiryMessage,
    OutboxMessage,
    Outcome,
    SdgGoal,
    SdgTarget,
    ServiceTargets,
    UnitAssignment,
)

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
    """The staff list's rows with what the list shows, in a fixed number of queries, newest first (the index
    inquiry_newest_first)."""
    return _list_rows(inquiries_visible_to(user))


def _list_rows(inquiries: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    return inquiries.select_related("organisation", "unit", "owner", "returned_by_unit").order_by("-received_at", "-pk")


def counts_up_to(counted: Sequence[tuple[QuerySet[Any], int | None]]) -> list[int]:
    """How many rows each queryset holds, counting no further than its limit + 1 (None: all of them), so that a
    result above the limit means "more than the limit". All in one query, each count its own subquery with its own
    filter, so that each can use the index that suits it and none reads more than its limit + 1 rows."""
    parts: list[str] = []
    params: list[Any] = []
    empty: set[int] = set()
    for index, (queryset, limit) in enumerate(counted):
        rows = queryset.order_by().values("pk")
        try:
            sql, part_params = (rows if limit is None else rows[: limit + 1]).query.sql_with_params()
        except EmptyResultSet:  # e.g. none(), or a unit filter over no units: nothing to count
            empty.add(index)
            continue
        # Django's own SQL for the queryset; every value in it is a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{index})")  # noqa: S608
        params.extend(part_params)
    counts: list[int] = []
    if parts:
        with connections[counted[0][0].db].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            counts = list(cursor.fetchone())
    found = iter(counts)
    return [0 if index in empty else int(next(found)) for index in range(len(counted))]


def rows_of_page(rows: QuerySet[Inquiry], page: QuerySet[Inquiry]) -> list[Inquiry]:
    """The rows of `page`, a slice of a filtered list, in two steps: first their ids in the list's order (a narrow
    query that an index can answer, however many rows it sorts), then those rows from `rows`, the list before its
    filter, with all that the list shows (by id alone: the filter again could lead the database to another index)."""
    ids = list(page.values_list("pk", flat=True))
    if not ids:
        return []
    found = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
    listed = [found[pk] for pk in ids if pk in found]
    # The status and priority in words, each translated once (get_FOO_display() translates every choice each time),
    # and the dates as the date filter writes them, in a tenth of its time (_date_text).
    label = functools.cache(_label)
    for row in listed:
        row.status_label = label(Inquiry.Status, row.status)  # type: ignore[attr-defined]
        row.priority_label = label(Inquiry.Priority, row.priority)  # type: ignore[attr-defined]
        received = timezone.localtime(row.received_at)
        row.received_iso, row.received_text = received.isoformat(), _date_text(received)  # type: ignore[attr-defined]
        for day_field in ("decision_due_on", "respond_by"):  # respond_by: the unit queue's (selectors.unit_queue)
            day = getattr(row, day_field, None)
            if day is not None:
                setattr(row, f"{day_field}_iso", day.isoformat())
                setattr(row, f"{day_field}_text", _date_text(day))
    return listed


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
    if visible_to.is_authenticated and visible_to.is_active and visible_to.sees_all_inquiries:
        candidates: Iterable[Inquiry] = _near_for_everyone(inquiry, window)
    else:
        near = (
            inquiries_visible_to(visible_to)
            .filter(received_at__gte=inquiry.received_at - window, received_at__lte=inquiry.received_at + window)
            .exclude(pk=inquiry.pk)
            .exclude(status__in=_NOT_DUPLICATES)
            .only("reference", "title", "status", "received_at")  # what the page shows of them
            .order_by()  # each half unordered (SQL has no ORDER BY inside a UNION); the whole is ordered
        )
        # The organisation's, and those of the contacts with the same address (a small table), as two halves of one
        # query: each is looked up in its own index, instead of reading every inquiry of the year around this one.
        # Compared as lower(email), which the index of the constraint contact_email_unique_per_organisation holds
        # (email__iexact is a LIKE that no index serves on SQLite, and UPPER() on PostgreSQL).
        same_address = (
            Contact.objects.alias(lower_email=Lower("email"))
            .filter(lower_email=inquiry.contact.email.lower())
            .values("pk")
        )
        candidates = (
            near.filter(organisation_id=inquiry.organisation_id)
            .union(near.filter(contact__in=same_address))
            .order_by("-received_at")
        )[:_MOST_CANDIDATES]
    title = _normalised(inquiry.title)
    return [
        candidate
        for candidate in candidates
        if difflib.SequenceMatcher(None, title, _normalised(candidate.title)).ratio() >= DUPLICATE_TITLE_SIMILARITY
    ]


_NOT_DUPLICATES = (Inquiry.Status.SPAM, Inquiry.Status.DUPLICATE)
_MOST_CANDIDATES = 200


def _near_for_everyone(inquiry: Inquiry, window: datetime.timedelta) -> "RawQuerySet[Inquiry]":
    """likely_duplicates' candidates for those who see every inquiry: the same union, written in SQL (through the
    ORM its two halves cost 1 ms to build on every inquiry page, several times what they take to run)."""
    ops = connection.ops
    inquiry_table, contact_table = ops.quote_name(Inquiry._meta.db_table), ops.quote_name(Contact._meta.db_table)
    column = quoted_columns(Inquiry, "id", "reference", "title", "status", "received_at", "organisation", "contact")
    contact_id, email = quoted_columns(Contact, "id", "email").values()
    shown = ", ".join(column[name] for name in ("id", "reference", "title", "status", "received_at"))
    near = (
        f"SELECT {shown} FROM {inquiry_table} WHERE {column['received_at']} >= %s AND {column['received_at']} <= %s"  # noqa: S608
        f" AND {column['id']} <> %s AND {column['status']} NOT IN (%s, %s)"
    )
    sql = (
        f"{near} AND {column['organisation']} = %s"  # noqa: S608 -- names from the models only
        f" UNION {near} AND {column['contact']} IN (SELECT {contact_id} FROM {contact_table} WHERE LOWER({email}) = %s)"
        f" ORDER BY {column['received_at']} DESC LIMIT {_MOST_CANDIDATES}"
    )
    earliest = ops.adapt_datetimefield_value(inquiry.received_at - window)
    latest = ops.adapt_datetimefield_value(inquiry.received_at + window)
    near_params = [earliest, latest, inquiry.pk, *_NOT_DUPLICATES]
    params = [*near_params, inquiry.organisation_id, *near_params, inquiry.contact.email.lower()]
    return Inquiry.objects.raw(sql, params)


def quoted_columns(model: type[Model], *fields: str, using: Any = None) -> dict[str, str]:
    """The fields' columns, quoted for the database (`using`, a connection; the default one if None): for the SQL
    written in this project, which takes names only from the models and never from outside."""
    ops = (using or connection).ops
    columns = {}
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column is not None
        columns[name] = ops.quote_name(field.column)
    return columns


@dataclass(frozen=True)
class AttachmentLink:
    """An attachment as a timeline shows it, read in the query of its message. A blank name: its file was removed
    with the inquiry's personal data."""

    pk: int
    name: str
    size: int
    content_type: str

    @property
    def label(self) -> str:
        return type_label(self.content_type)


def with_attachment_links(messages: QuerySet[InquiryMessage]) -> QuerySet[InquiryMessage]:
    """The messages with their attachments as one JSON text per row (`attachment_rows`, read by attachment_links):
    the attachments cost no query of their own, which keeps the inquiry page within its budget.

    The subquery is written in SQL for each database (json_object and group_concat on SQLite, json_build_object and
    string_agg on PostgreSQL): built through the ORM (JSONObject, StringAgg, Cast, Subquery) the same subquery cost
    0.8 ms of query building on every inquiry page, four times what the database took to run it."""
    return messages.annotate(attachment_rows=RawSQL(_attachment_rows_sql(connections[messages.db]), ()))  # noqa: S611 -- model names only


def _attachment_rows_sql(connection: Any) -> str:
    quote = connection.ops.quote_name
    fields = quoted_columns(Attachment, "id", "original_name", "size", "content_type", "message", using=connection)
    pairs = ", ".join(
        f"'{key}', a.{fields[name]}"
        for key, name in (("pk", "id"), ("name", "original_name"), ("size", "size"), ("content_type", "content_type"))
    )
    rows = (
        f"string_agg(json_build_object({pairs})::text, ',')"
        if connection.vendor == "postgresql"
        else f"group_concat(json_object({pairs}), ',')"
    )
    message_id = (
        f"{quote(InquiryMessage._meta.db_table)}.{quoted_columns(InquiryMessage, 'id', using=connection)['id']}"
    )
    # Only names from the models' metadata, quoted by the database's own rules; no value from outside.
    table = quote(Attachment._meta.db_table)
    return f"(SELECT {rows} FROM {table} a WHERE a.{fields['message']} = {message_id})"  # noqa: S608


def attachment_links(message: InquiryMessage) -> tuple[AttachmentLink, ...]:
    """The attachments of a message loaded through with_attachment_links, oldest first."""
    rows = getattr(message, "attachment_rows", None)
    if not rows:
        return ()
    # Sorted here: SQLite before 3.44 cannot order inside an aggregate.
    return tuple(AttachmentLink(**row) for row in sorted(json.loads(f"[{rows}]"), key=lambda row: row["pk"]))


def messages_with_attachments(messages: QuerySet[InquiryMessage]) -> list[InquiryMessage]:
    """The messages, each with `attachment_links` (AttachmentLink, oldest first), in one query: for a page that
    lists messages, such as the partner's."""
    loaded = list(with_attachment_links(messages))
    for message in loaded:
        message.attachment_links = attachment_links(message)  # type: ignore[attr-defined]
    return loaded


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an inquiry's timeline: an event with a readable detail, or a message or note with its
    attachments."""

    at: datetime.datetime
    event: InquiryEvent | None = None
    message: InquiryMessage | None = None
    detail: str = ""
    attachments: tuple[AttachmentLink, ...] = ()
    # The event's or message's kind in words (get_kind_display() would translate every kind for each line).
    label: str = ""

    @property
    def at_iso(self) -> str:
        """The time for <time datetime>: what {{ at|date:"c" }} writes."""
        return timezone.localtime(self.at).isoformat()

    @property
    def at_text(self) -> str:
        """The time as the reader's language writes it: what {{ at|date:"SHORT_DATETIME_FORMAT" }} writes, in a
        tenth of the time (a long timeline has a hundred of them)."""
        return _date_text(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")


def _date_text(value: datetime.date, format_name: str = "SHORT_DATE_FORMAT") -> str:
    """What {{ value|date:format_name }} writes for a date or a local time: through strftime when the language's
    format has only characters strftime writes the same way, else through Django."""
    return date_writer(format_name)(value)


def date_writer(format_name: str = "SHORT_DATE_FORMAT") -> Callable[[datetime.date], str]:
    """_date_text for many values in the current language: the format looked up once."""
    django_format = get_format(format_name)
    pattern = _strftime_pattern(django_format)
    if pattern is None:
        return lambda value: dateformat.format(value, django_format)
    return lambda value: value.strftime(pattern)


# Django's date format characters that strftime writes the same way (zero-padded day, month, hour, minute).
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "H": "%H", "i": "%M"}


@functools.lru_cache(maxsize=16)
def _strftime_pattern(django_format: str) -> str | None:
    """The strftime pattern that writes what the Django date format writes; None when it uses other letters."""
    pattern: list[str] = []
    chars = iter(django_format)
    for char in chars:
        if char == "\\":  # the next character as it is
            literal = next(chars, "")
            pattern.append("%%" if literal == "%" else literal)
        elif char in _STRFTIME:
            pattern.append(_STRFTIME[char])
        elif char.isalpha():
            return None
        else:
            pattern.append("%%" if char == "%" else char)
    return "".join(pattern)


# The words of a choice in a language: a timeline asks for the same few a hundred times.
_LABELS: dict[tuple[Any, Any, str | None], str] = {}


def _label(choices: Any, value: Any) -> str:
    key = (choices, value, get_language())
    label = _LABELS.get(key)
    if label is None:
        try:
            label = str(choices(value).label)
        except ValueError:
            label = str(value)
        if len(_LABELS) < 10_000:  # choices × languages; a bound against values that are not choices
            _LABELS[key] = label
    return label


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
    elif event.kind == kind.REFERRAL_DECLINED and isinstance(before, dict):
        parts.append(names["unit"].get(before.get("unit"), ""))
    elif event.kind == kind.FOLLOW_UP_RECORDED:
        parts.append(_label(FollowUp.CollaborationStatus, data.get("collaboration_status")))
    elif isinstance(before, str) and isinstance(after, str):
        parts.append(f"{_label(Inquiry.Status, before)} → {_label(Inquiry.Status, after)}")
    if event.kind == kind.DECIDED and data.get("outcome"):
        parts.append(_label(Outcome.Type, data["outcome"]))
    if data.get("note"):
        parts.append(str(data["note"]))
    return " – ".join(part for part in parts if part)


def inquiry_timeline(inquiry: Inquiry, *, unit_names: dict[int, str] | None = None) -> list[TimelineEntry]:
    """Events, messages and notes in one stream, oldest first, with the names the events refer to.

    Five queries whatever the length: events, messages (with their attachments), and the units, people and
    inquiries named. Events that only announce a message are left out: the message itself stands in the stream.
    `unit_names` are the units the caller has loaded already (the inquiry page: UnitChain.unit_names); only other
    units are queried.
    """
    message_kinds = {InquiryEvent.Kind.MESSAGE_SENT, InquiryEvent.Kind.NOTE_ADDED}
    events = list(inquiry.events.exclude(kind__in=message_kinds).select_related("actor"))
    # Of the inquiry a message was moved from (a merged duplicate), only its reference is shown.
    messages = list(
        with_attachment_links(
            inquiry.messages.select_related("author").annotate(moved_from_reference=F("moved_from__reference"))
        )
    )
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
    known_units = unit_names or {}
    unit_ids -= set(known_units)
    names: dict[str, dict[Any, str]] = {
        "unit": {**known_units, **{unit.pk: unit.name for unit in MunicipalUnit.objects.filter(pk__in=unit_ids)}}
        if unit_ids
        else dict(known_units),
        "user": {person.pk: person.get_full_name() for person in User.objects.filter(pk__in=user_ids)}
        if user_ids
        else {},
        "inquiry": dict(Inquiry.objects.filter(pk__in=inquiry_ids).values_list("pk", "reference"))
        if inquiry_ids
        else {},
    }
    entries = [
        TimelineEntry(
            at=event.created_at,
            event=event,
            detail=_describe(event, names),
            label=_label(InquiryEvent.Kind, event.kind),
        )
        for event in events
    ]
    entries += [
        TimelineEntry(
            at=message.created_at,
            message=message,
            attachments=attachment_links(message),
            label=_label(InquiryMessage.Kind, message.kind),
        )
        for message in messages
    ]
    return sorted(entries, key=lambda entry: (entry.at, 0 if entry.event else 1))


def staff_workload() -> list[dict[str, Any]]:
    """Open inquiries per owner, busiest first (one query; counted from the index inquiry_open_owner alone)."""
    rows: Any = (
        Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, owner__isnull=False)
        .values("owner", "owner__full_name", "owner__email")
        .annotate(open_count=Count("*"))
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


def oldest_undelivered_email_age(*, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How long the oldest pending or failed e-mail in the outbox has waited; None when all are delivered."""
    oldest = (
        OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if oldest is None else (now or timezone.now()) - oldest


def undelivered_emails() -> QuerySet[OutboxMessage]:
    """The outbox rows staff should see: waiting or failed, oldest first, with their inquiry's reference."""
    return (
        OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT)
        .select_related("inquiry")
        .order_by("created_at", "pk")
    )


def access_log_entries() -> QuerySet[AccessLogEntry]:
    """The access log, newest first, with the person and the inquiry each entry shows (only the inquiry's
    reference: the log page does not need, so does not load, anything personal of the inquiry)."""
    return (
        AccessLogEntry.objects.select_related("actor", "inquiry")
        .only(
            *("created_at", "actor", "actor_email", "kind", "inquiry", "target", "query", "row_count", "ip_address"),
            *("actor__full_name", "actor__email", "inquiry__reference"),
        )
        .order_by("-created_at", "-pk")
    )


def people_in_access_log() -> QuerySet[User]:
    """Everyone with at least one access log entry, by name (the access log's person filter)."""
    return User.objects.filter(Exists(AccessLogEntry.objects.filter(actor=OuterRef("pk")))).order_by(
        "full_name", "email"
    )


def organisations_for_outcome(inquiry: Inquiry) -> QuerySet[Organisation]:
    """Partners that can be named in an outcome: the inquiry's own, and those already in other outcomes."""
    return (
        Organisation.objects.filter(Q(pk=inquiry.organisation_id) | Q(outcomes__isnull=False))
        .distinct()
        .order_by("name")
    )


def outcomes_due_for_follow_up(*, today: datetime.date) -> QuerySet[Outcome]:
    """Outcomes whose follow-up date has come and whose owner has not been reminded for that date."""
    return (
        Outcome.objects.filter(follow_up_on__lte=today, inquiry__anonymised_at__isnull=True)
        .exclude(follow_up_reminded_on=F("follow_up_on"))
        .select_related("inquiry")
        .order_by("follow_up_on", "pk")
    )


def active_partnerships() -> QuerySet[Outcome]:
    """Agreements, joint projects and pilots whose collaboration has not been reported completed or stopped."""
    return (
        Outcome.objects.filter(type__in=Outcome.PARTNERSHIP_TYPES, partnership_ended_on__isnull=True)
        .select_related("inquiry__organisation", "inquiry__unit", "inquiry__owner")
        .order_by("-decided_on", "-pk")
    )


# The inquiries a unit is working on: waiting for its answer, accepted, or paused for the partner.
UNIT_QUEUE_STATUSES = (Inquiry.Status.ROUTED, Inquiry.Status.IN_PROGRESS, Inquiry.Status.AWAITING_PARTNER)


def _waiting_for_unit() -> QuerySet[UnitAssignment]:
    """Stays of routed inquiries whose unit has neither accepted nor declined yet."""
    return UnitAssignment.objects.filter(
        ended_at__isnull=True, accepted_at__isnull=True, inquiry__status=Inquiry.Status.ROUTED
    )


def referrals_to_remind(*, today: datetime.date) -> QuerySet[UnitAssignment]:
    """Unanswered referrals whose accept-or-decline date has come and whose unit has not been reminded (one query)."""
    return (
        _waiting_for_unit()
        .filter(respond_by__lte=today, reminded_at__isnull=True)
        .select_related("inquiry", "unit")
        .order_by("respond_by", "pk")
    )


def referrals_to_escalate(*, today: datetime.date) -> QuerySet[UnitAssignment]:
    """Unanswered referrals past their accept-or-decline date, not yet escalated (one query). The service decides
    whether a business day has passed since (services.handshake.escalation_date)."""
    return (
        _waiting_for_unit()
        .filter(respond_by__lt=today, escalated_at__isnull=True)
        .select_related("inquiry", "unit")
        .order_by("respond_by", "pk")
    )


def unit_queue(user: User, *, today: datetime.date) -> QuerySet[Inquiry]:
    """The unit queue's rows: open inquiries with their unit; a member's own units' only (not those they own or
    help with elsewhere), every unit's for those who see all inquiries (the unit filter narrows it).

    Each row has `respond_by`, the open referral's accept-or-decline date (None once accepted), and
    `response_overdue`, whether that date has passed: both in the list's one query.
    """
    if user.sees_all_inquiries:
        rows = staff_inquiry_list(user).filter(unit__isnull=False)
    elif user.is_authenticated and user.is_active:
        # Their units' rows are all visible to them: the unit condition alone (an index) instead of the visibility
        # condition's "their units, or owned, or collaborating", which no index serves.
        rows = _list_rows(Inquiry.objects.filter(unit__in=user.unit_ids))
    else:
        rows = Inquiry.objects.none()
    rows = rows.filter(status__in=UNIT_QUEUE_STATUSES)
    waiting = UnitAssignment.objects.filter(inquiry=OuterRef("pk"), ended_at__isnull=True, accepted_at__isnull=True)
    return rows.annotate(respond_by=Subquery(waiting.values("respond_by")[:1])).annotate(
        response_overdue=ExpressionWrapper(Q(respond_by__lt=today), output_field=BooleanField())
    )


def assignments_of(inquiry: Inquiry) -> QuerySet[UnitAssignment]:
    """The inquiry's chain of units with the unit and who routed it, for unit_chain (one query)."""
    return UnitAssignment.objects.filter(inquiry=inquiry.pk).select_related("unit", "routed_by")


@dataclass(frozen=True)
class UnitStay:
    """One stay of an inquiry with a unit, and how many business days it lasted (or has lasted until today)."""

    assignment: UnitAssignment
    business_days: int


@dataclass(frozen=True)
class UnitChain:
    stays: list[UnitStay]
    # The stay whose decline sent the inquiry back to triage, while it waits there to be routed again.
    declined: UnitAssignment | None
    # Every unit the inquiry has been with, by id, for the timeline (which then need not query them).
    unit_names: dict[int, str]


def unit_chain(inquiry: Inquiry, *, today: datetime.date, assignments: list[UnitAssignment] | None = None) -> UnitChain:
    """Every unit the inquiry has been with, oldest first. No query when its `assignments` are given
    (assignments_of) and the inquiry's unit and returned_by_unit (select_related) are loaded, as on the inquiry
    page."""
    assignments = list(inquiry.assignments.all()) if assignments is None else assignments
    units = [assignment.unit for assignment in assignments] + [inquiry.unit, inquiry.returned_by_unit]
    stays = [
        UnitStay(
            assignment,
            business_days_between(
                timezone.localtime(assignment.routed_at).date(),
                timezone.localtime(assignment.ended_at).date() if assignment.ended_at else today,
            ),
        )
        for assignment in assignments
    ]
    declined = None
    if inquiry.returned_by_unit_id is not None:
        declined = next(
            (
                assignment
                for assignment in reversed(assignments)
                if assignment.end == UnitAssignment.End.DECLINED and assignment.unit_id == inquiry.returned_by_unit_id
            ),
            None,
        )
    unit_names = {unit.pk: unit.name for unit in units if unit is not None}
    return UnitChain(stays=stays, declined=declined, unit_names=unit_names)


def inquiries_of_partner(user: User) -> QuerySet[Inquiry]:
    """The inquiries a partner's account may see: those sent from one of its verified e-mail addresses, and those
    of the organisations it has been linked to. An unverified address unlocks nothing; spam is never shown."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated or not user.is_active:
        return Inquiry.objects.none()
    verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
    addresses = [address.lower() for address in verified.values_list("email", flat=True)]
    by_address = Q(contact__email__in=addresses) if addresses else Q(pk__in=[])
    linked = Q(organisation__memberships__user=user) if addresses else Q(pk__in=[])
    # What the account itself submitted while signed in is its own, whatever address it was sent from.
    own = Q(submitted_by=user) if addresses else Q(pk__in=[])
    return Inquiry.objects.filter(by_address | linked | own).exclude(status=Inquiry.Status.SPAM).distinct()
