"""Cases, their messages and daily title counters in SQLite.

The aggregate is stored as JSON next to the columns that queries filter and sort on; `version` guards every
replace (`UPDATE ... WHERE version = ?`). A turn's lease is one row per case, taken by a conditional upsert.
A deleted case leaves a tombstone row (no body) so that a repeated delete by its owner is recognised.
"""

from __future__ import annotations

from faultmaven.adapters.sqlite.db import IntegrityError, Row, SqliteDatabase
from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, CaseMessage, stamp
from faultmaven.clock import now
from faultmaven.errors import Conflict
from faultmaven.ports.cases import CaseQuery, DeleteOutcome, StaleVersion

_DDL = """
CREATE TABLE IF NOT EXISTS cases (
    user_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    state TEXT,
    source TEXT,
    created_at TEXT,
    updated_at TEXT,
    current_turn INTEGER,
    search_text TEXT,
    version INTEGER,
    body TEXT,
    deleted_at TEXT,
    PRIMARY KEY (user_id, case_id)
);
CREATE INDEX IF NOT EXISTS cases_by_updated ON cases(user_id, updated_at);
CREATE TABLE IF NOT EXISTS case_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    turn_number INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_messages_by_case ON case_messages(user_id, case_id, turn_number, seq);
CREATE TABLE IF NOT EXISTS case_leases (
    user_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    holder TEXT NOT NULL,
    until REAL NOT NULL,
    PRIMARY KEY (user_id, case_id)
);
CREATE TABLE IF NOT EXISTS case_title_counters (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);
"""


def _columns(case: Case) -> dict[str, object]:
    return {"user_id": case.user_id, "case_id": case.case_id, "state": case.state.value, "source": case.source,
            "created_at": case.created_at, "updated_at": case.updated_at, "current_turn": case.current_turn,
            "search_text": case.search_text, "version": case.version, "body": case.model_dump_json()}


def _taken() -> Conflict:
    return Conflict("a case with that id exists (or was deleted)", code="CASE_EXISTS")


def _case(row: Row) -> Case:
    return Case.model_validate_json(row["body"])


class SqliteCaseRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("cases", _DDL)

    def create(self, case: Case) -> None:
        cols = _columns(case)
        try:
            self.db.execute(f"INSERT INTO cases ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",  # noqa: S608
                            cols)
        except IntegrityError as exc:
            raise _taken() from exc

    def get(self, user_id: str, case_id: str) -> Case | None:
        row = self.db.query_one("SELECT body FROM cases WHERE user_id = ? AND case_id = ? AND deleted_at IS NULL",
                                (user_id, case_id))
        return _case(row) if row else None

    def save(self, case: Case, expected_version: int) -> None:
        cols = _columns(case)
        assignments = ", ".join(f"{c} = :{c}" for c in cols if c not in ("user_id", "case_id"))
        with self.db.transaction() as conn:
            changed = conn.execute(
                f"UPDATE cases SET {assignments} WHERE user_id = :user_id AND case_id = :case_id "  # noqa: S608
                "AND deleted_at IS NULL AND version = :expected", {**cols, "expected": expected_version}).rowcount
            if changed == 1:
                return
            row = conn.execute("SELECT version FROM cases WHERE user_id = ? AND case_id = ? AND deleted_at IS NULL",
                               (case.user_id, case.case_id)).fetchone()
        raise StaleVersion(row["version"] if row else None)

    def acquire_lease(self, user_id: str, case_id: str, holder: str, until: float, at: float) -> bool:
        return self.db.execute(
            "INSERT INTO case_leases (user_id, case_id, holder, until) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id, case_id) DO UPDATE SET holder = excluded.holder, until = excluded.until "
            "WHERE case_leases.until <= ? OR case_leases.holder = excluded.holder",
            (user_id, case_id, holder, until, at)) == 1

    def release_lease(self, user_id: str, case_id: str, holder: str) -> None:
        self.db.execute("DELETE FROM case_leases WHERE user_id = ? AND case_id = ? AND holder = ?",
                        (user_id, case_id, holder))

    def delete(self, user_id: str, case_id: str) -> DeleteOutcome:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT deleted_at FROM cases WHERE user_id = ? AND case_id = ?",
                               (user_id, case_id)).fetchone()
            if row is None:
                return "missing"
            if row["deleted_at"] is not None:
                return "already_deleted"
            conn.execute("UPDATE cases SET deleted_at = ?, body = NULL, search_text = NULL, state = NULL, "
                         "version = NULL WHERE user_id = ? AND case_id = ?", (stamp(now()), user_id, case_id))
            conn.execute("DELETE FROM case_messages WHERE user_id = ? AND case_id = ?", (user_id, case_id))
        return "deleted"

    @staticmethod
    def _where(user_id: str, query: CaseQuery) -> tuple[str, list[object]]:
        clauses, params = ["user_id = ?", "deleted_at IS NULL"], [user_id]
        for clause, value in (("state = ?", query.state.value if query.state else None), ("source = ?", query.source),
                              ("created_at >= ?", query.created_after), ("created_at < ?", query.created_before)):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        if not query.include_empty:
            clauses.append("current_turn > 0")
        return " AND ".join(clauses), params

    def list(self, user_id: str, query: CaseQuery) -> tuple[list[Case], int]:
        where, params = self._where(user_id, query)
        total = self.db.query_one(f"SELECT COUNT(*) AS n FROM cases WHERE {where}", tuple(params))["n"]  # noqa: S608
        rows = self.db.query(f"SELECT body FROM cases WHERE {where} "  # noqa: S608
                             "ORDER BY updated_at DESC, case_id DESC LIMIT ? OFFSET ?",
                             (*params, query.limit, query.offset))
        return [_case(r) for r in rows], total

    def search(self, user_id: str, text: str, state: CaseState | None, limit: int) -> list[Case]:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = "SELECT body FROM cases WHERE user_id = ? AND deleted_at IS NULL AND search_text LIKE ? ESCAPE '\\'"
        params: list[object] = [user_id, pattern]
        if state is not None:
            sql += " AND state = ?"
            params.append(state.value)
        rows = self.db.query(sql + " ORDER BY updated_at DESC, case_id DESC LIMIT ?", (*params, limit))
        return [_case(r) for r in rows]

    def next_title_number(self, user_id: str, day: str) -> int:
        with self.db.transaction() as conn:
            row = conn.execute("INSERT INTO case_title_counters (user_id, day, n) VALUES (?, ?, 1) "
                               "ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1 RETURNING n",
                               (user_id, day)).fetchone()
        return int(row["n"])

    def append_message(self, message: CaseMessage) -> None:
        self.db.execute("INSERT INTO case_messages (user_id, case_id, message_id, turn_number, body) "
                        "VALUES (?, ?, ?, ?, ?)", (message.user_id, message.case_id, message.message_id,
                                                   message.turn_number, message.model_dump_json()))

    def messages(self, user_id: str, case_id: str, limit: int, offset: int) -> tuple[list[CaseMessage], int]:
        key = (user_id, case_id)
        total = self.db.query_one("SELECT COUNT(*) AS n FROM case_messages WHERE user_id = ? AND case_id = ?",
                                  key)["n"]
        rows = self.db.query("SELECT body FROM case_messages WHERE user_id = ? AND case_id = ? "
                             "ORDER BY turn_number, seq LIMIT ? OFFSET ?", (*key, limit, offset))
        return [CaseMessage.model_validate_json(r["body"]) for r in rows], total
