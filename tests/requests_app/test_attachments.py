"""Attachments: allowed types decided by the content (libmagic), limits, storage under random names outside the
public paths, downloads scoped like the messages (staff, a partner's account, a status link), the page's query
budget, and removal with the inquiry's personal data."""

import datetime
import hashlib
import io
import struct
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import portal.settings as production_settings
from requests_app import emails
from requests_app.file_types import detect_content_type
from requests_app.models import AccessLogEntry, Attachment, Inquiry, InquiryMessage
from requests_app.services import conversation
from requests_app.services.attachments import AttachmentError, attach_files, clean_original_name
from requests_app.services.errors import InquiryStateError
from requests_app.services.retention import apply_retention
from requests_app.services.status_links import issue_status_link, revoke_status_links
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry_in

# These tests read the English texts: reverse() gives /en/ addresses and messages are in English.
pytestmark = pytest.mark.usefixtures("in_english")


S = Inquiry.Status
K = InquiryMessage.Kind
MB = 1024 * 1024

# --- Files, built here: the smallest real ones of each kind -----------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63600000000200015"
    "4a24f5d0000000049454e44ae426082"
)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043") + b"\x08" * 64 + bytes.fromhex("ffd9")
CSV = "navn;e-post;kommune\nÅse Ødegård;ase@example.no;Trondheim\nOla;ola@example.no;Bodø\n".encode()
TXT = "Hei! Her er referatet fra møtet på tirsdag.\n".encode()
HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>'
XML = b'<?xml version="1.0" encoding="UTF-8"?><rapport><tekst>Hei</tekst></rapport>'

