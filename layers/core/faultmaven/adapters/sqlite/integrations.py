"""Integrations, alert links, notification settings and dead letters in SQLite.

An alert link is one row per (owner, fingerprint): claiming it is an insert or a guarded update inside one write
transaction, so repeats of an alert sent at once find one case."""

from __future__ import annotations

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.ports.integrations import DeadLetter, IntegrationRecord, NotificationSettings

_DDL = """
CREATE TABLE IF NOT EXISTS integrations (
    integration_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_links (
    owner_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (owner_id, fingerprint)
);
CREATE TABLE IF NOT EXISTS notification_settings (
    scope_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    letter_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""


class SqliteIntegrationStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("integrations", _DDL)

    def save(self, record: IntegrationRecord) -> None:
        self.db.execute("INSERT OR REPLACE INTO integrations (integration_id, body) VALUES (?, ?)",
                        (record.integration_id, record.model_dump_json()))

    def get(self, integration_id: str) -> IntegrationRecord | None:
        row = self.db.query_one("SELECT body FROM integrations WHERE integration_id = ?", (integration_id,))
        return IntegrationRecord.model_validate_json(row["body"]) if row else None

    def list(self) -> list[IntegrationRecord]:
        records = [IntegrationRecord.model_validate_json(r["body"]) for r in self.db.query(
            "SELECT body FROM integrations")]
        return sorted(records, key=lambda r: (r.created_at, r.integration_id))

    def delete(self, integration_id: str) -> bool:
        return self.db.execute("DELETE FROM integrations WHERE integration_id = ?", (integration_id,)) > 0

    def link_alert(self, owner_id: str, fingerprint: str, case_id: str, replacing: str | None = None) -> str:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT case_id FROM alert_links WHERE owner_id = ? AND fingerprint = ?",
                               (owner_id, fingerprint)).fetchone()
            if row is not None and row["case_id"] != replacing:
                return str(row["case_id"])
            conn.execute("INSERT OR REPLACE INTO alert_links (owner_id, fingerprint, case_id) VALUES (?, ?, ?)",
                         (owner_id, fingerprint, case_id))
        return case_id

    def linked_case(self, owner_id: str, fingerprint: str) -> str | None:
        row = self.db.query_one("SELECT case_id FROM alert_links WHERE owner_id = ? AND fingerprint = ?",
                                (owner_id, fingerprint))
        return str(row["case_id"]) if row else None

    def unlink_alert(self, owner_id: str, fingerprint: str, case_id: str) -> bool:
        return self.db.execute("DELETE FROM alert_links WHERE owner_id = ? AND fingerprint = ? AND case_id = ?",
                        (owner_id, fingerprint, case_id)) > 0

    def save_settings(self, settings: NotificationSettings) -> None:
        self.db.execute("INSERT OR REPLACE INTO notification_settings (scope_id, body) VALUES (?, ?)",
                        (settings.scope_id, settings.model_dump_json()))

    def settings(self, scope_id: str) -> NotificationSettings | None:
        row = self.db.query_one("SELECT body FROM notification_settings WHERE scope_id = ?", (scope_id,))
        return NotificationSettings.model_validate_json(row["body"]) if row else None

    def add_dead_letter(self, letter: DeadLetter) -> None:
        self.db.execute("INSERT INTO dead_letters (letter_id, created_at, body) VALUES (?, ?, ?)",
                        (letter.letter_id, letter.created_at, letter.model_dump_json()))

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return [DeadLetter.model_validate_json(r["body"]) for r in self.db.query(
            "SELECT body FROM dead_letters ORDER BY created_at DESC, letter_id DESC LIMIT ?", (limit,))]
