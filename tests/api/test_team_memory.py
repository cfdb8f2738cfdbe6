"""Institutional memory meets teams over HTTP: a case two members worked together is drafted with both as authors;
only its owner drafts and reviews it; approved into the team's scope, it is recalled as a past incident on a team
member's (and viewer's) similar case, and by nobody outside the team."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.test_institutional_memory import FIX, LOG
from tests.api.test_teams_isolation import join_team
from tests.conftest import SignedIn, sign_up
from tests.support.case_api import open_case, take_turn

SYMPTOM = "payments api logs connection refused to postgres port 5432 since the v2.4 deploy"


def _resolved_together(client: TestClient, owner: SignedIn, mate: SignedIn, team_id: str) -> str:
    """The memory test's incident, with the team mate sending the evidence turn on the shared case."""
    case_id = open_case(client, owner)
    shared = client.post(f"/api/v1/cases/{case_id}/team-shares", json={"team_id": team_id}, headers=owner.headers)
    assert shared.status_code == 201, shared.text
    take_turn(client, owner, case_id, query="checkout returns 503 errors since 09:10")
    take_turn(client, owner, case_id, query="", intent_type="confirmation", intent_data='{"decision":"yes"}')
    take_turn(client, mate, case_id, query="only eu-west users, 30% of requests; we deployed v2.3 at 09:05",
              files=("api.log", LOG, "text/plain"))
    hid = client.get(f"/api/v1/cases/{case_id}", headers=mate.headers).json()["hypotheses"][0]["hypothesis_id"]
    take_turn(client, owner, case_id, query="", intent_type="hypothesis_action",
              intent_data=json.dumps({"hypothesis_id": hid, "action": "validate",
                                      "reason": "the pool allows 10 connections, v2.3 opens 40"}))
    take_turn(client, owner, case_id, query=f"{FIX} The errors stopped.")
    assert take_turn(client, owner, case_id, query="yes")["case_state"] == "resolved"
    return case_id


def _recalled(client: TestClient, who: SignedIn) -> list[str]:
    """The cases recalled as past incidents on the first turn of the caller's new, similar case."""
    first = take_turn(client, who, open_case(client, who, "payments outage"), query=SYMPTOM)
    return [s["metadata"]["case_id"] for s in first["sources"] if s["type"] == "past_incident"]


def test_a_teams_approved_draft_is_its_teams_past_incident_only(client: TestClient, alice: SignedIn) -> None:
    bob, carol, erin, dave = (sign_up(client, n) for n in ("bob", "carol", "erin", "dave"))
    team = client.post("/api/v1/teams", json={"name": "Payments SRE"}, headers=alice.headers).json()["team_id"]
    other = client.post("/api/v1/teams", json={"name": "Search SRE"}, headers=erin.headers).json()["team_id"]
    join_team(client, alice, bob, team, "member")
    join_team(client, alice, carol, team, "viewer")
    case_id = _resolved_together(client, alice, bob, team)

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
