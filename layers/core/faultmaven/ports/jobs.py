"""Storage port of jobs: work that may outlast its request (a copilot turn), polled by its owner until it ends.

A job is queued when accepted, running once a worker has it, then completed (with its result) or failed (with a
message and code for the client). The embedded runner is a thread pool over SQLite; a cloud runner (a queue and a
worker function) keeps the same records.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel

JobStatus = Literal["queued", "running", "completed", "failed"]
FINAL_STATUSES: tuple[JobStatus, ...] = ("completed", "failed")
KEEP_SECONDS = 86400  # how long a store keeps a job after it was created (its owner has polled it by then)


class JobRecord(BaseModel):
    job_id: str
    owner_id: str
    case_id: str
    status: JobStatus = "queued"
    created_at: str
    updated_at: str
    result: dict[str, Any] | None = None  # when completed
    error: dict[str, str] | None = None  # when failed: {"message", "code"}


class JobStore(Protocol):
    """Every read is scoped by the owner: another user's job is indistinguishable from none."""

    def create(self, job: JobRecord) -> None:
        """Store a new job (queued); jobs older than the store's retention may be purged now."""

    def get(self, owner_id: str, job_id: str) -> JobRecord | None: ...

    def update(self, job: JobRecord) -> None:
        """Replace the job's status, result and error; a job that already ended is never changed again."""
