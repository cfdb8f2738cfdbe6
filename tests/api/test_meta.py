"""Health, capabilities and the CORS rules the browser extension depends on."""

from __future__ import annotations

from fastapi.testclient import TestClient

from faultmaven.capabilities import capabilities
from faultmaven.settings import Settings

EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def test_health_reports_dependencies(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "healthy" and body["dependencies"]["database"]["status"] == "ok"


def test_capabilities_both_paths_same_body(client: TestClient) -> None:
    a = client.get("/v1/meta/capabilities").json()
    assert a == client.get("/api/v1/meta/capabilities").json()
    assert a["deploymentMode"] == "self-hosted" and a["kbManagement"] == "dashboard"
    assert all(isinstance(v, bool) for v in a["features"].values())
    assert isinstance(a["limits"]["maxFileBytes"], int) and ".log" in a["limits"]["allowedExtensions"]


def test_deployment_mode_follows_settings() -> None:
    assert capabilities(Settings(mode="aws"))["deploymentMode"] == "cloud"
    # An AWS emulator (LocalStack, MiniStack) is still self-hosted.
    assert capabilities(Settings(mode="aws", aws_endpoint_url="http://localhost:4566"))["deploymentMode"] == \
        "self-hosted"


def test_preflight_reflects_extension_origin(client: TestClient) -> None:
    r = client.options("/api/v1/cases", headers={"Origin": EXT, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "authorization,idempotency-key"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == EXT
    assert r.headers["access-control-allow-credentials"] == "true"


def test_unknown_web_origin_is_not_reflected(client: TestClient) -> None:
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_errors_expose_location_and_retry_after(client: TestClient) -> None:
    r = client.get("/api/v1/auth/me", headers={"Origin": EXT})
    assert r.status_code == 401 and r.json()["code"] == "NOT_AUTHENTICATED"
    exposed = r.headers["access-control-expose-headers"].lower()
    assert "location" in exposed and "retry-after" in exposed
    assert r.headers["x-request-id"]


def test_unknown_route_is_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json()["detail"] == "not found"


def test_jwks_publishes_the_verification_key(client: TestClient) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]
