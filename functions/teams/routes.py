"""Organizations, teams, members, invitations, case shares, the hand-off summary and the audit trail.

Who may do what is decided by `faultmaven.teams.service` (a team someone is not in answers 404; a role too low,
403); these handlers only shape requests and responses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from faultmaven.clock import iso, now
from faultmaven.copilot.handoff import handoff_report
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.http.case_access import ReadableCase
from functions.teams.models import (
    AuditEventResponse,
    HandoffRequest,
    HandoffResponse,
    InvitationCreateRequest,
    InvitationResponse,
    OrgCreateRequest,
    OrgResponse,
    RoleChangeRequest,
    SharedCase,
    ShareRequest,
    ShareResponse,
    TeamCreateRequest,
    TeamMemberResponse,
    TeamResponse,
)

router = APIRouter(tags=["teams"])
TEAMS = "/api/v1/teams"
TEAM = f"{TEAMS}/{{team_id}}"
CASE = "/api/v1/cases/{case_id}"
PathId = Annotated[str, Path(min_length=1, max_length=128)]
AuditLimit = Annotated[int, Query(ge=1, le=500)]


# -- organizations -------------------------------------------------------------------------------------------------
@router.get("/api/v1/orgs", response_model=list[OrgResponse])
def list_orgs(principal: CurrentPrincipal, container: ContainerDep) -> list[OrgResponse]:
    return [OrgResponse.of(org, member) for org, member in container.team_service.my_orgs(principal)]


@router.post("/api/v1/orgs", status_code=status.HTTP_201_CREATED, response_model=OrgResponse)
def create_org(body: OrgCreateRequest, principal: CurrentPrincipal, container: ContainerDep) -> OrgResponse:
    """Cloud only (409 in the embedded install, which is one organization); the caller becomes its admin."""
    org = container.team_service.create_org(principal, body.name)
    return next(OrgResponse.of(o, m) for o, m in container.team_service.my_orgs(principal) if o.org_id == org.org_id)


@router.get("/api/v1/orgs/{org_id}/audit", response_model=list[AuditEventResponse])
def org_audit(org_id: PathId, principal: CurrentPrincipal, container: ContainerDep,
              limit: AuditLimit = 100) -> list[AuditEventResponse]:
    return [AuditEventResponse.of(e) for e in container.team_service.org_audit(principal, org_id, limit)]


# -- teams and members ---------------------------------------------------------------------------------------------
@router.get(TEAMS, response_model=list[TeamResponse])
def list_my_teams(principal: CurrentPrincipal, container: ContainerDep) -> list[TeamResponse]:
    return [TeamResponse.of(team, member) for team, member in container.team_service.my_teams(principal)]


@router.post(TEAMS, status_code=status.HTTP_201_CREATED, response_model=TeamResponse)
def create_team(body: TeamCreateRequest, principal: CurrentPrincipal, container: ContainerDep) -> TeamResponse:
    team, member = container.team_service.create_team(principal, body.name, body.description, body.org_id)
    return TeamResponse.of(team, member)


@router.get(TEAM, response_model=TeamResponse)
def get_team(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> TeamResponse:
    return TeamResponse.of(*container.team_service.team_for(principal, team_id))


@router.get(f"{TEAM}/members", response_model=list[TeamMemberResponse])
def list_members(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> list[TeamMemberResponse]:
    return [TeamMemberResponse.of(m) for m in container.team_service.members(principal, team_id)]


@router.delete(f"{TEAM}/members/me", status_code=status.HTTP_204_NO_CONTENT)
def leave_team(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.team_service.remove_member(principal, team_id, principal.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(f"{TEAM}/members/{{user_id}}", response_model=TeamMemberResponse)
def change_role(team_id: PathId, user_id: PathId, body: RoleChangeRequest, principal: CurrentPrincipal,
                container: ContainerDep) -> TeamMemberResponse:
    return TeamMemberResponse.of(container.team_service.set_role(principal, team_id, user_id, body.role))


@router.delete(f"{TEAM}/members/{{user_id}}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(team_id: PathId, user_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.team_service.remove_member(principal, team_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{TEAM}/cases", response_model=list[SharedCase])
def team_cases(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> list[SharedCase]:
    pairs = container.team_service.team_cases(principal, team_id)
    return sorted((SharedCase.of(share, case) for share, case in pairs), key=lambda c: c.updated_at, reverse=True)


@router.get(f"{TEAM}/audit", response_model=list[AuditEventResponse])
def team_audit(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep,
               limit: AuditLimit = 100) -> list[AuditEventResponse]:
    return [AuditEventResponse.of(e) for e in container.team_service.team_audit(principal, team_id, limit)]


# -- invitations ---------------------------------------------------------------------------------------------------
@router.get(f"{TEAM}/invitations", response_model=list[InvitationResponse])
def team_invitations(team_id: PathId, principal: CurrentPrincipal, container: ContainerDep
                     ) -> list[InvitationResponse]:
    return [InvitationResponse.of(i) for i in container.team_service.team_invitations(principal, team_id)]


@router.post(f"{TEAM}/invitations", status_code=status.HTTP_201_CREATED, response_model=InvitationResponse)
def invite(team_id: PathId, body: InvitationCreateRequest, principal: CurrentPrincipal,
           container: ContainerDep) -> InvitationResponse:
    return InvitationResponse.of(container.team_service.invite(principal, team_id, body.address, body.role))


@router.delete(f"{TEAM}/invitations/{{invitation_id}}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(team_id: PathId, invitation_id: PathId, principal: CurrentPrincipal,
                      container: ContainerDep) -> Response:
    container.team_service.revoke(principal, team_id, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/v1/invitations", response_model=list[InvitationResponse])
def my_invitations(principal: CurrentPrincipal, container: ContainerDep) -> list[InvitationResponse]:
    return [InvitationResponse.of(i, name) for i, name in container.team_service.my_invitations(principal)]


@router.post("/api/v1/invitations/{invitation_id}/accept", response_model=TeamMemberResponse)
def accept_invitation(invitation_id: PathId, principal: CurrentPrincipal,
                      container: ContainerDep) -> TeamMemberResponse:
    return TeamMemberResponse.of(container.team_service.accept(principal, invitation_id))


@router.delete("/api/v1/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def decline_invitation(invitation_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.team_service.decline(principal, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- shared cases --------------------------------------------------------------------------------------------------
@router.get(f"{CASE}/team-shares", response_model=list[ShareResponse])
def list_shares(case_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> list[ShareResponse]:
    return [ShareResponse.of(s) for s in container.team_service.case_shares(principal, case_id)]


@router.post(f"{CASE}/team-shares", status_code=status.HTTP_201_CREATED, response_model=ShareResponse)
def share_case(case_id: PathId, body: ShareRequest, principal: CurrentPrincipal,
               container: ContainerDep) -> ShareResponse:
    """Owner only, into a team the owner belongs to (not as a viewer); sharing again updates the permission."""
    return ShareResponse.of(container.team_service.share_case(principal, case_id, body.team_id, body.permission))


@router.delete(f"{CASE}/team-shares/{{team_id}}", status_code=status.HTTP_204_NO_CONTENT)
def unshare_case(case_id: PathId, team_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.team_service.unshare_case(principal, case_id, team_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{CASE}/handoff", response_model=HandoffResponse)
def handoff_summary(grant: ReadableCase, principal: CurrentPrincipal, container: ContainerDep) -> HandoffResponse:
    """Where the case stands, for whoever takes it over (anyone who may read it)."""
    case = container.case_service.get(grant.owner_id, grant.case_id)
    return HandoffResponse(report=handoff_report(case, iso(now()), container.team_service.display_name(
        principal.user_id)))


@router.post(f"{CASE}/handoff", response_model=HandoffResponse)
def hand_off(body: HandoffRequest, grant: ReadableCase, principal: CurrentPrincipal,
             container: ContainerDep) -> HandoffResponse:
    """The on-call changes: the summary for the next engineer (who must be able to read the case), recorded in the
    audit trail. The note is sanitized like everything typed into a case."""
    teams = container.team_service
    to_name = teams.record_handoff(principal, grant, body.to_user_id)
    note = container.sanitizer.sanitize(body.note).text if body.note else None
    case = container.case_service.get(grant.owner_id, grant.case_id)
    return HandoffResponse(report=handoff_report(case, iso(now()), teams.display_name(principal.user_id), to_name,
                                                 note), to_user_id=body.to_user_id)

