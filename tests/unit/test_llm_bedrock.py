"""Bedrock adapter: Converse request shape checked by botocore's Stubber against the service model."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from faultmaven.llm.bedrock import BedrockProvider
from faultmaven.ports.llm import ChatMessage, LLMBadResponse, LLMError, LLMRequest, LLMTimeout

FIXTURES = Path(__file__).parents[1] / "fixtures" / "llm"
SCHEMA = json.loads((FIXTURES / "triage_schema.json").read_text())
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.fixture
def stubbed():
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield BedrockProvider(model=MODEL, client=client), stubber
        stubber.assert_no_pending_responses()


def req(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(messages=[ChatMessage(role="system", content="Doctrine."),
                                ChatMessage(role="user", content="deploy broke checkout")],
                      json_schema=schema, max_tokens=400, temperature=0.3)


def test_converse_request_with_tool_config_and_tool_use_reply(stubbed):
    provider, stubber = stubbed
    expected = {
        "modelId": MODEL,
        "system": [{"text": "Doctrine."}],
        "messages": [{"role": "user", "content": [{"text": "deploy broke checkout"}]}],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.3},
        "toolConfig": {"tools": [{"toolSpec": {"name": "respond", "description": provider.request_kwargs(
            req(SCHEMA))["toolConfig"]["tools"][0]["toolSpec"]["description"], "inputSchema": {"json": SCHEMA}}}],
            "toolChoice": {"tool": {"name": "respond"}}},
    }
    recorded = json.loads((FIXTURES / "bedrock_converse_tool_use.json").read_text())
    stubber.add_response("converse", recorded, expected)
    response = provider.complete(req(SCHEMA))
    assert response.parsed == {"phase": "hypotheses", "question": "Did the deploy at 14:02 change the heap flags?"}
    assert response.usage == {"input_tokens": 301, "output_tokens": 44}
    assert (response.provider, response.model) == ("bedrock", MODEL)


def test_plain_text_reply(stubbed):
    provider, stubber = stubbed
    stubber.add_response("converse", {
        "output": {"message": {"role": "assistant", "content": [{"text": "Roll back "}, {"text": "the deploy."}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 10, "outputTokens": 4, "totalTokens": 14},
        "metrics": {"latencyMs": 100}})
    response = provider.complete(req())
    assert response.text == "Roll back the deploy." and response.parsed is None


def test_throttling_is_retryable(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429,
                             service_message="Too many requests")
    with pytest.raises(LLMError) as info:
        provider.complete(req())
    assert info.value.retryable and "ThrottlingException" in str(info.value)


def test_access_denied_is_final(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", service_error_code="AccessDeniedException", http_status_code=403)
    with pytest.raises(LLMError) as info:
        provider.complete(req())
    assert not info.value.retryable


def test_model_without_forced_tool_choice_falls_back_to_prompt(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", service_error_code="ValidationException", http_status_code=400,
                             service_message="This model doesn't support the toolConfig.toolChoice.tool field.")
    stubber.add_response("converse", {
        "output": {"message": {"role": "assistant", "content": [{"text": '{"phase": "timeline", "question": "q"}'}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 1}})
    response = provider.complete(req(SCHEMA))
    assert response.parsed == {"phase": "timeline", "question": "q"}
    retry_kwargs = provider.request_kwargs(req(SCHEMA))
    assert "toolConfig" not in retry_kwargs and "JSON Schema" in retry_kwargs["system"][0]["text"]


def test_read_timeout_maps_to_llm_timeout():
    class TimingOut:
        def converse(self, **kwargs):
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")

    with pytest.raises(LLMTimeout):
        BedrockProvider(model=MODEL, client=TimingOut()).complete(req())


def test_reply_without_message_is_a_bad_response():
    class Empty:  # botocore's Stubber refuses a response this malformed, so a bare fake returns it
        def converse(self, **kwargs):
            return {"output": {}, "stopReason": "end_turn"}

    with pytest.raises(LLMBadResponse):
        BedrockProvider(model=MODEL, client=Empty()).complete(req())
