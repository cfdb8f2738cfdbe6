"""Users, refresh tokens, invitations and sign-in throttle counters in SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator

from faultmaven.adapters.sqlite.db import IntegrityError, Row, SqliteDatabase
from faultmaven.errors import Conflict
from faultmaven.ports.throttle import ThrottleState
from faultmaven.ports.users import RefreshTokenRecord, UserRecord

_DDL = """
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invitations (
    code_hash TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_id TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(user_id);
"""


def _user(row: Row) -> UserRecord:
    # Databases made before the sign-in throttle have two unused columns (failed_logins, locked_until): ignored.
    return UserRecord(**{**dict(row), "roles": json.loads(row["roles"])})


class SqliteUserRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("users", _DDL)

    def create(self, user: UserRecord) -> None:
        data = user.model_dump()
        data["roles"] = json.dumps(user.roles)
        cols = ", ".join(data)
        try:
            self.db.execute(f"INSERT INTO users ({cols}) VALUES ({', '.join(':' + c for c in data)})", data)  # noqa: S608
        except IntegrityError as exc:
            raise Conflict("a user with that username already exists", code="USER_EXISTS") from exc

    def get(self, user_id: str) -> UserRecord | None:
        row = self.db.query_one("SELECT * FROM users WHERE user_id = ?", (user_id,))
        return _user(row) if row else None

    def get_by_username(self, username: str) -> UserRecord | None:
        row = self.db.query_one("SELECT * FROM users WHERE username = ?", (username.lower(),))
        return _user(row) if row else None

    def all(self) -> Iterator[UserRecord]:
        yield from (_user(row) for row in self.db.query("SELECT * FROM users ORDER BY user_id"))

    def set_roles(self, user_id: str, roles: list[str]) -> None:
        self.db.execute("UPDATE users SET roles = ? WHERE user_id = ?", (json.dumps(roles), user_id))

    def set_password(self, user_id: str, password_hash: str) -> None:
        self.db.execute("UPDATE users SET password_hash = ? WHERE user_id = ?", (password_hash, user_id))

    def add_invitation(self, code_hash: str, created_by: str, expires_at: int) -> None:
        self.db.execute("INSERT INTO invitations (code_hash, created_by, expires_at) VALUES (?, ?, ?)",
                        (code_hash, created_by, expires_at))

    def take_invitation(self, code_hash: str, now: int) -> bool:
        return self.db.execute("DELETE FROM invitations WHERE code_hash = ? AND expires_at > ?", (code_hash, now)) == 1


class SqliteTokenRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("users", _DDL)

    def put(self, token: RefreshTokenRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO refresh_tokens (token_id, family_id, user_id, expires_at, used, revoked) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (token.token_id, token.family_id, token.user_id, token.expires_at, int(token.used), int(token.revoked)))

    def get(self, token_id: str) -> RefreshTokenRecord | None:
        row = self.db.query_one("SELECT * FROM refresh_tokens WHERE token_id = ?", (token_id,))
        if row is None:
            return None
        return RefreshTokenRecord(**{**dict(row), "used": bool(row["used"]), "revoked": bool(row["revoked"])})

    def mark_used(self, token_id: str) -> bool:
        return self.db.execute(
            "UPDATE refresh_tokens SET used = 1 WHERE token_id = ? AND used = 0 AND revoked = 0", (token_id,)) == 1

    def revoke_family(self, family_id: str) -> int:
        return self.db.execute("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ? AND revoked = 0 AND used = 0",
                               (family_id,))

    def revoke_user(self, user_id: str) -> int:
        return self.db.execute("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0 AND used = 0",
                               (user_id,))


class SqliteThrottleStore:
    """Counted with `attempts = attempts + 1` in one UPDATE guarded by what was read (compare-and-set)."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("users", _DDL)

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
