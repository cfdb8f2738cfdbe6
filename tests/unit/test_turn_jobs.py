"""The embedded job runner: every accepted turn runs to its end and its owner can poll each state."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.jobs import SqliteJobStore
from faultmaven.copilot.jobs import TurnJobs
from faultmaven.errors import Conflict, NotFound


@pytest.fixture
def jobs(tmp_path: Path) -> TurnJobs:
    return TurnJobs(SqliteJobStore(SqliteDatabase(tmp_path / "jobs.db")), workers=1)


def test_queued_running_completed(jobs: TurnJobs) -> None:
    gate = threading.Event()
    first_id, first = jobs.submit("u1", "c1", lambda: (gate.wait(10), {"turn_number": 1})[1])
    second_id, second = jobs.submit("u1", "c1", lambda: {"turn_number": 2})
    for _ in range(200):
        if jobs.poll("u1", "c1", first_id)[1]["status"] == "running":
            break
        threading.Event().wait(0.01)
    assert jobs.poll("u1", "c1", first_id) == (202, {"status": "running", "job_id": first_id})
    assert jobs.poll("u1", "c1", second_id) == (202, {"status": "queued", "job_id": second_id})
    first.cancel(), second.cancel()  # what a caller that stops waiting might do: a started turn still finishes
    gate.set()
    assert first.result(10) == {"turn_number": 1}
    status, body = jobs.poll("u1", "c1", first_id)
    assert status == 200 and body["status"] == "completed" and body["result"] == {"turn_number": 1}


def test_a_queued_turn_runs_when_nobody_waits_for_it(jobs: TurnJobs) -> None:
    gate = threading.Event()
    jobs.submit("u1", "c1", lambda: (gate.wait(10), {})[1])
    job_id, _ = jobs.submit("u1", "c1", lambda: {"turn_number": 7})
    gate.set()
    for _ in range(500):
        status, body = jobs.poll("u1", "c1", job_id)
        if status == 200:
            break
        threading.Event().wait(0.01)
    assert body == {"status": "completed", "job_id": job_id, "result": {"turn_number": 7}}


def test_failures_are_recorded_with_their_code(jobs: TurnJobs) -> None:
    def busy() -> dict:
        raise Conflict("another turn is running", code="CASE_BUSY")

    def crash() -> dict:
        raise RuntimeError("secret detail")

    busy_id, f1 = jobs.submit("u1", "c1", busy)
    crash_id, f2 = jobs.submit("u1", "c1", crash)
    for f in (f1, f2):
        with pytest.raises((Conflict, RuntimeError)):
            f.result(10)
    assert jobs.poll("u1", "c1", busy_id)[1]["error"] == {"message": "another turn is running", "code": "CASE_BUSY",
                                                          "status": "409"}
    failed = jobs.poll("u1", "c1", crash_id)[1]
    assert failed["status"] == "failed" and failed["error"]["code"] == "TURN_FAILED"
    assert "secret" not in str(failed)


def test_polling_is_scoped_and_a_job_of_a_stopped_process_reports_failure(jobs: TurnJobs, tmp_path: Path) -> None:
    job_id, future = jobs.submit("u1", "c1", lambda: {})
    future.result(10)
    for owner, case in (("u2", "c1"), ("u1", "c2")):
        with pytest.raises(NotFound):
            jobs.poll(owner, case, job_id)
    gate = threading.Event()
    running_id, _ = jobs.submit("u1", "c1", lambda: (gate.wait(10), {})[1])
    restarted = TurnJobs(jobs.store, workers=1)  # another process reading the same store
    status, body = restarted.poll("u1", "c1", running_id)
    assert status == 200 and body["error"]["code"] == "TURN_INTERRUPTED"
    gate.set()
