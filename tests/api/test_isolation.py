"""Tenant isolation: a second user tries every case and session route on the first user's ids and always gets 404
with no data, and never sees the first user's cases in a listing or a search."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container
from tests.conftest import SignedIn, sign_up

CASE_ROUTES = [
    ("GET", "/api/v1/cases/{case_id}", None),
    ("PUT", "/api/v1/cases/{case_id}", {"title": "hijacked"}),
    ("DELETE", "/api/v1/cases/{case_id}", None),
    ("POST", "/api/v1/cases/{case_id}/close", {"closure_reason": "inquiry_only"}),
    ("GET", "/api/v1/cases/{case_id}/messages", None),
    ("GET", "/api/v1/cases/{case_id}/ui", None),
    ("POST", "/api/v1/cases/{case_id}/title?force=true", None),
    ("POST", "/api/v1/cases/{case_id}/archive", None),
    ("POST", "/api/v1/cases/{case_id}/unarchive", None),
    ("POST", "/api/v1/cases/{case_id}/extract-knowledge", None),
]
SESSION_ROUTES = [
    ("GET", "/api/v1/sessions/{session_id}", None),
    ("POST", "/api/v1/sessions/{session_id}/heartbeat", None),
    ("DELETE", "/api/v1/sessions/{session_id}", None),
    ("PUT", "/api/v1/sessions/{session_id}", {"metadata": {"hijacked": True}, "timeout_minutes": 60}),
    ("POST", "/api/v1/sessions/{session_id}/archive", None),
    ("POST", "/api/v1/sessions/{session_id}/restore", None),
]
SECRET = "the first user's private notes about db-7"


@pytest.fixture
def victim_case(client: TestClient, container: Container, alice: SignedIn) -> str:
    case_id = client.post("/api/v1/cases", json={"title": "Alice's outage", "description": SECRET},
                          headers=alice.headers).json()["case_id"]
    container.case_service.append_message(alice.user_id, case_id, "user", SECRET, 1)
    return case_id


@pytest.mark.parametrize(("method", "path", "body"), CASE_ROUTES)
def test_case_routes_answer_404_to_another_user(client: TestClient, alice: SignedIn, bob: SignedIn, victim_case: str,
                                                method: str, path: str, body: dict | None) -> None:
    before = client.get(f"/api/v1/cases/{victim_case}", headers=alice.headers).json()
    r = client.request(method, path.format(case_id=victim_case), json=body, headers=bob.headers)
    assert r.status_code == 404, r.text
    assert SECRET not in r.text and "Alice" not in r.text
    after = client.get(f"/api/v1/cases/{victim_case}", headers=alice.headers).json()
    assert after == before  # nothing changed either


@pytest.mark.parametrize(("method", "path", "body"), SESSION_ROUTES)
def test_session_routes_answer_404_to_another_user(client: TestClient, alice: SignedIn, bob: SignedIn,
                                                   method: str, path: str, body: dict | None) -> None:
    sid = client.post("/api/v1/sessions", json={"client_id": "alice-laptop"},
                      headers=alice.headers).json()["session_id"]
    before = client.get(f"/api/v1/sessions/{sid}", headers=alice.headers).json()
    r = client.request(method, path.format(session_id=sid), json=body, headers=bob.headers)
    assert r.status_code == 404 and "alice" not in r.text
    after = client.get(f"/api/v1/sessions/{sid}", headers=alice.headers)
    assert after.status_code == 200 and after.json() == before


def test_resuming_by_client_id_never_crosses_users(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    mine = client.post("/api/v1/sessions", json={"client_id": "shared-browser"}, headers=alice.headers).json()
    theirs = client.post("/api/v1/sessions", json={"client_id": "shared-browser"}, headers=bob.headers).json()
    assert theirs["session_resumed"] is False and theirs["session_id"] != mine["session_id"]
    listed = client.get("/api/v1/sessions", headers=bob.headers).json()
    assert mine["session_id"] not in [s["session_id"] for s in listed["sessions"]]


def test_listing_and_search_never_cross_users(client: TestClient, alice: SignedIn, bob: SignedIn,
                                              victim_case: str) -> None:
    listed = client.get("/api/v1/cases?limit=100", headers=bob.headers).json()
    assert listed["cases"] == [] and listed["total_count"] == 0
    for query in ("outage", "db-7", "private"):
        assert client.post("/api/v1/cases/search", json={"query": query}, headers=bob.headers).json() == []
    assert [c["case_id"] for c in client.post("/api/v1/cases/search", json={"query": "db-7"},
                                              headers=alice.headers).json()] == [victim_case]


def test_another_users_session_id_is_not_accepted(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    r = client.get("/api/v1/cases", headers={**bob.headers, "X-Session-Id": alice.session_id})
    assert r.status_code == 401 and r.json()["code"] == "SESSION_EXPIRED"


def test_isolation_on_both_adapters(any_client: TestClient) -> None:
    dave, erin = sign_up(any_client, "dave"), sign_up(any_client, "erin")
    case_id = any_client.post("/api/v1/cases", json={"description": SECRET}, headers=dave.headers).json()["case_id"]
    for method, path, body in CASE_ROUTES:
        r = any_client.request(method, path.format(case_id=case_id), json=body, headers=erin.headers)
        assert r.status_code == 404, (method, path)
    assert any_client.get("/api/v1/cases", headers=erin.headers).json()["total_count"] == 0
    assert any_client.post("/api/v1/cases/search", json={"query": "db-7"}, headers=erin.headers).json() == []
    assert any_client.get(f"/api/v1/cases/{case_id}", headers=dave.headers).json()["description"] == SECRET
