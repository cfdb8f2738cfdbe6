"""Client sessions in SQLite; the same expiry rule as DynamoDB's TTL: `expires_at <= now` reads as absent."""

from __future__ import annotations

import json

from faultmaven.adapters.sqlite.db import Row, SqliteDatabase
from faultmaven.ports.sessions import SessionRecord

_DDL = """
CREATE TABLE IF NOT EXISTS sessions (
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    client_id TEXT,
    session_type TEXT NOT NULL,
    timeout_minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX IF NOT EXISTS sessions_by_client ON sessions(user_id, client_id);
"""


def _session(row: Row) -> SessionRecord:
    return SessionRecord(**{**dict(row), "metadata": json.loads(row["metadata"])})


class SqliteSessionRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("sessions", _DDL)
        columns = {row["name"] for row in db.query("PRAGMA table_info(sessions)")}
        if "status" not in columns:  # a data dir from before archiving
            db.execute("ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")

    def put(self, session: SessionRecord) -> None:
        data = {**session.model_dump(), "metadata": json.dumps(session.metadata)}
        with self.db.transaction() as conn:
            # Expired sessions are dropped as new ones come, the way TTL would.
            conn.execute("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?",
                         (session.user_id, session.expires_at - session.timeout_minutes * 60))
            conn.execute(f"INSERT OR REPLACE INTO sessions ({', '.join(data)}) "  # noqa: S608
                         f"VALUES ({', '.join(':' + c for c in data)})", data)

    def get(self, user_id: str, session_id: str, now: int) -> SessionRecord | None:
        row = self.db.query_one("SELECT * FROM sessions WHERE user_id = ? AND session_id = ? AND expires_at > ?",
                                (user_id, session_id, now))
        return _session(row) if row else None

    def find_by_client(self, user_id: str, client_id: str, now: int) -> SessionRecord | None:
        row = self.db.query_one("SELECT * FROM sessions WHERE user_id = ? AND client_id = ? AND expires_at > ? "
                                "ORDER BY last_activity_at DESC LIMIT 1", (user_id, client_id, now))
        return _session(row) if row else None

    def list(self, user_id: str, session_type: str | None, now: int, limit: int,
             offset: int) -> tuple[list[SessionRecord], int]:
        where, params = "user_id = ? AND expires_at > ?", [user_id, now]
        if session_type:
            where += " AND session_type = ?"
            params.append(session_type)
        total = self.db.query_one(f"SELECT COUNT(*) AS n FROM sessions WHERE {where}", tuple(params))["n"]  # noqa: S608
        rows = self.db.query(f"SELECT * FROM sessions WHERE {where} "  # noqa: S608
                             "ORDER BY last_activity_at DESC, session_id LIMIT ? OFFSET ?", (*params, limit, offset))
        return [_session(r) for r in rows], total

    def touch(self, user_id: str, session_id: str, last_activity_at: str, expires_at: int, now: int) -> bool:
        return self.db.execute("UPDATE sessions SET last_activity_at = ?, expires_at = ? "
                               "WHERE user_id = ? AND session_id = ? AND expires_at > ?",
                               (last_activity_at, expires_at, user_id, session_id, now)) == 1

    def delete(self, user_id: str, session_id: str, now: int) -> bool:
        with self.db.transaction() as conn:
            live = conn.execute("SELECT 1 FROM sessions WHERE user_id = ? AND session_id = ? AND expires_at > ?",
                                (user_id, session_id, now)).fetchone()
            conn.execute("DELETE FROM sessions WHERE user_id = ? AND session_id = ?", (user_id, session_id))
        return live is not None
