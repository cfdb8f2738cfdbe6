"""Amazon Bedrock through the Converse API (one request shape for every model family).

boto3 is imported when the first client is made. botocore's own retries are off: `chain.ResilientProvider` retries,
so one policy governs every provider. JSON output uses a forced `toolConfig` tool; a model that rejects forced tool
choice is switched, once, to the schema in the system prompt.
"""

from __future__ import annotations

import json
from typing import Any

from faultmaven.llm.conversation import split_system
from faultmaven.llm.structured import (
    SCHEMA_TOOL_DESCRIPTION,
    SCHEMA_TOOL_NAME,
    extract_json,
    schema_instruction,
    with_system_note,
)
from faultmaven.ports.llm import LLMBadResponse, LLMError, LLMRequest, LLMResponse, LLMTimeout

_TRANSIENT_CODES = {"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                    "ModelNotReadyException", "ServiceQuotaExceededException"}


class BedrockProvider:
    def __init__(self, *, model: str, region: str | None = None, endpoint_url: str | None = None,
                 timeout: float = 60.0, name: str = "bedrock", client: Any = None) -> None:
        self.name, self.model = name, model
        self._region, self._endpoint_url, self._timeout = region, endpoint_url, timeout
        self._client = client
        self._use_tool = True

    def _bedrock(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(read_timeout=self._timeout, connect_timeout=min(10.0, self._timeout),
                            retries={"max_attempts": 1, "mode": "standard"})
            self._client = boto3.client("bedrock-runtime", region_name=self._region,
                                        endpoint_url=self._endpoint_url, config=config)
        return self._client

    def request_kwargs(self, request: LLMRequest) -> dict[str, Any]:
        messages = request.messages
        if request.json_schema is not None and not self._use_tool:
            messages = with_system_note(messages, schema_instruction(request.json_schema))
        system, turns = split_system(messages)
        kwargs: dict[str, Any] = {
            "modelId": self.model,
            "messages": [{"role": t.role, "content": [{"text": t.content}]} for t in turns],
            "inferenceConfig": {"maxTokens": request.max_tokens, "temperature": request.temperature},
        }
        if system:
            kwargs["system"] = [{"text": system}]
        if request.json_schema is not None and self._use_tool:
            kwargs["toolConfig"] = {
                "tools": [{"toolSpec": {"name": SCHEMA_TOOL_NAME, "description": SCHEMA_TOOL_DESCRIPTION,
                                        "inputSchema": {"json": request.json_schema}}}],
                "toolChoice": {"tool": {"name": SCHEMA_TOOL_NAME}},
            }
        return kwargs

    def complete(self, request: LLMRequest) -> LLMResponse:
        while True:  # ends: the tool downgrade happens at most once
            try:
                return self._response(self._converse(request), request)
            except LLMError as exc:
                rejects_tool = exc.status == 400 and "tool" in str(exc).lower()
                if request.json_schema is not None and self._use_tool and rejects_tool:
                    self._use_tool = False
                    continue
                raise

    def _converse(self, request: LLMRequest) -> dict[str, Any]:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            NoCredentialsError,
            ReadTimeoutError,
        )

        label = f"{self.name} {self.model}"
        try:
            return self._bedrock().converse(**self.request_kwargs(request))
        except (ReadTimeoutError, ConnectTimeoutError) as exc:
            raise LLMTimeout(f"{label}: no answer within the timeout") from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = " ".join(str(exc.response.get("Error", {}).get("Message", "")).split())[:300]
            if code == "ModelTimeoutException":
                raise LLMTimeout(f"{label}: {code}") from exc
            raise LLMError(f"{label}: {code}: {message}", status=status,
                           retryable=code in _TRANSIENT_CODES or (status or 0) >= 500) from exc
        except NoCredentialsError as exc:
            raise LLMError(f"{label}: no AWS credentials") from exc
        except BotoCoreError as exc:
            raise LLMError(f"{label}: request failed ({exc.__class__.__name__})", retryable=True) from exc

    def _response(self, data: dict[str, Any], request: LLMRequest) -> LLMResponse:
        try:
            blocks = data["output"]["message"]["content"]
        except (KeyError, TypeError) as exc:
            raise LLMBadResponse(f"{self.name} {self.model}: no message in the response") from exc
        text = "".join(b["text"] for b in blocks if "text" in b)
        parsed = None
        if request.json_schema is not None:
            tool_inputs = [b["toolUse"].get("input") for b in blocks
                           if "toolUse" in b and b["toolUse"].get("name") == SCHEMA_TOOL_NAME]
            parsed = tool_inputs[0] if tool_inputs and isinstance(tool_inputs[0], dict) else extract_json(text)
            if tool_inputs and parsed is not None:
                text = json.dumps(parsed)
        usage = data.get("usage") or {}
        return LLMResponse(text=text, parsed=parsed, provider=self.name, model=self.model,
                           usage={"input_tokens": int(usage.get("inputTokens") or 0),
                                  "output_tokens": int(usage.get("outputTokens") or 0)})
