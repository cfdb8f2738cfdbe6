"""Who may do what with organizations, teams, invitations and shared cases: the one place that decides it.

- A team is readable (its roster, its shared cases) by its members only; anyone else gets 404, never 403, so its
  existence is not revealed. Managing it (roles, invitations, the audit trail) takes its `admin` role.
- A case is its owner's. Shared with a team, it is readable by the team's members and writable (turns) by its
  `member`s and `admin`s when the share is `contribute`; `viewer`s only read. Lifecycle edits (rename, close,
  archive, delete, sharing) stay with the owner. Anyone else gets 404 for the case.
- Every read and write of a shared case is appended to the audit trail of each team it is shared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from faultmaven.auth.service import Principal
from faultmaven.cases.model import Case, stamp
from faultmaven.clock import new_id, now
from faultmaven.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from faultmaven.ports.cases import CaseRepository
from faultmaven.ports.teams import AuditLog, TeamRepository
from faultmaven.ports.users import UserRepository
from faultmaven.teams.model import (
    ROLE_RANK,
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

if TYPE_CHECKING:
    from faultmaven.knowledge.documents import Reader

CaseNeed = Literal["read", "write", "own"]
SINGLE_ORG_ID = "org_local"
MAX_AUDIT = 500


def _team_not_found() -> NotFound:
    return NotFound("team not found", code="TEAM_NOT_FOUND")


def _case_not_found() -> NotFound:
    return NotFound("case not found", code="CASE_NOT_FOUND")


@dataclass(frozen=True)
class CaseGrant:
    """The caller's access to one case: whose key it is stored under, and whether they may add turns."""

    case_id: str
    owner_id: str
    actor_id: str
    can_write: bool
    shares: tuple[CaseShare, ...] = ()

    @property
    def is_owner(self) -> bool:
        return self.owner_id == self.actor_id


