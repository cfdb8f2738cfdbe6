"""Jobs in SQLite: one row per job, its record as JSON; jobs are kept for `KEEP_SECONDS`."""

from __future__ import annotations

from datetime import timedelta

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.cases.model import stamp
from faultmaven.clock import now
from faultmaven.ports.jobs import FINAL_STATUSES, KEEP_SECONDS, JobRecord

_DDL = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs(created_at);
"""


class SqliteJobStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("jobs", _DDL)

    def create(self, job: JobRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM jobs WHERE created_at < ?", (stamp(now() - timedelta(seconds=KEEP_SECONDS)),))
            conn.execute("INSERT INTO jobs (job_id, owner_id, status, created_at, body) VALUES (?, ?, ?, ?, ?)",
                         (job.job_id, job.owner_id, job.status, job.created_at, job.model_dump_json()))

    def get(self, owner_id: str, job_id: str) -> JobRecord | None:
        row = self.db.query_one("SELECT body FROM jobs WHERE job_id = ? AND owner_id = ?", (job_id, owner_id))
        return JobRecord.model_validate_json(row["body"]) if row else None

    def update(self, job: JobRecord) -> None:
        ended = ", ".join("?" for _ in FINAL_STATUSES)
        self.db.execute(f"UPDATE jobs SET status = ?, body = ? WHERE job_id = ? AND owner_id = ? "  # noqa: S608
                        f"AND status NOT IN ({ended})",
                        (job.status, job.model_dump_json(), job.job_id, job.owner_id, *FINAL_STATUSES))
