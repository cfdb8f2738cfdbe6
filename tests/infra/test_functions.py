"""Functions: runtime, architecture, layers, environment, least-privilege IAM; the vector index; cdk-nag."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from infra_cdk.catalog import FUNCTIONS, INGEST, KNOWLEDGE_PREFIX, NOTIFY, PYTHON_VERSION, WORKERS, FunctionSpec

PRESENT = [spec for spec in FUNCTIONS if spec.present]
DEPLOYED = [*PRESENT, *(spec for spec in WORKERS if spec.present)]  # every function, routed or event-driven


def _function(template: Template, name: str) -> tuple[str, dict]:
    for logical_id, fn in template.find_resources("AWS::Lambda::Function").items():
        if fn["Properties"].get("FunctionName") == f"faultmaven-dev-{name}":
            return logical_id, fn["Properties"]
    raise AssertionError(f"no function {name}")


def _statements(template: Template, name: str) -> list[dict]:
    """Every statement granted to the function's role: its inline policy and, when that grew too large, the
    managed policies CDK moves the rest into."""
    _, props = _function(template, name)
    role = props["Role"]["Fn::GetAtt"][0]
    policies = [*template.find_resources("AWS::IAM::Policy").values(),
                *template.find_resources("AWS::IAM::ManagedPolicy").values()]
    return [s for policy in policies if {"Ref": role} in policy["Properties"].get("Roles", [])
            for s in policy["Properties"]["PolicyDocument"]["Statement"]]


def _refs(value: Any) -> set[str]:
    """Logical ids a policy resource points at (Fn::GetAtt / Ref, also inside Fn::Join)."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if "Ref" in value:
            return {value["Ref"]}
        return set().union(*(_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def _table_ids(template: Template) -> dict[str, str]:
    return {logical_id: t["Properties"]["TableName"].removeprefix("faultmaven-dev-")
            for logical_id, t in template.find_resources("AWS::DynamoDB::Table").items()}


def _dynamo_access(template: Template, name: str) -> dict[str, set[str]]:
    """table aggregate → DynamoDB actions this function's role may perform on it."""
    tables = _table_ids(template)
    access: dict[str, set[str]] = {}
    for statement in _statements(template, name):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for logical_id in _refs(statement["Resource"]) & set(tables):
            access.setdefault(tables[logical_id], set()).update(a for a in actions if a.startswith("dynamodb:"))
    return access


@pytest.mark.parametrize("spec", PRESENT, ids=lambda s: s.name)
def test_runtime_architecture_layers_handler(template: Template, spec: FunctionSpec) -> None:
    _, props = _function(template, spec.name)
    assert props["Runtime"] == f"python{PYTHON_VERSION}"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == f"functions.{spec.name}.handler.handler"
    assert len(props["Layers"]) == 2
    assert props["TracingConfig"] == {"Mode": "Active"}
    env = props["Environment"]["Variables"]
    assert env["FM_MODE"] == "aws" and env["FM_TABLE_PREFIX"] == "faultmaven-dev"
    assert "FM_EVIDENCE_BUCKET" in env and "FM_AWS_REGION" in env
    assert env["FM_REGISTRATION"] == "closed"  # nobody signs up to a cloud deploy unless the deployer says so
    assert ("FM_JWT_SECRET_ARN" in env) == (spec.jwt_key == "private")
    assert ("FM_JWT_PUBLIC_KEY_SECRET_ARN" in env) == (spec.jwt_key == "public")


@pytest.mark.parametrize("spec", DEPLOYED, ids=lambda s: s.name)
def test_each_function_reaches_only_its_own_tables(template: Template, spec: FunctionSpec) -> None:
    access = _dynamo_access(template, spec.name)
    assert set(access) == set(spec.tables)
    for aggregate, mode in spec.tables.items():
        writes = {a for a in access[aggregate] if a in {"dynamodb:PutItem", "dynamodb:UpdateItem",
                                                         "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}}
        assert bool(writes) == (mode == "write"), (spec.name, aggregate)


def test_meta_reads_users_and_nothing_else(template: Template) -> None:
    assert set(_dynamo_access(template, "meta")) == {"users"}
    assert not any(a in {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
                   for a in _dynamo_access(template, "meta")["users"])
    actions = {a for s in _statements(template, "meta")
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert not any(a.startswith(("secretsmanager:", "s3:", "aoss:")) for a in actions)


def _secret_id(template: Template, name: str) -> str:
    (logical_id,) = [i for i, s in template.find_resources("AWS::SecretsManager::Secret").items()
                     if s["Properties"]["Name"] == f"faultmaven-dev/{name}"]
    return logical_id


def _secrets_read(template: Template, spec: FunctionSpec) -> set[str]:
    """Secrets this function's role may read (GetSecretValue), by name."""
    names = {_secret_id(template, n): n for n in ("jwt-signing-key", "jwt-public-key", "redaction-key")}
    return {names[i] for s in _statements(template, spec.name) if "secretsmanager:GetSecretValue" in s["Action"]
            for i in _refs(s["Resource"]) & set(names)}


def test_auth_reaches_users_tokens_sessions_and_reads_its_key(template: Template) -> None:
    assert set(_dynamo_access(template, "auth")) == {"users", "tokens", "sessions"}
    secret_id = _secret_id(template, "jwt-signing-key")
    secret_reads = [s for s in _statements(template, "auth") if secret_id in _refs(s["Resource"])]
    assert secret_reads and all("secretsmanager:PutSecretValue" not in s["Action"] for s in secret_reads)


@pytest.mark.parametrize("spec", DEPLOYED, ids=lambda s: s.name)
def test_only_the_auth_function_can_read_the_private_key(template: Template, spec: FunctionSpec) -> None:
    expected = {"private": {"jwt-signing-key"}, "public": {"jwt-public-key"}, None: set()}[spec.jwt_key]
    if spec.redaction_key:
        expected = expected | {"redaction-key"}
    assert _secrets_read(template, spec) == expected
    assert (spec.name == "auth") == (spec.jwt_key == "private")


def test_the_key_generator_runs_once_at_create(template: Template, alternate: Template) -> None:
    template.has_resource_properties("Custom::FaultMavenKeys", {"Keys": [
        {"SecretArn": Match.any_value(), "Kind": "rsa-pem", "PublicSecretArn": Match.any_value()},
        {"SecretArn": Match.any_value(), "Kind": "aes-256"}]})
    alternate.resource_count_is("Custom::FaultMavenKeys", 0)


def test_opensearch_collection_with_its_policies(template: Template) -> None:
    template.has_resource_properties("AWS::OpenSearchServerless::Collection", {"Type": "VECTORSEARCH"})
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "encryption"})
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "network"})
    collection = template.find_resources("AWS::OpenSearchServerless::Collection")
    assert len(next(iter(collection.values()))["DependsOn"]) == 2
    vector_users = [spec for spec in PRESENT if spec.vectors]
    if vector_users:
        template.has_resource_properties("AWS::OpenSearchServerless::AccessPolicy", {"Type": "data"})


def test_ministack_profile_has_no_opensearch(alternate: Template) -> None:
    template = alternate
    for kind in ("Collection", "SecurityPolicy", "AccessPolicy"):
        template.resource_count_is(f"AWS::OpenSearchServerless::{kind}", 0)


def test_s3_vectors_by_setting(synth) -> None:
    from faultmaven.adapters.s3vectors.vector_index import NON_FILTERABLE_KEYS

    _, template = synth(stage="prod", vector_index="s3vectors")
    template.has_resource_properties("AWS::S3Vectors::Index", {
        "Dimension": 1024, "DistanceMetric": "cosine", "DataType": "float32",
        "MetadataConfiguration": {"NonFilterableMetadataKeys": NON_FILTERABLE_KEYS}})
    template.resource_count_is("AWS::OpenSearchServerless::Collection", 0)
    [index_id] = template.find_resources("AWS::S3Vectors::Index")
    index_arn = {"Fn::GetAtt": [index_id, "IndexArn"]}
    envs = [fn["Properties"].get("Environment", {}).get("Variables", {})
            for fn in template.find_resources("AWS::Lambda::Function").values()]
    users = [env for env in envs if "FM_EMBEDDER" in env]
    assert len(users) == sum(1 for spec in DEPLOYED if spec.vectors)
    for env in users:
        assert env["FM_VECTOR_INDEX"] == "s3vectors" and env["FM_S3VECTORS_INDEX"] == "faultmaven-chunks"
        assert env["FM_S3VECTORS_BUCKET"]
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": Match.array_with(["s3vectors:PutVectors", "s3vectors:QueryVectors",
                                                       "s3vectors:UpdateMetadataConfiguration"]),
                           "Resource": index_arn})])}})


