"""Settings for the test suite: fast hashing, e-mail kept in memory, tasks run in process.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-" + "x" * 48)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.pop("REDIS_URL", None)  # the tests that need Redis start their own and say so

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
SECURE_SSL_REDIRECT = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "TEST" not in DATABASES["default"]:
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
# Static files are served from the app folders by whitenoise's finders; no collectstatic in tests.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
