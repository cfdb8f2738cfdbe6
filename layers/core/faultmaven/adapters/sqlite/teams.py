"""Organizations, teams, members, invitations, case shares and the audit log in SQLite (one JSON body per row,
with the keys every query uses as columns)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from faultmaven.adapters.sqlite.db import IntegrityError, SqliteDatabase
from faultmaven.errors import Conflict
from faultmaven.teams.model import AuditEvent, CaseShare, Invitation, Membership, Organization, OrgMember, Team

M = TypeVar("M", bound=BaseModel)

_DDL = """
CREATE TABLE IF NOT EXISTS orgs (org_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS org_members (
    org_id TEXT NOT NULL, user_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (org_id, user_id));
CREATE INDEX IF NOT EXISTS org_members_user ON org_members(user_id);
CREATE TABLE IF NOT EXISTS teams (
    team_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name_key TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (org_id, name_key));
CREATE TABLE IF NOT EXISTS team_members (
    team_id TEXT NOT NULL, user_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (team_id, user_id));
CREATE INDEX IF NOT EXISTS team_members_user ON team_members(user_id);
CREATE TABLE IF NOT EXISTS team_invitations (
    team_id TEXT NOT NULL, invitation_id TEXT NOT NULL, address TEXT NOT NULL, status TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (team_id, invitation_id));
CREATE INDEX IF NOT EXISTS team_invitations_address ON team_invitations(address);
CREATE TABLE IF NOT EXISTS case_shares (
    case_id TEXT NOT NULL, team_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (case_id, team_id));
CREATE INDEX IF NOT EXISTS case_shares_team ON case_shares(team_id);
CREATE TABLE IF NOT EXISTS audit_events (
    event_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, team_id TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_events_team ON audit_events(team_id, at);
CREATE INDEX IF NOT EXISTS audit_events_org ON audit_events(org_id, at);
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class SqliteTeamRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("teams", _DDL)

    def _all(self, model: type[M], sql: str, params: tuple[str, ...]) -> list[M]:
        return [model.model_validate_json(row["body"]) for row in self.db.query(sql, params)]

    def _one(self, model: type[M], sql: str, params: tuple[str, ...]) -> M | None:
        found = self._all(model, sql, params)
        return found[0] if found else None

    def put_org(self, org: Organization) -> bool:
        return self.db.execute("INSERT OR IGNORE INTO orgs (org_id, body) VALUES (?, ?)",
                               (org.org_id, org.model_dump_json())) == 1

    def get_org(self, org_id: str) -> Organization | None:
        return self._one(Organization, "SELECT body FROM orgs WHERE org_id = ?", (org_id,))

    def put_org_member(self, member: OrgMember) -> None:
        self.db.execute("INSERT OR REPLACE INTO org_members (org_id, user_id, body) VALUES (?, ?, ?)",
                        (member.org_id, member.user_id, member.model_dump_json()))

    def org_memberships(self, user_id: str) -> list[OrgMember]:
        return self._all(OrgMember, "SELECT body FROM org_members WHERE user_id = ? ORDER BY org_id", (user_id,))

    def create_team(self, team: Team) -> None:
        try:
            self.db.execute("INSERT INTO teams (team_id, org_id, name_key, body) VALUES (?, ?, ?, ?)",
                            (team.team_id, team.org_id, team.name.casefold(), team.model_dump_json()))
        except IntegrityError as exc:
            raise Conflict("a team of that name already exists in this organization", code="TEAM_EXISTS") from exc

    def get_team(self, team_id: str) -> Team | None:
        return self._one(Team, "SELECT body FROM teams WHERE team_id = ?", (team_id,))

    def put_member(self, member: Membership) -> None:
        self.db.execute("INSERT OR REPLACE INTO team_members (team_id, user_id, body) VALUES (?, ?, ?)",
                        (member.team_id, member.user_id, member.model_dump_json()))

    def get_member(self, team_id: str, user_id: str) -> Membership | None:
        return self._one(Membership, "SELECT body FROM team_members WHERE team_id = ? AND user_id = ?",
                         (team_id, user_id))

    def members(self, team_id: str) -> list[Membership]:
        return self._all(Membership, "SELECT body FROM team_members WHERE team_id = ? ORDER BY user_id", (team_id,))

    def memberships(self, user_id: str) -> list[Membership]:
        return self._all(Membership, "SELECT body FROM team_members WHERE user_id = ? ORDER BY team_id", (user_id,))

    def remove_member(self, team_id: str, user_id: str) -> bool:
        return self.db.execute("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id)) == 1

    def put_invitation(self, invitation: Invitation) -> None:
        self.db.execute("INSERT OR REPLACE INTO team_invitations (team_id, invitation_id, address, status, body) "
                        "VALUES (?, ?, ?, ?, ?)", (invitation.team_id, invitation.invitation_id, invitation.address,
                                                   invitation.status, invitation.model_dump_json()))

    def get_invitation(self, team_id: str, invitation_id: str) -> Invitation | None:
        return self._one(Invitation, "SELECT body FROM team_invitations WHERE team_id = ? AND invitation_id = ?",
                         (team_id, invitation_id))

    def team_invitations(self, team_id: str) -> list[Invitation]:
        return self._all(Invitation, "SELECT body FROM team_invitations WHERE team_id = ? ORDER BY invitation_id",
                         (team_id,))

    def invitations_for(self, address: str) -> list[Invitation]:
        return self._all(Invitation, "SELECT body FROM team_invitations WHERE address = ? ORDER BY invitation_id",
                         (address,))

    def decide_invitation(self, invitation: Invitation) -> bool:
        return self.db.execute(
            "UPDATE team_invitations SET status = ?, body = ? WHERE team_id = ? AND invitation_id = ? "
            "AND status = 'pending'", (invitation.status, invitation.model_dump_json(), invitation.team_id,
                                       invitation.invitation_id)) == 1

    def put_share(self, share: CaseShare) -> None:
        self.db.execute("INSERT OR REPLACE INTO case_shares (case_id, team_id, body) VALUES (?, ?, ?)",
                        (share.case_id, share.team_id, share.model_dump_json()))

    def remove_share(self, case_id: str, team_id: str) -> bool:
        return self.db.execute("DELETE FROM case_shares WHERE case_id = ? AND team_id = ?", (case_id, team_id)) == 1

    def case_shares(self, case_id: str) -> list[CaseShare]:
        return self._all(CaseShare, "SELECT body FROM case_shares WHERE case_id = ? ORDER BY team_id", (case_id,))

    def team_shares(self, team_id: str) -> list[CaseShare]:
        return self._all(CaseShare, "SELECT body FROM case_shares WHERE team_id = ? ORDER BY case_id", (team_id,))


class SqliteAuditLog:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("teams", _DDL)

    def append(self, event: AuditEvent) -> None:
        self.db.execute("INSERT INTO audit_events (event_id, org_id, team_id, at, body) VALUES (?, ?, ?, ?, ?)",
                        (event.event_id, event.org_id, event.team_id, event.at, event.model_dump_json()))

    def _newest(self, sql: str, params: tuple[str | int, ...]) -> list[AuditEvent]:
        return [AuditEvent.model_validate_json(row["body"]) for row in self.db.query(sql, params)]

    def for_team(self, team_id: str, limit: int) -> list[AuditEvent]:
        return self._newest("SELECT body FROM audit_events WHERE team_id = ? ORDER BY at DESC, event_id DESC LIMIT ?",
                            (team_id, limit))

    def for_org(self, org_id: str, limit: int) -> list[AuditEvent]:
        return self._newest("SELECT body FROM audit_events WHERE org_id = ? ORDER BY at DESC, event_id DESC LIMIT ?",
                            (org_id, limit))
