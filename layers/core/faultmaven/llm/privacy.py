"""The privacy choke point: every request bound for a model is sanitized here, whatever its callers did before.

`build_llm` puts `SanitizingProvider` outside everything else (retries, context trimming, fallbacks, each
provider's request shape), so no field of a request can reach a model raw, including fields added later: the whole
request is walked generically, not field by field. It runs before trimming, so a cut never halves a secret.
"""

from __future__ import annotations

from faultmaven.ports.llm import LLMProvider, LLMRequest, LLMResponse
from faultmaven.sanitize import PlaceholderMap, Sanitizer


def sanitize_request(request: LLMRequest, sanitizer: Sanitizer) -> LLMRequest:
    """A copy of `request` with every string (messages, schema text) sanitized with the request's placeholder map,
    which then also holds whatever was found here (the caller stores it with the case)."""
    mapping = request.placeholders if request.placeholders is not None else PlaceholderMap()
    clean = sanitizer.sanitize_data(request.model_dump(), mapping)
    return LLMRequest.model_validate({**clean, "placeholders": mapping})


class SanitizingProvider:
    """An `LLMProvider` that sanitizes each request before handing it to the provider it wraps."""

    def __init__(self, inner: LLMProvider, sanitizer: Sanitizer) -> None:
        self.name, self.model = inner.name, inner.model
        self.inner = inner  # the provider chain it guards
        self._sanitizer = sanitizer

    def complete(self, request: LLMRequest) -> LLMResponse:
        return self.inner.complete(sanitize_request(request, self._sanitizer))
