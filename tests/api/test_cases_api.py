"""The case routes over HTTP, with the shapes the extension and the dashboard read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.cases.changes import CaseChanges, ProposalDraft
from faultmaven.cases.model import ProposalKind
from faultmaven.container import Container
from tests.conftest import SignedIn

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "case_contract_required.json"


def _create(client: TestClient, who: SignedIn, **body: object) -> dict:
    r = client.post("/api/v1/cases", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _required(name: str) -> set[str]:
    return set(json.loads(CONTRACT.read_text())[name])


def test_create_with_placeholder_titles_numbered_per_day(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    day = datetime.now(UTC).strftime("%y%m%d")
    first = _create(client, alice, description="pods crash-looping", priority="high", metadata={"x": 1})
    second = _create(client, alice)
    assert (first["title"], second["title"]) == (f"Case-{day}-1", f"Case-{day}-2")
    assert _create(client, bob)["title"] == f"Case-{day}-1"
    assert _required("CaseSummary") <= set(first)
    assert first["state"] == "inquiry" and first["stage"] is None and first["enterprise_id"] == alice.user_id
    assert first["valid_next_states"] == ["investigating", "closed"] and first["is_terminal"] is False
    named = _create(client, alice, title="  Checkout   latency ", description=None, initial_message=None)
    assert named["title"] == "Checkout latency" and named["description"] == ""


def test_create_response_headers_and_initial_message(client: TestClient, alice: SignedIn) -> None:
    r = client.post("/api/v1/cases", json={"initial_message": "Our API returns 502 since the deploy"},
                    headers=alice.headers)
    case_id = r.json()["case_id"]
    assert r.headers["location"] == f"/api/v1/cases/{case_id}" and r.headers["etag"] == '"1"'
    messages = client.get(f"/api/v1/cases/{case_id}/messages", headers=alice.headers).json()
    assert [(m["role"], m["content"], m["turn_number"]) for m in messages["messages"]] == [
        ("user", "Our API returns 502 since the deploy", 0)]


def test_list_shape_sorting_filters_and_paging(client: TestClient, container: Container, alice: SignedIn) -> None:
    ids = [_create(client, alice, title=f"case {i}")["case_id"] for i in range(5)]
    client.put(f"/api/v1/cases/{ids[1]}", json={"description": "touched"}, headers=alice.headers)
    body = client.get("/api/v1/cases?limit=100&offset=0", headers=alice.headers).json()
    assert _required("CaseListResponse") <= set(body)
    assert [c["case_id"] for c in body["cases"]] == [ids[1], ids[4], ids[3], ids[2], ids[0]]
    assert (body["total_count"], body["limit"], body["offset"], body["has_more"]) == (5, 100, 0, False)
    page = client.get("/api/v1/cases?limit=2&offset=2", headers=alice.headers).json()
    assert [c["case_id"] for c in page["cases"]] == [ids[3], ids[2]] and page["has_more"] is True
    dash = client.get("/api/v1/cases?page=3&page_size=2", headers=alice.headers).json()
    assert [c["case_id"] for c in dash["cases"]] == [ids[0]] and (dash["offset"], dash["limit"]) == (4, 2)

    container.case_service.apply(alice.user_id, ids[2], CaseChanges(turn_number=1))
    non_empty = client.get("/api/v1/cases?include_empty=false", headers=alice.headers).json()
    assert [c["case_id"] for c in non_empty["cases"]] == [ids[2]]
    client.post(f"/api/v1/cases/{ids[0]}/close", headers=alice.headers)
    closed = client.get("/api/v1/cases?state=closed", headers=alice.headers).json()
    assert [c["case_id"] for c in closed["cases"]] == [ids[0]]
    assert client.get("/api/v1/cases?source=slack", headers=alice.headers).json()["total_count"] == 0
    assert client.get("/api/v1/cases?created_after=2999-01-01T00:00:00", headers=alice.headers).json()["cases"] == []
    window = "created_after=2000-01-01T00:00:00Z&created_before=2999-01-01T00:00:00%2B02:00"
    assert client.get(f"/api/v1/cases?{window}", headers=alice.headers).json()["total_count"] == 5
    for bad in ("limit=0", "limit=101", "offset=-1", "state=open", "created_after=yesterday"):
        assert client.get(f"/api/v1/cases?{bad}", headers=alice.headers).status_code == 422, bad


def test_get_detail_rename_and_terminal_409(client: TestClient, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=alice.headers)
    assert detail.status_code == 200 and _required("CaseDetail") <= set(detail.json())
    assert detail.json()["pending_milestones"][0] == "symptom_verified" and detail.headers["etag"] == '"1"'
    renamed = client.put(f"/api/v1/cases/{case_id}", json={"title": "DNS outage"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["title"] == "DNS outage" and renamed.json()["version"] == 2
    assert client.put(f"/api/v1/cases/{case_id}", json={"title": "  "}, headers=alice.headers).status_code == 400
    moved = client.put(f"/api/v1/cases/{case_id}", json={"state": "investigating"}, headers=alice.headers)
    assert moved.json()["state"] == "investigating" and moved.json()["stage"] == "diagnosis"
    illegal = client.put(f"/api/v1/cases/{case_id}", json={"state": "inquiry"}, headers=alice.headers)
    assert illegal.status_code == 409 and illegal.json()["code"] == "ILLEGAL_TRANSITION"

    closed = client.post(f"/api/v1/cases/{case_id}/close", json={"closure_reason": "mitigation_sufficient"},
                         headers=alice.headers)
    assert closed.status_code == 200
    assert (closed.json()["state"], closed.json()["closure_reason"]) == ("closed", "mitigation_sufficient")
    assert closed.json()["closed_at"] and closed.json()["is_terminal"] is True
    for call in (lambda: client.put(f"/api/v1/cases/{case_id}", json={"title": "x"}, headers=alice.headers),
                 lambda: client.post(f"/api/v1/cases/{case_id}/close", headers=alice.headers)):
        r = call()
        assert r.status_code == 409 and r.json()["code"] == "CASE_TERMINAL"


@pytest.mark.parametrize(("reason", "code"), [("inquiry_only", 400), ("made_up", 400), (7, 400)])
def test_close_rejects_reasons_that_do_not_fit(client: TestClient, alice: SignedIn, reason: object,
                                               code: int) -> None:
    case_id = _create(client, alice)["case_id"]
    client.put(f"/api/v1/cases/{case_id}", json={"state": "investigating"}, headers=alice.headers)
    r = client.post(f"/api/v1/cases/{case_id}/close", json={"closure_reason": reason}, headers=alice.headers)
    assert r.status_code == code and r.json()["code"] == "INVALID_CLOSURE_REASON"


def test_close_inquiry_defaults_to_inquiry_only(client: TestClient, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    r = client.post(f"/api/v1/cases/{case_id}/close", headers=alice.headers)
    assert r.json()["closure_reason"] == "inquiry_only"


def test_stale_version_answers_409_with_headers(client: TestClient, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    first = client.put(f"/api/v1/cases/{case_id}", json={"title": "mine"}, headers={**alice.headers, "If-Match": '"1"'})
    second = client.put(f"/api/v1/cases/{case_id}", json={"title": "theirs"},
                        headers={**alice.headers, "X-Expected-Version": "1"})
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["code"] == "VERSION_CONFLICT"
    assert (second.headers["x-expected-version"], second.headers["x-actual-version"]) == ("1", "2")
    assert client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).json()["title"] == "mine"
    bad = client.put(f"/api/v1/cases/{case_id}", json={"title": "x"}, headers={**alice.headers, "If-Match": "abc"})
    assert bad.status_code == 400


def test_delete_is_idempotent(client: TestClient, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    assert client.delete(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 204
    assert client.delete(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 404
    assert client.delete("/api/v1/cases/case_never", headers=alice.headers).status_code == 404
    assert client.get("/api/v1/cases", headers=alice.headers).json()["total_count"] == 0


def test_search(client: TestClient, alice: SignedIn) -> None:
    a = _create(client, alice, title="Kafka consumer lag", description="lag on orders topic")["case_id"]
    _create(client, alice, title="Disk full")
    found = client.post("/api/v1/cases/search", json={"query": "LAG"}, headers=alice.headers)
    assert found.status_code == 200 and [c["case_id"] for c in found.json()] == [a]
    assert _required("CaseSummary") <= set(found.json()[0])
    none = client.post("/api/v1/cases/search", json={"query": "lag", "state": "closed"}, headers=alice.headers)
    assert none.json() == []
    assert client.post("/api/v1/cases/search", json={"query": ""}, headers=alice.headers).status_code == 422
    assert client.post("/api/v1/cases/search", json={"query": "   "}, headers=alice.headers).status_code == 400


def test_messages_paging(client: TestClient, container: Container, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    for turn in range(1, 4):
        container.case_service.append_message(alice.user_id, case_id, "user", f"question {turn}", turn)
        container.case_service.append_message(alice.user_id, case_id, "assistant", f"answer {turn}", turn,
                                              {"sources": 0})
    first = client.get(f"/api/v1/cases/{case_id}/messages?limit=4", headers=alice.headers).json()
    assert _required("CaseMessagesResponse") <= set(first)
    assert [m["content"] for m in first["messages"]] == ["question 1", "answer 1", "question 2", "answer 2"]
    assert (first["total_count"], first["retrieved_count"], first["has_more"], first["next_offset"]) == (6, 4, True, 4)
    assert _required("Message") <= set(first["messages"][0])
    rest = client.get(f"/api/v1/cases/{case_id}/messages?offset=4", headers=alice.headers).json()
    assert [m["content"] for m in rest["messages"]] == ["question 3", "answer 3"]
    assert (rest["has_more"], rest["next_offset"]) == (False, None)
    assert client.get(f"/api/v1/cases/{case_id}/messages?limit=101", headers=alice.headers).status_code == 422


def test_ui_in_each_state(client: TestClient, container: Container, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    svc = container.case_service
    inquiry = client.get(f"/api/v1/cases/{case_id}/ui", headers=alice.headers).json()
    assert inquiry["state"] == "inquiry" and _required("CaseUIResponse_Inquiry") <= set(inquiry)
    svc.apply(alice.user_id, case_id, CaseChanges(turn_number=1, propose=ProposalDraft(
        kind=ProposalKind.START_INVESTIGATION, summary="checkout returns 502 for EU users")))
    proposed = client.get(f"/api/v1/cases/{case_id}/ui", headers=alice.headers).json()["inquiry"]
    assert proposed["proposed_problem_statement"] == "checkout returns 502 for EU users"

    svc.apply(alice.user_id, case_id, CaseChanges(turn_number=2, answer_proposal="confirm",
                                                  indicators={"symptom_verified": True}))
    svc.apply(alice.user_id, case_id, CaseChanges(add_hypotheses=[{"text": "bad deploy", "state": "active"}]))
    investigating = client.get(f"/api/v1/cases/{case_id}/ui", headers=alice.headers).json()
    assert investigating["state"] == "investigating" and _required("CaseUIResponse_Investigating") <= set(investigating)
    assert investigating["problem_statement"] == "checkout returns 502 for EU users"
    assert investigating["progress"]["completed_indicators"] == ["symptom_verified"]
    assert [h["text"] for h in investigating["active_hypotheses"]] == ["bad deploy"]

    hyp = svc.get(alice.user_id, case_id).hypotheses[0].hypothesis_id
    svc.apply(alice.user_id, case_id, CaseChanges(
        update_hypotheses=[{"hypothesis_id": hyp, "state": "validated"}], root_cause="config typo",
        indicators={"root_cause_identified": True, "solution_proposed": True},
        propose=ProposalDraft(kind=ProposalKind.RESOLVE, summary="rolled back the config")))
    svc.apply(alice.user_id, case_id, CaseChanges(turn_number=3, answer_proposal="confirm"))
    resolved = client.get(f"/api/v1/cases/{case_id}/ui", headers=alice.headers).json()
    assert resolved["state"] == "resolved" and _required("CaseUIResponse_Resolved") <= set(resolved)
    assert resolved["root_cause"]["description"] == "config typo"
    assert resolved["solution_applied"]["description"] == "rolled back the config"
    assert resolved["verification_status"]["verified"] is True

    other = _create(client, alice)["case_id"]
    client.post(f"/api/v1/cases/{other}/close", headers=alice.headers)
    closed = client.get(f"/api/v1/cases/{other}/ui", headers=alice.headers).json()
    assert closed["state"] == "closed" and closed["resolved_at"] and closed["verification_status"]["verified"] is False


def test_title_generation(client: TestClient, container: Container, alice: SignedIn) -> None:
    case_id = _create(client, alice)["case_id"]
    unchanged = client.post(f"/api/v1/cases/{case_id}/title", headers=alice.headers)
    assert unchanged.status_code == 200 and unchanged.json()["title"].startswith("Case-")
    container.case_service.append_message(alice.user_id, case_id, "user",
                                          "Hi! Postgres replication lag keeps growing on {{REDACTED:host}}. Help?", 1)
    titled = client.post(f"/api/v1/cases/{case_id}/title", json={"hint": 1}, headers=alice.headers).json()
    assert titled["title"] == "Postgres replication lag keeps growing on" and "REDACTED" not in titled["title"]
    client.put(f"/api/v1/cases/{case_id}", json={"title": "My own name"}, headers=alice.headers)
    assert client.post(f"/api/v1/cases/{case_id}/title", headers=alice.headers).json()["title"] == "My own name"
    forced = client.post(f"/api/v1/cases/{case_id}/title?force=true", headers=alice.headers).json()
    assert forced["title"] == "Postgres replication lag keeps growing on"


def test_idempotency_key_on_create(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    key = {"Idempotency-Key": "create-0001-abc"}
    first = client.post("/api/v1/cases", json={"title": "once"}, headers={**alice.headers, **key})
    again = client.post("/api/v1/cases", json={"title": "once"}, headers={**alice.headers, **key})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/api/v1/cases", headers=alice.headers).json()["total_count"] == 1
    other = client.post("/api/v1/cases", json={"title": "once"}, headers={**bob.headers, **key})
    assert other.status_code == 201 and other.json()["case_id"] != first.json()["case_id"]
    reused = client.post("/api/v1/cases", json={"title": "different"}, headers={**alice.headers, **key})
    assert reused.status_code == 400 and reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    for bad in ("short", "has space in it", "x" * 256, "semi;colon-key"):
        r = client.post("/api/v1/cases", json={}, headers={**alice.headers, "Idempotency-Key": bad})
        assert r.status_code == 400 and r.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert client.get("/api/v1/cases", headers=alice.headers).json()["total_count"] == 1


def test_routes_need_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/cases").status_code == 401
    assert client.post("/api/v1/cases", json={}).status_code == 401


def test_flow_on_both_adapters(any_client: TestClient) -> None:
    from tests.conftest import sign_up

    carol = sign_up(any_client, "carol")
    case = any_client.post("/api/v1/cases", json={"title": "both"},
                           headers={**carol.headers, "Idempotency-Key": "both-adapters-1"}).json()
    replay = any_client.post("/api/v1/cases", json={"title": "both"},
                             headers={**carol.headers, "Idempotency-Key": "both-adapters-1"}).json()
    assert replay["case_id"] == case["case_id"]
    path = f"/api/v1/cases/{case['case_id']}"
    assert any_client.put(path, json={"title": "renamed"}, headers=carol.headers).json()["version"] == 2
    stale = any_client.put(path, json={"title": "stale"}, headers={**carol.headers, "If-Match": "1"})
    assert stale.status_code == 409 and stale.headers["x-actual-version"] == "2"
    listed = any_client.get("/api/v1/cases", headers=carol.headers).json()
    assert [c["title"] for c in listed["cases"]] == ["renamed"]
    assert any_client.post(f"{path}/close", headers=carol.headers).json()["state"] == "closed"
    assert any_client.get(f"{path}/ui", headers=carol.headers).json()["state"] == "closed"
    assert any_client.delete(path, headers=carol.headers).status_code == 204
    assert any_client.delete(path, headers=carol.headers).status_code == 204


def test_archive_and_unarchive(any_client: TestClient) -> None:
    from tests.conftest import sign_up

    alice = sign_up(any_client, "alice")
    case_id = any_client.post("/api/v1/cases", json={"title": "old outage"}, headers=alice.headers).json()["case_id"]
    r = any_client.post(f"/api/v1/cases/{case_id}/archive", headers=alice.headers)
    assert r.status_code == 200 and r.json()["archived_at"] and r.json()["title"] == "old outage"
    assert any_client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 200  # kept
    r = any_client.post(f"/api/v1/cases/{case_id}/unarchive", headers=alice.headers)
    assert r.status_code == 200 and r.json()["archived_at"] is None
    stale = any_client.post(f"/api/v1/cases/{case_id}/archive", headers={**alice.headers, "If-Match": '"1"'})
    assert stale.status_code == 409
