"""Turns that outlive the request: a turn still running after `turn_sync_seconds` answers 202 and is polled.

Every turn is a job in the job store (queued → running → completed | failed) run by this process's worker pool, so
a turn accepted is always run to its end whoever stops waiting for it, and its owner can poll the outcome. A Lambda
cannot keep working after it answers, so the cloud runs turns within the request until a queue-backed runner
writes the same records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from faultmaven.cases.model import stamp
from faultmaven.clock import new_id, now
from faultmaven.errors import DomainError, NotFound
from faultmaven.http.logging import logger
from faultmaven.ports.jobs import JobRecord, JobStore

FAILED_MESSAGE = "the turn failed; please send it again"


def job_view(job: JobRecord) -> tuple[int, dict[str, Any]]:
    """What polling answers: 202 while queued or running, then 200 with the result or the error."""
    if job.status in ("queued", "running"):
        return 202, {"status": job.status, "job_id": job.job_id}
    if job.status == "completed":
        return 200, {"status": "completed", "job_id": job.job_id, "result": job.result}
    return 200, {"status": "failed", "job_id": job.job_id, "error": job.error}


class TurnJobs:
    def __init__(self, store: JobStore, workers: int = 4) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._live: set[str] = set()  # jobs this process accepted and has not finished
        self._lock = threading.Lock()

    def submit(self, owner_id: str, case_id: str, work: Callable[[], dict[str, Any]]) -> tuple[str, Future[Any]]:
        at = stamp(now())
        job = JobRecord(job_id=new_id("turn_"), owner_id=owner_id, case_id=case_id, created_at=at, updated_at=at)
        self.store.create(job)
        with self._lock:
            self._live.add(job.job_id)
        return job.job_id, self._pool.submit(self._execute, job, work)

    def _execute(self, job: JobRecord, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        self._record(job, status="running")
        try:
            result = work()
        except DomainError as exc:
            self._record(job, status="failed", error={"message": exc.detail, "code": exc.code})
            raise
        except Exception as exc:
            logger.exception("turn job failed", extra={"job_id": job.job_id, "error_type": type(exc).__name__})
            self._record(job, status="failed", error={"message": FAILED_MESSAGE, "code": "TURN_FAILED"})
            raise
        self._record(job, status="completed", result=result)
        return result

    def _record(self, job: JobRecord, **change: Any) -> None:
        updated = job.model_copy(update={**change, "updated_at": stamp(now())})
        self.store.update(updated)
        if updated.status in ("completed", "failed"):
            with self._lock:
                self._live.discard(job.job_id)

    def poll(self, owner_id: str, case_id: str, job_id: str) -> tuple[int, dict[str, Any]]:
        job = self.store.get(owner_id, job_id)
        if job is None or job.case_id != case_id:
            raise NotFound("no such turn", code="TURN_NOT_FOUND")
        with self._lock:
            lost = job.status in ("queued", "running") and job_id not in self._live
        if lost:  # accepted by a process that stopped before it finished: say so instead of "running" forever
            job = job.model_copy(update={"status": "failed", "error": {
                "message": "the server restarted before this turn finished; please send it again",
                "code": "TURN_INTERRUPTED"}})
        return job_view(job)
