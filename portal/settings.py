"""Settings for the portal, read from the environment (see .env.example and the README).

With no environment set, the portal runs in its embedded default: a SQLite file in the project folder,
Celery tasks executed in process, and e-mail printed to the console.
"""

import importlib.util
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.env import env, env_bool, env_int, env_list, env_optional

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------------------------
# The embedded default is a development set-up; production is DJANGO_DEBUG=false and must be configured.
DEBUG = env_bool("DJANGO_DEBUG", default=True)
_INSECURE_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_INSECURE_KEY if DEBUG else None)
if not DEBUG and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random value of at least 50 characters in production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the portal's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The public address of the portal, used for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "portal.apps.PortalStaticFilesConfig",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.usersessions",  # a person's sessions, and logging out everywhere else
    "allauth.mfa",  # two-factor authentication: authenticator apps, security keys and passkeys, recovery codes
    "django_filters",
    "django_htmx",
    "django_countries",
    "partners",
    "requests_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication, messages and allauth: sends staff without a second factor to set one up.
    "portal.access.StaffMfaMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.context_processors.portal",
            ],
            "builtins": ["portal.templatetags.portal_tags"],
        },
    },
]
# Forms render through templates/forms/ (Django's own form templates, overridden once for the whole site).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database ---------------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", default=60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A read replica (PostgreSQL streaming replication) for the summary dashboard and the UNECE report, so that their
# large reads leave the primary to the inbox and the forms (portal/db.py). Nothing is written or migrated there.
DATABASE_REPLICA_URL = env_optional("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", default=60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery, cache ---------------------------------------------------------------------------------
REDIS_URL = env_optional("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # django-redis, so that a Redis outage degrades the cache (rate-limit counters) instead of failing requests:
    # a partner's submission must succeed while Redis is down (the outbox holds its e-mail until Redis is back).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Embedded default: tasks run in the web process as soon as they are queued.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
# The queue name lets several deployments (or test runs) share one Redis without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When Redis is down, a web request gives up queueing quickly: the outbox row waits for the sweeper instead.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# --- Authentication ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Only a fallback: after login portal.adapters.AccountAdapter sends staff to the inbox and partners to My inquiries.
LOGIN_REDIRECT_URL = "requests_app:staff-inquiry-list"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"  # partners' rules, e-mails through the outbox
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "partners.forms.SignupForm"  # asks for the person's name too
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Explicit, so that a change of allauth's defaults does not loosen them unnoticed. The counters live in the cache
# (shared by all web processes with REDIS_URL). The Django admin's login goes through allauth's (portal/urls.py),
# so these limits cover it too. "key" is the e-mail address typed in; "ip" the client address.
ACCOUNT_RATE_LIMITS = {
    # Every login POST, successful or not: more than this answers 429 Too Many Requests.
    "login": "30/m/ip",
    # Failed logins: after five for one address (or twenty from one client) within five minutes, even the right
    # password is refused with "too many failed login attempts" until the window has passed.
    "login_failed": "20/5m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "manage_email": "10/m/user",
}

# --- Two-factor authentication (allauth.mfa) --------------------------------------------------------------
# Staff must have an authenticator app (TOTP) or a security key/passkey (WebAuthn) before any page but the
# account pages opens (portal.access.StaffMfaMiddleware); partners may add one but are never asked to.
# Production leaves this on; `make run` turns it off so that the demo accounts log in with a password alone.
STAFF_MFA_REQUIRED = env_bool("PORTAL_STAFF_MFA_REQUIRED", default=True)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# A passkey (a WebAuthn key added as "passwordless") logs in on its own: possession and the PIN or biometrics
# that unlock it are two factors, and nothing can be phished.
MFA_PASSKEY_LOGIN_ENABLED = True
# The name authenticator apps show next to the account.
MFA_TOTP_ISSUER = "FN-senteret Trondheim"
# fido2 accepts security keys only from https:// and http://localhost; the local demo skips that origin check.
# Never in production: the check is what stops a look-alike site from relaying a key's answer.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments of messages: outside the static and media paths, served only through a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private-media")))
ATTACHMENT_MAX_MB = env_int("ATTACHMENT_MAX_MB", default=10, minimum=1)
ATTACHMENT_MAX_FILES = 10
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None, "file_permissions_mode": 0o640},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Several machines: the attachments (and the UNECE report's PDFs) on S3-compatible object storage that every web
# node and worker reaches, through django-storages (the optional "s3" extra). The objects are private and no signed
# URLs are made: files are still downloaded only through the portal's views, which check access and log it.
# Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role.
ATTACHMENT_STORAGE = env(
    "PORTAL_ATTACHMENT_STORAGE", default="s3" if env_optional("AWS_STORAGE_BUCKET_NAME") else "local"
).lower()
if ATTACHMENT_STORAGE == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured('PORTAL_ATTACHMENT_STORAGE=s3 needs django-storages: pip install -e ".[s3]".')
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_optional("AWS_S3_ENDPOINT_URL"),
            "region_name": env_optional("AWS_S3_REGION_NAME"),
            "addressing_style": env_optional("AWS_S3_ADDRESSING_STYLE"),
            "location": env("AWS_LOCATION", default=""),
            "default_acl": "private",
            "querystring_auth": False,
            "custom_domain": None,
            # Never overwrite: a name already taken gets a free one instead, as on disk.
            "file_overwrite": False,
            # Larger files are spooled to a temporary file, not held in memory, while they are downloaded.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
elif ATTACHMENT_STORAGE != "local":
    raise ImproperlyConfigured(f"PORTAL_ATTACHMENT_STORAGE must be local or s3, not {ATTACHMENT_STORAGE!r}.")
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- E-mail -----------------------------------------------------------------------------------------------
_email_host = env_optional("EMAIL_HOST")
_email_file_path = env_optional("EMAIL_FILE_PATH")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", default=587, minimum=1),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 20,
            },
        }
    }
