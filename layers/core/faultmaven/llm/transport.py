"""One JSON POST for the HTTP providers (OpenAI-compatible, Anthropic), with failures mapped to `LLMError` kinds.

Status codes decide retryability: 408, 429 and 5xx are transient; any other 4xx is final. Error text from the
provider is shortened and scrubbed of key-like strings before it reaches an exception message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from faultmaven.ports.llm import LLMBadResponse, LLMError, LLMTimeout

_MAX_DETAIL_CHARS = 300
# Key shapes used by OpenAI/Anthropic (sk-, sk-ant-), Groq (gsk_), Fireworks (fw_), plus any bearer credential.
_KEY_LIKE = re.compile(r"\b(?:sk|gsk|fw|xai|key)[-_][A-Za-z0-9_\-*.]{6,}|Bearer\s+\S+", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove known secrets and anything shaped like an API key from text meant for errors or logs."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_detail(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        error = error.get("message") or error.get("type")
    text = error if isinstance(error, str) else response.text
    return " ".join(text.split())[:_MAX_DETAIL_CHARS]


def is_retryable_status(status: int) -> bool:
    return status in (408, 429) or status >= 500


def post_json(client: httpx.Client, url: str, *, headers: dict[str, str], body: dict[str, Any], label: str,
              secrets: Iterable[str | None] = ()) -> dict[str, Any]:
    """POST `body` and return the decoded JSON object; `label` ("provider model") prefixes every error message."""
    secrets = tuple(secrets)
    try:
        response = client.post(url, headers=headers, json=body)
    except httpx.TimeoutException as exc:
        raise LLMTimeout(f"{label}: no answer within the timeout") from exc
    except httpx.HTTPError as exc:
        raise LLMError(f"{label}: request failed ({exc.__class__.__name__})", retryable=True) from exc
    if response.status_code >= 400:
        detail = redact(_error_detail(response), secrets)
        raise LLMError(f"{label}: HTTP {response.status_code}: {detail}", status=response.status_code,
                       retryable=is_retryable_status(response.status_code),
                       retry_after=parse_retry_after(response.headers.get("retry-after")))
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LLMBadResponse(f"{label}: response body is not JSON") from exc
    if not isinstance(data, dict):
        raise LLMBadResponse(f"{label}: response body is not a JSON object")
    return data
