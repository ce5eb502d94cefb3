"""Merging two organisations of the partner register that turn out to be the same, and recording an organisation's
consent to be named in the open statistics.

It lives here, not in partners, because it moves inquiries and writes their events; everything else that points
to an organisation or a contact is re-pointed generically through the model's _meta.related_objects, so a
relation added later moves too without this module knowing about it (tests/requests_app/test_organisations.py
fails when one is not covered).
"""

import datetime
from typing import Any

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Contact, Organisation, User
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.common import record
from requests_app.summaries.open_data import forget_open_statistics


class OrganisationMergeError(Exception):
    """A merge that cannot be done; the message is shown to the user as it is."""


def _repoint(old: models.Model, new: models.Model) -> dict[str, int]:
    """Make every row that points to `old` point to `new`: foreign keys, one-to-one fields and many-to-many
    links declared on other models (and many-to-many fields declared on the model itself). A link that `new`
    already has is dropped rather than doubled. Returns the number of rows moved per relation.
    """
    moved: dict[str, int] = {}
    options = type(old)._meta
    for relation in options.related_objects:
        field = relation.field
        name = f"{relation.related_model._meta.label}.{field.name}"
        if isinstance(relation, models.ManyToManyRel):
            # A link row points to the declaring model (source) and to the model being merged (target).
            assert isinstance(field, models.ManyToManyField)
            moved[name] = _repoint_links(
                relation.through, field.m2m_field_name(), field.m2m_reverse_field_name(), old, new
            )
        else:
            _drop_doubles(relation.related_model, field.name, old, new)
            rows = relation.related_model._base_manager.filter(**{field.name: old})
            if relation.one_to_one and relation.related_model._base_manager.filter(**{field.name: new}).exists():
                raise OrganisationMergeError(
                    _("Both have a %(thing)s, and there can be only one; remove one first.")
                    % {"thing": relation.related_model._meta.verbose_name}
                )
            moved[name] = rows.update(**{field.name: new})
    for m2m in options.many_to_many:
        assert isinstance(m2m, models.ManyToManyField)
        through = m2m.remote_field.through
        moved[f"{options.label}.{m2m.name}"] = _repoint_links(
            through, m2m.m2m_reverse_field_name(), m2m.m2m_field_name(), old, new
        )
    return moved


def _drop_doubles(model: Any, field_name: str, old: models.Model, new: models.Model) -> None:
    """Delete the rows pointing to `old` that a unique constraint on `model` (over `field_name` and other fields)
    would not allow once they point to `new`, because `new` has the same row already: an account that is a member
    of both organisations stays a member of the kept one, once."""
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        if field_name not in constraint.fields:
            continue
        others = [name for name in constraint.fields if name != field_name]
        if not others:
            continue
        taken = set(model._base_manager.filter(**{field_name: new}).values_list(*others))
        doubles = [
            pk
            for pk, *values in model._base_manager.filter(**{field_name: old}).values_list("pk", *others)
            if tuple(values) in taken
        ]
        model._base_manager.filter(pk__in=doubles).delete()


def _repoint_links(through: Any, other_end: str, this_end: str, old: models.Model, new: models.Model) -> int:
    """Move the link rows of a many-to-many table from `old` to `new` (at `this_end`); a link that `new` already
    has to the same row at `other_end` is dropped instead of doubled."""
    already = through._base_manager.filter(**{this_end: new}).values(other_end)
    through._base_manager.filter(**{this_end: old, f"{other_end}__in": already}).delete()
    return int(through._base_manager.filter(**{this_end: old}).update(**{this_end: new}))


def _merge_twin_contacts(keep: Organisation, merge: Organisation) -> dict[int, Contact]:
    """A contact of `merge` whose e-mail address a contact of `keep` already has is the same person: what points to
    them (their inquiries) moves to the kept contact, which gets the role, phone and consent date it lacked, and
    the duplicate is deleted. Returns the deleted contacts' ids → the contact that replaced each."""
    kept = {contact.email.lower(): contact for contact in keep.contacts.select_for_update()}
    replaced: dict[int, Contact] = {}
    for contact in merge.contacts.select_for_update().order_by("pk"):
        twin = kept.get(contact.email.lower())
        if twin is None:
            continue
        filled = [
            field for field in ("role", "phone", "consent_on") if getattr(contact, field) and not getattr(twin, field)
        ]
        for field in filled:
            setattr(twin, field, getattr(contact, field))
        if filled:
            twin.save(update_fields=[*filled, "updated_at"])
        _repoint(contact, twin)
        replaced[contact.pk] = twin
        contact.delete()
    return replaced


