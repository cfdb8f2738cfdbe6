"""Tables mirror the PynamoDB models; tables and the evidence bucket are protected as the stage demands."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from aws_cdk.assertions import Match, Template
from pynamodb.indexes import GlobalSecondaryIndex, LocalSecondaryIndex

import faultmaven.adapters.dynamo as dynamo_pkg
from infra_cdk.catalog import TABLES


def _bound_models() -> dict[str, type]:
    """aggregate → PynamoDB model, read from every `bind(Model, settings, "<aggregate>")` in the dynamo adapters."""
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(dynamo_pkg.__path__):
        module = importlib.import_module(f"{dynamo_pkg.__name__}.{info.name}")
        tree = ast.parse(Path(module.__file__).read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "bind" and len(node.args) == 3
                    and isinstance(node.args[0], ast.Name) and isinstance(node.args[2], ast.Constant)):
                found[node.args[2].value] = getattr(module, node.args[0].id)
    return found


def _key_schema(model: type) -> tuple[str | None, str | None]:
    attrs = model.get_attributes()
    hash_key = next(n for n, a in attrs.items() if a.is_hash_key)
    range_key = next((n for n, a in attrs.items() if a.is_range_key), None)
    return hash_key, range_key


def _tables(template: Template) -> dict[str, dict]:
    return {t["Properties"]["TableName"]: t for t in template.find_resources("AWS::DynamoDB::Table").values()}


def test_every_dynamo_model_has_a_matching_table(template: Template) -> None:
    models = _bound_models()
    assert {"users", "tokens"} <= set(models)
    tables = _tables(template)
    for aggregate, model in models.items():
        table = tables.get(f"faultmaven-dev-{aggregate}")
        assert table is not None, f"no table for the '{aggregate}' model: add it to infra_cdk/catalog.py TABLES"
        props = table["Properties"]
        hash_key, range_key = _key_schema(model)
        expected = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            expected.append({"AttributeName": range_key, "KeyType": "RANGE"})
        assert props["KeySchema"] == expected, aggregate
        types = {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]}
        attrs = model.get_attributes()
        for name in types:
            assert types[name] == attrs[name].attr_type, (aggregate, name)
        indexes = {i.Meta.index_name: i for i in model._indexes.values()} if hasattr(model, "_indexes") else {}
        gsis = {g["IndexName"]: g for g in props.get("GlobalSecondaryIndexes", [])}
        lsis = {g["IndexName"]: g for g in props.get("LocalSecondaryIndexes", [])}
        for name, index in indexes.items():
            target = gsis if isinstance(index, GlobalSecondaryIndex) else lsis
            assert name in target, (aggregate, name)
            assert isinstance(index, GlobalSecondaryIndex | LocalSecondaryIndex)
            index_attrs = index.Meta.attributes
            want = [{"AttributeName": n, "KeyType": "HASH"} for n, a in index_attrs.items() if a.is_hash_key]
            want += [{"AttributeName": n, "KeyType": "RANGE"} for n, a in index_attrs.items() if a.is_range_key]
            assert target[name]["KeySchema"] == want, (aggregate, name)
        assert set(gsis) | set(lsis) == set(indexes), aggregate


def test_no_table_without_a_model() -> None:
    assert {spec.aggregate for spec in TABLES} == set(_bound_models())


def test_tables_are_on_demand_encrypted_recoverable(template: Template) -> None:
    for props in (t["Properties"] for t in _tables(template).values()):
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_ttl_attributes(template: Template) -> None:
    tables = _tables(template)
    for spec in TABLES:
        ttl = tables[f"faultmaven-dev-{spec.aggregate}"]["Properties"].get("TimeToLiveSpecification")
        if spec.ttl_attribute:
            assert ttl == {"AttributeName": spec.ttl_attribute, "Enabled": True}
        else:
            assert ttl is None
    assert tables["faultmaven-dev-tokens"]["Properties"]["TimeToLiveSpecification"]["AttributeName"] == "expires_at"


def test_dev_deletes_data_prod_keeps_it(template: Template, synth) -> None:
    for table in _tables(template).values():
        assert table["DeletionPolicy"] == "Delete"
    _, prod = synth(stage="prod", vector_index="s3vectors")
    for table in _tables(prod).values():
        assert table["DeletionPolicy"] == "Retain" and table["Properties"]["DeletionProtectionEnabled"] is True
    for bucket in prod.find_resources("AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Retain"
    prod.has_resource("AWS::SecretsManager::Secret", {"DeletionPolicy": "Retain"})


def test_evidence_bucket_is_private_encrypted_tls_only(template: Template) -> None:
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "LifecycleConfiguration": {"Rules": Match.array_with([Match.object_like(
            {"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})])},
        "CorsConfiguration": {"CorsRules": [Match.object_like({"AllowedMethods": ["PUT", "GET"]})]},
    })
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
