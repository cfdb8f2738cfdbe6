"""The LLM port sanitizes the whole request itself: messages of every role, the schema's text, before trimming."""

from __future__ import annotations

import json

from faultmaven.llm import build_llm
from faultmaven.llm.budget import fit_request
from faultmaven.llm.privacy import sanitize_request
from faultmaven.ports.llm import ChatMessage, LLMRequest
from faultmaven.sanitize import PlaceholderMap, Sanitizer
from faultmaven.settings import Settings
from tests.support.openai_server import OpenAIReplayServer, Reply

KEY = "AKIAQ3EXAMPLE7WXYZ12"
PASSWORD = "Hunter2-Secret-99"


def test_every_string_of_a_request_is_sanitized_with_the_given_map() -> None:
    mapping = PlaceholderMap()
    request = LLMRequest(messages=[ChatMessage(role="system", content=f"context: password={PASSWORD}"),
                                   ChatMessage(role="assistant", content=f"earlier I saw {KEY}"),
                                   ChatMessage(role="user", content=f"is {PASSWORD} still in use?")],
                         json_schema={"type": "object", "description": f"key {KEY}",
                                      "properties": {"reply": {"type": "string"}}},
                         placeholders=mapping)
    clean = sanitize_request(request, Sanitizer())
    sent = json.dumps(clean.model_dump())
    assert KEY not in sent and PASSWORD not in sent  # the bare password in the last message too: learnt from its key
    assert clean.placeholders is mapping and KEY in mapping and PASSWORD in mapping
    again = sanitize_request(LLMRequest(messages=[ChatMessage(role="user", content=f"and {KEY}?")],
                                        placeholders=mapping), Sanitizer())
    assert mapping.placeholder_for(KEY, "aws_access_key") in again.messages[0].content  # stable across requests
    assert clean.messages[0].content.startswith("context: password={{REDACTED:")
    assert clean.json_schema is not None and clean.json_schema["properties"] == {"reply": {"type": "string"}}


def _fragments(text: str) -> bool:
    return any(KEY[i:i + 8] in text for i in range(len(KEY) - 7))


def _split_by_the_cut() -> str:
    """A long message whose trimming (without sanitizing first) cuts the key in two and keeps part of it."""
    for words in range(0, 3000, 2):
        content = "word " * words + KEY + " word" * (3000 - words)
        kept = fit_request(LLMRequest(messages=[ChatMessage(role="user", content=content)], max_tokens=64), 1024)
        text = kept.messages[-1].content
        if KEY not in text and _fragments(text):
            return content
    raise AssertionError("no offset puts the cut inside the key")


def test_the_built_provider_sanitizes_before_trimming_to_the_context() -> None:
    content = _split_by_the_cut()
    with OpenAIReplayServer(default=Reply.text("ok")) as server:
        llm = build_llm(Settings(llm_provider="openai", llm_model="m", llm_base_url=server.base_url,
                                 llm_context_tokens=1024, llm_max_retries=0))
        assert llm is not None
        llm.complete(LLMRequest(messages=[ChatMessage(role="user", content=content)], max_tokens=64))
    sent = json.dumps(server.requests)
    assert "omitted" in sent and not _fragments(sent)