def _take_over_details(keep: Organisation, merge: Organisation) -> list[str]:
    """The facts `keep` lacks and `merge` has: organisation number, website, municipality number (municipalities)."""
    taken = []
    for field in ("organisation_number", "website", "municipality_number"):
        if field == "municipality_number" and keep.kind != Organisation.Kind.MUNICIPALITY:
            continue
        if getattr(merge, field) and not getattr(keep, field):
            setattr(keep, field, getattr(merge, field))
            taken.append(field)
    return taken


@transaction.atomic
def merge_organisations(keep: Organisation, merge: Organisation, *, actor: User) -> Organisation:
    """Merge `merge` into `keep`: its inquiries, contacts, partnerships and anything else pointing to it move to
    `keep`, and `merge` is deleted. `keep` takes over the organisation number (and website, municipality number)
    if only `merge` had one.

    Contacts with an e-mail address that `keep` already has become that contact. Every inquiry moved gets one
    ORGANISATION_MERGED event (from/to ids and names, the contact it moved to if it changed). The admin's history
    of both organisations records the merge, so that it is traceable even when no inquiry moved. Merging an
    organisation into itself, or one that no longer exists, raises OrganisationMergeError.
    """
    if keep.pk == merge.pk:
        raise OrganisationMergeError(_("An organisation cannot be merged into itself."))
    # Locked in id order, so that two people merging the same pair the other way round cannot deadlock.
    locked = {
        row.pk: row
        for row in Organisation.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
    }
    if len(locked) < 2:
        raise OrganisationMergeError(_("One of the organisations no longer exists; it may have been merged already."))
    keep, merge = locked[keep.pk], locked[merge.pk]
    inquiries = list(Inquiry.objects.select_for_update().filter(organisation=merge).order_by("pk"))
    replaced = _merge_twin_contacts(keep, merge)
    moved = _repoint(merge, keep)
    taken = _take_over_details(keep, merge)
    names = {"from_organisation": merge.pk, "from_name": merge.name, "to_organisation": keep.pk, "to_name": keep.name}
    for inquiry in inquiries:
        data: dict[str, Any] = dict(names)
        if inquiry.contact_id in replaced:
            data.update(from_contact=inquiry.contact_id, to_contact=replaced[inquiry.contact_id].pk)
            inquiry.contact = replaced[inquiry.contact_id]
        inquiry.organisation = keep
        record(inquiry, InquiryEvent.Kind.ORGANISATION_MERGED, actor=actor, fields=["organisation", "contact"], **data)
    summary = _("Merged “%(from)s” (id %(from_id)s) into “%(to)s” (id %(to_id)s): %(moved)s.") % {
        "from": merge.name,
        "from_id": merge.pk,
        "to": keep.name,
        "to_id": keep.pk,
        "moved": ", ".join(f"{name} {count}" for name, count in sorted(moved.items())),
    }
    LogEntry.objects.log_actions(actor.pk, [merge], DELETION, summary)
    LogEntry.objects.log_actions(actor.pk, [keep], CHANGE, summary)
    merge.delete()
    # After the delete: the organisation number is unique, and `merge` held it until now.
    if taken:
        keep.save(update_fields=[*taken, "updated_at"])
    return keep


def _set_published_since(organisation: Organisation, since: datetime.date | None, *, actor: User) -> Organisation:
    """Store the date of consent (None: withdrawn) if it changed, and make the open statistics show the change at
    once."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.name_published_since == since:
        return organisation
    before = organisation.name_published_since
    organisation.name_published_since = since
    organisation.save(update_fields=["name_published_since", "updated_at"])
    # In the organisation's admin history, where changes to partners' records are kept, with both dates (the field
    # keeps only the latest), as merges are written there.
    summary = _("Consent to be named in the open statistics: %(before)s → %(after)s.") % {
        "before": before.isoformat() if before else _("none"),
        "after": since.isoformat() if since else _("withdrawn"),
    }
    LogEntry.objects.log_actions(actor.pk, [organisation], CHANGE, summary)
    transaction.on_commit(forget_open_statistics)
    return organisation


@transaction.atomic
def record_publication_consent(
    organisation: Organisation, *, since: datetime.date, actor: User, today: datetime.date | None = None
) -> Organisation:
    """Record that the organisation agreed, on `since`, to be named in the open statistics (with its number of
    inquiries per year). The date is when it agreed, so it cannot be after `today`: ValidationError on the field
    name_published_since. Recording another date replaces the one before."""
    if since > (today or timezone.localdate()):
        raise ValidationError({"name_published_since": _("The date of consent cannot be in the future.")})
    return _set_published_since(organisation, since, actor=actor)


@transaction.atomic
def withdraw_publication_consent(organisation: Organisation, *, actor: User) -> Organisation:
    """The organisation no longer wants to be named: the open statistics drop its name at once (it stays in the
    counts). Withdrawing when there is no consent changes nothing."""
    return _set_published_since(organisation, None, actor=actor)
