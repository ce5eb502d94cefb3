"""Reads for the partner register (/staff/organisations/), scoped to what the user may see.

Every inquiry that is counted or listed goes through selectors.inquiries_visible_to(user): a unit member sees the
organisations their units' inquiries come from, and counts, inquiries, contacts, partnerships and events of those
inquiries only, so that the register shows them nothing their inquiry pages would not.
"""

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from partners.models import Contact, Organisation, User
from requests_app.models import Inquiry, InquiryEvent, Outcome
from requests_app.selectors import inquiries_visible_to

# An outcome that made its inquiry an active partnership (Outcome.is_active_partnership, in SQL).
ACTIVE_PARTNERSHIP = Q(type__in=Outcome.PARTNERSHIP_TYPES, partnership_ended_on__isnull=True)
TIMELINE_LENGTH = 30
# The organisation page lists this many of its newest inquiries; all of them are in the inbox (?organisation=pk).
INQUIRIES_SHOWN = 25


class SubqueryCount(Subquery):
    """The number of rows of a correlated subquery, as an integer column (0 when there are none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _involving(visible: QuerySet[Inquiry], organisation: Organisation | None = None) -> QuerySet[Outcome]:
    """Outcomes of visible inquiries that involve the organisation, as the inquiry's organisation or as a partner
    involved. Without an organisation: correlated with the organisation of an enclosing query (OuterRef("pk"))."""
    outcomes = Outcome.objects.filter(inquiry__in=visible.values("pk"))
    if organisation is not None:
        # The union of the two, each found through its own index: as an OR, the database tries every outcome.
        own = Outcome.objects.filter(inquiry__organisation=organisation).values("pk")
        named = Outcome.partners_involved.through.objects.filter(organisation=organisation).values("outcome_id")
        return outcomes.filter(pk__in=own.union(named))
    named_here = Outcome.partners_involved.through.objects.filter(
        outcome=OuterRef("pk"), organisation=OuterRef(OuterRef("pk"))
    )
    return outcomes.filter(Q(inquiry__organisation=OuterRef("pk")) | Exists(named_here))


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Every organisation for those who see every inquiry; for a unit member, those with an inquiry they may see
    or named in the outcome of one; for anyone else none."""
    organisations = Organisation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return organisations.none()
    if user.sees_all_inquiries:
        return organisations
    if user.unit_ids:
        visible = inquiries_visible_to(user)
        return organisations.filter(Exists(visible.filter(organisation=OuterRef("pk"))) | Exists(_involving(visible)))
    return organisations.none()


def organisation_register(user: User) -> QuerySet[Organisation]:
    """The register's rows with the user's counts: inquiries, open inquiries, active partnerships and the latest
    inquiry received, each a correlated subquery, so the list costs the same number of queries at any length."""
    visible = inquiries_visible_to(user)
    own = visible.filter(organisation=OuterRef("pk")).order_by()
    latest = own.order_by("-received_at").values("received_at")[:1]
    return organisations_visible_to(user).annotate(
        inquiry_count=SubqueryCount(own.values("pk")),
        open_inquiry_count=SubqueryCount(own.filter(status__in=Inquiry.OPEN_STATUSES).values("pk")),
        active_partnership_count=SubqueryCount(_involving(visible).filter(ACTIVE_PARTNERSHIP).values("pk")),
        last_received=Subquery(latest, output_field=DateTimeField()),
    )


def organisations_to_compare(user: User, pks: list[int]) -> QuerySet[Organisation]:
    """The register's rows of these organisations, with the number of contacts of each (for the merge page)."""
    contacts = Contact.objects.filter(organisation=OuterRef("pk")).order_by().values("pk")
    return organisation_register(user).filter(pk__in=pks).annotate(contact_count=SubqueryCount(contacts))


def organisation_inquiries(organisation: Organisation, user: User) -> QuerySet[Inquiry]:
    """The organisation's inquiries that the user may see, newest first, with their unit and outcome."""
    return (
        inquiries_visible_to(user)
        .filter(organisation=organisation)
        .select_related("unit", "outcome")
        .order_by("-received_at", "-pk")
    )


