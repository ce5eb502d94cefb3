"""Files sent with messages: checked by their content, stored under random names in the private storage, and
removed with the inquiry's personal data.

The rules (how many, how big, which types) are checked here, and the forms show the same messages by calling
`attachment_errors`, so no caller can store a file the rules refuse. The files live in the storage alias
"attachments" (settings.PRIVATE_MEDIA_ROOT), outside the static and media paths: nothing serves them but the
download views, which check who may see the message.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from partners.models import User
from requests_app.file_types import detect_content_type, is_allowed
from requests_app.models import Attachment, InquiryMessage
from requests_app.services.errors import InquiryStateError

logger = logging.getLogger(__name__)

ORIGINAL_NAME_MAX_LENGTH = 120
_EXTENSION_MAX_LENGTH = 10

# The storage names written by the service call under way (see removes_stored_files_on_failure).
_stored_in_this_call: ContextVar[list[str] | None] = ContextVar("attachment_files_stored", default=None)


class AttachmentError(InquiryStateError):
    """A file that may not be attached; the message names it and says why."""


def max_bytes() -> int:
    """The largest file allowed, from settings.ATTACHMENT_MAX_MB (read on every call, so tests may change it)."""
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def _count_error(files: Sequence[UploadedFile]) -> str | None:
    if len(files) <= settings.ATTACHMENT_MAX_FILES:
        return None
    return _("Attach at most %(max)s files to one message; you chose %(count)s.") % {
        "max": settings.ATTACHMENT_MAX_FILES,
        "count": len(files),
    }


def _file_error(upload: UploadedFile) -> tuple[str | None, str]:
    """What is wrong with one file (None if nothing), and the type read from its content."""
    # As the sender knows it (the pages escape it); the stored name is the cleaned one.
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:ORIGINAL_NAME_MAX_LENGTH] or "?"
    if not upload.size:
        return _("“%(name)s” is empty.") % {"name": name}, ""
    if upload.size > max_bytes():
        return _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": settings.ATTACHMENT_MAX_MB}, ""
    content_type = detect_content_type(upload)
    if not is_allowed(content_type):
        return (
            _(
                "“%(name)s” cannot be attached: only PDF, PNG and JPEG images, office documents (Word, Excel, "
                "PowerPoint, OpenDocument), plain text and CSV are accepted, whatever the file is called."
            )
            % {"name": name},
            content_type,
        )
    return None, content_type


def attachment_errors(files: Sequence[UploadedFile]) -> list[str]:
    """Every reason to refuse these files, each naming its file; an empty list when all may be attached."""
    count_error = _count_error(files)
    if count_error:
        return [count_error]
    return [error for error, _type in map(_file_error, files) if error]


def clean_original_name(name: str) -> str:
    """The file's name as the sender gave it, safe to show and to offer as the download's name: no folders, only
    letters, digits, "-", "_" and "." (Django's get_valid_filename), no leading dot, at most 120 characters with
    the extension kept."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        cleaned = get_valid_filename(base).lstrip(".")
    except SuspiciousFileOperation:  # nothing left of the name
        cleaned = ""
    if not cleaned:
        return "attachment"
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > _EXTENSION_MAX_LENGTH:
        stem, extension = cleaned, ""
    suffix = f".{extension}" if extension else ""
    return stem[: ORIGINAL_NAME_MAX_LENGTH - len(suffix)] + suffix


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _delete_files(names: Iterable[str]) -> None:
    storage = storages["attachments"]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the attachment file %s", name)


def removes_stored_files_on_failure[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """For a service that attaches files in its transaction; put it above @transaction.atomic.

    The storage is not transactional: when the service raises, its transaction has been rolled back, and the files
    it stored are deleted too. (A transaction around the service that is rolled back later leaves them behind.)
    """

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        stored: list[str] = []
        token = _stored_in_this_call.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            _delete_files(stored)
            raise
        finally:
            _stored_in_this_call.reset(token)

    return wrapper


def attach_files(
    message: InquiryMessage, files: Sequence[UploadedFile], *, uploaded_by: User | None
) -> list[Attachment]:
    """Store the files as the message's attachments, in the message's transaction (the caller's).

    The rules are checked again (AttachmentError names the first refused file; nothing is stored then). Each file
    goes to the private storage under a random name in a folder of the month, never the sender's name, and its row
    keeps the cleaned original name, the type read from the content, the size and the SHA-256. Files stored before
    a failure are deleted again.
    """
    if not files:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("attach_files must run in the transaction that writes the message.")
    count_error = _count_error(files)
    if count_error:
        raise AttachmentError(count_error)
    checked = []
    for upload in files:
        error, content_type = _file_error(upload)
        if error:
            raise AttachmentError(error)
        checked.append((upload, content_type))
    pending = _stored_in_this_call.get()
    stored: list[str] = []
    attachments = []
    try:
        for upload, content_type in checked:
            attachment = Attachment(
                message=message,
                original_name=clean_original_name(upload.name or ""),
                content_type=content_type,
                size=upload.size or 0,
                sha256=_sha256(upload),
                uploaded_by=uploaded_by,
            )
            attachment.file.save(secrets.token_hex(16), upload, save=False)
            name = str(attachment.file.name)
            stored.append(name)
            if pending is not None:
                pending.append(name)
            attachment.save()
            attachments.append(attachment)
    except BaseException:
        _delete_files(stored)
        raise
    return attachments


def remove_attachment_files(attachments: QuerySet[Attachment]) -> int:
    """Delete the files of these attachments from the storage and blank their file, name and hash; type and size
    stay, for statistics. Returns how many had a file.

    Run in the retention's transaction. The files are deleted before it commits: should it then fail, the rows
    still name files that are gone (the download views answer 404) until the next run blanks them, rather than
    personal data being left in files that no row names.
    """
    names = list(attachments.exclude(file="").values_list("file", flat=True))
    if not names:
        return 0
    attachments.exclude(file="").update(file="", original_name="", sha256="")
    storage = storages["attachments"]
    for name in names:
        storage.delete(name)  # a file that cannot be deleted fails the removal, which the next run tries again
    return len(names)
