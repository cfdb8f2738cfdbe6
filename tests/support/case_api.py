"""The two calls most HTTP tests of the copilot make: open a case, and take a turn on it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import SignedIn


def open_case(client: TestClient, who: SignedIn, description: str = "checkout outage") -> str:
    r = client.post("/api/v1/cases", json={"description": description}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


def take_turn(client: TestClient, who: SignedIn, case_id: str, **form: str) -> dict:
    """A synchronous turn (200); `files` is one (name, bytes, type) tuple when given."""
    files = form.pop("files", None)
    r = client.post(f"/api/v1/cases/{case_id}/turns", data=form, headers=who.headers,
                    files={"files": files} if files else None)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["agent_response"], str) and isinstance(body["turn_number"], int)
    return body
