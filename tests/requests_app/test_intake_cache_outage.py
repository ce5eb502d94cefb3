"""The intake rate limit fails open: a cache (Redis) outage never blocks a partner's submission."""

from django.core import mail
from django.test import override_settings

from requests_app.models import Inquiry
from tests.base import PortalTestCase
from tests.requests_app.test_intake_view import NEW, SUBMITTED, intake_data

# Nothing listens on port 1: every cache call fails with a connection error.
DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


class IntakeCacheOutageTests(PortalTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The sessions of this test must not depend on the cache either (they are in the database).
        self.override = override_settings(CACHES=DEAD_REDIS)
        self.override.enable()
        self.addCleanup(self.override.disable)

    def test_submission_succeeds_when_the_cache_is_down(self) -> None:
        with self.assertLogs("requests_app.views.intake", level="WARNING"), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(NEW, intake_data())
        self.assertRedirects(response, SUBMITTED, fetch_redirect_response=False)
        self.assertEqual(Inquiry.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)
