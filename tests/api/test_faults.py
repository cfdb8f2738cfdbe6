"""Faults injected one at a time; each must end in a degraded answer or a clear 4xx/503 with Retry-After, with
nothing lost or half-written. (The knowledge base being down: tests/api/test_copilot_turns.py; the model's retry
and fallback mechanics over real HTTP: tests/unit/test_llm_chain.py and test_llm_openai.py.)"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import SignedIn, sign_up
from tests.support.case_api import open_case as _case
from tests.support.openai_server import OpenAIReplayServer, Reply

QUERY = "checkout 503 errors since 09:00"


def _app(settings: Settings) -> Iterator[tuple[TestClient, Container]]:
    container = Container(settings)
    set_container(container)
    try:
        with TestClient(build_app(settings), raise_server_exceptions=False) as client:
            yield client, container
    finally:
        set_container(None)


def _turn(client: TestClient, who: SignedIn, case_id: str) -> dict:
    r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": QUERY}, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.parametrize("fault", ["down", "slow", "rate_limited", "server_error", "garbage"])
def test_a_failing_model_gives_a_degraded_answer_and_loses_nothing(tmp_path: Path, fault: str) -> None:
    with OpenAIReplayServer() as server:
        base = f"http://127.0.0.1:{_closed_port()}/v1" if fault == "down" else server.base_url
        reply = {"slow": Reply.json({"reply": "late"}).slow(3), "rate_limited": Reply.rate_limited(30),
                 "server_error": Reply.error(500), "garbage": Reply.garbage()}.get(fault)
        if reply is not None:
            server.enqueue(reply, reply, reply)
        settings = Settings(mode="embedded", data_dir=tmp_path / "d", llm_provider="openai", llm_model=server.model,
                            llm_base_url=base, llm_timeout_seconds=1, llm_max_retries=0)
        for client, _ in _app(settings):
            who = sign_up(client, "oncall")
            case_id = _case(client, who)
            body = _turn(client, who, case_id)
            assert body["llm_used"] is False and "did not give a usable answer" in body["agent_response"]
            messages = client.get(f"/api/v1/cases/{case_id}/messages", headers=who.headers).json()
            assert messages["total_count"] == 2  # the question and the degraded answer are both kept


def test_a_corrupt_placeholder_map_starts_afresh_and_says_so(tmp_path: Path) -> None:
    from faultmaven.evidence.naming import blob_key

    for client, container in _app(Settings(mode="embedded", data_dir=tmp_path / "d")):
        who = sign_up(client, "oncall")
        case_id = _case(client, who)
        _turn(client, who, case_id)
        container.blobs.put(blob_key(who.user_id, case_id, "redaction-map"), b"FMMAP1 not a sealed map", "x/y")
        body = _turn(client, who, case_id)
        assert "redaction map could not be read" in body["agent_response"]
        assert "redaction map could not be read" not in _turn(client, who, case_id)["agent_response"]  # rewritten


def test_blob_store_down_or_disk_full_on_upload_is_503_and_nothing_is_kept(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for client, container in _app(Settings(mode="embedded", data_dir=tmp_path / "d")):
        who = sign_up(client, "oncall")
        case_id = _case(client, who)
        for error in (ConnectionError("blob store unreachable"), OSError(errno.ENOSPC, "No space left on device")):
            def failing_put(*_: object, error: Exception = error) -> None:
                raise error

            monkeypatch.setattr(container.blobs, "put", failing_put)
            r = client.post(f"/api/v1/cases/{case_id}/uploaded-files", headers=who.headers,
                            files={"file": ("app.log", b"ERROR boom\n", "text/plain")})
            assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0, r.text
            listed = client.get(f"/api/v1/cases/{case_id}/uploaded-files", headers=who.headers).json()
            assert listed["total_count"] == 0
        blobs = [p for p in (tmp_path / "d" / "blobs").rglob("*") if p.is_file()]
        assert blobs == []  # no temporary or partial file left behind


def test_disk_full_in_the_database_is_503_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from faultmaven.adapters.sqlite.db import sqlite3

    for client, container in _app(Settings(mode="embedded", data_dir=tmp_path / "d")):
        who = sign_up(client, "oncall")

        def disk_full(*_: object, **__: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(container.cases, "create", disk_full)
        r = client.post("/api/v1/cases", json={"title": "x"}, headers=who.headers)
        assert r.status_code == 503 and r.headers["Retry-After"] and "disk is full" in r.json()["detail"]
        monkeypatch.undo()
        assert client.get("/api/v1/cases", headers=who.headers).json()["total_count"] == 0


def _cancelled(*codes: str) -> Exception:
    """A cancelled transaction as PynamoDB reports it: one reason per item, None for an item that was fine."""
    from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

    cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                               "TransactWriteItems",
                               cancellation_reasons=[CancellationReason(code=c) if c != "None" else None
                                                     for c in codes])
    return TransactWriteError("Failed to write transaction items", cause=cause)


def test_dynamodb_throttling_is_503_not_already_exists(aws_container: Container,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pynamodb.connection import Connection

    with TestClient(build_app(aws_container.settings), raise_server_exceptions=False) as client:
        sign_up(client, "taken")
        dup = client.post("/api/v1/auth/register", json={"username": "taken", "password": "another fine passphrase"})
        assert dup.status_code == 409 and dup.json()["code"] == "USER_EXISTS"  # a real condition failure

        def throttled(*_: object, **__: object) -> None:
            raise _cancelled("ThrottlingError", "None")

        monkeypatch.setattr(Connection, "transact_write_items", throttled)
        r = client.post("/api/v1/auth/register", json={"username": "fresh", "password": "another fine passphrase"})
        assert r.status_code == 503 and r.headers["Retry-After"] and r.json()["code"] == "UNAVAILABLE", r.text
        monkeypatch.undo()
        assert client.post("/api/v1/auth/register",
                           json={"username": "fresh", "password": "another fine passphrase"}).status_code == 201


def test_dynamodb_conditions_and_throttling_are_told_apart() -> None:
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import PutError

    from faultmaven.adapters.dynamo.errors import is_condition_failure

    def put_error(code: str) -> PutError:
        return PutError("put failed", cause=ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem"))

    assert is_condition_failure(put_error("ConditionalCheckFailedException"))
    assert not is_condition_failure(put_error("ProvisionedThroughputExceededException"))
    assert is_condition_failure(_cancelled("ConditionalCheckFailed", "None"))
    assert not is_condition_failure(_cancelled("ThrottlingError", "None"))
    assert not is_condition_failure(_cancelled("ConditionalCheckFailed", "TransactionConflict"))
