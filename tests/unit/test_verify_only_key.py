"""Verify-only JWT keys: functions that only check bearer tokens hold the public key and cannot sign."""

from __future__ import annotations

import boto3
import jwt.algorithms as jwt_algorithms
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from moto import mock_aws

from faultmaven.auth.keys import generate_private_pem, load_signing_key, signing_key_from_pem
from faultmaven.auth.tokens import TokenIssuer
from faultmaven.errors import Unauthorized
from faultmaven.settings import Settings

PRIVATE = generate_private_pem()
PUBLIC = signing_key_from_pem(PRIVATE).public_pem.decode()


def _issuer(settings: Settings) -> TokenIssuer:
    return TokenIssuer(load_signing_key(settings), issuer="https://api.example", audience="faultmaven-api",
                       access_ttl=900, refresh_ttl=3600)


def test_a_public_key_verifies_what_the_private_key_signed() -> None:
    signer = _issuer(Settings(mode="aws", jwt_private_key=PRIVATE.decode()))
    verifier = _issuer(Settings(mode="aws", jwt_public_key=PUBLIC))
    assert verifier.key.private_pem is None
    token = signer.access_token("user_1", "alice", ["user"])
    assert verifier.verify(token, "access")["sub"] == "user_1"
    assert verifier.jwks() == signer.jwks()  # same kid and modulus


def test_a_verify_only_key_cannot_sign() -> None:
    verifier = _issuer(Settings(mode="aws", jwt_public_key=PUBLIC))
    with pytest.raises(RuntimeError, match="public key"):
        verifier.access_token("user_1", "alice", ["user"])


def test_a_verify_only_key_rejects_tokens_of_another_key() -> None:
    stranger = _issuer(Settings(mode="aws", jwt_private_key=generate_private_pem().decode()))
    verifier = _issuer(Settings(mode="aws", jwt_public_key=PUBLIC))
    with pytest.raises(Unauthorized):
        verifier.verify(stranger.access_token("user_1", "alice", ["user"]), "access")


def test_the_private_key_wins_when_both_are_set() -> None:
    key = load_signing_key(Settings(mode="aws", jwt_private_key=PRIVATE.decode(), jwt_public_key=PUBLIC))
    assert key.private_pem == PRIVATE


def test_the_public_key_from_secrets_manager() -> None:
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="faultmaven-dev/jwt-public-key", SecretString=PUBLIC)["ARN"]
        key = load_signing_key(Settings(mode="aws", aws_region="us-east-1", jwt_public_key_secret_arn=arn))
    assert key.private_pem is None and key.public_pem.decode() == PUBLIC


def test_a_non_rsa_public_key_is_refused() -> None:
    ec_public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(ValueError, match="RSA"):
        load_signing_key(Settings(mode="aws", jwt_public_key=ec_public))


def test_the_key_is_loaded_once_not_on_every_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading an RSA PEM validates the key (tens of ms holding the GIL): signing and verifying use the loaded key."""
    signer = _issuer(Settings(mode="aws", jwt_private_key=PRIVATE.decode()))

    def no_reload(*_: object, **__: object) -> None:
        raise AssertionError("a PEM was loaded again")

    for module in (serialization, jwt_algorithms):  # PyJWT loads a PEM key given as bytes with its own imports
        for name in ("load_pem_private_key", "load_pem_public_key", "load_ssh_public_key"):
            monkeypatch.setattr(module, name, no_reload)
    token = signer.access_token("user_1", "alice", ["user"])
    refresh, _ = signer.refresh_token("user_1", "rt_1", "fam_1")
    assert signer.verify(token, "access")["sub"] == "user_1" and signer.verify(refresh, "refresh")["fam"] == "fam_1"
