"""Turns that outlive the request: a turn still running after `turn_sync_seconds` answers 202 and is polled.

Embedded, the turn goes on in this process's worker pool and the registry below remembers it (for an hour) so its
owner can poll for the result. A Lambda cannot keep working after it answers, so the cloud runs turns to completion
within the request (the LLM timeout is set below API Gateway's 30 s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from faultmaven.clock import new_id
from faultmaven.errors import DomainError, NotFound

KEEP_SECONDS = 3600


@dataclass
class _Job:
    owner_id: str
    case_id: str
    future: Future[dict[str, Any]]
    created: float


class TurnJobs:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()

    def submit(self, owner_id: str, case_id: str, work: Callable[[], dict[str, Any]]) -> tuple[str, Future[Any]]:
        job_id = new_id("turn_")
        future = self._pool.submit(work)
        now = time.monotonic()
        with self._lock:
            self._jobs = {k: j for k, j in self._jobs.items() if now - j.created < KEEP_SECONDS}
            self._jobs[job_id] = _Job(owner_id, case_id, future, now)
        return job_id, future

    def poll(self, owner_id: str, case_id: str, job_id: str) -> tuple[int, dict[str, Any]]:
        """(200, the result) when done; (202, processing) while running; failed turns report their message."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner_id != owner_id or job.case_id != case_id:
            raise NotFound("no such turn in progress", code="TURN_NOT_FOUND")
        if not job.future.done():
            return 202, {"status": "processing", "job_id": job_id}
        error = job.future.exception()
        if error is None:
            return 200, {"status": "completed", "result": job.future.result()}
        message = error.detail if isinstance(error, DomainError) else "the turn failed; please send it again"
        return 200, {"status": "failed", "error": {"message": message}}
