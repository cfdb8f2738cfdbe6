"""The Bedrock embedder against a stubbed bedrock-runtime client (botocore Stubber: exact request parameters)."""

from __future__ import annotations

import io
import json

import boto3
import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from faultmaven.errors import Unavailable
from faultmaven.knowledge.bedrock_embedder import DEFAULT_MODEL_ID, BedrockEmbedder


def _body(payload: dict) -> StreamingBody:
    raw = json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    return boto3.client("bedrock-runtime", region_name="us-east-1")


def test_titan_v2_requests_and_normalised_vectors(client) -> None:  # type: ignore[no-untyped-def]
    embedder = BedrockEmbedder(dimensions=256, client=client)
    with Stubber(client) as stub:
        for text, vector in (("etcd quorum", [3.0, 4.0] + [0.0] * 254), ("dns", [0.0] * 255 + [2.0])):
            stub.add_response(
                "invoke_model",
                {"body": _body({"embedding": vector, "inputTextTokenCount": 3}), "contentType": "application/json"},
                {"modelId": DEFAULT_MODEL_ID, "contentType": "application/json", "accept": "application/json",
                 "body": json.dumps({"inputText": text, "dimensions": 256, "normalize": True})},
            )
        vectors = embedder.embed(["etcd quorum", "dns"])
        stub.assert_no_pending_responses()
    assert vectors.shape == (2, 256) and vectors.dtype == np.float32
    assert vectors[0, :2] == pytest.approx([0.6, 0.8]) and vectors[1, 255] == pytest.approx(1.0)
    assert embedder.space.model_id == DEFAULT_MODEL_ID and embedder.space.dim == 256


def test_titan_v1_sends_only_the_text(client) -> None:  # type: ignore[no-untyped-def]
    embedder = BedrockEmbedder("amazon.titan-embed-text-v1", client=client)
    assert embedder.space.dim == 1536
    assert embedder.request_body("x" * 60_000) == {"inputText": "x" * 50_000}


def test_service_errors_and_wrong_sizes_become_unavailable(client) -> None:  # type: ignore[no-untyped-def]
    embedder = BedrockEmbedder(dimensions=256, client=client)
    with Stubber(client) as stub:
        stub.add_client_error("invoke_model", "ThrottlingException", "slow down", 429)
        with pytest.raises(Unavailable, match="ThrottlingException"):
            embedder.embed(["a"])
        stub.add_response("invoke_model", {"body": _body({"embedding": [1.0] * 10}), "contentType": "application/json"})
        with pytest.raises(Unavailable, match="10 dims"):
            embedder.embed(["a"])


def test_unsupported_dimensions_are_refused() -> None:
    with pytest.raises(ValueError):
        BedrockEmbedder(dimensions=384)
