"""One contract for every adapter of the job store port (SQLite, and DynamoDB in moto)."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.ports.jobs import JobRecord, JobStore

AT = "2026-01-01T00:00:00.000000Z"


@pytest.fixture
def store(any_container: Container) -> JobStore:
    return any_container.job_store


def _job(job_id: str = "turn_1", owner: str = "u1") -> JobRecord:
    return JobRecord(job_id=job_id, owner_id=owner, case_id="c1", created_at=AT, updated_at=AT)


def test_a_job_moves_from_queued_to_its_end_and_stays_there(store: JobStore) -> None:
    store.create(_job())
    assert store.get("u1", "turn_1").status == "queued"
    store.update(_job().model_copy(update={"status": "running"}))
    assert store.get("u1", "turn_1").status == "running"
    store.update(_job().model_copy(update={"status": "completed", "result": {"turn_number": 3}}))
    store.update(_job().model_copy(update={"status": "failed", "error": {"message": "late", "code": "X"}}))
    done = store.get("u1", "turn_1")
    assert done.status == "completed" and done.result == {"turn_number": 3} and done.error is None


def test_jobs_are_owner_scoped(store: JobStore) -> None:
    store.create(_job())
    assert store.get("u2", "turn_1") is None
    store.update(_job(owner="u2").model_copy(update={"status": "failed"}))  # another owner cannot touch it
    assert store.get("u1", "turn_1").status == "queued"
    assert store.get("u1", "turn_nope") is None

