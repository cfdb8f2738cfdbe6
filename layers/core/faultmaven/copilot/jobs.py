"""Turns that outlive the request: a turn still running after `turn_sync_seconds` answers 202 and is polled.

Every turn is a job in the job store (queued → running → completed | failed), so a turn accepted is always run to
its end whoever stops waiting for it, and its owner can poll the outcome. Embedded, this process's worker pool runs
it (`TurnJobs`); in the cloud a queue and a worker function do (`copilot/queued_turns.py`), writing the same records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faultmaven.cases.model import stamp
from faultmaven.clock import new_id, now
from faultmaven.copilot.inputs import Progress, TurnInput, quiet
from faultmaven.errors import DomainError, NotFound
from faultmaven.http.logging import logger
from faultmaven.ports.jobs import JobRecord, JobStore

if TYPE_CHECKING:
    from faultmaven.auth.service import Principal
    from faultmaven.copilot.turns import TurnService
    from faultmaven.idempotency import Idempotency

FAILED_MESSAGE = "the turn failed; please send it again"
Work = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class TurnOrder:
    """A turn as sent: by whom, on which case, under whose key it is stored (the owner's: on a shared case not the
    sender's), the author's name on their message, and its Idempotency-Key."""

    principal: Principal
    case_id: str
    owner_id: str
    author_name: str
    turn: TurnInput
    key: str | None = None


def turn_work(idempotency: Idempotency, turns: TurnService, order: TurnOrder, progress: Progress = quiet) -> Work:
    """The turn as a job: run once per Idempotency-Key of its sender (a retry gets the first answer)."""

    def run() -> tuple[int, dict[str, Any]]:
        return 200, turns.run(order.principal, order.case_id, order.turn, progress, owner_id=order.owner_id,
                              author_name=order.author_name)

    def work() -> dict[str, Any]:
        fingerprint = {"case_id": order.case_id, **order.turn.fingerprint()}
        return idempotency.run("cases.turn", order.principal.user_id, order.key, fingerprint, run).body

    return work


def new_job(owner_id: str, case_id: str) -> JobRecord:
    at = stamp(now())
    return JobRecord(job_id=new_id("turn_"), owner_id=owner_id, case_id=case_id, created_at=at, updated_at=at)


def record(store: JobStore, job: JobRecord, **change: Any) -> JobRecord:
    updated = job.model_copy(update={**change, "updated_at": stamp(now())})
    store.update(updated)
    return updated


def run_job(store: JobStore, job: JobRecord, work: Work) -> dict[str, Any]:
    """Run `work` as `job`: running, then completed with its result, or failed (re-raised) with what the client sees:
    the error's message, code and HTTP status."""
    record(store, job, status="running")
    try:
        result = work()
    except DomainError as exc:
        record(store, job, status="failed", error={"message": exc.detail, "code": exc.code, "status": str(exc.status)})
        raise
    except Exception as exc:
        logger.exception("turn job failed", extra={"job_id": job.job_id, "error_type": type(exc).__name__})
        record(store, job, status="failed", error={"message": FAILED_MESSAGE, "code": "TURN_FAILED", "status": "500"})
        raise
    record(store, job, status="completed", result=result)
    return result


def job_view(job: JobRecord) -> tuple[int, dict[str, Any]]:
    """What polling answers: 202 while queued or running, then 200 with the result or the error."""
    if job.status in ("queued", "running"):
        return 202, {"status": job.status, "job_id": job.job_id}
    if job.status == "completed":
        return 200, {"status": "completed", "job_id": job.job_id, "result": job.result}
    return 200, {"status": "failed", "job_id": job.job_id, "error": job.error}


def failure(error: dict[str, str] | None) -> DomainError:
    """A failed job's recorded error as the exception the request would have raised (same status, code, message)."""
    error = error or {}
    exc = DomainError(error.get("message", FAILED_MESSAGE), code=error.get("code", "TURN_FAILED"))
    exc.status = int(error.get("status", "500"))
    return exc


def interrupted(job: JobRecord, why: str) -> JobRecord:
    """A job its runner lost (a stopped process, a dead-lettered message), reported as failed instead of running
    forever."""
    return job.model_copy(update={"status": "failed", "error": {
        "message": f"{why} before this turn finished; please send it again", "code": "TURN_INTERRUPTED",
        "status": "503"}})


def find(store: JobStore, owner_id: str, case_id: str, job_id: str) -> JobRecord:
    job = store.get(owner_id, job_id)
    if job is None or job.case_id != case_id:
        raise NotFound("no such turn", code="TURN_NOT_FOUND")
    return job


class TurnJobs:
    """The embedded runner: a thread pool in this process."""

    def __init__(self, store: JobStore, workers: int = 4) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._live: set[str] = set()  # jobs this process accepted and has not finished
        self._lock = threading.Lock()

    def submit(self, owner_id: str, case_id: str, work: Work) -> tuple[str, Future[Any]]:
        job = new_job(owner_id, case_id)
        self.store.create(job)
        with self._lock:
            self._live.add(job.job_id)
        return job.job_id, self._pool.submit(self._execute, job, work)

    def _execute(self, job: JobRecord, work: Work) -> dict[str, Any]:
        try:
            return run_job(self.store, job, work)
        finally:
            with self._lock:
                self._live.discard(job.job_id)

    def poll(self, owner_id: str, case_id: str, job_id: str) -> tuple[int, dict[str, Any]]:
        job = find(self.store, owner_id, case_id, job_id)
        with self._lock:
            lost = job.status in ("queued", "running") and job_id not in self._live
        return job_view(interrupted(job, "the server restarted") if lost else job)
