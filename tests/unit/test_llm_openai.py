"""OpenAI-compatible adapter: request bodies, response parsing, feature downgrades and HTTP failure mapping."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from faultmaven.llm.openai_compat import OpenAICompatProvider
from faultmaven.ports.llm import ChatMessage, LLMBadResponse, LLMError, LLMRequest, LLMTimeout
from tests.support.openai_server import OpenAIReplayServer, Reply

FIXTURES = Path(__file__).parents[1] / "fixtures" / "llm"
SCHEMA = json.loads((FIXTURES / "triage_schema.json").read_text())
KEY = "sk-test-0123456789abcdefSECRET"


def request(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(messages=[ChatMessage(role="system", content="You are FaultMaven."),
                                ChatMessage(role="user", content="api returns 502")],
                      json_schema=schema, max_tokens=300, temperature=0.1)


class Recorder:
    """An httpx transport that records requests and answers from a list of (status, body, headers)."""

    def __init__(self, *answers: tuple[int, object, dict[str, str]]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, req: httpx.Request) -> httpx.Response:
        self.requests.append(req)
        status, body, headers = self.answers.pop(0)
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    def body(self, i: int = -1) -> dict:
        return json.loads(self.requests[i].content)


def provider(recorder: Recorder, **kw) -> OpenAICompatProvider:
    return OpenAICompatProvider(model="gpt-4o-mini", api_key=KEY, base_url="https://llm.example/v1",
                                http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kw)


def completion(content: str) -> dict:
    data = json.loads((FIXTURES / "openai_chat_completion.json").read_text())
    data["choices"][0]["message"]["content"] = content
    return data


def test_request_body_follows_chat_completions_format():
    rec = Recorder((200, completion("hi"), {}))
    provider(rec).complete(request())
    sent = rec.requests[0]
    assert str(sent.url) == "https://llm.example/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert rec.body() == {"model": "gpt-4o-mini", "max_tokens": 300, "temperature": 0.1,
                          "messages": [{"role": "system", "content": "You are FaultMaven."},
                                       {"role": "user", "content": "api returns 502"}]}


def test_schema_is_sent_as_json_schema_response_format():
    rec = Recorder((200, completion('{"phase": "timeline", "question": "when?"}'), {}))
    response = provider(rec).complete(request(SCHEMA))
    assert rec.body()["response_format"] == {"type": "json_schema",
                                             "json_schema": {"name": "reply", "schema": SCHEMA}}
    assert response.parsed == {"phase": "timeline", "question": "when?"}


def test_recorded_response_is_parsed_with_usage_and_fenced_json():
    rec = Recorder((200, json.loads((FIXTURES / "openai_chat_completion.json").read_text()), {}))
    response = provider(rec, name="groq").complete(request(SCHEMA))
    assert response.parsed == {"phase": "blast_radius", "question": "Which services return 502?"}
    assert (response.provider, response.model) == ("groq", "gpt-4o-mini-2024-07-18")
    assert response.usage == {"input_tokens": 112, "output_tokens": 21}


def test_no_key_means_no_authorization_header():
    rec = Recorder((200, completion("hi"), {}))
    OpenAICompatProvider(model="llama3.2", base_url="http://127.0.0.1:11434/v1/",
                         http_client=httpx.Client(transport=httpx.MockTransport(rec))).complete(request())
    assert "authorization" not in rec.requests[0].headers
    assert str(rec.requests[0].url) == "http://127.0.0.1:11434/v1/chat/completions"


def test_rejected_json_schema_downgrades_to_json_object_then_prompt_and_remembers():
    unsupported = {"error": {"message": "response_format type json_schema is not supported by this model"}}
    no_json_object = {"error": {"message": "'response_format.type' must be 'json_schema' or 'text'"}}
    rec = Recorder((400, unsupported, {}), (400, no_json_object, {}), (200, completion('{"a": 1}'), {}),
                   (200, completion('{"a": 2}'), {}))
    p = provider(rec)
    assert p.complete(request(SCHEMA)).parsed == {"a": 1}
    bodies = [json.loads(r.content) for r in rec.requests]
    assert bodies[1]["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert "JSON Schema" in bodies[1]["messages"][0]["content"]
    assert "response_format" not in bodies[2] and "JSON Schema" in bodies[2]["messages"][0]["content"]
    p.complete(request(SCHEMA))  # the next call goes straight to the mode that worked
    assert len(rec.requests) == 4 and "response_format" not in rec.body()


def test_llama_cpp_python_rejecting_json_schema_with_a_500_downgrades_to_json_object_with_the_schema():
    rejected = {"error": {"message": "1 validation error: ('body', 'response_format', 'type') Input should be "
                                     "'text' or 'json_object'", "type": "internal_server_error"}}
    rec = Recorder((500, rejected, {}), (200, completion('{"a": 1}'), {}))
    assert provider(rec).complete(request(SCHEMA)).parsed == {"a": 1}
    assert rec.body()["response_format"] == {"type": "json_object", "schema": SCHEMA}


def test_reasoning_model_parameters_are_adapted():
    rec = Recorder((400, {"error": {"message": "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens'."}},
                    {}),
                   (400, {"error": {"message": "Unsupported value: 'temperature' does not support 0.1"}}, {}),
                   (200, completion("ok"), {}))
    provider(rec).complete(request())
    assert rec.body()["max_completion_tokens"] == 300
    assert "max_tokens" not in rec.body() and "temperature" not in rec.body()


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (401, False), (404, False), (408, True),
                                                    (429, True), (500, True), (503, True)])
def test_http_errors_map_to_retryable_or_final(status, retryable):
    rec = Recorder((status, {"error": {"message": "nope"}}, {}))
    with pytest.raises(LLMError) as info:
        provider(rec).complete(request())
    assert info.value.retryable is retryable and info.value.status == status
    assert f"HTTP {status}" in str(info.value)


def test_retry_after_header_is_read():
    rec = Recorder((429, {"error": {"message": "slow down"}}, {"Retry-After": "7"}))
    with pytest.raises(LLMError) as info:
        provider(rec).complete(request())
    assert info.value.retry_after == 7


def test_api_key_echoed_by_the_server_never_reaches_the_error():
    rec = Recorder((401, {"error": {"message": f"Incorrect API key provided: {KEY}. Also sk-other-key-12345678"}}, {}))
    with pytest.raises(LLMError) as info:
        provider(rec).complete(request())
    assert KEY not in str(info.value) and "sk-other-key-12345678" not in str(info.value)
    assert "[redacted]" in str(info.value)


def test_non_json_body_is_a_bad_response():
    rec = Recorder((200, "<html>gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(LLMBadResponse):
        provider(rec).complete(request())


def test_completion_without_text_is_a_bad_response():
    rec = Recorder((200, {"choices": [{"message": {"role": "assistant", "content": None, "refusal": "no"}}]}, {}))
    with pytest.raises(LLMBadResponse):
        provider(rec).complete(request())


def test_slow_server_raises_timeout_over_real_http():
    with OpenAIReplayServer() as server:
        server.enqueue(Reply.text("late").slow(5))
        p = OpenAICompatProvider(model=server.model, base_url=server.base_url, timeout=0.3)
        with pytest.raises(LLMTimeout) as info:
            p.complete(request())
    assert info.value.retryable


def test_connection_refused_is_retryable():
    with OpenAIReplayServer() as server:
        base_url = server.base_url
    with pytest.raises(LLMError) as info:
        OpenAICompatProvider(model="m", base_url=base_url, timeout=2).complete(request())
    assert info.value.retryable and not isinstance(info.value, LLMTimeout)
