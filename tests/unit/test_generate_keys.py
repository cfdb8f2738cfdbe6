"""The key-generating custom resource: keys on create, public key re-derived on update, always an answer."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from faultmaven.auth.keys import signing_key_from_pem
from infra_cdk.runtime import generate_keys


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(generate_keys, "_respond", lambda event, status, reason="": sent.append((status, reason)))
    return sent


def _event(kind: str, keys: list[dict[str, str]]) -> dict[str, Any]:
    return {"RequestType": kind, "ResourceProperties": {"Keys": keys}}


def test_create_then_update(answers: list[tuple[str, str]]) -> None:
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        arns = {n: sm.create_secret(Name=n)["ARN"] for n in ("jwt", "jwt-public", "vault")}
        keys = [{"SecretArn": arns["jwt"], "Kind": "rsa-pem", "PublicSecretArn": arns["jwt-public"]},
                {"SecretArn": arns["vault"], "Kind": "aes-256"}]
        generate_keys.handler(_event("Create", keys), None)
        private = sm.get_secret_value(SecretId=arns["jwt"])["SecretString"]
        public = sm.get_secret_value(SecretId=arns["jwt-public"])["SecretString"]
        vault = sm.get_secret_value(SecretId=arns["vault"])["SecretString"]
        assert public == signing_key_from_pem(private.encode()).public_pem.decode()

        # Update (e.g. a stack from before the public key existed): the keys stay, the public half is re-derived.
        sm.put_secret_value(SecretId=arns["jwt-public"], SecretString="stale")
        generate_keys.handler(_event("Update", keys), None)
        assert sm.get_secret_value(SecretId=arns["jwt"])["SecretString"] == private
        assert sm.get_secret_value(SecretId=arns["vault"])["SecretString"] == vault
        assert sm.get_secret_value(SecretId=arns["jwt-public"])["SecretString"] == public
    assert answers == [("SUCCESS", ""), ("SUCCESS", "")]


def test_a_failure_is_reported_to_cloudformation(answers: list[tuple[str, str]]) -> None:
    with mock_aws():
        generate_keys.handler(_event("Create", [{"SecretArn": "missing", "Kind": "rsa-pem"}]), None)
    assert answers[0][0] == "FAILED" and "ResourceNotFound" in answers[0][1]
