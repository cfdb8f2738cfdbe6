"""build_llm: settings → provider (none, one endpoint, a fallback chain), keys from env or Secrets Manager."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from faultmaven.llm import build_llm
from faultmaven.llm.chain import FallbackChain, ResilientProvider
from faultmaven.llm.privacy import SanitizingProvider
from faultmaven.ports.llm import ChatMessage, LLMRequest
from faultmaven.settings import Settings
from tests.support.openai_server import OpenAIReplayServer, Reply

KEY = "sk-factory-SECRET-0123456789"


def ask() -> LLMRequest:
    return LLMRequest(messages=[ChatMessage(role="user", content="hello")])


def test_none_means_offline():
    assert build_llm(Settings()) is None
    assert build_llm(Settings(llm_provider="none", llm_model="x")) is None


def test_settings_read_from_environment(monkeypatch):
    monkeypatch.setenv("FM_LLM_PROVIDER", "openai")
    monkeypatch.setenv("FM_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("FM_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("FM_LLM_FALLBACKS", '[{"provider": "bedrock", "model": "amazon.nova-lite-v1:0"}]')
    s = Settings()
    assert (s.llm_provider, s.llm_model, s.llm_fallbacks[0]["provider"]) == ("openai", "llama3.2", "bedrock")


def test_openai_compatible_endpoint_answers_through_the_built_provider():
    with OpenAIReplayServer() as server:
        server.on("hello", Reply.text("Hi from the server"))
        llm = build_llm(Settings(llm_provider="openai", llm_model="tiny", llm_base_url=server.base_url,
                                 llm_api_key=KEY))
        assert isinstance(llm, SanitizingProvider) and isinstance(llm.inner, ResilientProvider)
        assert (llm.name, llm.model) == ("openai", "tiny")
        response = llm.complete(ask())
    assert response.text == "Hi from the server" and response.provider == "openai"
    assert server.requests[0]["model"] == "tiny"


def test_missing_model_is_a_clear_error():
    with pytest.raises(ValueError, match="FM_LLM_MODEL"):
        build_llm(Settings(llm_provider="openai"))


def test_anthropic_needs_a_key_and_the_message_names_no_value():
    with pytest.raises(ValueError, match="API key"):
        build_llm(Settings(llm_provider="anthropic", llm_model="claude-3-5-haiku-latest"))


def test_fallback_chain_from_json_with_key_from_named_env(monkeypatch):
    monkeypatch.setenv("GROQ_KEY_FOR_TEST", KEY)
    with OpenAIReplayServer() as primary, OpenAIReplayServer() as fallback:
        primary.default = Reply.error(401, "bad key")
        fallback.default = Reply.text("fallback answered")
        settings = Settings(llm_provider="openai", llm_model="a", llm_base_url=primary.base_url, llm_max_retries=0,
                            llm_fallbacks=[{"provider": "openai", "name": "groq", "model": "b",
                                            "base_url": fallback.base_url, "api_key_env": "GROQ_KEY_FOR_TEST"},
                                           {"provider": "bedrock", "model": "amazon.nova-lite-v1:0"}])
        llm = build_llm(settings)
        assert isinstance(llm, SanitizingProvider) and isinstance(llm.inner, FallbackChain)
        response = llm.complete(ask())
    assert (response.provider, response.model, response.text) == ("groq", "b", "fallback answered")


def test_fallback_with_unset_env_names_the_variable_only():
    settings = Settings(llm_provider="openai", llm_model="a",
                        llm_fallbacks=[{"provider": "anthropic", "model": "c", "api_key_env": "FM_TEST_UNSET_KEY"}])
    with pytest.raises(ValueError, match="FM_TEST_UNSET_KEY"):
        build_llm(settings)


def test_invalid_fallback_entry_is_rejected():
    with pytest.raises(ValueError, match=r"FM_LLM_FALLBACKS\[0\]"):
        build_llm(Settings(llm_provider="openai", llm_model="a",
                           llm_fallbacks=[{"provider": "cohere", "model": "x", "api_key": "inline-keys-not-allowed"}]))


@pytest.mark.parametrize("secret_string", [KEY, json.dumps({"api_key": KEY})])
def test_key_from_secrets_manager(secret_string):
    with mock_aws(), OpenAIReplayServer() as server:
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="fm/llm", SecretString=secret_string)["ARN"]
        server.default = Reply.text("ok")
        llm = build_llm(Settings(llm_provider="openai", llm_model="m", llm_base_url=server.base_url,
                                 llm_api_key_secret_arn=arn))
        llm.complete(ask())
    assert server.request_headers[0]["Authorization"] == f"Bearer {KEY}"


def test_bedrock_built_lazily_with_region():
    llm = build_llm(Settings(llm_provider="bedrock", llm_model="amazon.nova-lite-v1:0", aws_region="eu-west-1"))
    assert isinstance(llm, SanitizingProvider) and isinstance(llm.inner, ResilientProvider)
    assert llm.name == "bedrock"
