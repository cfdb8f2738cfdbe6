"""Retries with backoff, schema validation with one repair, the fallback chain, and keeping keys out of logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from faultmaven.llm.chain import FallbackChain, ResilientProvider, RetryPolicy
from faultmaven.llm.openai_compat import OpenAICompatProvider
from faultmaven.ports.llm import ChatMessage, LLMBadResponse, LLMError, LLMRequest, LLMResponse, LLMTimeout
from tests.support.openai_server import OpenAIReplayServer, Reply

FIXTURES = Path(__file__).parents[1] / "fixtures" / "llm"
SCHEMA = json.loads((FIXTURES / "triage_schema.json").read_text())
VALID = {"phase": "timeline", "question": "When did it start?"}


class Scripted:
    """A provider that raises or answers from a list, recording every request it got."""

    def __init__(self, *outcomes: LLMError | str, name: str = "scripted") -> None:
        self.name, self.model = name, "m"
        self.outcomes = list(outcomes)
        self.requests: list[LLMRequest] = []

    def complete(self, request: LLMRequest) -> LLMResponse:
        self.requests.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, LLMError):
            raise outcome
        return LLMResponse(text=outcome, provider=self.name, model=self.model,
                           usage={"input_tokens": 10, "output_tokens": 5})


def ask(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(messages=[ChatMessage(role="user", content="checkout is down")], json_schema=schema)


def resilient(inner, sleeps: list[float], *, max_retries: int = 3, rng: float = 1.0) -> ResilientProvider:
    return ResilientProvider(inner, policy=RetryPolicy(max_retries=max_retries, base_delay=1, max_delay=5,
                                                       max_retry_after=20),
                             sleep=sleeps.append, rng=lambda: rng)


def transient(status: int = 503, retry_after: float | None = None) -> LLMError:
    return LLMError(f"HTTP {status}", status=status, retryable=True, retry_after=retry_after)


def test_backoff_is_exponential_capped_and_jittered():
    sleeps: list[float] = []
    inner = Scripted(transient(), transient(), transient(), "ok")
    assert resilient(inner, sleeps).complete(ask()).text == "ok"
    assert sleeps == [1, 2, 4]  # rng=1: the full ceiling, doubling from base_delay
    sleeps_low: list[float] = []
    resilient(Scripted(transient(), transient(), transient(), "ok"), sleeps_low, rng=0.0).complete(ask())
    assert sleeps_low == [0.5, 1, 2]  # equal jitter: never below half the ceiling
    capped: list[float] = []
    resilient(Scripted(*[transient()] * 4, "ok"), capped, max_retries=4).complete(ask())
    assert capped[-1] == 5


def test_retry_after_is_honoured_and_capped():
    sleeps: list[float] = []
    resilient(Scripted(transient(429, retry_after=3), transient(429, retry_after=120), "ok"), sleeps).complete(ask())
    assert sleeps == [3, 20]


def test_gives_up_after_max_retries_with_the_last_error():
    sleeps: list[float] = []
    inner = Scripted(LLMTimeout("t1"), LLMTimeout("t2"), LLMTimeout("t3"))
    with pytest.raises(LLMTimeout, match="t3"):
        resilient(inner, sleeps, max_retries=2).complete(ask())
    assert len(inner.requests) == 3 and len(sleeps) == 2


def test_final_errors_are_not_retried():
    sleeps: list[float] = []
    inner = Scripted(LLMError("HTTP 400", status=400), "never")
    with pytest.raises(LLMError, match="400"):
        resilient(inner, sleeps).complete(ask())
    assert sleeps == [] and len(inner.requests) == 1


def test_valid_json_is_parsed_without_repair():
    inner = Scripted(json.dumps(VALID))
    assert resilient(inner, []).complete(ask(SCHEMA)).parsed == VALID
    assert len(inner.requests) == 1


def test_invalid_json_gets_one_repair_with_the_violation_shown_to_the_model():
    inner = Scripted('{"phase": "guessing", "question": "q"}', json.dumps(VALID))
    response = resilient(inner, []).complete(ask(SCHEMA))
    assert response.parsed == VALID and response.usage == {"input_tokens": 20, "output_tokens": 10}
    repair = inner.requests[1].messages
    assert repair[-2] == ChatMessage(role="assistant", content='{"phase": "guessing", "question": "q"}')
    assert repair[-1].role == "user" and "/phase" in repair[-1].content and "guessing" in repair[-1].content


def test_still_invalid_after_repair_is_a_bad_response_without_the_value():
    inner = Scripted("not json at all", '{"phase": "secret-value-xyz"}')
    with pytest.raises(LLMBadResponse) as info:
        resilient(inner, []).complete(ask(SCHEMA))
    assert "secret-value-xyz" not in str(info.value) and "schema" in str(info.value)
    assert len(inner.requests) == 2


def test_fallback_chain_uses_the_next_provider_on_error():
    first = Scripted(LLMError("HTTP 401", status=401), name="openai")
    second = Scripted("from the fallback", name="ollama")
    chain = FallbackChain([first, second])
    assert (chain.name, chain.model) == ("openai", "m")
    response = chain.complete(ask())
    assert response.provider == "ollama" and response.text == "from the fallback"


def test_fallback_chain_reports_every_failure_and_keeps_the_kind():
    chain = FallbackChain([Scripted(LLMTimeout("a timed out")), Scripted(LLMTimeout("b timed out"))])
    with pytest.raises(LLMTimeout, match="a timed out; b timed out"):
        chain.complete(ask())
    mixed = FallbackChain([Scripted(LLMTimeout("slow")), Scripted(LLMBadResponse("garbage"))])
    with pytest.raises(LLMError) as info:
        mixed.complete(ask())
    assert type(info.value) is LLMError


def test_budget_is_applied_before_sending():
    inner = Scripted("ok")
    long_history = [ChatMessage(role="user" if i % 2 else "assistant", content="word " * 400) for i in range(20)]
    request = LLMRequest(messages=[*long_history, ChatMessage(role="user", content="latest question")],
                         max_tokens=200)
    ResilientProvider(inner, context_tokens=1024, sleep=lambda s: None).complete(request)
    sent = inner.requests[0].messages
    assert sent[-1].content == "latest question" and len(sent) < len(request.messages)


def test_over_real_http_429_then_500_then_success_with_a_key_never_logged(caplog):
    key = "sk-live-TOPSECRET-0123456789"
    sleeps: list[float] = []
    caplog.set_level(logging.DEBUG, logger="faultmaven")
    logging.getLogger("faultmaven").addHandler(caplog.handler)
    try:
        with OpenAIReplayServer() as server:
            server.enqueue(Reply.rate_limited(retry_after=2), Reply.error(500, f"boom {key}"),
                           Reply.error(401, f"Incorrect API key provided: {key}"))
            inner = OpenAICompatProvider(model=server.model, base_url=server.base_url, api_key=key, timeout=5)
            with pytest.raises(LLMError) as info:
                resilient(inner, sleeps).complete(ask())
            assert [r["messages"] for r in server.requests] == [[{"role": "user", "content": "checkout is down"}]] * 3
    finally:
        logging.getLogger("faultmaven").removeHandler(caplog.handler)
    assert sleeps == [2, 2]  # Retry-After, then backoff ceiling 2 for the second retry with rng=1
    assert info.value.status == 401
    assert caplog.records, "retries should be logged"
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert key not in logged and key not in str(info.value)
    assert "checkout is down" not in logged  # prompts are never logged


def test_over_real_http_garbage_then_schema_violation_then_repair():
    with OpenAIReplayServer() as server:
        server.enqueue(Reply.garbage(), Reply.json({"phase": "nope"}), Reply.json(VALID))
        inner = OpenAICompatProvider(model=server.model, base_url=server.base_url, timeout=5)
        with pytest.raises(LLMBadResponse):  # a non-JSON body is not retried: the chain moves on instead
            resilient(inner, []).complete(ask(SCHEMA))
        assert resilient(inner, []).complete(ask(SCHEMA)).parsed == VALID
        assert server.requests[-1]["response_format"]["type"] == "json_schema"
