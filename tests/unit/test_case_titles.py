"""Placeholder titles and titles drawn from the conversation."""

from __future__ import annotations

from datetime import datetime

import pytest

from faultmaven.cases.titles import MAX_TITLE, is_placeholder, placeholder_title, title_from_conversation


def test_placeholder() -> None:
    title = placeholder_title(datetime(2026, 3, 7), 12)
    assert title == "Case-260307-12" and is_placeholder(title)
    assert not is_placeholder("Case-2603-1") and not is_placeholder("Disk full")


@pytest.mark.parametrize(("messages", "title"), [
    (["hello", "Nginx returns 502 after the upgrade. What now?"], "Nginx returns 502 after the upgrade"),
    (["**Kafka** consumer `lag` keeps growing\nlogs below"], "Kafka consumer lag keeps growing"),
    (["please check https://example.com/x  the login page hangs forever"], "Check the login page hangs forever"),
    (["```\nstack trace\n```", "ok", "token {{REDACTED:api_key}} rejected by the gateway"],
     "Token rejected by the gateway"),
    (["hi", "ok thanks"], None),
    ([], None),
])
def test_title_from_conversation(messages: list[str], title: str | None) -> None:
    assert title_from_conversation(messages) == title


def test_long_titles_are_cut_on_a_word() -> None:
    title = title_from_conversation(["word " * 60])
    assert title is not None and len(title) <= MAX_TITLE + 1 and title.endswith("word…")
