"""Downloads of attachments: for staff, for a partner's account and through a status link, each scoped like the
messages it may see, so any other attachment is a 404. Always a download, never shown in the browser."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app import attachment_selectors
from requests_app.file_types import is_allowed
from requests_app.models import AccessLogEntry, Attachment
from requests_app.services import audit
from requests_app.services.status_links import LinkState, status_link_for, status_link_state

logger = logging.getLogger(__name__)


def _download(attachment: Attachment) -> FileResponse:
    """The file as an attachment (Content-Disposition with the cleaned name; RFC 6266 filename* when it is not
    ASCII), of the type read from its content when it was stored, never sniffed and never cached."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("The file of attachment %s is missing from the storage", attachment.pk)
        raise Http404 from None
    content_type = attachment.content_type if is_allowed(attachment.content_type) else "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name or "attachment", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def staff_attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """An attachment of an inquiry the user may see (a note's too); every download is in the access log."""
    attachment = get_object_or_404(attachment_selectors.attachments_visible_to(request.user), pk=pk)
    audit.record_access(
        actor=request.user,
        kind=AccessLogEntry.Kind.ATTACHMENT_DOWNLOADED,
        inquiry=attachment.message.inquiry,
        target=f"requests_app.attachment:{attachment.pk}",
        ip_address=audit.request_ip(request),
    )
    return _download(attachment)


@login_required
@require_GET
def partner_attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """An attachment of a message shown on the page of an inquiry of the partner's account."""
    attachment = attachment_selectors.attachment_of_partner(request.user, pk)
    if attachment is None:
        raise Http404
    return _download(attachment)


@require_GET
def status_link_attachment_download(request: HttpRequest, token: str, pk: int) -> FileResponse:
    """The same through a status link that still works; a revoked or expired link opens no file."""
    link = status_link_for(token)
    if link is None or status_link_state(link) != LinkState.VALID:
        raise Http404
    return _download(get_object_or_404(attachment_selectors.attachments_shown_to_partner(link.inquiry), pk=pk))
