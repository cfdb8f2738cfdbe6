"""Anthropic Messages API over plain HTTP. JSON output uses a forced tool call whose input schema is the schema."""

from __future__ import annotations

import json
from typing import Any

import httpx

from faultmaven.llm.conversation import split_system
from faultmaven.llm.structured import SCHEMA_TOOL_DESCRIPTION, SCHEMA_TOOL_NAME, extract_json
from faultmaven.llm.transport import post_json
from faultmaven.ports.llm import LLMBadResponse, LLMRequest, LLMResponse

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider:
    def __init__(self, *, model: str, api_key: str, base_url: str | None = None, timeout: float = 60.0,
                 name: str = "anthropic", http_client: httpx.Client | None = None) -> None:
        self.name, self.model = name, model
        self._url = (base_url or ANTHROPIC_BASE_URL).rstrip("/") + "/v1/messages"
        self._api_key = api_key
        self._client = http_client or httpx.Client(timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))

    def request_body(self, request: LLMRequest) -> dict[str, Any]:
        system, turns = split_system(request.messages)
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": min(request.temperature, 1.0),  # Anthropic accepts 0..1
            "messages": [{"role": t.role, "content": t.content} for t in turns],
        }
        if system:
            body["system"] = system
        if request.json_schema is not None:
            body["tools"] = [{"name": SCHEMA_TOOL_NAME, "description": SCHEMA_TOOL_DESCRIPTION,
                              "input_schema": request.json_schema}]
            body["tool_choice"] = {"type": "tool", "name": SCHEMA_TOOL_NAME}
        return body

    def complete(self, request: LLMRequest) -> LLMResponse:
        headers = {"x-api-key": self._api_key, "anthropic-version": ANTHROPIC_VERSION}
        data = post_json(self._client, self._url, headers=headers, body=self.request_body(request),
                         label=f"{self.name} {self.model}", secrets=(self._api_key,))
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise LLMBadResponse(f"{self.name} {self.model}: no content in the response")
        text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        parsed = None
        if request.json_schema is not None:
            tool_inputs = [b.get("input") for b in blocks
                           if isinstance(b, dict) and b.get("type") == "tool_use" and b.get("name") == SCHEMA_TOOL_NAME]
            parsed = tool_inputs[0] if tool_inputs and isinstance(tool_inputs[0], dict) else extract_json(text)
            if tool_inputs and parsed is not None:
                text = json.dumps(parsed)
        usage = data.get("usage") or {}
        return LLMResponse(text=text, parsed=parsed, provider=self.name, model=str(data.get("model") or self.model),
                           usage={"input_tokens": int(usage.get("input_tokens") or 0),
                                  "output_tokens": int(usage.get("output_tokens") or 0)})