def test_registration_by_context(synth) -> None:
    _, template = synth(registration="invite")
    functions = template.find_resources("AWS::Lambda::Function")
    envs = [f["Properties"].get("Environment", {}).get("Variables", {}) for f in functions.values()]
    policies = {env.get("FM_REGISTRATION") for env in envs if env.get("FM_MODE") == "aws"}
    assert policies == {"invite"}


def test_alarms_and_outputs(template: Template) -> None:
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    metrics = {a["Properties"].get("MetricName") for a in alarms.values()}
    assert {"5xx", "Errors", "Throttles"} <= metrics
    # The API, each function (routed or worker), the turns' and the notifications' dead letters.
    assert len(alarms) == 1 + 2 * len(DEPLOYED) + 1 + NOTIFY.present
    template.has_output("ApiUrl", Match.any_value())
    template.has_output("JwtSecretArn", Match.any_value())


@pytest.mark.parametrize("context", [{}, {"stage": "prod", "vector_index": "s3vectors"}], ids=["dev", "prod"])
def test_cdk_nag_aws_solutions_is_clean(synth, context: dict[str, str]) -> None:
    stack, _ = synth(**context)
    errors = Annotations.from_stack(stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [e.entry.data for e in errors] == []
    assert [w.entry.data for w in warnings] == []


def test_uploads_under_the_raw_prefix_trigger_the_ingest_function(template: Template) -> None:
    if not INGEST.present:
        pytest.skip("no ingest handler yet")
    ingest_id, props = _function(template, "ingest")
    assert props["Handler"] == "functions.knowledge.ingest_handler.handler"
    template.has_resource_properties("Custom::S3BucketNotifications", {"NotificationConfiguration": {
        "LambdaFunctionConfigurations": [{"Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "prefix",
                                                                              "Value": KNOWLEDGE_PREFIX}]}},
                                          "LambdaFunctionArn": {"Fn::GetAtt": [ingest_id, "Arn"]}}]}})


