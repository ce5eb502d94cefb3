"""Settings for more than one machine: attachments on S3-compatible storage, and a read replica for the reports.

The settings module is run again with the variables set (nothing connects: no bucket or replica is reached).
"""

import os
import runpy
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, StorageHandler
from django.db import connections
from django.test import SimpleTestCase, override_settings
from storages.backends.s3 import S3Storage

from partners.models import Organisation
from portal import db
from requests_app.models import Inquiry
from tests.base import PortalTestCase

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "portal" / "settings.py"
# Whatever the machine running the tests has set must not leak into the settings read here.
_CLEARED = (
    "PORTAL_ATTACHMENT_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_LOCATION",
    "DATABASE_REPLICA_URL",
)


def portal_settings(**variables: str) -> dict[str, Any]:
    """portal/settings.py's names, read with these environment variables (in the local demo's mode)."""
    environment = {name: value for name, value in os.environ.items() if name not in _CLEARED}
    environment |= {"DJANGO_DEBUG": "true", **variables}
    with mock.patch.dict(os.environ, environment, clear=True):
        return runpy.run_path(str(SETTINGS_FILE))


class AttachmentStorageSettingsTests(SimpleTestCase):
    def test_attachments_stay_in_the_private_folder_by_default(self) -> None:
        settings = portal_settings()
        storage = StorageHandler(settings["STORAGES"])["attachments"]
        assert isinstance(storage, FileSystemStorage)
        self.assertEqual(Path(storage.location), settings["PRIVATE_MEDIA_ROOT"])

    def test_s3_makes_attachments_private_objects_without_signed_links(self) -> None:
        settings = portal_settings(
            PORTAL_ATTACHMENT_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="portal-attachments",
            AWS_S3_ENDPOINT_URL="http://127.0.0.1:9",  # never reached: nothing below connects
            AWS_S3_REGION_NAME="eu-north-1",
            AWS_ACCESS_KEY_ID="AKIATESTKEY",
            AWS_SECRET_ACCESS_KEY="test-secret",
        )
        storage = StorageHandler(settings["STORAGES"])["attachments"]
        assert isinstance(storage, S3Storage)
        self.assertEqual(storage.bucket_name, "portal-attachments")
        self.assertEqual(storage.endpoint_url, "http://127.0.0.1:9")
        self.assertEqual(storage.default_acl, "private")
        self.assertFalse(storage.querystring_auth)
        self.assertFalse(storage.file_overwrite)
        self.assertIsNone(storage.custom_domain)
        # Even if some code asked for a URL, it would carry no signature that could open a private object.
        url = storage.url("attachments/2026/03/0123456789abcdef")
        self.assertEqual(parse_qs(urlsplit(url).query), {})
        self.assertNotIn("Signature", url)
        # The other storages stay as they were.
        self.assertEqual(settings["STORAGES"]["default"]["BACKEND"], "django.core.files.storage.FileSystemStorage")

    def test_a_bucket_name_alone_chooses_s3(self) -> None:
        settings = portal_settings(AWS_STORAGE_BUCKET_NAME="portal-attachments")
        self.assertEqual(settings["STORAGES"]["attachments"]["BACKEND"], "storages.backends.s3.S3Storage")

    def test_s3_needs_a_bucket_and_only_known_storages_are_accepted(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "AWS_STORAGE_BUCKET_NAME must be set"):
            portal_settings(PORTAL_ATTACHMENT_STORAGE="s3")
        with self.assertRaisesMessage(ImproperlyConfigured, "PORTAL_ATTACHMENT_STORAGE must be local or s3"):
            portal_settings(PORTAL_ATTACHMENT_STORAGE="ftp")


class ReplicaSettingsTests(SimpleTestCase):
    def test_without_a_replica_there_is_one_database_and_no_router(self) -> None:
        settings = portal_settings()
        self.assertEqual(list(settings["DATABASES"]), ["default"])
        self.assertNotIn("DATABASE_ROUTERS", settings)

    def test_a_replica_url_adds_the_replica_and_its_router(self) -> None:
        settings = portal_settings(
            DATABASE_URL="postgres://portal:secret@primary:5432/portal",
            DATABASE_REPLICA_URL="postgres://reader:secret@replica:5432/portal",
        )
        replica = settings["DATABASES"]["replica"]
        self.assertEqual((replica["HOST"], replica["USER"]), ("replica", "reader"))
        self.assertEqual(replica["TEST"], {"MIRROR": "default"})
        self.assertEqual(settings["DATABASE_ROUTERS"], ["portal.db.ReportingRouter"])


class ReportingRouterTests(SimpleTestCase):
    """The router on its own; the replica alias is added to the settings for the duration of a test only, and a
    transaction is pretended (nothing is queried)."""

    router = db.ReportingRouter()

    def with_replica(self) -> Any:
        return mock.patch.dict("django.conf.settings.DATABASES", {"replica": {}})

    def test_without_a_replica_reports_read_the_primary(self) -> None:
        self.assertEqual(db.reporting_database(), "default")
        with db.reporting_reads() as alias:
            self.assertEqual(alias, "default")
            self.assertEqual(self.router.db_for_read(Inquiry), "default")

    def test_with_a_replica_only_reads_inside_the_block_and_outside_transactions_go_there(self) -> None:
        with self.with_replica():
            self.assertEqual(db.reporting_database(), "replica")
            self.assertIsNone(self.router.db_for_read(Inquiry))  # the default routing: the primary
            with db.reporting_reads():
                self.assertEqual(self.router.db_for_read(Inquiry), "replica")
                self.assertEqual(self.router.db_for_write(Inquiry), "default")
                with mock.patch.object(connections["default"], "in_atomic_block", True):
                    self.assertEqual(self.router.db_for_read(Inquiry), "default")
            self.assertIsNone(self.router.db_for_read(Inquiry))

    def test_the_replica_is_never_migrated_and_rows_from_either_relate(self) -> None:
        self.assertFalse(self.router.allow_migrate("replica", "requests_app"))
        self.assertTrue(self.router.allow_migrate("default", "requests_app"))
        self.assertTrue(self.router.allow_relation(Organisation(), Inquiry()))


@override_settings(DATABASE_ROUTERS=["portal.db.ReportingRouter"])
class ReportPagesReadTheReportingDatabaseTests(PortalTestCase):
    """With the router installed, the summary and the UNECE report read through reporting_reads(); the login and the
    session before them do not."""

    def reads_routed(self, path: str) -> list[str | None]:
        routed: list[str | None] = []
        original = db.ReportingRouter.db_for_read

        def spy(router: db.ReportingRouter, model: type, **hints: Any) -> str | None:
            alias = original(router, model, **hints)
            routed.append(alias)
            return alias

        self.client.force_login(self.amina)
        with mock.patch.object(db.ReportingRouter, "db_for_read", spy):
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return routed

    def test_summary_page(self) -> None:
        routed = self.reads_routed("/en/staff/summary/")
        self.assertIn("default", routed)  # inside the block, with no replica: the primary
        self.assertIn(None, routed)  # outside it: the session and the user

    def test_unece_report(self) -> None:
        routed = self.reads_routed("/en/staff/reports/unece/2025/")
        self.assertIn("default", routed)
        self.assertIn(None, routed)
