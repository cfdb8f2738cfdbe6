"""Forged, expired, tampered, `alg: none` and HS256-with-the-public-key tokens are all refused with 401."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from fastapi.testclient import TestClient

from faultmaven.auth.keys import generate_private_pem
from faultmaven.container import Container
from tests.conftest import SignedIn


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(container: Container, alice: SignedIn, **extra: object) -> dict:
    now = int(time.time())
    s = container.settings
    return {"iss": s.jwt_issuer, "aud": s.jwt_audience, "sub": alice.user_id, "iat": now, "nbf": now,
            "exp": now + 600, "jti": "x", "typ": "access", "username": "alice", "roles": ["admin"], **extra}


def _me(client: TestClient, token: str) -> int:
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_genuine_token_is_accepted(client: TestClient, alice: SignedIn) -> None:
    assert _me(client, alice.access_token) == 200


def test_token_signed_by_another_key(client: TestClient, container: Container, alice: SignedIn) -> None:
    forged = jwt.encode(_claims(container, alice), generate_private_pem(), algorithm="RS256")
    assert _me(client, forged) == 401


def test_expired_token(client: TestClient, container: Container, alice: SignedIn) -> None:
    key = container.token_issuer.key.private_pem
    expired = jwt.encode(_claims(container, alice, iat=1, nbf=1, exp=2), key, algorithm="RS256")
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["code"] == "TOKEN_EXPIRED"


def test_tampered_payload(client: TestClient, container: Container, alice: SignedIn) -> None:
    header, _, signature = alice.access_token.split(".")
    payload = _b64(_claims(container, alice, sub="someone-else"))
    assert _me(client, f"{header}.{payload}.{signature}") == 401


def test_alg_none(client: TestClient, container: Container, alice: SignedIn) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(container, alice))}."
    assert _me(client, token) == 401


def test_hs256_signed_with_the_public_key(client: TestClient, container: Container, alice: SignedIn) -> None:
    import hashlib
    import hmac

    public_pem = container.token_issuer.key.public_pem
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(_claims(container, alice))}"
    sig = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    assert _me(client, f"{signing_input}.{sig.rstrip(b'=').decode()}") == 401


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "Bearer"])
def test_garbage_tokens(client: TestClient, token: str) -> None:
    assert _me(client, token) == 401


def test_refresh_token_is_not_an_access_token(client: TestClient, alice: SignedIn) -> None:
    assert _me(client, alice.refresh_token) == 401


def test_identity_headers_are_ignored(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    r = client.get("/api/v1/auth/me", headers={**alice.headers, "X-User-ID": bob.user_id, "X-User-Roles": "admin"})
    assert r.json()["user_id"] == alice.user_id


def test_password_never_stored_in_clear(client: TestClient, container: Container, alice: SignedIn) -> None:
    stored = container.users.get(alice.user_id).password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    raw = (container.settings.data_dir / "faultmaven.db").read_bytes()
    assert b"correct horse battery staple" not in raw


def test_password_never_logged(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.post("/api/v1/auth/register", json={"username": "zed", "password": "s3cret-in-a-log?"})
    client.post("/api/v1/auth/login", json={"username": "zed", "password": "wrong-s3cret-in-a-log"})
    client.post("/api/v1/auth/login", content=b'{"username": "zed", "password": "s3cret-in-a-log?"',
                headers={"Content-Type": "application/json"})
    out = capsys.readouterr()
    assert "s3cret" not in out.out + out.err