def newest_organisation_inquiries(organisation: Organisation, user: User) -> tuple[list[Inquiry], int]:
    """The newest INQUIRIES_SHOWN of organisation_inquiries(), and how many there are in all; one query.

    The newest ids are found first and only those rows read: sorting all of a busy organisation's whole rows (with
    their joins) to keep a few is what takes the time. The number comes along as a column of each row."""
    inquiries = organisation_inquiries(organisation, user)
    newest = inquiries.values("pk")[:INQUIRIES_SHOWN]
    rows = list(
        Inquiry.objects.filter(pk__in=newest)
        .select_related("unit", "outcome")
        .annotate(visible_count=SubqueryCount(inquiries.order_by().values("pk")))
        .order_by("-received_at", "-pk")
    )
    total = rows[0].visible_count if rows else 0
    return [*rows], total


def organisation_partnerships(organisation: Organisation, user: User) -> QuerySet[Outcome]:
    """Active partnerships the organisation is in (its own inquiry's outcome, or as a partner involved), of the
    inquiries the user may see; with the inquiry, its organisation and the partners involved (two queries)."""
    return (
        _involving(inquiries_visible_to(user), organisation)
        .filter(ACTIVE_PARTNERSHIP)
        .select_related("inquiry__organisation")
        .prefetch_related("partners_involved")
        .order_by("-decided_on", "-pk")
    )


def organisation_contacts(organisation: Organisation, user: User) -> QuerySet[Contact]:
    """The organisation's contacts: all of them for those who see every inquiry; for a unit member, those of
    the inquiries they may see (the others are personal data they have no need of)."""
    contacts = Contact.objects.filter(organisation=organisation).order_by("name", "pk")
    if user.sees_all_inquiries:
        return contacts
    return contacts.filter(Exists(inquiries_visible_to(user).filter(contact=OuterRef("pk"))))


@dataclass(frozen=True)
class MergeRecord:
    """An organisation that was merged into this one (or into one merged into this one), from its events."""

    at: datetime.datetime
    from_name: str
    to_name: str
    actor: User | None
    inquiry_count: int


@dataclass(frozen=True)
class OrganisationEvent:
    """One line of the organisation's timeline: an event of one of its inquiries, with what a merge moved."""

    event: InquiryEvent
    detail: str = ""


def _detail(event: InquiryEvent) -> str:
    data = event.data or {}
    if event.kind == InquiryEvent.Kind.ORGANISATION_MERGED:
        return _("“%(from)s” merged into “%(to)s”") % {"from": data.get("from_name", ""), "to": data.get("to_name", "")}
    return ""


def organisation_timeline(organisation: Organisation, user: User) -> list[OrganisationEvent]:
    """The newest TIMELINE_LENGTH events of the organisation's inquiries that the user may see, newest first,
    with their inquiry and actor (one query: the newest events' ids in a subquery, so that only those rows are
    joined). Only the kind of event is shown, never notes or message texts."""
    newest = (
        InquiryEvent.objects.filter(inquiry__in=organisation_inquiries(organisation, user).values("pk"))
        .order_by("-created_at", "-pk")
        .values("pk")[:TIMELINE_LENGTH]
    )
    events = (
        InquiryEvent.objects.filter(pk__in=newest).select_related("inquiry", "actor").order_by("-created_at", "-pk")
    )
    return [OrganisationEvent(event, _detail(event)) for event in events]


def organisation_merges(organisation: Organisation, user: User) -> list[MergeRecord]:
    """Every merge that moved inquiries (visible to the user) to this organisation, newest first: one line per
    merge however many inquiries it moved, so merges stay listed when the timeline has moved past them. One query.
    """
    events = (
        InquiryEvent.objects.filter(
            kind=InquiryEvent.Kind.ORGANISATION_MERGED,
            inquiry__in=organisation_inquiries(organisation, user).values("pk"),
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    merges: dict[tuple[object, object], MergeRecord] = {}
    for event in events:
        data = event.data or {}
        key = (data.get("from_organisation"), data.get("to_organisation"))
        if key in merges:
            merge = merges[key]
            merges[key] = MergeRecord(merge.at, merge.from_name, merge.to_name, merge.actor, merge.inquiry_count + 1)
        else:
            merges[key] = MergeRecord(
                event.created_at, str(data.get("from_name", "")), str(data.get("to_name", "")), event.actor, 1
            )
    return list(merges.values())
