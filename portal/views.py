"""Project-level views: health check and error pages."""

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from requests_app import selectors


def _outbox_check() -> dict[str, Any]:
    """The age of the oldest e-mail not yet delivered: a growing age means the worker or the mail server is stuck.

    Reported, not judged: a slow mail server is not a reason for a load balancer to take the web node out.
    """
    age = selectors.oldest_undelivered_email_age()
    return {"status": "ok", "oldest_undelivered_seconds": None if age is None else int(age.total_seconds())}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and (when configured) Redis answer, and how old the oldest undelivered e-mail is.

    200 when healthy, 503 when the database or Redis does not answer.
    """
    checks: dict[str, dict[str, Any]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as error:
        checks["database"] = {"status": "error", "error": error.__class__.__name__}
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            checks["redis"] = {"status": "ok"}
        except Exception as error:
            checks["redis"] = {"status": "error", "error": error.__class__.__name__}
    else:
        checks["redis"] = {"status": "not_configured"}
    checks["outbox"] = _outbox_check() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    healthy = all(check["status"] in {"ok", "not_configured", "unknown"} for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
