"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

pytest-playwright provides `new_context` and `page` (and its --headed, --slowmo, --tracing and --screenshot
options); this file gives them Playwright started so that Django keeps its database connections, Debian's
chromium (never a downloaded browser), the live server and a desktop window. Every test module here carries

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

The live server answers from another thread, so the tests' rows must be committed (transaction=True); the
flush after each such test would also remove the units, groups and SDG goals that the data migrations load,
and serialized_rollback puts them back. The tests are skipped only when /usr/bin/chromium is missing.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.personas import DemoData, Persona, create_demo_data, create_personas
from tests.browser.site import DESKTOP

# Playwright's sync API keeps an asyncio event loop running in the main thread from the first browser test to the
# end of the session, and Django refuses ORM calls while an event loop runs in the thread
# (SynchronousOnlyOperation). Nothing here is asynchronous: the tests use the ORM only between Playwright calls.
# Set when pytest imports this file, so it holds for the whole test process (also the tests that xdist runs in
# the same worker after the browser tests).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",  # closed network: no update checks, safe browsing or metrics
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives Debian's chromium with Playwright (tests/browser); skipped without /usr/bin/chromium",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server (own port per xdist worker), serving static files from the app folders.

    pytest-django serves them through the staticfiles finders only when INSTALLED_APPS names
    "django.contrib.staticfiles" literally; with an AppConfig subclass in its place it serves STATIC_ROOT, which
    the test settings leave unset, and every page would lose its CSS (and fail axe for it).
    """
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    server.thread.static_handler = StaticFilesHandler
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API for the session (replaces pytest-playwright's), keeping Django's connections.

    While an event loop runs in a thread, Django's `connections` (an asgiref Local) keeps its connection
    objects in a context variable instead of the thread: the ORM would then open new ones, without the test
    database's serialized contents (so serialized_rollback would restore nothing after the first browser test)
    and, on SQLite in memory, as a second connection to the shared database. The objects this thread had before
    Playwright started its loop are put back.
    """
    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as started:
        for alias, connection in before.items():
            connections[alias] = connection
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright, browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """One headless chromium for the whole session (per xdist worker)."""
    # Only what pytest-playwright's --headed and --slowmo set; never its --browser-channel (a downloaded build).
    options = {key: value for key, value in browser_type_launch_args.items() if key in {"headless", "slow_mo"}}
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, **options)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_context_args(live_server: LiveServer) -> dict[str, Any]:
    """Every context opens pages on the live server (page.goto("/en/") works) in a desktop window."""
    # Replaces pytest-playwright's own (its --device and --video options are not used here).
    return {
        "base_url": live_server.url,
        "viewport": DESKTOP,
        "locale": "nb-NO",
        "timezone_id": "Europe/Oslo",
    }


@pytest.fixture
def context(new_context: CreateContextCallback) -> BrowserContext:
    """A fresh browser context (no cookies) per test; waits fail after 10 s rather than Playwright's 30 s."""
    context = new_context()
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The rate-limit counters (ours and allauth's) live in the cache, which the live server shares with the tests.
    cache.clear()


@pytest.fixture
def personas(transactional_db: None) -> dict[str, Persona]:
    return create_personas()


@pytest.fixture
def demo_data(transactional_db: None, personas: dict[str, Persona]) -> DemoData:
    # After the personas: the partner persona is linked to the demo organisations.
    return create_demo_data()


@pytest.fixture
def artifacts_dir(pytestconfig: pytest.Config) -> Path:
    """test-artifacts/ at the project root (git-ignored): screenshots and crawl logs for people to look at."""
    return pytestconfig.rootpath / "test-artifacts"