def test_copilot_reads_the_redaction_key_and_only_it(template: Template) -> None:
    _, props = _function(template, "copilot") if any(s.name == "copilot" for s in PRESENT) else (None, None)
    if props is None:
        pytest.skip("no copilot handler yet")
    assert "FM_REDACTION_KEY_SECRET_ARN" in props["Environment"]["Variables"]
    _, meta = _function(template, "meta")
    assert "FM_REDACTION_KEY_SECRET_ARN" not in meta["Environment"]["Variables"]


def test_the_onnx_embedder_comes_in_its_own_layer_for_the_functions_that_embed(synth) -> None:
    _, template = synth(vector_index="s3vectors", embedder="onnx")
    [layer_id] = [k for k in template.find_resources("AWS::Lambda::LayerVersion") if k.startswith("EmbedderLayer")]
    embedding = [spec.name for spec in DEPLOYED if spec.vectors]
    assert embedding
    for name in [spec.name for spec in DEPLOYED]:
        _, props = _function(template, name)
        has_layer = {"Ref": layer_id} in props["Layers"]
        assert has_layer == (name in embedding), name
        if name in embedding:
            assert props["Environment"]["Variables"]["FM_EMBEDDER"] == "onnx-minilm"
            assert not any("bedrock:InvokeModel" in json.dumps(s) and "titan-embed" in json.dumps(s)
                           for s in _statements(template, name))
    template.has_resource_properties("AWS::S3Vectors::Index", {"Dimension": 384})
