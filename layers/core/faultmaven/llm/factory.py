"""Build the configured LLM provider from settings: the primary endpoint, then the `llm_fallbacks` chain.

Each endpoint becomes an adapter wrapped in `ResilientProvider` (retries, budget, schema checks); more than one
becomes a `FallbackChain`. API keys come from the environment (`FM_LLM_API_KEY`, or the variable a fallback names
in `api_key_env`) or from Secrets Manager (`*_secret_arn`), never from the fallback JSON itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faultmaven.llm.chain import FallbackChain, ResilientProvider, RetryPolicy
from faultmaven.llm.privacy import SanitizingProvider
from faultmaven.ports.llm import LLMProvider
from faultmaven.sanitize import Sanitizer
from faultmaven.settings import Settings


class EndpointSpec(BaseModel):
    """One provider endpoint. The primary one comes from FM_LLM_*; fallbacks are a JSON list of these."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["openai", "anthropic", "bedrock"]
    model: str = Field(min_length=1)
    name: str | None = None  # label in logs and responses, e.g. "groq" or "ollama"; defaults to the provider
    base_url: str | None = None
    api_key_env: str | None = None  # the environment variable that holds this endpoint's key
    api_key_secret_arn: str | None = None
    region: str | None = None  # Bedrock; defaults to FM_AWS_REGION
    context_tokens: int | None = Field(default=None, ge=1024)  # defaults to FM_LLM_CONTEXT_TOKENS
    timeout_seconds: float | None = Field(default=None, gt=0, le=900)  # defaults to FM_LLM_TIMEOUT_SECONDS


def build_llm(settings: Settings, *, sleep: Callable[[float], None] | None = None,
              sanitizer: Sanitizer | None = None) -> LLMProvider | None:
    """The provider the settings describe, or None when `llm_provider` is "none" (the engine then runs offline).

    Whatever it is, it sanitizes every request first (`SanitizingProvider`, outermost)."""
    if settings.llm_provider == "none":
        return None
    if not settings.llm_model:
        raise ValueError(f"FM_LLM_MODEL must be set when FM_LLM_PROVIDER={settings.llm_provider}")
    primary = EndpointSpec(provider=settings.llm_provider, model=settings.llm_model,
                           base_url=settings.llm_base_url, api_key_secret_arn=settings.llm_api_key_secret_arn)
    primary_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    endpoints = [(primary, primary_key)]
    for index, raw in enumerate(settings.llm_fallbacks):
        try:
            spec = EndpointSpec.model_validate(raw)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) or "entry" for e in exc.errors())
            raise ValueError(f"FM_LLM_FALLBACKS[{index}] is invalid ({fields})") from None
        endpoints.append((spec, None))
    policy = RetryPolicy(max_retries=settings.llm_max_retries)
    providers: list[LLMProvider] = [
        ResilientProvider(_adapter(spec, key, settings), policy=policy,
                          context_tokens=spec.context_tokens or settings.llm_context_tokens,
                          **({"sleep": sleep} if sleep else {}))
        for spec, key in endpoints
    ]
    chain = providers[0] if len(providers) == 1 else FallbackChain(providers)
    return SanitizingProvider(chain, sanitizer or Sanitizer.from_settings(settings))


def _adapter(spec: EndpointSpec, key: str | None, settings: Settings) -> LLMProvider:
    key = key or _resolve_key(spec, settings)
    timeout = spec.timeout_seconds or settings.llm_timeout_seconds
    name = spec.name or spec.provider
    if spec.provider == "openai":
        from faultmaven.llm.openai_compat import OpenAICompatProvider

        return OpenAICompatProvider(model=spec.model, base_url=spec.base_url, api_key=key, timeout=timeout, name=name)
    if spec.provider == "anthropic":
        from faultmaven.llm.anthropic import AnthropicProvider

        if not key:
            raise ValueError(f"the {name} endpoint needs an API key (FM_LLM_API_KEY, api_key_env or a secret ARN)")
        return AnthropicProvider(model=spec.model, api_key=key, base_url=spec.base_url, timeout=timeout, name=name)
    from faultmaven.llm.bedrock import BedrockProvider

    return BedrockProvider(model=spec.model, region=spec.region or settings.aws_region, endpoint_url=spec.base_url,
                           timeout=timeout, name=name)


def _resolve_key(spec: EndpointSpec, settings: Settings) -> str | None:
    if spec.api_key_env:
        value = os.environ.get(spec.api_key_env)
        if not value:
            raise ValueError(f"environment variable {spec.api_key_env} (api_key_env of {spec.model}) is not set")
        return value
    if spec.api_key_secret_arn:
        return _key_from_secrets_manager(spec.api_key_secret_arn, settings)
    return None


def _key_from_secrets_manager(arn: str, settings: Settings) -> str:
    """The secret's string: the key itself, or a JSON object with an `api_key` field."""
    import boto3  # lazy: only deployments that keep keys in Secrets Manager pay for it

    client = boto3.client("secretsmanager", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    secret = client.get_secret_value(SecretId=arn)["SecretString"].strip()
    if secret.startswith("{"):
        try:
            secret = str(json.loads(secret)["api_key"])
        except (ValueError, KeyError) as exc:
            raise ValueError(f"secret {arn} is JSON without an 'api_key' field") from exc
    return secret
