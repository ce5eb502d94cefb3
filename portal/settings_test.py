"""Settings for the test suite: fast hashing, e-mail kept in memory, tasks run in process.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-" + "x" * 48)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.pop("REDIS_URL", None)  # the tests that need Redis start their own and say so
os.environ.pop("DATABASE_REPLICA_URL", None)  # one database; tests/test_scale_out_settings.py covers the replica

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Each test process keeps its attachments in a folder of its own, removed when it ends.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-attachments-"))
atexit.register(shutil.rmtree, PRIVATE_MEDIA_ROOT, ignore_errors=True)
STORAGES["attachments"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
SECURE_SSL_REDIRECT = False
# Most tests log personas in with a password or force_login and open staff pages straight away; the tests of the
# two-factor requirement (tests/test_mfa.py) turn it on with override_settings.
STAFF_MFA_REQUIRED = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "TEST" not in DATABASES["default"]:
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
# Static files are served from the app folders by whitenoise's finders; no collectstatic in tests.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
