"""Sign-up → sign-in → me → refresh → logout over HTTP, on SQLite and on DynamoDB (moto)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def _login(client: TestClient, username: str = "carol", password: str = PASSWORD):
    return client.post(LOGIN, json={"username": username, "password": password})


def test_full_flow(any_client: TestClient) -> None:
    r = any_client.post(REGISTER, json={"username": "carol", "password": PASSWORD, "email": "carol@example.com",
                                        "display_name": "Carol", "priority": "ignored extra"})
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["user"]["email"] == "carol@example.com" and reg["token_type"] == "bearer"
    assert 300 <= reg["expires_in"] <= 3600 and reg["session_id"]

    r = _login(any_client, "Carol")  # usernames are case-insensitive
    assert r.status_code == 200, r.text
    tokens = r.json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    me = any_client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["user_id"] == reg["user"]["user_id"]

    r = any_client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert any_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}).is_success

    r = any_client.post("/api/v1/auth/logout", headers=headers)
    assert r.status_code == 200
    assert r.json()["all_sessions_ended"] is True and r.json()["revoked_tokens"] >= 2
    # After logout every refresh token is dead.
    assert any_client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}).status_code == 401


def test_reused_refresh_token_revokes_its_family(any_client: TestClient) -> None:
    any_client.post(REGISTER, json={"username": "carol", "password": PASSWORD})
    first = _login(any_client).json()["refresh_token"]
    second = any_client.post("/api/v1/auth/refresh", json={"refresh_token": first}).json()["refresh_token"]
    replay = any_client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401 and replay.json()["code"] == "TOKEN_REUSED"
    # The thief's replay also kills the legitimate holder's newer token.
    assert any_client.post("/api/v1/auth/refresh", json={"refresh_token": second}).status_code == 401


def test_register_conflict_and_bad_input(any_client: TestClient) -> None:
    assert any_client.post(REGISTER, json={"username": "carol", "password": PASSWORD}).status_code == 201
    dup = any_client.post(REGISTER, json={"username": "CAROL", "password": PASSWORD})
    assert dup.status_code == 409 and dup.json()["code"] == "USER_EXISTS"
    for body, status in (({"username": "dave"}, 400), ({"username": "dave", "password": "short"}, 400),
                         ({"username": "a b", "password": PASSWORD}, 400), ({"password": PASSWORD}, 422),
                         ({"username": "eve", "password": PASSWORD, "email": "not-an-email"}, 400)):
        r = any_client.post(REGISTER, json=body)
        assert r.status_code == status, (body, r.text)
        assert "detail" in r.json() and "code" in r.json()


def test_wrong_password_then_lockout(any_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # The throttle's clock stands still: its first wait is one second, which a slow, loaded run could outlast.
    monkeypatch.setattr("faultmaven.auth.throttle.now_epoch", lambda: 1_900_000_000)
    any_client.post(REGISTER, json={"username": "carol", "password": PASSWORD})
    for _ in range(3):  # the test settings lock after 3 failures
        r = _login(any_client, password="wrong password!")
        assert r.status_code == 401 and r.json()["code"] == "INVALID_CREDENTIALS"
    locked = _login(any_client)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    unknown = _login(any_client, username="nobody")
    assert unknown.status_code == 401 and unknown.json()["detail"] == "invalid username or password"


def test_malformed_json_is_a_4xx(any_client: TestClient) -> None:
    r = any_client.post(LOGIN, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "VALIDATION_ERROR"
    assert PASSWORD not in r.text
