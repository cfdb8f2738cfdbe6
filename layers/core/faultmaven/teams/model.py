"""The records of the team aggregate. Roles rank viewer < member < admin; a share grants read or contribute."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

TeamRole = Literal["admin", "member", "viewer"]
OrgRole = Literal["admin", "member"]
SharePermission = Literal["read", "contribute"]
InvitationStatus = Literal["pending", "accepted", "declined", "revoked", "expired"]
ROLE_RANK: dict[str, int] = {"viewer": 0, "member": 1, "admin": 2}


class Organization(BaseModel):
    org_id: str
    name: str
    created_by: str
    created_at: str


class OrgMember(BaseModel):
    org_id: str
    user_id: str
    role: OrgRole = "member"
    joined_at: str


class Team(BaseModel):
    team_id: str
    org_id: str
    name: str
    description: str | None = None
    created_by: str
    created_at: str


class Membership(BaseModel):
    team_id: str
    user_id: str
    role: TeamRole
    display_name: str = ""
    joined_at: str

    @property
    def can_write(self) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK["member"]


class Invitation(BaseModel):
    invitation_id: str
    team_id: str
    org_id: str
    address: str  # an e-mail address or a username, lower-cased: who may accept it
    role: TeamRole = "member"
    status: InvitationStatus = "pending"
    invited_by: str
    created_at: str
    expires_at: str
    decided_at: str | None = None
    decided_by: str | None = None


class CaseShare(BaseModel):
    case_id: str
    team_id: str
    owner_id: str  # the case's owner: a shared case is read and written under its owner's key
    org_id: str  # the team's organization (its audit trail)
    permission: SharePermission = "contribute"
    shared_by: str
    created_at: str


class AuditEvent(BaseModel):
    event_id: str
    org_id: str
    team_id: str
    at: str
    actor_id: str
    action: str  # e.g. case.read, case.write, case.share, member.role
    resource_type: str
    resource_id: str
    detail: dict[str, str] = Field(default_factory=dict)
