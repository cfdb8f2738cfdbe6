"""The layout helper finds what it is for: a page wider than the phone, and a button hidden behind another element;
and it accepts a clean page and a wide table that scrolls inside its own box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.layout import layout_problems

PHONE = {"width": 390, "height": 844}
CLEAN = "<main><h1>Title</h1><button id='ok'>Fine</button><label>Name <input id='name'></label></main>"


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_a_clean_page_and_a_table_scrolling_in_its_box_pass(phone: object) -> None:
    phone.set_content(CLEAN + "<main><div style='overflow-x:auto'><table><tr><td style='min-width:900px'>"
                      "<a href='#x'>wide</a></td></tr></table></div></main>")
    assert layout_problems(phone) == []


def test_a_page_wider_than_the_phone_is_reported(phone: object) -> None:
    phone.set_content(CLEAN + "<main><div id='wide' style='width:600px'>too wide</div></main>")
    problems = layout_problems(phone)
    assert any("px wide in a 390 px window" in p for p in problems)
    assert any("div#wide" in p and "sticks out" in p for p in problems)


def test_a_covered_button_is_reported(phone: object) -> None:
    phone.set_content("<main><button id='hidden-one'>Approve</button>"
                      "<div id='cover' style='position:fixed;inset:0;background:#fff'></div></main>")
    problems = layout_problems(phone)
    assert any("button#hidden-one" in p and "covered by <div#cover>" in p for p in problems)