class TeamService:
    def __init__(self, repo: TeamRepository, audit: AuditLog, users: UserRepository, cases: CaseRepository, *,
                 single_org: bool, org_name: str = "FaultMaven", invite_ttl_seconds: int = 7 * 86400) -> None:
        """`single_org`: the embedded install is one organization; in the cloud each team names (or creates) its
        own."""
        self.repo = repo
        self.audit = audit
        self.users = users
        self.cases = cases
        self.single_org = single_org
        self.org_name = org_name
        self.invite_ttl = timedelta(seconds=invite_ttl_seconds)

    # -- organizations ------------------------------------------------------------------------------------------
    def create_org(self, principal: Principal, name: str) -> Organization:
        if self.single_org:
            raise Conflict("this install is one organization; create teams in it", code="SINGLE_ORGANIZATION")
        return self._new_org(principal.user_id, name)

    def _new_org(self, user_id: str, name: str, org_id: str | None = None) -> Organization:
        at = stamp(now())
        org = Organization(org_id=org_id or new_id("org_"), name=name.strip()[:200] or "Organization",
                           created_by=user_id, created_at=at)
        if self.repo.put_org(org):
            self.repo.put_org_member(OrgMember(org_id=org.org_id, user_id=user_id, role="admin", joined_at=at))
        return self.repo.get_org(org.org_id) or org

    def my_orgs(self, principal: Principal) -> list[tuple[Organization, OrgMember]]:
        found = []
        for member in self.repo.org_memberships(principal.user_id):
            org = self.repo.get_org(member.org_id)
            if org is not None:
                found.append((org, self._org_role(principal, member)))
        return found

    def _org_role(self, principal: Principal, member: OrgMember) -> OrgMember:
        """Install admins administer the embedded install's one organization."""
        if self.single_org and principal.is_admin and member.role != "admin":
            return member.model_copy(update={"role": "admin"})
        return member

    def _org_for_new_team(self, principal: Principal, org_id: str | None) -> Organization:
        mine = {m.org_id: m for m in self.repo.org_memberships(principal.user_id)}
        if self.single_org:
            org = self.repo.get_org(SINGLE_ORG_ID) or self._new_org(principal.user_id, self.org_name, SINGLE_ORG_ID)
            if org.org_id not in mine:
                self._join_org(org.org_id, principal.user_id)
            return org
        if org_id is not None:
            org = self.repo.get_org(org_id) if org_id in mine else None
            if org is None:
                raise NotFound("organization not found", code="ORG_NOT_FOUND")
            return org
        if len(mine) > 1:
            raise InvalidInput("you belong to several organizations: name one with org_id", code="ORG_REQUIRED")
        if mine:
            org = self.repo.get_org(next(iter(mine)))
            if org is not None:
                return org
        return self._new_org(principal.user_id, f"{principal.username}'s organization")

    def _join_org(self, org_id: str, user_id: str) -> None:
        if not any(m.org_id == org_id for m in self.repo.org_memberships(user_id)):
            self.repo.put_org_member(OrgMember(org_id=org_id, user_id=user_id, joined_at=stamp(now())))

    def _require_org_admin(self, principal: Principal, org_id: str) -> Organization:
        member = next((m for m in self.repo.org_memberships(principal.user_id) if m.org_id == org_id), None)
        if member is None and self.single_org and principal.is_admin and org_id == SINGLE_ORG_ID:
            member = OrgMember(org_id=org_id, user_id=principal.user_id, role="admin", joined_at="")
        org = self.repo.get_org(org_id) if member else None
        if org is None or member is None:
            raise NotFound("organization not found", code="ORG_NOT_FOUND")
        if self._org_role(principal, member).role != "admin":
            raise Forbidden("this needs the organization's admin role", code="ORG_ADMIN_REQUIRED")
        return org

    # -- teams and members --------------------------------------------------------------------------------------
    def create_team(self, principal: Principal, name: str, description: str | None = None,
                    org_id: str | None = None) -> tuple[Team, Membership]:
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("a team needs a name", code="INVALID_TEAM_NAME")
        org = self._org_for_new_team(principal, org_id)
        at = stamp(now())
        team = Team(team_id=new_id("team_"), org_id=org.org_id, name=name[:200],
                    description=(description or "").strip() or None, created_by=principal.user_id, created_at=at)
        self.repo.create_team(team)
        admin = Membership(team_id=team.team_id, user_id=principal.user_id, role="admin",
                           display_name=self.display_name(principal.user_id), joined_at=at)
        self.repo.put_member(admin)
        self._record(principal.user_id, team, "team.create", "team", team.team_id)
        return team, admin

    def my_teams(self, principal: Principal) -> list[tuple[Team, Membership]]:
        pairs = []
        for member in self.repo.memberships(principal.user_id):
            team = self.repo.get_team(member.team_id)
            if team is not None:
                pairs.append((team, member))
        return pairs

    def team_roles(self, user_id: str) -> dict[str, TeamRole]:
        """team id → the user's role there (what the knowledge base's reader is built from)."""
        return {m.team_id: m.role for m in self.repo.memberships(user_id)}

    def reader(self, principal: Principal) -> Reader:
        """The caller as the knowledge base sees them: their teams' documents included."""
        from faultmaven.knowledge.documents import Reader  # the knowledge base's code loads only where it is used

        return Reader.of(principal, self.team_roles(principal.user_id))

    def team_for(self, principal: Principal, team_id: str, role: TeamRole = "viewer") -> tuple[Team, Membership]:
        """The team and the caller's membership: 404 for a non-member, 403 for a member below `role`."""
        member = self.repo.get_member(team_id, principal.user_id)
        team = self.repo.get_team(team_id) if member else None
        if team is None or member is None:
            raise _team_not_found()
        if ROLE_RANK[member.role] < ROLE_RANK[role]:
            raise Forbidden(f"this needs the team's {role} role", code="TEAM_ROLE_REQUIRED")
        return team, member

    def members(self, principal: Principal, team_id: str) -> list[Membership]:
        self.team_for(principal, team_id)
        return self.repo.members(team_id)

    def set_role(self, principal: Principal, team_id: str, user_id: str, role: TeamRole) -> Membership:
        team, _ = self.team_for(principal, team_id, "admin")
        member = self.repo.get_member(team_id, user_id)
        if member is None:
            raise NotFound("that user is not a member of this team", code="MEMBER_NOT_FOUND")
        if member.role == "admin" and role != "admin":
            self._keep_an_admin(team_id, user_id)
        updated = member.model_copy(update={"role": role})
        self.repo.put_member(updated)
        self._record(principal.user_id, team, "member.role", "user", user_id, {"role": role})
        return updated

    def remove_member(self, principal: Principal, team_id: str, user_id: str) -> None:
        """A member leaves (their own id), or an admin removes someone. The last admin cannot leave others
        behind with nobody to administer the team."""
        team, me = self.team_for(principal, team_id, "viewer" if user_id == principal.user_id else "admin")
        member = me if user_id == principal.user_id else self.repo.get_member(team_id, user_id)
        if member is None:
            raise NotFound("that user is not a member of this team", code="MEMBER_NOT_FOUND")
        if member.role == "admin" and len(self.repo.members(team_id)) > 1:
            self._keep_an_admin(team_id, user_id)
        self.repo.remove_member(team_id, user_id)
        self._record(principal.user_id, team, "member.remove", "user", user_id)

    def _keep_an_admin(self, team_id: str, leaving: str) -> None:
        if not any(m.role == "admin" and m.user_id != leaving for m in self.repo.members(team_id)):
            raise Conflict("the team needs another admin first", code="LAST_ADMIN")

    def display_name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return (user.display_name or user.username) if user else user_id

    # -- invitations --------------------------------------------------------------------------------------------
    def invite(self, principal: Principal, team_id: str, address: str, role: TeamRole = "member") -> Invitation:
        """Offer a place on the team to an e-mail address or username; a live offer to the same address is
        returned again rather than doubled."""
        team, _ = self.team_for(principal, team_id, "admin")
        address = address.strip().lower()
        if not address:
            raise InvalidInput("an invitation needs an e-mail address or username", code="INVALID_ADDRESS")
        at = now()
        for existing in self.repo.team_invitations(team_id):
            if existing.address == address and self._live(existing):
                return existing
        invitation = Invitation(invitation_id=new_id("tinv_"), team_id=team_id, org_id=team.org_id, address=address,
                                role=role, invited_by=principal.user_id, created_at=stamp(at),
                                expires_at=stamp(at + self.invite_ttl))
        self.repo.put_invitation(invitation)
        self._record(principal.user_id, team, "invitation.create", "invitation", invitation.invitation_id,
                     {"role": role})
        return invitation

    @staticmethod
    def _live(invitation: Invitation) -> bool:
        return invitation.status == "pending" and invitation.expires_at > stamp(now())

    @staticmethod
    def _shown(invitation: Invitation) -> Invitation:
        """A pending offer past its deadline is reported as expired."""
        if invitation.status == "pending" and invitation.expires_at <= stamp(now()):
            return invitation.model_copy(update={"status": "expired"})
        return invitation

    def team_invitations(self, principal: Principal, team_id: str) -> list[Invitation]:
        self.team_for(principal, team_id, "admin")
        return [self._shown(i) for i in self.repo.team_invitations(team_id)]

    def _addresses(self, principal: Principal) -> list[str]:
        user = self.users.get(principal.user_id)
        found = [principal.username.lower()]
        if user and user.email and user.email.lower() not in found:
            found.append(user.email.lower())
        return found

    def my_invitations(self, principal: Principal) -> list[tuple[Invitation, str | None]]:
        """The live offers addressed to the caller, each with its team's name."""
        found = [i for a in self._addresses(principal) for i in self.repo.invitations_for(a) if self._live(i)]
        return [(i, getattr(self.repo.get_team(i.team_id), "name", None)) for i in found]

    def _my_invitation(self, principal: Principal, invitation_id: str) -> Invitation:
        for address in self._addresses(principal):
            for invitation in self.repo.invitations_for(address):
                if invitation.invitation_id == invitation_id:
                    return invitation
        raise NotFound("invitation not found", code="INVITATION_NOT_FOUND")

    def _decide(self, invitation: Invitation, status: str, by: str) -> Invitation:
        if invitation.status != "pending":
            raise Gone(f"this invitation is already {invitation.status}", code="INVITATION_CLOSED")
        if not self._live(invitation):
            self.repo.decide_invitation(invitation.model_copy(update={"status": "expired"}))
            raise Gone("this invitation has expired", code="INVITATION_EXPIRED")
        decided = invitation.model_copy(update={"status": status, "decided_at": stamp(now()), "decided_by": by})
        if not self.repo.decide_invitation(decided):
            raise Gone("this invitation was already answered", code="INVITATION_CLOSED")
        return decided

    def accept(self, principal: Principal, invitation_id: str) -> Membership:
        invitation = self._decide(self._my_invitation(principal, invitation_id), "accepted", principal.user_id)
        team = self.repo.get_team(invitation.team_id)
        if team is None:
            raise Gone("that team no longer exists", code="TEAM_GONE")
        current = self.repo.get_member(team.team_id, principal.user_id)
        member = current or Membership(team_id=team.team_id, user_id=principal.user_id, role=invitation.role,
                                       display_name=self.display_name(principal.user_id),
                                       joined_at=stamp(now()))
        self.repo.put_member(member)
        self._join_org(team.org_id, principal.user_id)
        self._record(principal.user_id, team, "invitation.accept", "invitation", invitation_id,
                     {"role": member.role})
        return member

    def decline(self, principal: Principal, invitation_id: str) -> None:
        self._decide(self._my_invitation(principal, invitation_id), "declined", principal.user_id)

    def revoke(self, principal: Principal, team_id: str, invitation_id: str) -> None:
        team, _ = self.team_for(principal, team_id, "admin")
        invitation = self.repo.get_invitation(team_id, invitation_id)
        if invitation is None:
            raise NotFound("invitation not found", code="INVITATION_NOT_FOUND")
        self._decide(invitation, "revoked", principal.user_id)
        self._record(principal.user_id, team, "invitation.revoke", "invitation", invitation_id)

    # -- shared cases -------------------------------------------------------------------------------------------
    def case_access(self, principal: Principal, case_id: str, need: CaseNeed, route: str = "") -> CaseGrant:
        """The caller's grant on a case, or 404 when they may not know it exists; 403 when they may read it but
        `need` more. The access (with `route`) goes to the audit trail of every team the case is shared with."""
        shares = tuple(self.repo.case_shares(case_id))
        if self.cases.get(principal.user_id, case_id) is not None:
            grant = CaseGrant(case_id, principal.user_id, principal.user_id, True, shares)
        else:
            roles = {s.team_id: m for s in shares if (m := self.repo.get_member(s.team_id, principal.user_id))}
            usable = [s for s in shares if s.team_id in roles]
            if not usable or self.cases.get(usable[0].owner_id, case_id) is None:
                raise _case_not_found()
            can_write = any(s.permission == "contribute" and roles[s.team_id].can_write for s in usable)
            grant = CaseGrant(case_id, usable[0].owner_id, principal.user_id, can_write, shares)
        if need == "own" and not grant.is_owner:
            raise Forbidden("only the case's owner may do this", code="CASE_OWNER_REQUIRED")
        if need == "write" and not grant.can_write:
            raise Forbidden("your access to this case is read-only", code="CASE_READ_ONLY")
        for share in shares:
            self._record(principal.user_id, share, "case.read" if need == "read" else "case.write", "case", case_id,
                         {"route": route} if route else {})
        return grant

    def share_case(self, principal: Principal, case_id: str, team_id: str,
                   permission: SharePermission = "contribute") -> CaseShare:
        """Owner only, into a team the owner can write to; sharing again changes the permission."""
        if self.cases.get(principal.user_id, case_id) is None:
            self.case_access(principal, case_id, "own")  # 403 for those who see it, else 404
        team, _ = self.team_for(principal, team_id, "member")
        share = CaseShare(case_id=case_id, team_id=team_id, owner_id=principal.user_id, org_id=team.org_id,
                          permission=permission, shared_by=principal.user_id, created_at=stamp(now()))
        self.repo.put_share(share)
        self._record(principal.user_id, share, "case.share", "case", case_id, {"permission": permission})
        return share

    def unshare_case(self, principal: Principal, case_id: str, team_id: str) -> None:
        """Owner only; repeating it is harmless."""
        self.case_access(principal, case_id, "own")
        share = next((s for s in self.repo.case_shares(case_id) if s.team_id == team_id), None)
        if share is not None and self.repo.remove_share(case_id, team_id):
            self._record(principal.user_id, share, "case.unshare", "case", case_id)

    def case_shares(self, principal: Principal, case_id: str) -> list[CaseShare]:
        grant = self.case_access(principal, case_id, "read", "shares")
        if grant.is_owner:
            return list(grant.shares)
        mine = set(self.team_roles(principal.user_id))
        return [s for s in grant.shares if s.team_id in mine]  # the caller's teams, not the rest of the owner's

    def team_cases(self, principal: Principal, team_id: str) -> list[tuple[CaseShare, Case]]:
        """The cases shared with a team (members only), each with its case record."""
        self.team_for(principal, team_id)
        found = []
        for share in self.repo.team_shares(team_id):
            case = self.cases.get(share.owner_id, share.case_id)
            if case is not None:
                found.append((share, case))
        return found

    def record_handoff(self, principal: Principal, grant: CaseGrant, to_user_id: str | None) -> str | None:
        """Record that the case changes hands (to someone who may read it); returns their display name."""
        to_name = None
        if to_user_id is not None:
            allowed = {grant.owner_id} | {m.user_id for s in grant.shares for m in self.repo.members(s.team_id)}
            if to_user_id not in allowed:
                raise InvalidInput("hand the case to its owner or a member of a team it is shared with",
                                   code="INVALID_HANDOFF_TARGET")
            to_name = self.display_name(to_user_id)
        for share in grant.shares:
            self._record(principal.user_id, share, "case.handoff", "case", grant.case_id,
                         {"to_user_id": to_user_id} if to_user_id else {})
        return to_name

    # -- audit --------------------------------------------------------------------------------------------------
    def _record(self, actor_id: str, scope: Team | CaseShare, action: str, resource_type: str, resource_id: str,
                detail: dict[str, str] | None = None) -> None:
        """Append one event to the trail of `scope`'s team (a team, or the team a case is shared with)."""
        self.audit.append(AuditEvent(event_id=new_id("evt_"), org_id=scope.org_id, team_id=scope.team_id,
                                     at=stamp(now()), actor_id=actor_id, action=action,
                                     resource_type=resource_type, resource_id=resource_id, detail=detail or {}))

    def team_audit(self, principal: Principal, team_id: str, limit: int = 100) -> list[AuditEvent]:
        self.team_for(principal, team_id, "admin")
        return self.audit.for_team(team_id, min(limit, MAX_AUDIT))

    def org_audit(self, principal: Principal, org_id: str, limit: int = 100) -> list[AuditEvent]:
        self._require_org_admin(principal, org_id)
        return self.audit.for_org(org_id, min(limit, MAX_AUDIT))
