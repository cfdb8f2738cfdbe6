"""Institutional memory over HTTP: a resolved case is drafted into a postmortem and runbook, reviewed, approved into
the knowledge base as a past incident, and cited with its fix on the first turn of a similar new case."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.conftest import SignedIn
from tests.support.case_api import open_case as _case
from tests.support.case_api import take_turn as _turn

LOG = "\n".join(f"2026-11-25 09:{10 + i // 60:02d}:{i % 60:02d} ERROR pool: connection refused to 10.0.0.{i % 5}:5432"
                f" after {i} ms" for i in range(120)).encode()
FIX = "We rolled back to v2.2 at 10:02."


def resolved_case(client: TestClient, who: SignedIn, mate: SignedIn | None = None, team_id: str | None = None) -> str:
    """Case A: checkout's database pool exhausted by a release, fixed by rolling back (the offline rules' flow).
    With `team_id` the case is shared with that team first, and `mate` sends the turn with the evidence."""
    case_id = _case(client, who)
    if team_id is not None:
        shared = client.post(f"/api/v1/cases/{case_id}/team-shares", json={"team_id": team_id}, headers=who.headers)
        assert shared.status_code == 201, shared.text
    _turn(client, who, case_id, query="checkout returns 503 errors since 09:10")
    _turn(client, who, case_id, query="", intent_type="confirmation", intent_data='{"decision":"yes"}')
    _turn(client, mate or who, case_id, query="only eu-west users, 30% of requests; we deployed v2.3 at 09:05",
          files=("api.log", LOG, "text/plain"))
    ui = client.get(f"/api/v1/cases/{case_id}", headers=who.headers).json()
    hid = ui["hypotheses"][0]["hypothesis_id"]
    _turn(client, who, case_id, query="", intent_type="hypothesis_action",
          intent_data=json.dumps({"hypothesis_id": hid, "action": "validate",
                                  "reason": "the pool allows 10 connections, v2.3 opens 40"}))
    _turn(client, who, case_id, query=f"{FIX} The errors stopped. Going forward we will add an alert on pool usage.")
    assert _turn(client, who, case_id, query="yes")["case_state"] == "resolved"
    return case_id


def test_approved_draft_is_cited_as_a_past_incident_on_a_similar_cases_first_turn(
        client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    case_a = resolved_case(client, alice)

    r = client.post(f"/api/v1/cases/{case_a}/extract-knowledge", json={}, headers=alice.headers)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "pending" and draft["case_id"] == case_a and draft["authors"] == ["alice"]
    assert draft["fix"].startswith(FIX)
    for heading in ("## Impact", "## Timeline", "## Root cause", "## Fix", "## Evidence", "## Follow-ups"):
        assert heading in draft["postmortem"]
    assert "api.log (120 error lines" in draft["postmortem"]  # the evidence the root cause rests on
    assert "we will add an alert on pool usage" in draft["postmortem"].split("## Follow-ups")[1]
    assert "## Mitigation" in draft["runbook"] and FIX in draft["runbook"]
    again = client.post(f"/api/v1/cases/{case_a}/extract-knowledge", headers=alice.headers)
    assert again.status_code == 200 and again.json()["draft_id"] == draft["draft_id"]

    # Another user neither lists nor reads nor reviews it.
    path = f"/api/v1/knowledge/drafts/{draft['draft_id']}"
    assert client.get("/api/v1/knowledge/drafts", headers=bob.headers).json()["total"] == 0
    assert client.get(path, headers=bob.headers).status_code == 404
    assert client.post(f"{path}/approve", headers=bob.headers).status_code == 404

    listed = client.get("/api/v1/knowledge/drafts?status=pending", headers=alice.headers).json()
    assert [d["draft_id"] for d in listed["drafts"]] == [draft["draft_id"]] and listed["has_more"] is False

    fix = "Rolled back to v2.2; raised the pool to 50 connections before re-releasing v2.3."
    edited = client.put(path, json={"fix": fix, "version": 1}, headers=alice.headers)
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert edited.json()["edits"][0]["fields"] == ["fix"]
    stale = client.put(path, json={"title": "late edit", "version": 1}, headers=alice.headers)
    assert stale.status_code == 409 and stale.json()["code"] == "VERSION_CONFLICT"

    approved = client.post(f"{path}/approve", json={"note": "checked with the DB team"}, headers=alice.headers)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["reviewer_id"] and body["document_id"]
    assert client.post(f"{path}/reject", headers=alice.headers).json()["code"] == "DRAFT_REVIEWED"

    # The knowledge base holds it as a past incident with its provenance and freshness.
    doc = client.get(f"/api/v1/knowledge/documents/{body['document_id']}", headers=alice.headers).json()
    assert doc["document_type"] == "past_incident" and case_a in doc["content"] and fix in doc["content"]
    found = client.post("/api/v1/knowledge/search", json={"query": "connection refused postgres pool"},
                        headers=alice.headers).json()["results"]
    meta = next(r["metadata"] for r in found if r["document_id"] == body["document_id"])
    assert meta["case_id"] == case_a and meta["freshness_date"] and meta["incident_date"]

    # Case B, similar: its first turn cites case A as a past incident with what fixed it.
    case_b = _case(client, alice, "payments outage")
    first = _turn(client, alice, case_b,
                  query="payments api logs connection refused to postgres port 5432 since the v2.4 deploy")
    assert "**Similar past incidents**" in first["agent_response"]
    assert case_a in first["agent_response"] and fix in first["agent_response"]
    cited = [s for s in first["sources"] if s["type"] == "past_incident"]
    assert cited and cited[0]["metadata"]["case_id"] == case_a and cited[0]["content"] == fix
    # Shown once, in its own section (not again as a runbook), and the Yes / No prompt stays last.
    assert [s["metadata"]["document_id"] for s in first["sources"]].count(body["document_id"]) == 1
    assert first["agent_response"].rstrip().endswith("[✅ Yes]  [❌ No]")
    assert cited[0]["metadata"]["freshness_date"] == body["reviewed_at"][:10]
    greeting = _turn(client, alice, _case(client, alice, "question"), query="hello there")
    assert not [s for s in greeting["sources"] if s["type"] == "past_incident"]  # unlike: nothing recalled
    second = _turn(client, alice, case_b, query="only eu-west users are affected")
    assert "Similar past incidents" not in second["agent_response"]  # recalled once, on the first turn

    # Personal scope: Bob's similar case sees no past incident of Alice's.
    bobs = _turn(client, bob, _case(client, bob), query="api logs connection refused to postgres port 5432")
    assert not [s for s in bobs["sources"] if s["type"] == "past_incident"]
    assert client.get("/api/v1/knowledge/past-incidents?q=postgres", headers=bob.headers).json()["incidents"] == []
    mine = client.get("/api/v1/knowledge/past-incidents", headers=alice.headers).json()["incidents"]
    assert [(p["case_id"], p["fix"]) for p in mine] == [(case_a, fix)]


def test_rejected_drafts_are_not_indexed_and_bad_requests_are_4xx(client: TestClient, alice: SignedIn) -> None:
    open_case = _case(client, alice)
    r = client.post(f"/api/v1/cases/{open_case}/extract-knowledge", headers=alice.headers)
    assert r.status_code == 409 and r.json()["code"] == "CASE_NOT_RESOLVED"
    assert client.post("/api/v1/cases/case_nope/extract-knowledge", headers=alice.headers).status_code == 404
    assert client.get("/api/v1/knowledge/drafts?status=maybe", headers=alice.headers).status_code == 422
    assert client.get("/api/v1/knowledge/drafts/kd_nope", headers=alice.headers).status_code == 404
    bad = [("POST", "/api/v1/knowledge/drafts/verify-batch", {}),
           ("POST", "/api/v1/knowledge/drafts/verify-batch", {"draft_ids": [{"draft_id": "kd_x"}] * 51}),
           ("POST", "/api/v1/knowledge/drafts/kd_nope/approve", {"scope": "galaxy"}),
           ("PUT", "/api/v1/knowledge/drafts/kd_nope", {"version": "seven"}),
           ("GET", "/api/v1/knowledge/past-incidents?q=" + "x" * 1001, None),
           ("GET", "/api/v1/knowledge/drafts?limit=0", None)]
    for method, path, body in bad:
        assert client.request(method, path, json=body, headers=alice.headers).status_code == 422, (method, path)

    case_a = resolved_case(client, alice)
    draft = client.post(f"/api/v1/cases/{case_a}/extract-knowledge", headers=alice.headers).json()
    path = f"/api/v1/knowledge/drafts/{draft['draft_id']}"
    assert client.put(path, json={}, headers=alice.headers).json()["code"] == "EMPTY_EDIT"
    assert client.put(path, json={"title": ""}, headers=alice.headers).status_code == 422
    assert client.post(f"{path}/approve", json={"scope": "global"}, headers=alice.headers).status_code == 403
    rejected = client.post(f"{path}/reject", json={"note": "root cause is a guess"}, headers=alice.headers).json()
    assert rejected["status"] == "rejected" and rejected["review_note"] == "root cause is a guess"
    assert client.get("/api/v1/knowledge/past-incidents", headers=alice.headers).json()["incidents"] == []
    # A rejected draft can be drafted again from the case.
    redo = client.post(f"/api/v1/cases/{case_a}/extract-knowledge", headers=alice.headers)
    assert redo.status_code == 201 and redo.json()["draft_id"] != draft["draft_id"]
    batch = client.post("/api/v1/knowledge/drafts/verify-batch",
                        json={"draft_ids": [{"draft_id": redo.json()["draft_id"]}, {"draft_id": "kd_nope"}]},
                        headers=alice.headers).json()
    assert batch["verified"] == 1 and [r["status"] for r in batch["results"]] == ["approved", "error"]
