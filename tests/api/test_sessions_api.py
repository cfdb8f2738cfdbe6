"""The session routes over HTTP, as the browser extension calls them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container
from tests.conftest import SignedIn

BODY = {"client_id": "ext-install-1", "session_type": "troubleshooting", "timeout_minutes": 120,
        "metadata": {"browser": "chrome"}, "priority": "ignored"}


def _expire(container: Container, user_id: str, session_id: str) -> None:
    """Move a session's expiry into the past, as time passing would."""
    session = container.sessions.get(user_id, session_id, 0)
    container.sessions.put(session.model_copy(update={"expires_at": 1}))


def test_create_then_resume_by_client(client: TestClient, alice: SignedIn) -> None:
    first = client.post("/api/v1/sessions", json=BODY, headers=alice.headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["session_resumed"] is False and body["user_id"] == alice.user_id
    assert (body["client_id"], body["timeout_minutes"], body["status"]) == ("ext-install-1", 120, "active")
    assert body["metadata"] == {"browser": "chrome"} and body["expires_at"].endswith("Z")
    again = client.post("/api/v1/sessions/", json={"client_id": "ext-install-1"}, headers=alice.headers)
    assert again.status_code == 201
    assert again.json()["session_resumed"] is True and again.json()["session_id"] == body["session_id"]
    other = client.post("/api/v1/sessions", json={"client_id": "ext-install-2"}, headers=alice.headers)
    assert other.json()["session_id"] != body["session_id"]


def test_create_without_body_or_token(client: TestClient, alice: SignedIn) -> None:
    r = client.post("/api/v1/sessions", json={"client_id": "x"})
    assert r.status_code == 401 and r.json()["code"] == "NOT_AUTHENTICATED" and "sign in" in r.json()["detail"]
    r = client.post("/api/v1/sessions", headers=alice.headers)
    assert r.status_code == 201 and r.json()["timeout_minutes"] == 180 and r.json()["client_id"] is None


@pytest.mark.parametrize("timeout", [59, 481, "long"])
def test_timeout_bounds(client: TestClient, alice: SignedIn, timeout: object) -> None:
    r = client.post("/api/v1/sessions", json={"timeout_minutes": timeout}, headers=alice.headers)
    assert r.status_code == 422


def test_get_list_heartbeat_delete(client: TestClient, container: Container, alice: SignedIn) -> None:
    sid = client.post("/api/v1/sessions", json=BODY, headers=alice.headers).json()["session_id"]
    got = client.get(f"/api/v1/sessions/{sid}", headers=alice.headers)
    assert got.status_code == 200 and got.json()["session_id"] == sid
    listed = client.get("/api/v1/sessions", headers=alice.headers).json()
    assert sid in [s["session_id"] for s in listed["sessions"]]
    assert alice.session_id in [s["session_id"] for s in listed["sessions"]]  # the sign-in's own session
    assert listed["total_count"] == 2

    container.sessions.touch(alice.user_id, sid, "2026-01-01T00:00:00Z", 2_000_000_000, 0)
    beat = client.post(f"/api/v1/sessions/{sid}/heartbeat", headers=alice.headers)
    assert beat.status_code == 200
    assert container.sessions.get(alice.user_id, sid, 0).expires_at < 2_000_000_000  # now + timeout again

    assert client.delete(f"/api/v1/sessions/{sid}", headers=alice.headers).status_code == 204
    gone = client.get(f"/api/v1/sessions/{sid}", headers=alice.headers)
    assert gone.status_code == 404 and gone.json()["code"] == "SESSION_EXPIRED"
    assert client.delete(f"/api/v1/sessions/{sid}", headers=alice.headers).status_code == 404


def test_expired_session_reads_as_absent_and_is_not_resumed(client: TestClient, container: Container,
                                                            alice: SignedIn) -> None:
    sid = client.post("/api/v1/sessions", json=BODY, headers=alice.headers).json()["session_id"]
    _expire(container, alice.user_id, sid)
    assert client.get(f"/api/v1/sessions/{sid}", headers=alice.headers).status_code == 404
    beat = client.post(f"/api/v1/sessions/{sid}/heartbeat", headers=alice.headers)
    assert beat.status_code == 404 and beat.json()["code"] == "SESSION_EXPIRED"
    fresh = client.post("/api/v1/sessions", json=BODY, headers=alice.headers).json()
    assert fresh["session_resumed"] is False and fresh["session_id"] != sid


def test_sign_in_binds_to_a_stored_session(client: TestClient, container: Container, alice: SignedIn) -> None:
    assert container.sessions.get(alice.user_id, alice.session_id, 0) is not None
    login = {"username": "alice", "password": "correct horse battery staple"}
    resumed = client.post("/api/v1/auth/login", json=login, headers={"X-Session-Id": alice.session_id}).json()
    assert resumed["session_id"] == alice.session_id
    fresh = client.post("/api/v1/auth/login", json=login, headers={"X-Session-Id": "sess_unknown"}).json()
    assert fresh["session_id"] != alice.session_id
    assert container.sessions.get(alice.user_id, fresh["session_id"], 0) is not None


def test_x_session_id_on_case_routes(client: TestClient, container: Container, alice: SignedIn) -> None:
    sid = client.post("/api/v1/sessions", json=BODY, headers=alice.headers).json()["session_id"]
    with_session = {**alice.headers, "X-Session-Id": sid}
    assert client.get("/api/v1/cases", headers=with_session).status_code == 200
    _expire(container, alice.user_id, sid)
    for method, path in (("GET", "/api/v1/cases"), ("POST", "/api/v1/cases")):
        r = client.request(method, path, headers=with_session, json={})
        assert r.status_code == 401
        assert r.json()["code"] == "SESSION_EXPIRED" and "session expired" in r.json()["detail"]
    r = client.get("/api/v1/cases", headers={**alice.headers, "X-Session-Id": "sess_nobody"})
    assert r.status_code == 401 and r.json()["code"] == "SESSION_EXPIRED"
    assert client.get("/api/v1/cases", headers=alice.headers).status_code == 200  # no header: no session check
    assert client.get("/api/v1/auth/me", headers=with_session).status_code == 200  # never a logout elsewhere


def test_update_archive_and_restore(any_client: TestClient) -> None:
    from tests.conftest import sign_up

    alice = sign_up(any_client, "alice")
    sid = any_client.post("/api/v1/sessions", json={"client_id": "laptop", "metadata": {"a": 1}},
                          headers=alice.headers).json()["session_id"]
    r = any_client.put(f"/api/v1/sessions/{sid}", json={"metadata": {"b": 2}, "timeout_minutes": 60},
                       headers=alice.headers)
    assert r.status_code == 200 and r.json()["metadata"] == {"a": 1, "b": 2} and r.json()["timeout_minutes"] == 60
    assert any_client.put(f"/api/v1/sessions/{sid}", json={"case_id": "x"}, headers=alice.headers).status_code == 422
    assert any_client.put(f"/api/v1/sessions/{sid}", json={"timeout_minutes": 5},
                          headers=alice.headers).status_code == 422
    archived = any_client.post(f"/api/v1/sessions/{sid}/archive", headers=alice.headers).json()
    assert archived == {"session_id": sid, "status": "archived", "message": "Session archived successfully"}
    assert any_client.get(f"/api/v1/sessions/{sid}", headers=alice.headers).json()["status"] == "archived"
    restored = any_client.post(f"/api/v1/sessions/{sid}/restore", headers=alice.headers).json()
    assert restored["status"] == "active"
    assert any_client.get(f"/api/v1/sessions/{sid}", headers=alice.headers).json()["metadata"] == {"a": 1, "b": 2}
    assert any_client.post("/api/v1/sessions/nope/archive", headers=alice.headers).status_code == 404
