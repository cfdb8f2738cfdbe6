"""Sign-in throttling counters in SQLite: `attempts = attempts + 1` in one UPDATE guarded by what was read."""

from __future__ import annotations

from faultmaven.adapters.sqlite.db import IntegrityError, SqliteDatabase
from faultmaven.ports.throttle import ThrottleState

_DDL = """
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);
"""


class SqliteThrottleStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("login_throttle", _DDL)

    def get(self, key: str) -> ThrottleState | None:
        row = self.db.query_one("SELECT attempts, blocked_until, last_at FROM login_throttle WHERE key = ?", (key,))
        return ThrottleState(**dict(row)) if row else None

    def advance(self, key: str, seen: ThrottleState | None, blocked_until: int, now: int, restart: bool) -> bool:
        if seen is None:
            try:
                self.db.execute("INSERT INTO login_throttle (key, attempts, blocked_until, last_at) "
                                "VALUES (?, 1, ?, ?)", (key, blocked_until, now))
            except IntegrityError:
                return False
            return True
        return self.db.execute(
            "UPDATE login_throttle SET attempts = CASE WHEN ? THEN 1 ELSE attempts + 1 END, blocked_until = ?, "
            "last_at = ? WHERE key = ? AND attempts = ? AND last_at = ?",
            (restart, blocked_until, now, key, seen.attempts, seen.last_at)) == 1

    def clear(self, key: str) -> None:
        self.db.execute("DELETE FROM login_throttle WHERE key = ?", (key,))
