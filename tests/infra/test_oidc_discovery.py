"""API Gateway's JWT authorizer discovers our keys through `<issuer>/.well-known/openid-configuration`."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_discovery_points_at_the_jwks_that_verifies_our_tokens(client: TestClient) -> None:
    doc = client.get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == "faultmaven"  # Settings.jwt_issuer; the stack sets it to the API URL
    assert doc["jwks_uri"].endswith("/.well-known/jwks.json")
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys and keys[0]["alg"] == "RS256" and "RS256" in doc["id_token_signing_alg_values_supported"]
