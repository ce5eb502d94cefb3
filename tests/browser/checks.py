"""What every page of the portal must satisfy: axe-core's WCAG 2.1 A/AA and 2.2 AA rules, and our own checks.

Each check returns the problems it found as readable lines instead of failing at the first, so that one run
lists everything that needs fixing.
"""

from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from playwright.sync_api import Page, Response

from tests.browser.site import DESKTOP, NARROWEST

# axe-core as bundled by axe-playwright-python (its version is printed in the first line of the file).
AXE_SCRIPT = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = AXE_SCRIPT.split("\n", 1)[0].removeprefix("/*! ").strip()
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


@dataclass(frozen=True)
class AxeViolation:
    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        nodes = "".join(f"\n      {target}" for target in self.targets)
        return f"{self.url}: axe {self.rule} ({self.impact}): {self.help}{nodes}"


def _target_text(node: dict[str, Any]) -> str:
    # A target is a list of selectors, one per frame or shadow root on the way to the element.
    selector = " >> ".join(str(part) for part in node.get("target", []))
    html = " ".join(str(node.get("html", "")).split())
    return f"{selector}   {html[:160]}"


def axe_violations(page: Page, url: str) -> list[AxeViolation]:
    """Run axe-core on the page as it is now, with the WCAG 2.0/2.1 A and AA and WCAG 2.2 AA rules."""
    # page.evaluate goes through the DevTools protocol, so a Content-Security-Policy cannot block the script.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]},
    )
    return [
        AxeViolation(
            url=url,
            rule=violation["id"],
            impact=violation.get("impact") or "unknown",
            help=violation.get("help", ""),
            targets=tuple(_target_text(node) for node in violation["nodes"]),
        )
        for violation in results["violations"]
    ]


def start_from_top(page: Page) -> None:
    """Make the next Tab go to the first focusable element, as after loading a page without autofocus."""
    page.evaluate(
        """() => {
            const body = document.body;
            body.setAttribute('tabindex', '-1');
            body.focus();
            body.removeAttribute('tabindex');
            window.scrollTo(0, 0);
        }"""
    )


def describe_focus(page: Page) -> str:
    """The focused element, short, for messages."""
    return str(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return 'nothing (body)';
                const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
                return el.outerHTML.split('>')[0].slice(0, 120) + '> ' + JSON.stringify(text);
            }"""
        )
    )


def skip_link_problems(page: Page, url: str) -> list[str]:
    """The first Tab reaches a visible link to <main>, and following it with Enter moves focus into <main>."""
    if page.locator("main").count() != 1:
        return [f"{url}: has {page.locator('main').count()} <main> elements, a skip link needs exactly one"]
    start_from_top(page)
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            const href = el.getAttribute('href') || '';
            const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
            return {
                isLink: el.tagName === 'A' && href.startsWith('#'),
                targetsMain: target !== null && target === document.querySelector('main'),
                visible: box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0
                    && box.left < window.innerWidth && box.top < window.innerHeight,
            };
        }"""
    )
    if not first["isLink"]:
        return [f"{url}: the first Tab does not reach a skip link but {describe_focus(page)}"]
    problems = []
    if not first["targetsMain"]:
        problems.append(f"{url}: the skip link {describe_focus(page)} does not point to the <main> element")
    if not first["visible"]:
        problems.append(f"{url}: the skip link is not visible when it has keyboard focus")
    page.keyboard.press("Enter")
    if not page.evaluate("() => document.querySelector('main').contains(document.activeElement)"):
        problems.append(f"{url}: following the skip link leaves focus on {describe_focus(page)}, not in <main>")
    return problems


def stylesheet_problems(page: Page, url: str) -> list[str]:
    """Every linked stylesheet loaded: without them axe and the layout checks would judge an unstyled page."""
    missing = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].filter(link => !link.sheet).map(l => l.href)"
    )
    return [f"{url}: the stylesheet {href} did not load" for href in missing]


def structure_problems(page: Page, url: str, language: str) -> list[str]:
    """<html lang> is the page's language, the title is not empty, and there is exactly one <h1>."""
    problems = []
    lang = page.evaluate("() => document.documentElement.getAttribute('lang')")
    if lang != language:
        problems.append(f"{url}: <html lang={lang!r}>, expected {language!r}")
    title = page.title().strip()
    if not title:
        problems.append(f"{url}: the <title> is empty")
    elif title.startswith(("–", "-", "|")):
        problems.append(f"{url}: the <title> {title!r} names only the site, not the page")
    headings = page.locator("h1").count()
    if headings != 1:
        problems.append(f"{url}: has {headings} <h1> elements, expected exactly one")
    return problems


def reflow_problems(page: Page, url: str) -> list[str]:
    """At 320 CSS pixels the page scrolls only vertically (WCAG 1.4.10); the window is set back afterwards."""
    page.set_viewport_size(NARROWEST)
    try:
        scroll_width, window_width, culprits = page.evaluate(_MEASURE_REFLOW)
    finally:
        page.set_viewport_size(DESKTOP)
    if scroll_width > window_width:
        return [
            f"{url}: scrolls horizontally at {window_width} px (the page is {scroll_width} px wide); too wide: "
            + "; ".join(culprits)
        ]
    return []


# The page's width, the window's, and the innermost elements (or their text) that reach past the right edge of
# the window, outside containers that scroll on their own such as a table wrapper.
_MEASURE_REFLOW = """() => {
    const limit = window.innerWidth + 0.5;
    const reachesPast = el => {
        const box = el.getBoundingClientRect();
        return box.right > limit || box.left + el.scrollWidth > limit;
    };
    const scrollsOnItsOwn = el => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX)) return true;
        }
        return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter(el => reachesPast(el) && !scrollsOnItsOwn(el));
    const culprits = wide
        .filter(el => !wide.some(other => other !== el && el.contains(other)))
        .slice(0, 3)
        .map(el => {
            const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
            const classes = el.classList.length ? '.' + [...el.classList].join('.') : '';
            const box = el.getBoundingClientRect();
            const right = Math.round(Math.max(box.right, box.left + el.scrollWidth));
            return `<${el.tagName.toLowerCase()}${classes}> ${JSON.stringify(text)} (reaches ${right} px)`;
        });
    return [document.documentElement.scrollWidth, window.innerWidth, culprits];
}"""


@dataclass
class PageReport:
    """What was found on one page (one state of a page: a form with errors is a page of its own here)."""

    url: str
    how: str
    status: int | None
    title: str
    problems: list[str] = field(default_factory=list)
    violations: list[AxeViolation] = field(default_factory=list)


def check_page(
    page: Page, *, response: Response | None, language: str, how: str, expected_status: tuple[int, ...] = (200,)
) -> PageReport:
    """Every check on the page as the browser shows it now; `how` says how the page was reached."""
    url = page.url
    status = response.status if response is not None else None
    report = PageReport(url=url, how=how, status=status, title=page.title().strip())
    if status not in expected_status:
        report.problems.append(f"{url}: answered {status}, expected {' or '.join(map(str, expected_status))} ({how})")
    report.problems += stylesheet_problems(page, url)
    report.problems += structure_problems(page, url, language)
    report.violations = axe_violations(page, url)
    report.problems += skip_link_problems(page, url)
    report.problems += reflow_problems(page, url)
    return report
