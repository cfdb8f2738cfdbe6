"""LLM port: one chat-completion call, optionally asking for JSON that matches a schema.

Every provider (OpenAI-compatible HTTP, Anthropic, Bedrock Converse, a fallback chain of them) is an `LLMProvider`.
Failures surface as `LLMError` only after the provider's retries are exhausted; messages never carry API keys.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from faultmaven.sanitize import PlaceholderMap


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class LLMRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    messages: list[ChatMessage] = Field(min_length=1)
    # When set, the model is asked for one JSON object matching this JSON Schema and the reply is validated.
    json_schema: dict[str, Any] | None = None
    max_tokens: int = Field(default=1024, ge=1)
    temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    # The case's placeholder map: the port sanitizes the whole request with it (and adds what it finds), so the
    # same value keeps the same placeholder across turns. Without one, a fresh map is used for this request.
    placeholders: PlaceholderMap | None = Field(default=None, exclude=True, repr=False)


class LLMResponse(BaseModel):
    text: str
    parsed: dict[str, Any] | None = None  # the JSON object when json_schema was given and it validated
    provider: str
    model: str
    usage: dict[str, int] = Field(default_factory=dict)  # input_tokens / output_tokens when the provider says


class LLMProvider(Protocol):
    name: str
    model: str

    def complete(self, request: LLMRequest) -> LLMResponse: ...


class LLMError(Exception):
    """A provider call failed. `retryable` marks transient failures (timeouts, 429, 5xx, dropped connections)."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the provider asked us to wait (Retry-After), if any
        self.status = status


class LLMTimeout(LLMError):
    """The provider did not answer within the configured timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class LLMBadResponse(LLMError):
    """The provider answered, but not with something usable (unparseable body, or JSON that violates the schema)."""
