"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Fireworks, Groq, Ollama, LM Studio, vLLM, llama.cpp.

JSON output is asked for with `response_format` json_schema. Servers differ in what they accept, so a 400 that
names an unsupported feature (or a 500 naming `response_format`: llama-cpp-python's server answers so) downgrades this
adapter once and the call is repeated at once: json_schema → json_object (+ the schema beside it, which llama.cpp
servers turn into a grammar, and in the system prompt) → schema in the prompt only; `max_tokens` →
`max_completion_tokens`; a rejected `temperature` is dropped. Each adapter instance remembers what its server took.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from faultmaven.llm.structured import extract_json, schema_instruction, with_system_note
from faultmaven.llm.transport import post_json
from faultmaven.ports.llm import LLMBadResponse, LLMError, LLMRequest, LLMResponse

OPENAI_BASE_URL = "https://api.openai.com/v1"
JsonMode = Literal["json_schema", "json_object", "prompt"]
_NEXT_JSON_MODE: dict[JsonMode, JsonMode] = {"json_schema": "json_object", "json_object": "prompt"}


class OpenAICompatProvider:
    def __init__(self, *, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, name: str = "openai", http_client: httpx.Client | None = None) -> None:
        self.name, self.model = name, model
        self._url = (base_url or OPENAI_BASE_URL).rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._client = http_client or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))
        self._json_mode: JsonMode = "json_schema"
        self._tokens_field = "max_tokens"
        self._send_temperature = True

    def request_body(self, request: LLMRequest) -> dict[str, Any]:
        messages = request.messages
        schema = request.json_schema
        if schema is not None and self._json_mode != "json_schema":
            messages = with_system_note(messages, schema_instruction(schema))
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            self._tokens_field: request.max_tokens,
        }
        if self._send_temperature:
            body["temperature"] = request.temperature
        if schema is not None and self._json_mode == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
        elif schema is not None and self._json_mode == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _adapt_to(self, error: LLMError, request: LLMRequest) -> bool:
        """Downgrade one request feature the server rejected; False when the error is not about one."""
        detail = str(error).lower()
        if error.status not in (400, 422) and not (error.status == 500 and "response_format" in detail):
            return False
        if "max_completion_tokens" in detail and self._tokens_field == "max_tokens":
            self._tokens_field = "max_completion_tokens"
            return True
        if "temperature" in detail and self._send_temperature:
            self._send_temperature = False
            return True
        mentions_format = any(k in detail for k in ("response_format", "json_schema", "json_object"))
        if request.json_schema is not None and mentions_format and self._json_mode in _NEXT_JSON_MODE:
            self._json_mode = _NEXT_JSON_MODE[self._json_mode]
            return True
        return False

    def complete(self, request: LLMRequest) -> LLMResponse:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        while True:  # ends: each downgrade happens at most once
            try:
                data = post_json(self._client, self._url, headers=headers, body=self.request_body(request),
                                 label=f"{self.name} {self.model}", secrets=(self._api_key,))
            except LLMError as exc:
                if self._adapt_to(exc, request):
                    continue
                raise
            return self._response(data, request)

    def _response(self, data: dict[str, Any], request: LLMRequest) -> LLMResponse:
        try:
            message = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMBadResponse(f"{self.name} {self.model}: no choices in the response") from exc
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str):
            raise LLMBadResponse(f"{self.name} {self.model}: the reply has no text content")
        usage = data.get("usage") or {}
        return LLMResponse(
            text=text,
            parsed=extract_json(text) if request.json_schema is not None else None,
            provider=self.name,
            model=str(data.get("model") or self.model),
            usage={"input_tokens": int(usage.get("prompt_tokens") or 0),
                   "output_tokens": int(usage.get("completion_tokens") or 0)},
        )
