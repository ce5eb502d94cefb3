"""Moving around a page with the keyboard only, and reading what focus looks like."""

from typing import Any

from playwright.sync_api import Page

from tests.browser.checks import describe_focus


def focus_matches(page: Page, selector: str) -> bool:
    return bool(page.evaluate("selector => document.activeElement?.matches(selector) ?? false", selector))


def tab_to(page: Page, selector: str, *, backwards: bool = False, max_presses: int = 150) -> int:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; returns the number of presses.

    Fails with the list of what got focus on the way, so a missing or unreachable element is easy to see.
    """
    key = "Shift+Tab" if backwards else "Tab"
    visited = []
    for presses in range(1, max_presses + 1):
        page.keyboard.press(key)
        if focus_matches(page, selector):
            return presses
        visited.append(describe_focus(page))
    raise AssertionError(
        f"{key} did not reach {selector} in {max_presses} presses; focus went to:\n  " + "\n  ".join(visited[:60])
    )


def choose_option(page: Page, value: str, *, max_presses: int = 30) -> None:
    """In the focused <select>, press the down arrow until the option with `value` is chosen."""
    for _ in range(max_presses):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys did not reach the option {value!r} in {describe_focus(page)}")


def focus_style(page: Page, selector: str | None = None) -> dict[str, Any]:
    """The computed outline and box shadow of the first element matching `selector` (default: the focused one)."""
    return dict(
        page.evaluate(
            """selector => {
                const element = selector ? document.querySelector(selector) : document.activeElement;
                const style = getComputedStyle(element);
                return {
                    outlineStyle: style.outlineStyle,
                    outlineWidth: parseFloat(style.outlineWidth) || 0,
                    outlineColor: style.outlineColor,
                    boxShadow: style.boxShadow,
                };
            }""",
            selector,
        )
    )


def _transparent(color: str) -> bool:
    return color == "transparent" or color.replace(" ", "").endswith(",0)")


def focus_indicator_problem(name: str, unfocused: dict[str, Any], focused: dict[str, Any]) -> str | None:
    """None when keyboard focus adds a visible outline (at least 2 px) or a box shadow; else what is wrong."""
    outline = (
        focused["outlineStyle"] not in {"none", "hidden"}
        and focused["outlineWidth"] >= 2
        and not _transparent(focused["outlineColor"])
    )
    shadow = focused["boxShadow"] != "none" and focused["boxShadow"] != unfocused["boxShadow"]
    if focused == unfocused:
        return f"{name}: looks the same with and without keyboard focus ({focused})"
    if not (outline or shadow):
        return f"{name}: no visible focus indicator (focused {focused}, unfocused {unfocused})"
    return None
