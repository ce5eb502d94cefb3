"""Skip the tests whose services are not here (PostgreSQL-only and Redis tests run in .ci/run's second pass), and
shared fixtures."""

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    has_redis = bool(os.environ.get("TEST_REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs a running redis-server: set TEST_REDIS_URL"))


@pytest.fixture
def in_english() -> Iterator[None]:
    """For modules that read the English texts: `pytestmark = pytest.mark.usefixtures("in_english")`. Without it,
    the language a previous test in the same process activated would decide what reverse() and gettext give."""
    with translation.override("en"):
        yield