elif _email_file_path:
    # Staging and the worker tests: each message is written as a file in this folder instead of being sent.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": _email_file_path},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="FN-senteret Trondheim <fn-senteret@trondheim.kommune.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Portal rules that depend on the deployment -----------------------------------------------------------
# Public intake: successful submissions allowed per client address and hour before a 429.
INTAKE_RATE_LIMIT = env("INTAKE_RATE_LIMIT", default="10/h")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # a cache outage must never block a partner's submission
# How many reverse proxies in front of the portal append to X-Forwarded-For; 0 = use the socket's address.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", default=0, minimum=0)
# allauth's login rate limits count per client address too, read from X-Forwarded-For the same way.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
if not REDIS_URL:
    # The in-process cache is enough for one `runserver`; with Redis the counter is shared by all processes.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Security ---------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy, in development too so that a violation shows up before production. Everything is
# served by the portal itself: no inline <script>, no inline <style>, no style="" attributes in the pages (the
# e-mail templates have inline styles, but e-mail is not subject to the policy). The vendored scripts fit:
# - Designsystemet's web components attach their styles as constructed stylesheets (adoptedStyleSheets), which
#   style-src does not govern; their <style> fallback exists only for browsers without adoptedStyleSheets, and
#   they position popovers and the live region through the CSSOM (element.style.x = ...), which CSP allows.
# - htmx runs with includeIndicatorStyles false, allowEval false and allowScriptTags false (templates/base.html),
#   so it neither injects a <style> element nor evaluates code.
# So no nonce and no 'unsafe-hashes' are needed; the csp context processor is enabled should one ever be.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Browser features the portal never uses are switched off for its pages and anything they could embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_status_link_tokens": {"()": "portal.log_filters.RedactStatusLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_status_link_tokens"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells every step of laying out the UNECE report's PDF at INFO; only its problems matter.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
