"""A reusable layout check for the dashboard's browser tests: nothing overflows the screen sideways, and no control
hides behind another element (what a phone-sized viewport, 390 x 844, breaks first).

    from tests.browser.layout import assert_layout_ok
    assert_layout_ok(page)  # after the page has rendered what the test looks at
"""

from __future__ import annotations

from pathlib import Path

# layout_check.js (one function expression) runs in the page and returns one line per problem. Elements inside a
# sideways-scrolling box (a wide table in `.table-wrap`) may be wider than the screen: the box scrolls, the page does
# not. A control is "hidden" when, after scrolling it into view, the element at its centre is neither it, inside it,
# nor the label that wraps it.
_PROBLEMS_JS = (Path(__file__).parent / "layout_check.js").read_text()


def layout_problems(page: object) -> list[str]:
    """What is wrong with the page's layout right now (empty when nothing is)."""
    return page.evaluate(_PROBLEMS_JS)


def assert_layout_ok(page: object) -> None:
    problems = layout_problems(page)
    assert not problems, "layout problems:\n" + "\n".join(problems[:20])
