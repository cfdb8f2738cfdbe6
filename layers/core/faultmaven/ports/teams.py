"""Storage ports of organizations and teams (members, invitations, case shares) and of the append-only audit log.

Every read is keyed by what the caller already proved access to (a team, a case, the caller's own user id);
who may call what is decided in `faultmaven.teams.service`, the one place for it."""

from __future__ import annotations

from typing import Protocol

from faultmaven.teams.model import (
    AuditEvent,
    CaseShare,
    Invitation,
    Membership,
    Organization,
    OrgMember,
    Team,
)


class TeamRepository(Protocol):
    def put_org(self, org: Organization) -> bool:
        """Store a new organization; False when one with that id exists (the first writer wins)."""

    def get_org(self, org_id: str) -> Organization | None: ...

    def put_org_member(self, member: OrgMember) -> None: ...

    def org_memberships(self, user_id: str) -> list[OrgMember]: ...

    def create_team(self, team: Team) -> None:
        """Store a new team; raises `Conflict` when its organization already has a team of that name."""

    def get_team(self, team_id: str) -> Team | None: ...

    def put_member(self, member: Membership) -> None:
        """Add a member or change their role."""

    def get_member(self, team_id: str, user_id: str) -> Membership | None: ...

    def members(self, team_id: str) -> list[Membership]: ...

    def memberships(self, user_id: str) -> list[Membership]:
        """Every team a user belongs to, with their role there."""

    def remove_member(self, team_id: str, user_id: str) -> bool: ...

    def put_invitation(self, invitation: Invitation) -> None: ...

    def get_invitation(self, team_id: str, invitation_id: str) -> Invitation | None: ...

    def team_invitations(self, team_id: str) -> list[Invitation]: ...

    def invitations_for(self, address: str) -> list[Invitation]:
        """Invitations addressed to `address` (lower-cased e-mail or username), any status."""

    def decide_invitation(self, invitation: Invitation) -> bool:
        """Write a decided invitation only if it is still pending (one accept wins a race); False otherwise."""

    def put_share(self, share: CaseShare) -> None:
        """Share a case with a team, or change the permission of its share."""

    def remove_share(self, case_id: str, team_id: str) -> bool: ...

    def case_shares(self, case_id: str) -> list[CaseShare]: ...

    def team_shares(self, team_id: str) -> list[CaseShare]: ...


class AuditLog(Protocol):
    """Append-only: there is no update and no delete."""

    def append(self, event: AuditEvent) -> None: ...

    def for_team(self, team_id: str, limit: int) -> list[AuditEvent]:
        """The team's newest events first."""

    def for_org(self, org_id: str, limit: int) -> list[AuditEvent]:
        """The organization's newest events first (every team of it)."""

