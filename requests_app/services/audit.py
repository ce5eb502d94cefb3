"""The access log: every view of an inquiry's personal data and every export is written down (GDPR art. 5(2), 32)."""

import ipaddress
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from partners.models import User
from portal.http import client_ip
from requests_app.models import AccessLogEntry, Inquiry


def request_ip(request: HttpRequest) -> str | None:
    """The client's address as the rate limits see it (portal.http.client_ip); None if there is none or it is not
    an IP address (a proxy may forward anything, and PostgreSQL's inet column would refuse it)."""
    address = client_ip("", request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_access(
    *,
    actor: User,
    kind: str,
    ip_address: str | None,
    inquiry: Inquiry | None = None,
    target: str = "",
    query: str = "",
    row_count: int | None = None,
) -> AccessLogEntry:
    """Write one access log entry: who (`actor`), what (`kind`, the inquiry or the record or export format, an
    export's filter and rows), and from which address. One INSERT; entries are never changed afterwards.

    Called by the views before the personal data is sent, in the request's transaction.
    """
    return AccessLogEntry.objects.create(
        actor=actor,
        actor_email=actor.email,
        kind=kind,
        inquiry=inquiry,
        target=target[:100],
        query=query[:2000],
        row_count=row_count,
        ip_address=ip_address,
    )


def record_export(request: HttpRequest, *, kind: str, export_format: str, rows: QuerySet[Any]) -> None:
    """Log an export with its filter (the query string) and its number of rows (one COUNT query)."""
    assert isinstance(request.user, User)
    record_access(
        actor=request.user,
        kind=kind,
        target=export_format,
        query=request.GET.urlencode(),
        row_count=rows.count(),
        ip_address=request_ip(request),
    )
