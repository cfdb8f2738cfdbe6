"""Token budget: estimates, middle truncation, trimming a conversation to a model's context."""

from __future__ import annotations

import pytest

from faultmaven.llm.budget import (
    estimate_tokens,
    fit_messages,
    fit_request,
    messages_tokens,
    truncate_to_tokens,
)
from faultmaven.ports.llm import ChatMessage, LLMError, LLMRequest

LOG_LINE = "2024-05-01T12:00:03.123Z ERROR [checkout-7f9c] upstream timed out (110: Connection timed out) 10.0.3.7:8080"


def msg(role: str, text: str) -> ChatMessage:
    return ChatMessage(role=role, content=text)


def test_estimate_errs_high_and_counts_fine_grained_pieces():
    assert estimate_tokens("") == 0
    assert estimate_tokens("hello world") == 4  # ceil(5/4) per word
    assert estimate_tokens(LOG_LINE) > len(LOG_LINE) / 4  # logs split finer than prose
    assert estimate_tokens("数据库连接失败") == 7  # one per non-ASCII character
    assert estimate_tokens("word " * 100) == 100


def test_truncate_keeps_head_and_tail_within_budget():
    text = "HEAD " + "filler line\n" * 2000 + " TAIL"
    cut = truncate_to_tokens(text, 100)
    assert estimate_tokens(cut) <= 100
    assert cut.startswith("HEAD") and cut.endswith("TAIL") and "characters omitted" in cut
    assert truncate_to_tokens("short", 100) == "short"


def test_fit_keeps_everything_when_it_fits():
    messages = [msg("system", "rules"), msg("user", "hi")]
    assert fit_messages(messages, 1000) == messages


def test_fit_drops_oldest_turns_and_keeps_system_and_latest():
    history = [msg("user" if i % 2 == 0 else "assistant", f"turn {i} " + "detail " * 50) for i in range(12)]
    messages = [msg("system", "doctrine rules"), *history, msg("user", "latest question")]
    fitted = fit_messages(messages, 500)
    assert messages_tokens(fitted) <= 500
    assert fitted[0] == messages[0] and fitted[-1].content == "latest question"
    assert fitted[1].role == "system" and "earlier messages were left out" in fitted[1].content
    kept_turns = [m.content.split()[1] for m in fitted[2:-1]]
    assert kept_turns and kept_turns == sorted(kept_turns, key=int) and kept_turns[-1] == "11"  # newest kept, in order


def test_fit_uses_a_summariser_for_what_it_drops():
    seen: list[list[ChatMessage]] = []

    def summarise(dropped: list[ChatMessage]) -> str:
        seen.append(dropped)
        return f"user reported 502s ({len(dropped)} turns)"

    messages = [msg("user", "old " * 300), msg("assistant", "older reply " * 300), msg("user", "now?")]
    fitted = fit_messages(messages, 300, summarise=summarise)
    assert len(seen) == 1 and seen[0] == messages[:2]
    assert "user reported 502s (2 turns)" in fitted[0].content and fitted[-1].content == "now?"


def test_fit_shortens_a_huge_latest_message_instead_of_failing():
    evidence = "BEGIN " + (LOG_LINE + "\n") * 500 + " END"
    fitted = fit_messages([msg("system", "rules"), msg("user", evidence)], 400)
    assert messages_tokens(fitted) <= 400
    assert fitted[0].content == "rules"
    assert fitted[-1].content.startswith("BEGIN") and fitted[-1].content.endswith("END")


def test_fit_request_reserves_output_and_schema():
    messages = [msg("user", "x " * 3000)]
    request = LLMRequest(messages=messages, max_tokens=1000, json_schema={"type": "object"})
    fitted = fit_request(request, 2048)
    assert messages_tokens(fitted.messages) <= 2048 - 1000
    small = LLMRequest(messages=[msg("user", "hi")])
    assert fit_request(small, 4096) is small


def test_fit_request_refuses_when_output_leaves_no_room():
    with pytest.raises(LLMError, match="no room"):
        fit_request(LLMRequest(messages=[msg("user", "hi")], max_tokens=4000), 4096)
