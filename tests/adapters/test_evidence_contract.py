"""One contract for every evidence metadata repository (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.errors import Conflict
from faultmaven.ports.evidence import EvidenceRecord


def record(file_id: str = "file_1", owner: str = "usr_1", case: str = "case_1", content_hash: str = "h1",
           at: str = "2026-01-01T00:00:01Z", turn: int = 1) -> EvidenceRecord:
    return EvidenceRecord(file_id=file_id, evidence_id=f"ev_{file_id}", owner_id=owner, case_id=case,
                          filename=f"{file_id}.log", content_type="text/plain; charset=utf-8", size_bytes=10,
                          content_hash=content_hash, source_type="logs", uploaded_at=at, uploaded_at_turn=turn,
                          blob_key=f"{owner}/{case}/{file_id}", summary="a log", analysis={"kind": "log", "n": 2},
                          source_metadata={"source_url": "https://example.com"})


def test_create_get_and_round_trip(any_container: Container) -> None:
    repo = any_container.evidence_files
    repo.create(record())
    got = repo.get("usr_1", "case_1", "file_1")
    assert got == record()
    assert got.analysis == {"kind": "log", "n": 2} and got.source_metadata == {"source_url": "https://example.com"}
    assert repo.get("usr_1", "case_1", "nope") is None


def test_owner_and_case_scope_every_read(any_container: Container) -> None:
    repo = any_container.evidence_files
    repo.create(record())
    assert repo.get("usr_2", "case_1", "file_1") is None
    assert repo.get("usr_1", "case_2", "file_1") is None
    assert repo.list_for_case("usr_2", "case_1") == []
    assert repo.find_by_hash("usr_2", "case_1", "h1") is None
    assert repo.delete("usr_2", "case_1", "file_1") is None
    assert repo.get("usr_1", "case_1", "file_1") is not None


def test_same_content_once_per_case(any_container: Container) -> None:
    repo = any_container.evidence_files
    repo.create(record())
    with pytest.raises(Conflict) as err:
        repo.create(record(file_id="file_2"))
    assert err.value.code == "DUPLICATE_CONTENT"
    assert repo.get("usr_1", "case_1", "file_2") is None
    assert repo.find_by_hash("usr_1", "case_1", "h1").file_id == "file_1"
    repo.create(record(file_id="file_3", case="case_2"))  # another case may hold the same content
    repo.create(record(file_id="file_4", owner="usr_2"))  # and so may another user


def test_list_in_upload_order(any_container: Container) -> None:
    repo = any_container.evidence_files
    repo.create(record("file_b", content_hash="hb", at="2026-01-01T00:00:02Z"))
    repo.create(record("file_a", content_hash="ha", at="2026-01-01T00:00:03Z"))
    repo.create(record("file_c", content_hash="hc", at="2026-01-01T00:00:01Z"))
    repo.create(record("file_x", case="case_2", content_hash="hx"))
    assert [r.file_id for r in repo.list_for_case("usr_1", "case_1")] == ["file_c", "file_b", "file_a"]


def test_delete_frees_the_content_hash(any_container: Container) -> None:
    repo = any_container.evidence_files
    repo.create(record())
    assert repo.delete("usr_1", "case_1", "file_1").file_id == "file_1"
    assert repo.get("usr_1", "case_1", "file_1") is None
    assert repo.find_by_hash("usr_1", "case_1", "h1") is None
    assert repo.delete("usr_1", "case_1", "file_1") is None
    repo.create(record(file_id="file_2"))  # the same content may be attached again
    assert repo.find_by_hash("usr_1", "case_1", "h1").file_id == "file_2"
