"""Reads of inquiries, scoped to what the user may see."""

from django.db.models import QuerySet

from partners.models import User
from requests_app.models import Inquiry, SdgGoal, SdgTarget


def inquiries_visible_to(user: User) -> QuerySet[Inquiry]:
    """Every inquiry for the secretariat, executives and administrators; a unit's for its members; else none."""
    inquiries = Inquiry.objects.all()
    if not user.is_authenticated or not user.is_active:
        return inquiries.none()
    if user.sees_all_inquiries:
        return inquiries
    if user.unit_ids:
        return inquiries.filter(unit__in=user.unit_ids)
    return inquiries.none()


def staff_inquiry_list(user: User) -> QuerySet[Inquiry]:
    """The staff list's rows with what the list shows, in a fixed number of queries."""
    return inquiries_visible_to(user).select_related("organisation", "unit").order_by("-received_at", "-pk")


def sdg_goals() -> QuerySet[SdgGoal]:
    return SdgGoal.objects.order_by("number")


def sdg_targets() -> QuerySet[SdgTarget]:
    return SdgTarget.objects.order_by("goal_id", "position")
