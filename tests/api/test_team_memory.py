"""Institutional memory meets teams over HTTP: a case two members worked together is drafted with both as authors;
only its owner drafts and reviews it; approved into the team's scope, it is recalled as a past incident on a team
member's (and viewer's) similar case, and by nobody outside the team."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_institutional_memory import resolved_case
from tests.api.test_teams_isolation import payments_and_search
from tests.conftest import SignedIn
from tests.support.case_api import open_case, take_turn

SYMPTOM = "payments api logs connection refused to postgres port 5432 since the v2.4 deploy"


def _recalled(client: TestClient, who: SignedIn) -> list[str]:
    """The cases recalled as past incidents on the first turn of the caller's new, similar case."""
    first = take_turn(client, who, open_case(client, who, "payments outage"), query=SYMPTOM)
    return [s["metadata"]["case_id"] for s in first["sources"] if s["type"] == "past_incident"]


def test_a_teams_approved_draft_is_its_teams_past_incident_only(client: TestClient, alice: SignedIn) -> None:
    bob, carol, dave, erin, team, other = payments_and_search(client, alice)
    case_id = resolved_case(client, alice, bob, team)  # bob sends the turn with the evidence

    extract = f"/api/v1/cases/{case_id}/extract-knowledge"
    refused = client.post(extract, headers=bob.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "CASE_OWNER_REQUIRED"
    assert client.post(extract, headers=erin.headers).status_code == 404
    r = client.post(extract, headers=alice.headers)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["authors"] == ["alice", "bob"]  # everyone who wrote a turn, in order
    path = f"/api/v1/knowledge/drafts/{draft['draft_id']}"
    assert client.get(path, headers=bob.headers).status_code == 404  # the owner's to review

    # Approving into a team the reviewer does not belong to is refused, and nothing is indexed.
    wrong = client.post(f"{path}/approve", json={"scope": "team", "team_id": other}, headers=alice.headers)
    assert wrong.status_code == 403, wrong.text
    assert client.get(path, headers=alice.headers).json()["status"] == "pending"
    approved = client.post(f"{path}/approve", json={"scope": "team", "team_id": team}, headers=alice.headers)
    assert approved.status_code == 200, approved.text
    document_id = approved.json()["document_id"]

    for who in (alice, bob, carol):  # the team, viewers included
        assert _recalled(client, who) == [case_id], who.username
        listed = client.get("/api/v1/knowledge/past-incidents?q=postgres", headers=who.headers).json()["incidents"]
        assert [p["case_id"] for p in listed] == [case_id]
    for who in (erin, dave):  # another team, an outsider: not in recall, search, the list or by id
        assert _recalled(client, who) == [], who.username
        assert client.get("/api/v1/knowledge/past-incidents?q=postgres", headers=who.headers).json()["incidents"] == []
        assert client.get("/api/v1/knowledge/past-incidents", headers=who.headers).json()["incidents"] == []
        assert client.get(f"/api/v1/knowledge/documents/{document_id}", headers=who.headers).status_code == 404

    # Leaving the team ends it: bob's next similar case recalls nothing.
    assert client.delete(f"/api/v1/teams/{team}/members/me", headers=bob.headers).status_code == 204
    assert _recalled(client, bob) == []
