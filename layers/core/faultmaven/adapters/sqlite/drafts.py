"""Knowledge drafts in SQLite: one row per draft, keyed by owner and id, the record as JSON."""

from __future__ import annotations

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.ports.drafts import DraftPage, DraftStatus, KnowledgeDraft

_DDL = """
CREATE TABLE IF NOT EXISTS knowledge_drafts (
    owner_id TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (owner_id, draft_id)
);
CREATE INDEX IF NOT EXISTS knowledge_drafts_by_created ON knowledge_drafts(owner_id, created_at);
"""


class SqliteDraftRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("knowledge_drafts", _DDL)

    def create(self, draft: KnowledgeDraft) -> bool:
        return self.db.execute("INSERT OR IGNORE INTO knowledge_drafts (owner_id, draft_id, case_id, status, version, "
                               "created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (draft.owner_id, draft.draft_id, draft.case_id, draft.status, draft.version,
                                draft.created_at, draft.model_dump_json())) == 1

    def get(self, owner_id: str, draft_id: str) -> KnowledgeDraft | None:
        row = self.db.query_one("SELECT body FROM knowledge_drafts WHERE owner_id = ? AND draft_id = ?",
                                (owner_id, draft_id))
        return KnowledgeDraft.model_validate_json(row["body"]) if row else None

    def find_by_case(self, owner_id: str, case_id: str) -> KnowledgeDraft | None:
        row = self.db.query_one("SELECT body FROM knowledge_drafts WHERE owner_id = ? AND case_id = ? "
                                "ORDER BY created_at DESC, draft_id DESC LIMIT 1", (owner_id, case_id))
        return KnowledgeDraft.model_validate_json(row["body"]) if row else None

    def update(self, draft: KnowledgeDraft, expected_version: int) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute("UPDATE knowledge_drafts SET status = ?, version = ?, body = ? "
                                  "WHERE owner_id = ? AND draft_id = ? AND version = ?",
                                  (draft.status, draft.version, draft.model_dump_json(), draft.owner_id,
                                   draft.draft_id, expected_version))
            return cursor.rowcount == 1

    def list(self, owner_id: str, status: DraftStatus | None, limit: int, offset: int) -> DraftPage:
        where, args = "owner_id = ?", [owner_id]
        if status is not None:
            where, args = where + " AND status = ?", [*args, status]
        total = self.db.query_one(f"SELECT COUNT(*) AS n FROM knowledge_drafts WHERE {where}", tuple(args))  # noqa: S608
        rows = self.db.query(f"SELECT body FROM knowledge_drafts WHERE {where} "  # noqa: S608
                             "ORDER BY created_at DESC, draft_id DESC LIMIT ? OFFSET ?", (*args, limit, offset))
        return DraftPage(items=[KnowledgeDraft.model_validate_json(r["body"]) for r in rows],
                         total=int(total["n"]) if total else 0)
