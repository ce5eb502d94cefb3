"""What may be attached to a message: the allowed types, read from a file's content with libmagic, never from its
name or from the type the browser claims.

Office Open XML files (docx, xlsx, pptx) are zip archives. libmagic names them only when the archive is laid out
as Office writes it, so a plain zip, a renamed .jar or .apk is "application/zip" (or the APK type) and refused.
For a zip that libmagic does not recognise, the archive's own [Content_Types].xml decides: it must declare the
main part of a Word, Excel or PowerPoint document and contain that part (some tools order the entries
differently from Office, and libmagic only looks at the first few).
"""

import re
import zipfile
from typing import IO

import magic
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Detected type → what the page calls it. Text must be text/plain or text/csv: libmagic says text/html,
# image/svg+xml or text/xml for markup a browser would run, and those are not here.
ALLOWED_TYPES: dict[str, Promise] = {
    "application/pdf": _("PDF"),
    "image/png": _("PNG image"),
    "image/jpeg": _("JPEG image"),
    _WORD: _("Word document"),
    _EXCEL: _("Excel workbook"),
    _POWERPOINT: _("PowerPoint presentation"),
    "application/vnd.oasis.opendocument.text": _("OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": _("OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": _("OpenDocument presentation"),
    "application/msword": _("Word document"),
    "application/vnd.ms-excel": _("Excel workbook"),
    "application/vnd.ms-powerpoint": _("PowerPoint presentation"),
    "application/vnd.ms-office": _("Office document"),
    "text/plain": _("Text"),
    "text/csv": _("CSV"),
}

# For the file picker only (it offers these first); what is accepted is decided by the content.
ACCEPT_ATTRIBUTE = ",".join(
    (
        ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt,.txt,.csv",
        "application/pdf,image/png,image/jpeg,text/plain,text/csv",
    )
)

# The main part of each Office Open XML document, as its [Content_Types].xml declares it.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": _WORD,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": _EXCEL,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": _POWERPOINT,
}
_OVERRIDE = re.compile(
    rb"<Override\b[^>]*?\bPartName=\"/?([^\"]+)\"[^>]*?\bContentType=\"([^\"]+)\"|"
    rb"<Override\b[^>]*?\bContentType=\"([^\"]+)\"[^>]*?\bPartName=\"/?([^\"]+)\""
)
_CONTENT_TYPES_MAX_BYTES = 256 * 1024  # a real one is a few kilobytes; never inflate a bomb


def detect_content_type(upload: UploadedFile) -> str:
    """The type of the file's content as libmagic reads it (a big upload is read from its temporary file), with
    zip archives that libmagic does not name checked for an Office Open XML document. Leaves the file at its
    start."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        detected = magic.from_file(path(), mime=True)
    else:
        upload.seek(0)
        detected = magic.from_buffer(upload.read(), mime=True)
    if detected == "application/zip":
        detected = _office_open_xml_type(upload) or detected
    upload.seek(0)
    return detected


def _office_open_xml_type(upload: IO[bytes]) -> str | None:
    """The document type a zip declares in its [Content_Types].xml, if it also holds that main part."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX_BYTES:
                return None
            declared = archive.read(info)[:_CONTENT_TYPES_MAX_BYTES]
            names = set(archive.namelist())
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    found = set()
    for match in _OVERRIDE.finditer(declared):
        part, content_type = (match[1], match[2]) if match[1] else (match[4], match[3])
        if content_type.decode("ascii", "replace") in _OOXML_MAIN_PARTS:
            found.add((part.decode("utf-8", "replace"), content_type.decode("ascii", "replace")))
    if len(found) != 1:
        return None
    part, content_type = found.pop()
    return _OOXML_MAIN_PARTS[content_type] if part in names else None


def is_allowed(content_type: str) -> bool:
    return content_type in ALLOWED_TYPES


def type_label(content_type: str) -> str:
    """What to call a stored attachment's type on a page ("PDF", "Word document")."""
    label = ALLOWED_TYPES.get(content_type)
    return str(label) if label is not None else content_type
