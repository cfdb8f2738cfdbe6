"""Request and response shapes of the team routes (TeamResponse, TeamMemberResponse, InvitationResponse and the
team-share body come from the clients' contract; the rest is ours)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from faultmaven.cases.model import Case
from faultmaven.copilot.reports import Report
from faultmaven.teams.model import (
    AuditEvent,
    CaseShare,
    Invitation,
    Membership,
    Organization,
    OrgMember,
    SharePermission,
    Team,
    TeamRole,
)

Id = Field(min_length=1, max_length=128)


class TeamCreateRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    org_id: str | None = Field(default=None, max_length=128)  # cloud: which of the caller's organizations


class TeamResponse(BaseModel):
    team_id: str
    name: str
    enterprise_id: str  # the contract's name for the organization
    description: str | None = None
    my_role: TeamRole | None = None

    @classmethod
    def of(cls, team: Team, member: Membership | None = None) -> TeamResponse:
        return cls(team_id=team.team_id, name=team.name, enterprise_id=team.org_id, description=team.description,
                   my_role=member.role if member else None)


class TeamMemberResponse(BaseModel):
    user_id: str
    team_id: str
    team_role: TeamRole
    display_name: str
    joined_at: str

    @classmethod
    def of(cls, member: Membership) -> TeamMemberResponse:
        return cls(user_id=member.user_id, team_id=member.team_id, team_role=member.role,
                   display_name=member.display_name, joined_at=member.joined_at)


class RoleChangeRequest(BaseModel):
    role: TeamRole


class InvitationCreateRequest(BaseModel):
    """The contract's `email`; a `username` of this install is accepted too (an install may have no e-mail)."""

    email: str | None = Field(default=None, max_length=254)
    username: str | None = Field(default=None, max_length=100)
    role: TeamRole = "member"

    @model_validator(mode="after")
    def _one_address(self) -> InvitationCreateRequest:
        if not (self.email or self.username):
            raise ValueError("send the invitee's email (or username)")
        return self

    @property
    def address(self) -> str:
        return self.email or self.username or ""


class InvitationResponse(BaseModel):
    invitation_id: str
    team_id: str
    enterprise_id: str
    email: str
    team_role: TeamRole
    status: str
    invited_by: str
    created_at: str
    expires_at: str
    accepted_at: str | None = None
    revoked_at: str | None = None
    revoked_by: str | None = None
    team_name: str | None = None

    @classmethod
    def of(cls, invitation: Invitation, team_name: str | None = None) -> InvitationResponse:
        decided = {"accepted_at": invitation.decided_at} if invitation.status == "accepted" else (
            {"revoked_at": invitation.decided_at, "revoked_by": invitation.decided_by}
            if invitation.status == "revoked" else {})
        return cls(invitation_id=invitation.invitation_id, team_id=invitation.team_id,
                   enterprise_id=invitation.org_id, email=invitation.address, team_role=invitation.role,
                   status=invitation.status, invited_by=invitation.invited_by, created_at=invitation.created_at,
                   expires_at=invitation.expires_at, team_name=team_name, **decided)


class ShareRequest(BaseModel):
    team_id: str = Id
    permission: SharePermission = "contribute"


class ShareResponse(BaseModel):
    case_id: str
    team_id: str
    permission: SharePermission
    shared_by: str
    created_at: str

    @classmethod
    def of(cls, share: CaseShare) -> ShareResponse:
        return cls(**share.model_dump(include={"case_id", "team_id", "permission", "shared_by", "created_at"}))


class SharedCase(BaseModel):
    """A case shared with a team, as its members list it."""

    case_id: str
    title: str
    state: str
    owner_id: str
    permission: SharePermission
    updated_at: str
    current_turn: int

    @classmethod
    def of(cls, share: CaseShare, case: Case) -> SharedCase:
        return cls(case_id=case.case_id, title=case.title, state=case.state.value, owner_id=case.user_id,
                   permission=share.permission, updated_at=case.updated_at, current_turn=case.current_turn)


class HandoffRequest(BaseModel):
    to_user_id: str | None = Field(default=None, max_length=128)
    note: str | None = Field(default=None, max_length=4000)


class HandoffResponse(BaseModel):
    report: Report
    to_user_id: str | None = None


class AuditEventResponse(BaseModel):
    event_id: str
    at: str
    actor_id: str
    action: str
    resource_type: str
    resource_id: str
    team_id: str
    org_id: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventResponse:
        return cls(**event.model_dump())


class OrgCreateRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class OrgResponse(BaseModel):
    org_id: str
    name: str
    my_role: str

    @classmethod
    def of(cls, org: Organization, member: OrgMember) -> OrgResponse:
        return cls(org_id=org.org_id, name=org.name, my_role=member.role)
