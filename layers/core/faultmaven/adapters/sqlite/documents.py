"""Knowledge-base document records in SQLite."""

from __future__ import annotations

import json
from typing import Any

from faultmaven.adapters.sqlite.db import IntegrityError, Row, SqliteDatabase
from faultmaven.errors import Conflict
from faultmaven.ports.documents import (
    DocumentPage,
    DocumentQuery,
    DocumentRecord,
    DocumentStats,
    DocumentStatus,
    Visibility,
)

_DDL = """
CREATE TABLE IF NOT EXISTS kb_documents (
    document_id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    team_id TEXT,
    title TEXT NOT NULL,
    document_type TEXT NOT NULL,
    category TEXT,
    tags TEXT NOT NULL,
    source_url TEXT,
    description TEXT,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    chunks_embedded INTEGER NOT NULL DEFAULT 0,
    preview TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kb_documents_owner ON kb_documents(owner_id, created_at);
CREATE INDEX IF NOT EXISTS kb_documents_sha ON kb_documents(owner_id, sha256);
CREATE INDEX IF NOT EXISTS kb_documents_scope ON kb_documents(scope, team_id);
CREATE INDEX IF NOT EXISTS kb_documents_status ON kb_documents(status);
"""
_JSON_COLUMNS = ("tags", "metadata")
_METADATA_COLUMNS = ("title", "document_type", "category", "tags", "source_url", "description", "scope", "team_id",
                     "metadata", "updated_at")


def _record(row: Row) -> DocumentRecord:
    data = dict(row)
    for column in _JSON_COLUMNS:
        data[column] = json.loads(data[column])
    return DocumentRecord(**data)


def _row(document: DocumentRecord) -> dict[str, Any]:
    data = document.model_dump()
    for column in _JSON_COLUMNS:
        data[column] = json.dumps(data[column])
    return data


def _visible_sql(visibility: Visibility) -> tuple[str, list[Any]]:
    if visibility.only_own:
        return "owner_id = ?", [visibility.owner_id]
    clauses, params = ["owner_id = ?"], [visibility.owner_id]
    if visibility.team_ids:
        clauses.append(f"(scope = 'team' AND team_id IN ({', '.join('?' * len(visibility.team_ids))}))")
        params.extend(visibility.team_ids)
    if visibility.include_global:
        clauses.append("scope = 'global'")
    return "(" + " OR ".join(clauses) + ")", params


def _add_progress_column(db: SqliteDatabase) -> None:
    """Give a table made before ingestion progress was recorded its `chunks_embedded` column (once)."""
    with db.transaction() as conn:
        if not any(r[1] == "chunks_embedded" for r in conn.execute("PRAGMA table_info(kb_documents)").fetchall()):
            conn.execute("ALTER TABLE kb_documents ADD COLUMN chunks_embedded INTEGER NOT NULL DEFAULT 0")
            conn.execute("UPDATE kb_documents SET chunks_embedded = chunk_count WHERE status = 'indexed'")


class SqliteDocumentRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("kb_documents", _DDL)
        _add_progress_column(db)

    def create(self, document: DocumentRecord) -> None:
        data = _row(document)
        try:
            self.db.execute(f"INSERT INTO kb_documents ({', '.join(data)}) "  # noqa: S608 - column names are ours
                            f"VALUES ({', '.join(':' + c for c in data)})", data)
        except IntegrityError as exc:
            raise Conflict("a document with that id already exists") from exc

    def get(self, document_id: str) -> DocumentRecord | None:
        row = self.db.query_one("SELECT * FROM kb_documents WHERE document_id = ?", (document_id,))
        return _record(row) if row else None

    def get_many(self, document_ids: list[str]) -> dict[str, DocumentRecord]:
        if not document_ids:
            return {}
        rows = self.db.query("SELECT * FROM kb_documents WHERE document_id IN (SELECT value FROM json_each(?))",
                             (json.dumps(document_ids),))
        return {r["document_id"]: _record(r) for r in rows}

    def find_by_sha256(self, owner_id: str, sha256: str) -> DocumentRecord | None:
        row = self.db.query_one("SELECT * FROM kb_documents WHERE owner_id = ? AND sha256 = ? "
                                "ORDER BY created_at, document_id LIMIT 1", (owner_id, sha256))
        return _record(row) if row else None

    def update_metadata(self, document: DocumentRecord) -> bool:
        data = _row(document)
        assignments = ", ".join(f"{c} = :{c}" for c in _METADATA_COLUMNS)
        params = {c: data[c] for c in (*_METADATA_COLUMNS, "document_id")}
        return self.db.execute(f"UPDATE kb_documents SET {assignments} "  # noqa: S608 - column names are ours
                               "WHERE document_id = :document_id", params) == 1

    def set_status(self, document_id: str, status: DocumentStatus, *, error: str | None = None, chunk_count: int = 0,
                   preview: str = "", updated_at: str, title: str | None = None) -> bool:
        return self.db.execute(
            "UPDATE kb_documents SET status = ?, error = ?, chunk_count = ?, chunks_embedded = ?, preview = ?, "
            "updated_at = ?, title = COALESCE(?, title) WHERE document_id = ?",
            (status, error, chunk_count, chunk_count, preview, updated_at, title, document_id)) == 1

    def set_progress(self, document_id: str, *, chunks_embedded: int, chunk_count: int, updated_at: str) -> bool:
        return self.db.execute(
            "UPDATE kb_documents SET chunks_embedded = ?, chunk_count = ?, updated_at = ? "
            "WHERE document_id = ? AND status = 'pending'",
            (chunks_embedded, chunk_count, updated_at, document_id)) == 1

    def delete(self, document_id: str) -> bool:
        return self.db.execute("DELETE FROM kb_documents WHERE document_id = ?", (document_id,)) == 1

    def list(self, query: DocumentQuery) -> DocumentPage:
        where, params = _visible_sql(query.visibility)
        for column in ("scope", "document_type", "status"):
            value = getattr(query, column)
            if value is not None:
                where += f" AND {column} = ?"
                params.append(value)
        for tag in query.tags:
            where += " AND EXISTS (SELECT 1 FROM json_each(kb_documents.tags) WHERE value = ?)"
            params.append(tag)
        total = self.db.query_one(f"SELECT COUNT(*) FROM kb_documents WHERE {where}", tuple(params))  # noqa: S608
        rows = self.db.query(f"SELECT * FROM kb_documents WHERE {where} "  # noqa: S608
                             "ORDER BY created_at DESC, document_id DESC LIMIT ? OFFSET ?",
                             (*params, query.limit, query.offset))
        return DocumentPage(items=[_record(r) for r in rows], total=int(total[0]) if total else 0)

    def stats(self, visibility: Visibility) -> DocumentStats:
        where, params = _visible_sql(visibility)
        stats = DocumentStats()
        sql = ("SELECT scope, status, document_type, COUNT(*) AS n, SUM(chunk_count) AS chunks, "  # noqa: S608
               f"SUM(size_bytes) AS bytes FROM kb_documents WHERE {where} GROUP BY scope, status, document_type")
        for row in self.db.query(sql, tuple(params)):
            stats.add(row["scope"], row["status"], row["document_type"], documents=int(row["n"]),
                      chunks=int(row["chunks"] or 0), size_bytes=int(row["bytes"] or 0))
        return stats

    def scope_status_counts(self) -> dict[tuple[str, str], int]:
        """Every user's documents counted by (scope, status): for the operator's `faultmaven doctor`."""
        rows = self.db.query("SELECT scope, status, COUNT(*) AS n FROM kb_documents GROUP BY scope, status")
        return {(row["scope"], row["status"]): int(row["n"]) for row in rows}

    def pending_ids(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT document_id FROM kb_documents WHERE status = 'pending' "
                                            "ORDER BY created_at")]
