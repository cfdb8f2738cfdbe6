"""Evidence metadata in SQLite: one row per file; a unique index on (owner, case, hash) enforces the dedupe."""

from __future__ import annotations

import json

from faultmaven.adapters.sqlite.db import IntegrityError, Row, SqliteDatabase
from faultmaven.errors import Conflict
from faultmaven.ports.evidence import EvidenceRecord

_DDL = """
CREATE TABLE IF NOT EXISTS evidence_files (
    owner_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (owner_id, case_id, file_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS evidence_files_hash ON evidence_files(owner_id, case_id, content_hash);
"""


def _record(row: Row) -> EvidenceRecord:
    return EvidenceRecord.model_validate_json(row["record"])


class SqliteEvidenceRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("evidence", _DDL)

    def create(self, record: EvidenceRecord) -> None:
        try:
            self.db.execute(
                "INSERT INTO evidence_files (owner_id, case_id, file_id, content_hash, uploaded_at, record) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (record.owner_id, record.case_id, record.file_id, record.content_hash, record.uploaded_at,
                 json.dumps(record.model_dump(mode="json"))))
        except IntegrityError as exc:
            raise Conflict("this content is already attached to the case", code="DUPLICATE_CONTENT") from exc

    def get(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None:
        row = self.db.query_one("SELECT record FROM evidence_files WHERE owner_id = ? AND case_id = ? AND file_id = ?",
                                (owner_id, case_id, file_id))
        return _record(row) if row else None

    def find_by_hash(self, owner_id: str, case_id: str, content_hash: str) -> EvidenceRecord | None:
        row = self.db.query_one(
            "SELECT record FROM evidence_files WHERE owner_id = ? AND case_id = ? AND content_hash = ?",
            (owner_id, case_id, content_hash))
        return _record(row) if row else None

    def list_for_case(self, owner_id: str, case_id: str) -> list[EvidenceRecord]:
        rows = self.db.query("SELECT record FROM evidence_files WHERE owner_id = ? AND case_id = ? "
                             "ORDER BY uploaded_at, file_id", (owner_id, case_id))
        return [_record(r) for r in rows]

    def delete(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT record FROM evidence_files WHERE owner_id = ? AND case_id = ? AND file_id = ?",
                               (owner_id, case_id, file_id)).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM evidence_files WHERE owner_id = ? AND case_id = ? AND file_id = ?",
                         (owner_id, case_id, file_id))
        return _record(row)