_MAIN_PARTS = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def office_open_xml(kind: str, *, main_part_first: bool = False) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml, the relationships and the main part, in Office's order
    (or with the main part first, as some tools write it, which libmagic does not recognise)."""
    part, content_type = _MAIN_PARTS[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.{content_type}"/>'
        "</Types>"
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="/' + part + '" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    )
    entries = [("[Content_Types].xml", types), ("_rels/.rels", relationships), (part, "<?xml version='1.0'?><x/>")]
    if main_part_first:
        entries = [("docProps/app.xml", "<x/>"), (part, "<x/>" * 4000), entries[1], entries[0]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def open_document(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)  # first and stored, as the OpenDocument standard requires
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "innhold")
    return buffer.getvalue()


def compound_file(stream: str) -> bytes:
    """A minimal Compound File Binary (the container of .doc, .xls and .ppt) holding one 4 KiB stream."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += bytes(6) + struct.pack("<9I", 0, 1, 1, 0, 0x1000, end, 0, end, 0) + struct.pack("<109I", 0, *[free] * 108)
    fat = [fat_sector, end, 3, 4, 5, 6, 7, 8, 9, end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        head = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
        return head + struct.pack("<3I", no_stream, no_stream, child) + bytes(36) + struct.pack("<3I", start, size, 0)

    directory = (
        entry("Root Entry", 5, 1, end, 0) + entry(stream, 2, no_stream, 2, 4096) + entry("", 0, no_stream, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + directory + b"\xaa" * 4096


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """A file as the browser sends it; the claimed type is ignored, so it is often wrong here on purpose."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> set[Path]:
    return {path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()}


def write_url(inquiry: Inquiry, action: str = "write") -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/{action}/"


class AttachmentTestCase(PortalTestCase):
    def attach(self, message: InquiryMessage, *files: SimpleUploadedFile) -> list[Attachment]:
        with transaction.atomic():
            return attach_files(message, list(files), uploaded_by=self.amina)

    def message(self, inquiry: Inquiry, kind: str = K.TO_PARTNER, **fields: Any) -> InquiryMessage:
        return InquiryMessage.objects.create(
            inquiry=inquiry, kind=kind, body="Se vedlegget.", author=self.amina, **fields
        )

    def attachment(
        self, inquiry: Inquiry, kind: str = K.TO_PARTNER, name: str = "rapport.pdf", **fields: Any
    ) -> Attachment:
        return self.attach(self.message(inquiry, kind, **fields), upload(name, PDF))[0]


# --- Which files are accepted: decided by the content ------------------------------------------------------------


class ContentTypeTests(AttachmentTestCase):
    def test_the_allowed_kinds_are_read_from_their_content_whatever_their_name(self) -> None:
        cases = {
            "application/pdf": PDF,
            "image/png": PNG,
            "image/jpeg": JPEG,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": office_open_xml("docx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": office_open_xml("xlsx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation": office_open_xml("pptx"),
            "application/vnd.oasis.opendocument.text": open_document("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.spreadsheet": open_document(
                "application/vnd.oasis.opendocument.spreadsheet"
            ),
            "application/vnd.oasis.opendocument.presentation": open_document(
                "application/vnd.oasis.opendocument.presentation"
            ),
            "application/msword": compound_file("WordDocument"),
            "application/vnd.ms-excel": compound_file("Workbook"),
            "text/plain": TXT,
        }
        message = self.message(make_inquiry_in(S.IN_PROGRESS))
        for expected, content in cases.items():
            with self.subTest(expected):
                (attachment,) = self.attach(message, upload("fil.bin", content, "application/octet-stream"))
                self.assertEqual(attachment.content_type, expected)
        self.assertIn(detect_content_type(upload("tabell.csv", CSV)), {"text/plain", "text/csv"})

    def test_an_office_document_whose_parts_libmagic_does_not_see_is_read_from_its_content_types(self) -> None:
        # The main part first and large: libmagic only says "zip", the package's [Content_Types].xml says Word.
        self.assertEqual(
            detect_content_type(upload("notat.docx", office_open_xml("docx", main_part_first=True))),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )

    def test_markup_archives_programs_and_unknown_containers_are_refused(self) -> None:
        refused = {
            "side.pdf": HTML,
            "bilde.svg": SVG,
            "bilde.png": SVG,
            "data.txt": XML,
            "rapport.docx": plain_zip("rapport.txt"),
            "program.docx": plain_zip("META-INF/MANIFEST.MF", "no/Main.class"),  # a renamed .jar
            "app.docx": plain_zip("AndroidManifest.xml", "classes.dex", "resources.arsc"),  # a renamed .apk
            "falsk.docx": plain_zip("[Content_Types].xml", "payload.exe"),  # declares no document
            "oppsett.doc": compound_file("Other"),  # a compound file that is no Office document
            "program.pdf": b"MZ\x90\x00" + bytes(200),
            "skript.txt": b"#!/bin/sh\nrm -rf /\n",
        }
        message = self.message(make_inquiry_in(S.IN_PROGRESS))
        for name, content in refused.items():
            with self.subTest(name), self.assertRaises(AttachmentError) as refusal:
                self.attach(message, upload(name, content))
            self.assertIn(f"“{name}” cannot be attached", str(refusal.exception))
        self.assertFalse(Attachment.objects.exists())


# --- The staff's forms ------------------------------------------------------------------------------------------


class StaffFormTests(AttachmentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry_in(S.IN_PROGRESS)
        self.client.force_login(self.amina)

    def post_write(self, *files: SimpleUploadedFile, **extra: Any) -> Any:
        data = {
            "write-kind": "message",
            "write-subject": "Møte",
            "write-body": "Vedlagt er referatet.",
            "write-attachments": list(files),
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(write_url(self.inquiry), data, **extra)

    def test_a_message_with_a_pdf_png_jpeg_docx_csv_and_txt_keeps_them_all(self) -> None:
        files = [
            upload("Referat.pdf", PDF),
            upload("kart.png", PNG),
            upload("foto.jpg", JPEG),
            upload("avtale.docx", office_open_xml("docx")),
            upload("deltakere.csv", CSV, "text/csv"),
            upload("notat.txt", TXT, "text/plain"),
        ]
        response = self.post_write(*files)
        self.assertEqual(response.status_code, 302)
        message = InquiryMessage.objects.get(inquiry=self.inquiry)
        attachments = list(message.attachments.order_by("pk"))
        self.assertEqual(
            [(a.original_name, a.size, a.uploaded_by) for a in attachments],
            [(f.name, f.size, self.amina) for f in files],
        )
        self.assertEqual(
            [a.content_type for a in attachments][:4],
            [
                "application/pdf",
                "image/png",
                "image/jpeg",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ],
        )
        # libmagic says text/csv only for longer tables; either is allowed.
        self.assertLessEqual({a.content_type for a in attachments[4:]}, {"text/plain", "text/csv"})
        self.assertEqual(attachments[0].sha256, hashlib.sha256(PDF).hexdigest())
        event = self.inquiry.events.get()
        self.assertEqual(event.data["attachments"], 6)

    def test_a_file_of_another_type_is_refused_by_name_and_the_text_comes_back(self) -> None:
        before = stored_files()
        response = self.post_write(upload("kart.png", PNG), upload("Mitt tilbud.pdf", HTML))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "“Mitt tilbud.pdf” cannot be attached", status_code=400)
        self.assertContains(response, "Vedlagt er referatet.", status_code=400)
        self.assertContains(response, "choose them again before you save", status_code=400)
        self.assertFalse(InquiryMessage.objects.exists())
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(stored_files(), before)

    def test_an_svg_is_refused(self) -> None:
        response = self.post_write(upload("logo.svg", SVG, "image/svg+xml"))
        self.assertContains(response, "“logo.svg” cannot be attached", status_code=400)
        self.assertFalse(Attachment.objects.exists())

    def test_a_plain_zip_called_docx_is_refused(self) -> None:
        response = self.post_write(upload("avtale.docx", plain_zip("avtale.txt")))
        self.assertContains(response, "“avtale.docx” cannot be attached", status_code=400)
        self.assertFalse(InquiryMessage.objects.exists())

    @override_settings(ATTACHMENT_MAX_MB=1)
    def test_a_file_over_the_configured_limit_is_refused(self) -> None:
        response = self.post_write(upload("stor.pdf", PDF + b"0" * MB))
        self.assertContains(response, "“stor.pdf” is larger than 1 MB.", status_code=400)
        self.assertFalse(InquiryMessage.objects.exists())

    def test_a_file_of_11_mb_is_refused_by_the_default_limit_of_10(self) -> None:
        self.assertEqual(settings.ATTACHMENT_MAX_MB, 10)
        response = self.post_write(upload("skannet.pdf", PDF + b"0" * (11 * MB)))
        self.assertContains(response, "“skannet.pdf” is larger than 10 MB.", status_code=400)
        self.assertFalse(Attachment.objects.exists())

    def test_a_file_too_big_to_be_kept_in_memory_is_read_from_its_temporary_file(self) -> None:
        content = PDF + b"%" * (3 * MB)  # past FILE_UPLOAD_MAX_MEMORY_SIZE: Django writes it to a temporary file
        self.assertEqual(self.post_write(upload("stor-rapport.pdf", content)).status_code, 302)
        attachment = Attachment.objects.get()
        self.assertEqual((attachment.content_type, attachment.size), ("application/pdf", len(content)))
        self.assertEqual(attachment.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(Path(attachment.file.path).read_bytes(), content)

    def test_eleven_files_are_refused(self) -> None:
        response = self.post_write(*[upload(f"notat-{number}.txt", TXT, "text/plain") for number in range(11)])
        self.assertContains(response, "Attach at most 10 files to one message; you chose 11.", status_code=400)
        self.assertFalse(InquiryMessage.objects.exists())

    def test_an_empty_file_is_refused(self) -> None:
        response = self.post_write(upload("tom.pdf", b""))
        self.assertContains(response, "“tom.pdf” is empty.", status_code=400)

    def test_the_write_form_is_multipart_also_for_htmx(self) -> None:
        page = self.client.get(f"/en/staff/inquiries/{self.inquiry.pk}/").content.decode()
        self.assertRegex(page, r'<form[^>]+enctype="multipart/form-data"[^>]+hx-encoding="multipart/form-data"')
        self.assertIn('name="write-attachments"', page)
        self.assertRegex(page, r'<input type="file" name="write-attachments"[^>]* multiple')

    def test_an_internal_note_saved_in_place_with_htmx_keeps_its_attachment_and_lists_it(self) -> None:
        data = {"write-kind": "note", "write-body": "Internt notat.", "write-attachments": [upload("intern.pdf", PDF)]}
        response = self.client.post(write_url(self.inquiry), data, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        attachment = Attachment.objects.get()
        self.assertEqual(attachment.message.kind, K.NOTE)
        self.assertContains(response, f'href="/en/staff/attachments/{attachment.pk}/"')
        self.assertContains(response, "intern.pdf")

    def test_asking_for_information_an_interim_reply_and_a_registered_reply_take_attachments(self) -> None:
        cases = [
            ("request-information", S.IN_PROGRESS, K.TO_PARTNER),
            ("interim-reply", S.IN_PROGRESS, K.TO_PARTNER),
            ("partner-reply", S.AWAITING_PARTNER, K.FROM_PARTNER),
        ]
        for action, status, kind in cases:
            with self.subTest(action):
                inquiry = make_inquiry_in(status)
                page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/", {"action": action}).content.decode()
                self.assertRegex(page, rf'action="{write_url(inquiry, action)}"[^>]* enctype="multipart/form-data"')
                data = {f"{action}-body": "Se vedlagt skjema.", f"{action}-attachments": [upload("skjema.pdf", PDF)]}
                with self.captureOnCommitCallbacks(execute=True):
                    response = self.client.post(write_url(inquiry, action), data)
                self.assertEqual(response.status_code, 302)
                message = InquiryMessage.objects.get(inquiry=inquiry)
                self.assertEqual((message.kind, message.attachments.get().original_name), (kind, "skjema.pdf"))


class StorageTests(AttachmentTestCase):
    def test_files_are_kept_under_random_names_in_the_private_folder_only(self) -> None:
        attachment = self.attachment(make_inquiry_in(S.IN_PROGRESS), name="Søknad om midler.pdf")
        path = Path(attachment.file.path).resolve()
        private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        self.assertTrue(path.is_relative_to(private))
        self.assertRegex(str(attachment.file.name), r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}$")
        self.assertEqual(path.read_bytes(), PDF)
        # The production folders: the private one is apart from what is served (static files, media).
        production_private = Path(production_settings.PRIVATE_MEDIA_ROOT).resolve()
        served = [Path(production_settings.STATIC_ROOT), *map(Path, production_settings.STATICFILES_DIRS)]
        media_root = getattr(production_settings, "MEDIA_ROOT", "")
        if media_root:
            served.append(Path(media_root))
        for folder in served:
            with self.subTest(str(folder)):
                self.assertFalse(production_private.is_relative_to(folder.resolve()))
                self.assertFalse(folder.resolve().is_relative_to(production_private))
                self.assertFalse(path.is_relative_to(folder.resolve()))

    def test_the_original_name_is_cleaned_and_shortened(self) -> None:
        cases = {
            "../../etc/passwd.pdf": "passwd.pdf",
            "..\\..\\Windows\\win.ini": "win.ini",
            'Søknad "endelig" – æøå.pdf': "Søknad_endelig__æøå.pdf",
            ".htaccess": "htaccess",
            "<script>.txt": "script.txt",
            "": "attachment",
            "...": "attachment",
            "x" * 300 + ".docx": "x" * 115 + ".docx",
        }
        for name, expected in cases.items():
            with self.subTest(name):
                self.assertEqual(clean_original_name(name), expected)

    def test_a_failure_after_the_files_were_stored_removes_them_again(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        before = stored_files()

        with (
            mock.patch.object(emails, "queue_partner_message", side_effect=RuntimeError("the outbox is broken")),
            self.assertRaises(RuntimeError),
        ):
            conversation.send_message(inquiry, body="Hei", actor=self.amina, attachments=[upload("a.pdf", PDF)])
        self.assertEqual(stored_files(), before)
        self.assertFalse(Attachment.objects.exists())

    def test_a_refused_service_call_stores_nothing(self) -> None:
        inquiry = make_inquiry_in(S.CLOSED)
        before = stored_files()
        with self.assertRaises(InquiryStateError):
            conversation.send_message(inquiry, body="Hei", actor=self.amina, attachments=[upload("a.pdf", PDF)])
        with self.assertRaises(AttachmentError):
            conversation.add_note(
                make_inquiry_in(S.IN_PROGRESS), body="Hei", actor=self.amina, attachments=[upload("a.pdf", HTML)]
            )
        self.assertEqual(stored_files(), before)
        self.assertFalse(InquiryMessage.objects.exists())


# --- Downloads ---------------------------------------------------------------------------------------------------


class StaffDownloadTests(AttachmentTestCase):
    def url(self, attachment: Attachment) -> str:
        return f"/en/staff/attachments/{attachment.pk}/"

    def test_a_download_is_an_attachment_never_sniffed_or_cached_and_is_logged(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        attachment = self.attachment(inquiry, name="../../etc/passwd.pdf")
        self.client.force_login(self.bruno)
        response = self.client.get(self.url(attachment))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="passwd.pdf"')
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        entry = AccessLogEntry.objects.get(kind=AccessLogEntry.Kind.ATTACHMENT_DOWNLOADED)
        self.assertEqual(
            (entry.actor, entry.inquiry, entry.target),
            (self.bruno, inquiry, f"requests_app.attachment:{attachment.pk}"),
        )

    def test_a_name_with_letters_beyond_ascii_and_quotes_is_given_as_rfc_6266_filename_star(self) -> None:
        attachment = self.attachment(make_inquiry_in(S.IN_PROGRESS), name='Søknad "endelig" æøå.pdf')
        self.client.force_login(self.amina)
        disposition = self.client.get(self.url(attachment))["Content-Disposition"]
        prefix = "attachment; filename*=utf-8''"
        self.assertTrue(disposition.startswith(prefix), disposition)
        self.assertEqual(unquote(disposition.removeprefix(prefix)), "Søknad_endelig_æøå.pdf")
        self.assertNotIn('"', disposition)

    def test_another_units_member_gets_a_404_and_nothing_is_logged(self) -> None:
        attachment = self.attachment(make_inquiry_in(S.IN_PROGRESS))  # Byutvikling og miljø's
        self.client.force_login(self.chen)
        self.assertEqual(self.client.get(self.url(attachment)).status_code, 404)
        self.assertEqual(self.client.get(f"/en/staff/attachments/{attachment.pk + 1000}/").status_code, 404)
        self.assertFalse(AccessLogEntry.objects.exists())

    def test_anonymous_goes_to_login_and_a_partner_is_refused(self) -> None:
        attachment = self.attachment(make_inquiry_in(S.IN_PROGRESS))
        response = self.client.get(self.url(attachment))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/en/accounts/login/"))
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(self.url(attachment)).status_code, 403)

    def test_an_internal_notes_attachment_is_for_staff(self) -> None:
        attachment = self.attachment(make_inquiry_in(S.IN_PROGRESS), kind=K.NOTE)
        self.client.force_login(self.bruno)
        self.assertEqual(self.client.get(self.url(attachment)).status_code, 200)


class PartnerDownloadTests(AttachmentTestCase):
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.partner, email=cls.partner.email, verified=True, primary=True)
        cls.inquiry = make_inquiry_in(S.IN_PROGRESS, contact=make_contact(email=cls.partner.email))

    def url(self, attachment: Attachment) -> str:
        return f"/en/my/attachments/{attachment.pk}/"

    def test_the_partner_downloads_the_attachments_of_messages_to_and_from_them(self) -> None:
        self.client.force_login(self.partner)
        for kind in (K.TO_PARTNER, K.FROM_PARTNER):
            with self.subTest(kind):
                response = self.client.get(self.url(self.attachment(self.inquiry, kind)))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Disposition"], 'attachment; filename="rapport.pdf"')
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertFalse(AccessLogEntry.objects.exists())  # the access log is of staff

    def test_notes_held_and_returned_messages_never_give_their_files_to_the_partner(self) -> None:
        hidden = [
            self.attachment(self.inquiry, K.NOTE),
            self.attachment(self.inquiry, K.TO_PARTNER, held_at=timezone.now(), is_decision=True),
            self.attachment(self.inquiry, K.TO_PARTNER, returned_at=timezone.now(), is_decision=True),
        ]
        self.client.force_login(self.partner)
        token = issue_status_link(self.inquiry, email=self.partner.email)
        for attachment in hidden:
            with self.subTest(attachment.message.kind):
                self.assertEqual(self.client.get(self.url(attachment)).status_code, 404)
                self.assertEqual(self.client.get(f"/en/status/{token}/attachments/{attachment.pk}/").status_code, 404)

    def test_another_partner_and_anonymous_cannot_guess_an_attachment(self) -> None:
        attachment = self.attachment(self.inquiry)
        other = make_user("annen@example.se", full_name="Annen Partner")
        EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
        self.client.force_login(other)
        self.assertEqual(self.client.get(self.url(attachment)).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url(attachment))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/en/accounts/login/"))

    def test_a_status_link_opens_only_its_own_inquirys_files_and_only_while_it_works(self) -> None:
        attachment = self.attachment(self.inquiry)
        elsewhere = self.attachment(make_inquiry_in(S.IN_PROGRESS))
        token = issue_status_link(self.inquiry, email=self.partner.email)
        response = self.client.get(f"/en/status/{token}/attachments/{attachment.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="rapport.pdf"')
        self.assertEqual(self.client.get(f"/en/status/{token}/attachments/{elsewhere.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/en/status/{'x' * 43}/attachments/{attachment.pk}/").status_code, 404)
        revoke_status_links(self.inquiry, actor=self.amina)
        self.assertEqual(self.client.get(f"/en/status/{token}/attachments/{attachment.pk}/").status_code, 404)


class PartnerReplyTests(AttachmentTestCase):
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        EmailAddress.objects.create(user=cls.partner, email=cls.partner.email, verified=True, primary=True)
        cls.inquiry = make_inquiry_in(S.AWAITING_PARTNER, contact=make_contact(email=cls.partner.email))

    def test_a_reply_through_a_status_link_keeps_its_files_and_the_page_links_them_through_the_link(self) -> None:
        token = issue_status_link(self.inquiry, email=self.partner.email)
        data = {
            "reply-body": "Her er budsjettet.",
            "reply-attachments": [upload("budsjett.xlsx", office_open_xml("xlsx"))],
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/en/status/{token}/reply/", data)
        self.assertEqual(response.status_code, 302)
        attachment = Attachment.objects.get()
        self.assertEqual((attachment.message.kind, attachment.uploaded_by), (K.FROM_PARTNER, None))
        page = self.client.get(f"/en/status/{token}/")
        self.assertContains(page, 'enctype="multipart/form-data"')
        self.assertContains(page, f'href="/en/status/{token}/attachments/{attachment.pk}/"')
        self.assertEqual(self.client.get(f"/en/status/{token}/attachments/{attachment.pk}/").status_code, 200)

    def test_a_reply_from_the_partners_account_keeps_its_files_and_the_page_links_them(self) -> None:
        self.client.force_login(self.partner)
        data = {"reply-body": "Vedlagt.", "reply-attachments": [upload("vedtekter.pdf", PDF)]}
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/en/my/inquiries/{self.inquiry.pk}/reply/", data)
        self.assertEqual(response.status_code, 302)
        attachment = Attachment.objects.get()
        self.assertEqual(attachment.uploaded_by, self.partner)
        page = self.client.get(f"/en/my/inquiries/{self.inquiry.pk}/")
        self.assertContains(page, f'href="/en/my/attachments/{attachment.pk}/"')

    def test_a_refused_file_keeps_the_partners_text_and_stores_nothing(self) -> None:
        token = issue_status_link(self.inquiry, email=self.partner.email)
        data = {"reply-body": "Se vedlagt side.", "reply-attachments": [upload("side.pdf", HTML)]}
        response = self.client.post(f"/en/status/{token}/reply/", data)
        self.assertContains(response, "“side.pdf” cannot be attached", status_code=400)
        self.assertContains(response, "Se vedlagt side.", status_code=400)
        self.assertContains(response, "choose them again before you save", status_code=400)
        self.assertFalse(InquiryMessage.objects.exists())

    def test_the_partners_page_lists_no_file_of_a_note_or_a_held_message(self) -> None:
        shown = self.attachment(self.inquiry, K.TO_PARTNER, name="til-deg.pdf")
        hidden = [
            self.attachment(self.inquiry, K.NOTE, name="internt.pdf"),
            self.attachment(self.inquiry, K.TO_PARTNER, name="holdt.pdf", held_at=timezone.now(), is_decision=True),
        ]
        self.client.force_login(self.partner)
        page = self.client.get(f"/en/my/inquiries/{self.inquiry.pk}/").content.decode()
        self.assertIn(f'href="/en/my/attachments/{shown.pk}/"', page)
        for attachment in hidden:
            self.assertNotIn(attachment.original_name, page)


# --- The inquiry page: links and its query budget ------------------------------------------------------------------


class PageTests(AttachmentTestCase):
    def count_queries(self, inquiry: Inquiry) -> int:
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_timeline_links_each_attachment_within_the_page_budget(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        for number in range(5):
            conversation.add_note(inquiry, body=f"Notat {number}", actor=self.amina)
        without = self.count_queries(inquiry)
        attachments = [self.attachment(inquiry, kind, name=f"fil-{kind}.pdf") for kind in (K.NOTE, K.TO_PARTNER)]
        self.attach(attachments[0].message, upload("kart.png", PNG))
        with_attachments = self.count_queries(inquiry)
        self.assertEqual(with_attachments, without)
        self.assertLessEqual(with_attachments, 15)
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/").content.decode()
        for attachment in Attachment.objects.all():
            self.assertIn(f'href="/en/staff/attachments/{attachment.pk}/"', page)
            self.assertIn(attachment.original_name, page)
        self.assertIn("(PNG image, ", page)


# --- Retention ---------------------------------------------------------------------------------------------------


class RetentionTests(AttachmentTestCase):
    def test_removing_the_personal_data_deletes_the_files_and_blanks_the_names(self) -> None:
        closed_at = timezone.now() - datetime.timedelta(days=4 * 365)
        inquiry = make_inquiry_in(S.CLOSED, closed_at=closed_at, decided_at=closed_at)
        first, second = self.attachment(inquiry, K.TO_PARTNER), self.attachment(inquiry, K.NOTE, name="notat.pdf")
        paths = [Path(first.file.path), Path(second.file.path)]
        kept = self.attachment(make_inquiry_in(S.IN_PROGRESS), name="beholdes.pdf")
        report = apply_retention(now=timezone.now())
        self.assertEqual(report.inquiries, 1)
        self.assertEqual([path.exists() for path in paths], [False, False])
        self.assertEqual(
            set(Attachment.objects.filter(message__inquiry=inquiry).values_list("file", "original_name", "sha256")),
            {("", "", "")},
        )
        self.assertEqual(inquiry.events.get().data["attachments"], 2)
        self.assertTrue(Path(kept.file.path).exists())
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(f"/en/staff/attachments/{first.pk}/").status_code, 404)
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/").content.decode()
        self.assertIn("Attachment removed", page)
        self.assertNotIn("rapport.pdf", page)
