"""Resilience around providers: retries with backoff, the context budget, schema validation, and a fallback chain.

`ResilientProvider` wraps one adapter: it trims the prompt to the model's context, retries transient failures
(timeouts, 429 honouring Retry-After up to a cap, 5xx, dropped connections) with exponential backoff and jitter,
and, when a JSON schema was asked for, validates the reply and asks once for a repair before giving up with
`LLMBadResponse`. `FallbackChain` tries providers in order until one answers. Logs name provider, model, status and
timing only: never prompts, replies or keys.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faultmaven.http.logging import logger
from faultmaven.llm.budget import fit_request
from faultmaven.llm.structured import extract_json, schema_violation
from faultmaven.ports.llm import (
    ChatMessage,
    LLMBadResponse,
    LLMError,
    LLMProvider,
    LLMRequest,
    LLMResponse,
    LLMTimeout,
)

_MAX_ECHOED_REPLY_CHARS = 8000  # how much of an invalid reply is shown back to the model when asking for a repair


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0  # a longer Retry-After is cut to this; a turn must not hang for minutes

    def delay(self, retry: int, error: LLMError, rng: Callable[[], float]) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** retry)
        # Equal jitter: never less than half the backoff, so retries stay spaced; random above that so that
        # concurrent turns hitting one rate limit do not retry in lockstep.
        return ceiling / 2 + rng() * ceiling / 2


class ResilientProvider:
    def __init__(self, inner: LLMProvider, *, policy: RetryPolicy | None = None, context_tokens: int | None = None,
                 sleep: Callable[[float], None] = time.sleep, rng: Callable[[], float] = random.random) -> None:
        self.name, self.model = inner.name, inner.model
        self._inner = inner
        self._policy = policy or RetryPolicy()
        self._context_tokens = context_tokens
        self._sleep, self._rng = sleep, rng

    def complete(self, request: LLMRequest) -> LLMResponse:
        response = self._attempts(request)
        schema = request.json_schema
        if schema is None:
            return response
        parsed = response.parsed if response.parsed is not None else extract_json(response.text)
        problem = schema_violation(parsed, schema)
        if problem is None:
            return response.model_copy(update={"parsed": parsed})
        logger.warning("LLM reply does not match the schema; asking once for a repair",
                       extra={"llm_provider": self.name, "llm_model": self.model, "violation": problem[1]})
        repair = request.model_copy(update={"messages": [
            *request.messages,
            ChatMessage(role="assistant", content=response.text[:_MAX_ECHOED_REPLY_CHARS]),
            ChatMessage(role="user", content=f"That reply is invalid. {problem[0]} Reply again with one JSON object "
                                             "only, matching the schema exactly."),
        ]})
        repaired = self._attempts(repair)
        parsed = repaired.parsed if repaired.parsed is not None else extract_json(repaired.text)
        problem = schema_violation(parsed, schema)
        if problem is not None:
            raise LLMBadResponse(f"{self.name} {self.model}: reply does not match the schema after one repair "
                                 f"({problem[1]})")
        usage = {k: response.usage.get(k, 0) + repaired.usage.get(k, 0) for k in {*response.usage, *repaired.usage}}
        return repaired.model_copy(update={"parsed": parsed, "usage": usage})

    def _attempts(self, request: LLMRequest) -> LLMResponse:
        if self._context_tokens:
            request = fit_request(request, self._context_tokens)
        retry = 0
        while True:
            started = time.monotonic()
            try:
                return self._inner.complete(request)
            except LLMError as exc:
                if not exc.retryable or retry >= self._policy.max_retries:
                    raise
                delay = self._policy.delay(retry, exc, self._rng)
                logger.warning("LLM call failed; retrying", extra={
                    "llm_provider": self.name, "llm_model": self.model, "status": exc.status,
                    "error": exc.__class__.__name__, "retry": retry + 1, "delay_s": round(delay, 2),
                    "elapsed_s": round(time.monotonic() - started, 2)})
                self._sleep(delay)
                retry += 1


class FallbackChain:
    """Providers tried in order; the first answer wins. Named after the first provider."""

    def __init__(self, providers: Sequence[LLMProvider]) -> None:
        if not providers:
            raise ValueError("a fallback chain needs at least one provider")
        self._providers = list(providers)
        self.name, self.model = self._providers[0].name, self._providers[0].model

    def complete(self, request: LLMRequest) -> LLMResponse:
        errors: list[LLMError] = []
        for provider in self._providers:
            try:
                return provider.complete(request)
            except LLMError as exc:
                errors.append(exc)
                logger.warning("LLM provider failed; trying the next one",
                               extra={"llm_provider": provider.name, "llm_model": provider.model,
                                      "error": exc.__class__.__name__, "status": exc.status})
        summary = "; ".join(str(e) for e in errors)
        message = f"all {len(errors)} LLM providers failed: {summary}"
        if all(isinstance(e, LLMTimeout) for e in errors):
            raise LLMTimeout(message) from errors[-1]
        if all(isinstance(e, LLMBadResponse) for e in errors):
            raise LLMBadResponse(message) from errors[-1]
        raise LLMError(message) from errors[-1]
