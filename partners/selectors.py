"""Reads of partners data that other apps reuse."""

from django.db.models import QuerySet

from partners.models import MunicipalUnit


def units_taking_inquiries() -> QuerySet[MunicipalUnit]:
    """Units that inquiries may be routed to, in display order."""
    return MunicipalUnit.objects.filter(accepts_inquiries=True, is_secretariat=False)
