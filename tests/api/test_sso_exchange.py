"""SSO end to end: a real OIDC provider on 127.0.0.1 (discovery, JWKS, authorize, token), our app as the browser sees
it, and the provider's sign-in traded for our own tokens. Forged ID tokens never yield a session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.support.oidc_issuer import OidcIssuer

CLIENT_ID = "fm-web"
SSO = "/api/v1/auth/sso"


@pytest.fixture
def idp() -> Iterator[OidcIssuer]:
    with OidcIssuer(CLIENT_ID) as issuer:
        yield issuer


@pytest.fixture
def app(idp: OidcIssuer, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(mode="embedded", data_dir=tmp_path / "data", public_url="http://testserver",
                        oidc_issuer=idp.url, oidc_client_id=CLIENT_ID)
    set_container(Container(settings))
    with TestClient(build_app(settings), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client
    set_container(None)


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in_at_provider(app: TestClient, return_to: str | None = None) -> dict[str, str]:
    """Follow the browser's redirects: ours -> the provider (real HTTP) -> our callback -> the dashboard."""
    start = app.get(f"{SSO}/login", params={"return_to": return_to} if return_to else {})
    assert start.status_code == 302, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == "http://testserver"
    landed = app.get(f"{back.path}?{back.query}")
    assert landed.status_code == 302
    assert landed.headers["location"].startswith("http://testserver/dashboard/?")
    return _query(landed.headers["location"])


def test_the_providers_sign_in_is_exchanged_for_our_tokens(app: TestClient, idp: OidcIssuer) -> None:
    outcome = sign_in_at_provider(app, return_to="/cases/42")
    assert set(outcome) == {"code", "return_to"} and outcome["return_to"] == "/cases/42"
    tokens = app.post(f"{SSO}/exchange", json={"code": outcome["code"]})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    me = app.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "ann@example.com"
    assert jwt.get_unverified_header(body["access_token"])["kid"] != idp.kid  # our key, our issuer
    refreshed = app.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    again = app.post(f"{SSO}/exchange", json={"code": sign_in_at_provider(app)["code"]}).json()
    assert again["user"]["user_id"] == body["user"]["user_id"]  # the same provider identity, the same account


def test_a_completion_code_works_once(app: TestClient) -> None:
    code = sign_in_at_provider(app)["code"]
    assert app.post(f"{SSO}/exchange", json={"code": code}).status_code == 200
    replay = app.post(f"{SSO}/exchange", json={"code": code})
    unknown = app.post(f"{SSO}/exchange", json={"code": "x" * 40})
    assert replay.status_code == unknown.status_code == 401
    assert replay.json()["detail"] == unknown.json()["detail"]  # one answer for every cause


def _other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _hs256_with_public_key(idp: OidcIssuer) -> Any:
    public_pem = idp.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def forge(claims: dict[str, Any], headers: dict[str, Any]) -> str:
        import hashlib
        import hmac
        import json
        from base64 import urlsafe_b64encode

        def b64(data: bytes) -> bytes:
            return urlsafe_b64encode(data).rstrip(b"=")

        signing = b64(json.dumps({"alg": "HS256", **headers}).encode()) + b"." + b64(json.dumps(claims).encode())
        return (signing + b"." + b64(hmac.new(public_pem, signing, hashlib.sha256).digest())).decode()

    return forge


FORGERIES = {
    "another audience": lambda idp: lambda c, h: c.update(aud="someone-else"),
    "another issuer": lambda idp: lambda c, h: c.update(iss="https://evil.example"),
    "expired": lambda idp: lambda c, h: c.update(iat=int(time.time()) - 900, exp=int(time.time()) - 600),
    "another nonce": lambda idp: lambda c, h: c.update(nonce="replayed"),
    "no subject": lambda idp: lambda c, h: c.pop("sub"),
    "signed by a key not in the JWKS": lambda idp: lambda c, h: jwt.encode(c, _other_key(), "RS256", headers=h),
    "alg none": lambda idp: lambda c, h: jwt.encode(c, None, algorithm="none", headers=h),
    "HS256 keyed with the public key": _hs256_with_public_key,
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_or_foreign_id_token_never_yields_a_session(app: TestClient, idp: OidcIssuer, forgery: str) -> None:
    idp.tamper = FORGERIES[forgery](idp)
    outcome = sign_in_at_provider(app)
    assert outcome == {"error": "sso_failed"}


def test_the_callback_needs_the_browser_that_started_the_sign_in(app: TestClient, idp: OidcIssuer) -> None:
    start = app.get(f"{SSO}/login")
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(at_provider.headers["location"])
    app.cookies.clear()  # another browser: no state cookie
    landed = app.get(f"{back.path}?{back.query}")
    assert _query(landed.headers["location"]) == {"error": "sso_state_mismatch"}
    assert idp.token_requests == 0  # the provider's code was not even redeemed


def test_a_denied_sign_in_and_an_open_redirect_are_refused(app: TestClient) -> None:
    denied = app.get(f"{SSO}/callback", params={"error": "access_denied", "state": "s"})
    assert _query(denied.headers["location"]) == {"error": "sso_denied"}
    outcome = sign_in_at_provider(app, return_to="//evil.example/phish")
    assert "return_to" not in outcome and "code" in outcome


def test_the_provider_request_uses_pkce_and_the_screen_hint(app: TestClient) -> None:
    location = app.get(f"{SSO}/login", params={"screen_hint": "sign-up"}).headers["location"]
    query = _query(location)
    assert query["code_challenge_method"] == "S256" and query["screen_hint"] == "sign-up" and query["nonce"]
    assert app.get(f"{SSO}/login", params={"screen_hint": "admin"}).status_code == 422


def test_sso_is_advertised_when_configured(app: TestClient) -> None:
    assert app.get("/api/v1/meta/capabilities").json()["features"]["sso"] is True
    assert app.get("/api/v1/auth/config").json()["oauth"]["hosted_login_url"] == f"{SSO}/login"


def test_without_a_provider_sso_is_not_offered(client: TestClient) -> None:
    assert client.get("/api/v1/auth/config").json()["oauth"] is None
    assert client.get("/api/v1/meta/capabilities").json()["features"]["sso"] is False
    assert client.get(f"{SSO}/login", follow_redirects=False).status_code == 404
    assert client.post(f"{SSO}/exchange", json={"code": "x" * 40}).status_code == 404
