"""The stack as deployed into a local AWS emulator (`-c aws_endpoint_url=...`, what local/compose/deploy.sh passes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra_cdk.config import StackConfig

ENDPOINT = "http://localhost:4566"


def _emulated(synth: Any) -> Template:
    return synth(vector_index="none", aws_endpoint_url=ENDPOINT)[1]


def _api_url(template: Template) -> str:
    """The ApiUrl output as JSON text (a string, or an Fn::Join of strings and references)."""
    value = template.find_outputs("ApiUrl")["ApiUrl"]["Value"]
    return json.dumps(value)


def test_api_url_uses_the_emulators_path_form(synth: Any, template: Template) -> None:
    emulated = _api_url(_emulated(synth))
    assert f'"{ENDPOINT}/_aws/execute-api/"' in emulated and '"/$default"' in emulated
    assert "_aws/execute-api" not in _api_url(template)  # the cloud keeps API Gateway's own endpoint


def test_functions_and_authorizer_share_the_emulated_url(synth: Any) -> None:
    template = _emulated(synth)
    url = template.find_outputs("ApiUrl")["ApiUrl"]["Value"]
    (authorizer,) = template.find_resources("AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["JwtConfiguration"]["Issuer"] == url
    functions = [f for f in template.find_resources("AWS::Lambda::Function").values()
                 if "FM_JWT_ISSUER" in f["Properties"].get("Environment", {}).get("Variables", {})]
    assert functions
    for function in functions:
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["FM_JWT_ISSUER"] == url
        assert variables["FM_PUBLIC_URL"] == url
        assert variables["FM_AWS_ENDPOINT_URL"] == ENDPOINT


def test_tracing_is_off_only_against_an_emulator(synth: Any, template: Template) -> None:
    def flags(t: Template) -> set[str | None]:
        return {f["Properties"].get("Environment", {}).get("Variables", {}).get("POWERTOOLS_TRACE_DISABLED")
                for f in t.find_resources("AWS::Lambda::Function").values()
                if f["Properties"].get("Environment", {}).get("Variables", {}).get("FM_MODE") == "aws"}

    assert flags(_emulated(synth)) == {"true"}
    assert flags(template) == {None}


def test_an_external_opensearch_by_setting(synth: Any) -> None:
    url = "http://opensearch:9200"
    template = synth(vector_index="external", opensearch_url=url, aws_endpoint_url=ENDPOINT)[1]
    template.resource_count_is("AWS::OpenSearchServerless::Collection", 0)
    vector_users = [f["Properties"]["Environment"]["Variables"]
                    for f in template.find_resources("AWS::Lambda::Function").values()
                    if f["Properties"].get("Environment", {}).get("Variables", {}).get("FM_EMBEDDER") == "bedrock"]
    assert vector_users
    for variables in vector_users:
        assert variables["FM_VECTOR_INDEX"] == "opensearch"
        assert variables["FM_OPENSEARCH_URL"] == url
        assert variables["FM_OPENSEARCH_AUTH"] == "none"


def test_external_opensearch_needs_its_url() -> None:
    with pytest.raises(ValueError, match="opensearch_url"):
        StackConfig.from_context({"vector_index": "external"}.get)


def test_an_s3_vectors_api_elsewhere_by_setting(synth: Any) -> None:
    """What deploy.sh passes with S3VECTORS_URL (the end-to-end test's stand-in): no AWS::S3Vectors resources, which
    an emulator's CloudFormation would reject; the ONNX embedder, since emulators have no Bedrock."""
    url = "http://127.0.0.1:9999"
    template = synth(vector_index="s3vectors", s3vectors_endpoint_url=url, embedder="onnx",
                     aws_endpoint_url=ENDPOINT)[1]
    assert not template.find_resources("AWS::S3Vectors::Index") and not template.find_resources(
        "AWS::S3Vectors::VectorBucket")
    functions = template.find_resources("AWS::Lambda::Function").values()
    users = [f["Properties"]["Environment"]["Variables"] for f in functions
             if "FM_EMBEDDER" in f["Properties"].get("Environment", {}).get("Variables", {})]
    assert users and all(v["FM_EMBEDDER"] == "onnx-minilm" and v["FM_VECTOR_INDEX"] == "s3vectors"
                         and v["FM_S3VECTORS_ENDPOINT_URL"] == url for v in users)


def test_an_unknown_embedder_is_refused() -> None:
    with pytest.raises(ValueError, match="embedder"):
        StackConfig.from_context({"embedder": "word2vec"}.get)
