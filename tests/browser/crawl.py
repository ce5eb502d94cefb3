"""Find a role's pages by following links, breadth-first, and check each one (tests/browser/checks.py).

New pages are covered without touching the tests as long as some page of the role links to them. Pages that
only a form leads to (errors, receipts) are visited by the tests themselves and added with `check_current`.
"""

from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response

from tests.browser.checks import PageReport, check_page
from tests.browser.site import language_of

# More pages than this for one role in one language means something generates links without end (or the demo
# data grew); the crawl then fails instead of silently leaving pages unchecked. (160: the administrator reached 128
# pages once the inquiry page gained "ask the executive" and "highlight" forms, each opened on every inquiry.)
PAGE_CAP = 160
# page= for lists; action= opens an action's form on the inquiry page, so every form is checked too.
_KEPT_QUERY_PARAMETERS = {"page", "action"}
_FILE_SUFFIXES = {".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".pdf"}
_FILE_SUFFIXES |= {".woff", ".woff2", ".ttf", ".otf", ".txt", ".xml", ".json", ".csv", ".xlsx", ".zip"}


def _paths_not_to_follow(language: str) -> tuple[str, ...]:
    """Path prefixes the crawl never opens."""
    with translation.override(language):
        logout = reverse("account_logout")
    return (
        # Logging out would end the role's session halfway through its crawl.
        logout,
        # The Django admin is not the portal's own interface (administrators only, styled by Django, not by us);
        # it is excluded on purpose, not by accident.
        "/admin/",
        # Changes the language by POST; never a page of its own.
        reverse("set_language"),
        settings.STATIC_URL,
    )


@dataclass
class SiteCheck:
    """The pages one role sees in one language, checked as they are visited."""

    page: Page
    base_url: str
    language: str
    cap: int = PAGE_CAP
    reports: list[PageReport] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    cap_reached_with: list[str] = field(default_factory=list)

    def normalise(self, href: str) -> str | None:
        """The page a link leads to as path and kept query, or None when the crawl does not follow it."""
        parts = urlsplit(href)
        base = urlsplit(self.base_url)
        if parts.scheme not in {"http", "https"}:
            return None  # mailto:, tel:, javascript:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        path = parts.path or "/"
        if path.startswith(_paths_not_to_follow(self.language)):
            return None
        if PurePosixPath(path).suffix.lower() in _FILE_SUFFIXES:
            return None
        if language_of(path) != self.language:
            return None  # the other language has a crawl of its own
        query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k in _KEPT_QUERY_PARAMETERS))
        return f"{path}?{query}" if query else path

    @property
    def checked_urls(self) -> set[str]:
        return {url for report in self.reports if (url := self.normalise(report.url)) is not None}

    def check_current(
        self, response: Response | None, *, how: str, expected_status: tuple[int, ...] = (200,)
    ) -> PageReport:
        """Check the page the browser shows now (reached by a form or a redirect) and keep the report."""
        report = check_page(
            self.page, response=response, language=self.language, how=how, expected_status=expected_status
        )
        self.reports.append(report)
        return report

    def visit(self, path: str, *, how: str, expected_status: tuple[int, ...] = (200,)) -> PageReport:
        response = self.page.goto(path)
        return self.check_current(response, how=how, expected_status=expected_status)

    def crawl(self, start_paths: list[str]) -> None:
        """Open the start pages and every page their links lead to, breadth-first, up to the cap."""
        queue: deque[tuple[str, str]] = deque()
        seen: set[str] = set()
        for start in start_paths:
            target = self.normalise(self.base_url + start)
            assert target is not None, f"start page {start} is outside the {self.language} crawl"
            queue.append((target, "start page"))
            seen.add(target)
        crawled: set[str] = set()
        while queue:
            if len(crawled) >= self.cap:
                self.cap_reached_with = [url for url, _how in queue]
                return
            url, how = queue.popleft()
            try:
                response = self.page.goto(url)
            except PlaywrightError as error:
                if "Download is starting" not in error.message:
                    raise
                self.downloads.append(url)  # an export or an attachment
                continue
            if response is not None and not response.headers.get("content-type", "").startswith("text/html"):
                self.downloads.append(url)  # shown by the browser, but not an HTML page
                continue
            landed = self.normalise(self.page.url)
            if landed is None or landed in crawled:
                continue  # redirected out of the crawl, or to a page already crawled
            seen.add(landed)
            crawled.add(landed)
            # Links are read before the checks, which move focus and change the URL's fragment.
            hrefs: list[str] = self.page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
            self.check_current(response, how=how)
            for href in hrefs:
                target = self.normalise(href)
                if target is not None and target not in seen:
                    seen.add(target)
                    queue.append((target, f"link from {url}"))

    def problems(self) -> list[str]:
        """Every problem of every checked page, duplicate titles and a reached cap, one readable line each."""
        lines: list[str] = []
        for report in self.reports:
            lines += report.problems
            lines += [str(violation) for violation in report.violations]
        urls_by_title: dict[str, set[str]] = {}
        for report in self.reports:
            url = self.normalise(report.url) or report.url
            urls_by_title.setdefault(report.title, set()).add(url)
        for title, urls in sorted(urls_by_title.items()):
            if len(urls) > 1:
                lines.append(f"the title {title!r} is shared by different pages: {', '.join(sorted(urls))}")
        if self.cap_reached_with:
            lines.append(
                f"the crawl stopped at its cap of {self.cap} pages with {len(self.cap_reached_with)} pages unchecked, "
                f"e.g. {', '.join(self.cap_reached_with[:5])}: raise PAGE_CAP or find the endless links"
            )
        return lines

    def summary(self) -> str:
        """One line per checked page: status, how it was reached, title and number of problems."""
        lines = [
            f"{report.status} {report.url}  [{report.how}]  {report.title!r}  "
            f"problems={len(report.problems)} axe={len(report.violations)}"
            for report in self.reports
        ]
        lines += [f"not a page (a download or not HTML), not checked: {url}" for url in self.downloads]
        return "\n".join(lines)
