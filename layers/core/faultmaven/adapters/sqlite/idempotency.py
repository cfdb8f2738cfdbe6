"""Idempotency records in SQLite; a claim is a check-then-insert inside one write transaction."""

from __future__ import annotations

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.ports.idempotency import IdempotencyRecord

_DDL = """
CREATE TABLE IF NOT EXISTS idempotency (
    record_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
"""


class SqliteIdempotencyStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("idempotency", _DDL)

    def claim(self, record: IdempotencyRecord, now: int) -> IdempotencyRecord | None:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM idempotency WHERE record_id = ?", (record.record_id,)).fetchone()
            if row is not None:
                existing = IdempotencyRecord(**dict(row))
                if existing.is_live(now):
                    return existing
            data = record.model_dump()
            conn.execute(f"INSERT OR REPLACE INTO idempotency ({', '.join(data)}) "  # noqa: S608
                         f"VALUES ({', '.join(':' + c for c in data)})", data)
        return None

    def complete(self, record_id: str, status_code: int, body: str) -> None:
        self.db.execute("UPDATE idempotency SET status = 'completed', status_code = ?, body = ? WHERE record_id = ?",
                        (status_code, body, record_id))

    def release(self, record_id: str) -> None:
        self.db.execute("DELETE FROM idempotency WHERE record_id = ? AND status = 'in_progress'", (record_id,))
