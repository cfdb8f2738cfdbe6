"""The whole copilot flow over HTTP: create case → turn with a log → hypotheses → confirm → resolved → reports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import SignedIn, sign_up
from tests.support.case_api import open_case as _case
from tests.support.case_api import take_turn as _turn
from tests.support.openai_server import OpenAIReplayServer, Reply

MARKER = "[✅ Yes]  [❌ No]"
SECRET = "AKIAIOSFODNN7EXAMPLE"
LOG = "\n".join(f"2026-11-25 09:{10 + i // 60:02d}:{i % 60:02d} ERROR pool: connection refused to 10.0.0.{i % 5}:5432"
                f" after {i} ms" for i in range(120)).encode()


def test_offline_flow_end_to_end(client: TestClient, alice: SignedIn) -> None:
    case_id = _case(client, alice)
    first = _turn(client, alice, case_id, query=f"checkout returns 503 errors since 09:10, key {SECRET}")
    assert first["case_state"] == "inquiry" and MARKER in first["agent_response"]
    assert "No language model is configured" in first["agent_response"]
    assert SECRET not in json.dumps(first) and first["redactions"] == {"aws_access_key": 1}

    confirmed = _turn(client, alice, case_id, query="", intent_type="confirmation", intent_data='{"decision":"yes"}')
    assert confirmed["case_state"] == "investigating" and confirmed["turn_number"] == 2
    assert any(a["type"] == "RUN" for a in confirmed["suggested_actions"])

    with_log = _turn(client, alice, case_id, query="only eu-west users, 30% of requests; we deployed v2.3 at 09:05",
                     files=("api.log", LOG, "text/plain"))
    assert with_log["attachments_processed"][0]["source_type"] == "logs"
    assert {"scope_assessed", "changes_identified"} <= set(with_log["milestones_completed"])
    assert "connection refused" in with_log["agent_response"]

    detail = client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).json()
    hypotheses = detail.get("hypotheses") or client.get(f"/api/v1/cases/{case_id}/ui",
                                                        headers=alice.headers).json().get("hypotheses")
    assert hypotheses, detail
    hid = hypotheses[0]["hypothesis_id"]

    validated = _turn(client, alice, case_id, query="", intent_type="hypothesis_action",
                      intent_data=json.dumps({"hypothesis_id": hid, "action": "validate",
                                              "reason": "the pool allows 10 connections, v2.3 opens 40"}))
    assert "root_cause_identified" in validated["milestones_completed"] and MARKER not in validated["agent_response"]
    assert "What fix did you apply" in validated["agent_response"]  # no resolution without a recorded fix

    fixed = _turn(client, alice, case_id, query="We rolled back to v2.2 at 10:02. The errors stopped.")
    assert "solution_proposed" in fixed["milestones_completed"] and MARKER in fixed["agent_response"]
    resolved = _turn(client, alice, case_id, query="yes")
    assert resolved["case_state"] == "resolved"

    case = client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).json()
    assert case["root_cause"].startswith(hypotheses[0]["text"].rstrip("."))
    assert "the pool allows 10 connections, v2.3 opens 40" in case["root_cause"] and "api.log" in case["root_cause"]
    assert case["solution"] == "We rolled back to v2.2 at 10:02."
    reports = client.get(f"/api/v1/cases/{case_id}/reports", headers=alice.headers).json()["reports"]
    assert {r["report_type"] for r in reports} == {"resolution_summary", "runbook_draft"}
    for report in reports:
        assert case["root_cause"] in report["content"] and "We rolled back to v2.2 at 10:02." in report["content"]
        assert "only eu-west users, 30% of requests" in report["content"]  # the impact, as the engineer said it
        assert "solution proposed" not in report["content"].split("## Progress")[0]
    saved = client.post(f"/api/v1/cases/{case_id}/reports/runbook", headers=alice.headers)
    assert saved.status_code == 201 and saved.json()["document_id"]
    for _ in range(100):  # ingestion runs in the background
        found = client.post("/api/v1/knowledge/search", json={"query": "rolled back to v2.2", "mode": "bm25"},
                            headers=alice.headers).json()["results"]
        if found:
            break
        time.sleep(0.1)
    assert saved.json()["document_id"] in json.dumps(found)  # the saved runbook carries the fix

    # A resolved case takes no more turns, and its transcript never holds the secret.
    late = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "one more"}, headers=alice.headers)
    assert late.status_code == 409
    messages = client.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=alice.headers).json()
    assert messages["total_count"] == 12 and SECRET not in json.dumps(messages)
    assert "{{REDACTED:aws_access_key}}" in messages["messages"][0]["content"]


def test_knowledge_base_is_cited(client: TestClient, container: Container, alice: SignedIn) -> None:
    runbook = (b"# Postgres connection pool exhausted\n\n## Meaning\nApplications log connection refused to the "
               b"database port 5432 when the pool is exhausted.\n\n## Mitigation\nRaise max_connections.\n")
    r = client.post("/api/v1/knowledge/documents?wait=true", files={"file": ("pg.md", runbook, "text/markdown")},
                    data={"title": "Postgres connection pool exhausted"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    case_id = _case(client, alice)
    body = _turn(client, alice, case_id, query="api logs connection refused to postgres port 5432")
    assert body["sources"] and body["sources"][0]["metadata"]["title"] == "Postgres connection pool exhausted"
    assert "Postgres connection pool exhausted" in body["agent_response"]
    greeting = _turn(client, alice, _case(client, alice), query="hello there")
    assert greeting["sources"] == []


@pytest.mark.parametrize(("form", "status"), [({}, 415), ({"query": ""}, 400),
                                              ({"query": "x", "intent_type": "dance"}, 400),
                                              ({"query": "x", "intent_data": "{not json"}, 400)])
def test_bad_turns_are_4xx(client: TestClient, alice: SignedIn, form: dict, status: int) -> None:
    case_id = _case(client, alice)
    r = client.post(f"/api/v1/cases/{case_id}/turns", data=form, headers=alice.headers)
    assert r.status_code == status and r.json()["code"]


def test_two_files_is_422_and_other_users_case_is_404(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    case_id = _case(client, alice)
    r = client.post(f"/api/v1/cases/{case_id}/turns", headers=alice.headers,
                    files=[("files", ("a.log", b"x\n", "text/plain")), ("files", ("b.log", b"y\n", "text/plain"))])
    assert r.status_code in (400, 422)
    assert client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "hi"}, headers=bob.headers).status_code == 404


def test_idempotent_turn(client: TestClient, alice: SignedIn) -> None:
    case_id = _case(client, alice)
    headers = {**alice.headers, "Idempotency-Key": "turn-key-0001"}
    a = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "disk full on node-3"}, headers=headers)
    b = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "disk full on node-3"}, headers=headers)
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert client.get(f"/api/v1/cases/{case_id}/messages", headers=alice.headers).json()["total_count"] == 2


def test_slow_turns_answer_202_and_every_queued_one_completes(tmp_path: Path) -> None:
    """More turns than workers with a zero-second window: the ones still queued when the window ends run anyway."""
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", turn_sync_seconds=0.0)
    container = Container(settings)
    set_container(container)
    try:
        with TestClient(build_app(settings)) as client:
            who = sign_up(client, "slowpoke")
            sent = []
            for _ in range(6):
                case_id = _case(client, who)
                r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "pods crashlooping"},
                                headers=who.headers)
                assert r.status_code in (200, 202), r.text
                sent.append(r)
            polled = [r for r in sent if r.status_code == 202]
            assert polled  # six turns on four workers cannot all beat a zero-second window
            for r in polled:
                assert r.json()["status"] in ("queued", "running", "completed")
                for _ in range(400):
                    poll = client.get(r.headers["Location"], headers=who.headers)
                    if poll.status_code == 200:
                        break
                    assert poll.json()["status"] in ("queued", "running")
                    time.sleep(0.05)
                assert poll.json()["status"] == "completed", poll.text
                assert poll.json()["result"]["turn_number"] == 1
    finally:
        set_container(None)


@pytest.fixture
def llm_client(tmp_path: Path):
    with OpenAIReplayServer() as server:
        settings = Settings(mode="embedded", data_dir=tmp_path / "d", llm_provider="openai", llm_model=server.model,
                            llm_base_url=server.base_url, llm_timeout_seconds=2, llm_max_retries=0)
        container = Container(settings)
        set_container(container)
        with TestClient(build_app(settings)) as client:
            yield client, server
        set_container(None)


def test_llm_writes_the_reply_and_never_sees_secrets(llm_client) -> None:
    client, server = llm_client
    server.on("503", Reply.json({"reply": "Check the load balancer health for {{REDACTED:aws_access_key}}.",
                                 "hypotheses": ["LB misconfigured"],
                                 "commands": [{"label": "LB health", "command": "aws elbv2 describe-target-health"}]}))
    who = sign_up(client, "llmuser")
    case_id = _case(client, who)
    body = _turn(client, who, case_id, query=f"checkout 503 errors, key {SECRET}")
    assert body["llm_used"] is True and "load balancer" in body["agent_response"]
    assert MARKER in body["agent_response"]  # the rules' proposal survives whatever the model wrote
    sent = json.dumps(server.requests)
    assert SECRET not in sent and "{{REDACTED:aws_access_key}}" in sent
    assert any(a["payload"] == "aws elbv2 describe-target-health" for a in body["suggested_actions"])


def test_llm_garbage_falls_back_to_the_rules(llm_client) -> None:
    client, server = llm_client
    server.enqueue(Reply.garbage(), Reply.garbage())
    who = sign_up(client, "garbage")
    case_id = _case(client, who)
    body = _turn(client, who, case_id, query="checkout 503 errors since 09:00")
    assert body["llm_used"] is False and "did not give a usable answer" in body["agent_response"]
    assert client.get(f"/api/v1/cases/{case_id}/messages", headers=who.headers).json()["total_count"] == 2


def test_oversized_turn_file_is_413_and_leaves_nothing(tmp_path: Path) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", max_file_bytes=64 * 1024)
    set_container(Container(settings))
    try:
        with TestClient(build_app(settings)) as client:
            who = sign_up(client, "big")
            case_id = _case(client, who)
            r = client.post(f"/api/v1/cases/{case_id}/turns", headers=who.headers, data={"query": "see log"},
                            files={"files": ("huge.log", b"x" * (200 * 1024), "text/plain")})
            assert r.status_code == 413 and r.json()["code"]
            assert client.get(f"/api/v1/cases/{case_id}/messages", headers=who.headers).json()["total_count"] == 0
            assert client.get(f"/api/v1/cases/{case_id}/uploaded-files",
                              headers=who.headers).json()["total_count"] == 0
    finally:
        set_container(None)


def test_deleting_a_case_removes_its_files_and_placeholder_map(client: TestClient, container: Container,
                                                               alice: SignedIn, bob: SignedIn) -> None:
    case_id = _case(client, alice)
    _turn(client, alice, case_id, query=f"errors with {SECRET}", files=("api.log", LOG, "text/plain"))
    blobs = container.settings.data_dir / "blobs" / alice.user_id / case_id
    assert len(list(blobs.iterdir())) == 2  # the log and the sealed map
    assert client.delete(f"/api/v1/cases/{case_id}", headers=bob.headers).status_code == 404
    assert len(list(blobs.iterdir())) == 2
    assert client.delete(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 204
    assert list(blobs.iterdir()) == []
    assert client.delete(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code == 204


def test_ui_counts_the_files_of_the_case(client: TestClient, alice: SignedIn) -> None:
    case_id = _case(client, alice)
    _turn(client, alice, case_id, query="api down since 09:10", files=("api.log", LOG, "text/plain"))
    _turn(client, alice, case_id, query="yes")
    ui = client.get(f"/api/v1/cases/{case_id}/ui", headers=alice.headers).json()
    assert ui["state"] == "investigating" and ui["uploaded_files_count"] == 1
    assert ui["latest_evidence"][0]["filename"] == "api.log"


def test_a_broken_knowledge_base_does_not_stop_the_turn(tmp_path: Path) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", vector_index="opensearch")  # no OpenSearch URL
    set_container(Container(settings))
    try:
        with TestClient(build_app(settings)) as client:
            who = sign_up(client, "nokb")
            body = _turn(client, who, _case(client, who), query="checkout 503 errors since 09:00")
            assert body["sources"] == [] and "knowledge base could not be searched" in body["agent_response"]
            assert MARKER in body["agent_response"]
    finally:
        set_container(None)
