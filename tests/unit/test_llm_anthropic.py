"""Anthropic adapter: Messages API request bodies, tool-use JSON output, text replies and errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from faultmaven.llm.anthropic import ANTHROPIC_VERSION, AnthropicProvider
from faultmaven.ports.llm import ChatMessage, LLMBadResponse, LLMError, LLMRequest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "llm"
SCHEMA = json.loads((FIXTURES / "triage_schema.json").read_text())
KEY = "sk-ant-api03-test-SECRETSECRET"


def run(answer: httpx.Response, req: LLMRequest) -> tuple[httpx.Request, object]:
    seen: list[httpx.Request] = []

    def handler(r: httpx.Request) -> httpx.Response:
        seen.append(r)
        return answer

    p = AnthropicProvider(model="claude-3-5-haiku-latest", api_key=KEY,
                          http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    try:
        return seen, p.complete(req)
    except LLMError as exc:
        return seen, exc


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_request_body_follows_messages_api():
    req = LLMRequest(messages=[ChatMessage(role="system", content="Doctrine."),
                               ChatMessage(role="assistant", content="Hi, what broke?"),
                               ChatMessage(role="user", content="the api"),
                               ChatMessage(role="user", content="502 since 14:00"),
                               ChatMessage(role="system", content="Evidence: nginx log.")],
                     max_tokens=200, temperature=0)
    seen, _ = run(httpx.Response(200, json=fixture("anthropic_text.json")), req)
    sent = seen[0]
    assert str(sent.url) == "https://api.anthropic.com/v1/messages"
    assert sent.headers["x-api-key"] == KEY and sent.headers["anthropic-version"] == ANTHROPIC_VERSION
    assert json.loads(sent.content) == {
        "model": "claude-3-5-haiku-latest", "max_tokens": 200, "temperature": 0,
        "system": "Doctrine.\n\nEvidence: nginx log.",
        # turns must alternate and start with the user: a leading assistant turn gets one before it
        "messages": [{"role": "user", "content": "Continue."},
                     {"role": "assistant", "content": "Hi, what broke?"},
                     {"role": "user", "content": "the api\n\n502 since 14:00"}],
    }


def test_schema_becomes_a_forced_tool_and_its_input_is_parsed():
    req = LLMRequest(messages=[ChatMessage(role="user", content="pods OOMKilled")], json_schema=SCHEMA)
    seen, response = run(httpx.Response(200, json=fixture("anthropic_tool_use.json")), req)
    body = json.loads(seen[0].content)
    assert body["tools"] == [{"name": "respond", "description": body["tools"][0]["description"],
                              "input_schema": SCHEMA}]
    assert body["tool_choice"] == {"type": "tool", "name": "respond"}
    assert response.parsed == {"phase": "timeline", "question": "When did the first OOMKilled event appear?"}
    assert json.loads(response.text) == response.parsed
    assert response.usage == {"input_tokens": 240, "output_tokens": 38}
    assert response.provider == "anthropic" and response.model == "claude-3-5-haiku-20241022"


def test_text_blocks_are_joined():
    req = LLMRequest(messages=[ChatMessage(role="user", content="help")])
    _, response = run(httpx.Response(200, json=fixture("anthropic_text.json")), req)
    assert response.text == "Check the pod's memory limit first. Then compare it with the heap size."
    assert response.parsed is None


def test_overloaded_is_retryable_and_key_is_not_echoed():
    body = {"type": "error", "error": {"type": "overloaded_error", "message": f"Overloaded ({KEY})"}}
    _, error = run(httpx.Response(529, json=body), LLMRequest(messages=[ChatMessage(role="user", content="x")]))
    assert isinstance(error, LLMError) and error.retryable and KEY not in str(error)


def test_missing_content_is_a_bad_response():
    _, error = run(httpx.Response(200, json={"type": "message"}),
                   LLMRequest(messages=[ChatMessage(role="user", content="x")]))
    assert isinstance(error, LLMBadResponse)


def test_only_system_text_is_sent_as_the_user_turn():
    seen, _ = run(httpx.Response(200, json=fixture("anthropic_text.json")),
                  LLMRequest(messages=[ChatMessage(role="system", content="Summarise the case.")]))
    body = json.loads(seen[0].content)
    assert body["messages"] == [{"role": "user", "content": "Summarise the case."}] and "system" not in body


@pytest.mark.parametrize("status", [400, 401, 403])
def test_client_errors_are_final(status):
    _, error = run(httpx.Response(status, json={"type": "error", "error": {"message": "bad"}}),
                   LLMRequest(messages=[ChatMessage(role="user", content="x")]))
    assert isinstance(error, LLMError) and not error.retryable
