"""Organizations, teams, members, invitations and case shares in one DynamoDB table; the audit log in another.

Teams table (`pk`, `sk`, JSON `body`; GSI `gsi1-index` on `gsi1pk`/`gsi1sk` for the reverse lookups):
ORG#o / ORG, ORG#o / MEMBER#u (gsi1: USERORG#u), ORG#o / TEAMNAME#name (keeps names unique), TEAM#t / TEAM,
TEAM#t / MEMBER#u (gsi1: USER#u), TEAM#t / INVITE#i (gsi1: ADDR#address), CASE#c / SHARE#t (gsi1: TEAMCASES#t).
Audit table: `pk = TEAM#t`, `sk = <at>#<event id>`, GSI `org_id-index` (org_id, sk); items are only ever put.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.adapters.dynamo.errors import is_condition_failure
from faultmaven.errors import Conflict
from faultmaven.settings import Settings
from faultmaven.teams.model import AuditEvent, CaseShare, Invitation, Membership, Organization, OrgMember, Team

M = TypeVar("M", bound=BaseModel)


class _Reverse(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1-index"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _TeamItem(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)  # invitations: the condition of a decision
    body = UnicodeAttribute(null=True)
    reverse = _Reverse()


class _ByOrg(GlobalSecondaryIndex):
    class Meta:
        index_name = "org_id-index"
        projection = AllProjection()

    org_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class _AuditItem(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    org_id = UnicodeAttribute()
    body = UnicodeAttribute()
    by_org = _ByOrg()


class DynamoTeamRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_TeamItem, settings, "teams")
        self.connection = Connection(region=settings.aws_region, host=settings.aws_endpoint_url)

    def _item(self, pk: str, sk: str, record: BaseModel, reverse: tuple[str, str] | None = None,
              status: str | None = None) -> _TeamItem:
        gsi1pk, gsi1sk = reverse or (None, None)
        return self.model(pk, sk, gsi1pk=gsi1pk, gsi1sk=gsi1sk, status=status, body=record.model_dump_json())

    def _get(self, model: type[M], pk: str, sk: str) -> M | None:
        try:
            return model.model_validate_json(self.model.get(pk, sk, consistent_read=True).body)
        except self.model.DoesNotExist:
            return None

    def _query(self, model: type[M], pk: str, prefix: str) -> list[M]:
        return [model.model_validate_json(i.body)
                for i in self.model.query(pk, self.model.sk.startswith(prefix), consistent_read=True)]

    def _reverse(self, model: type[M], key: str) -> list[M]:
        return [model.model_validate_json(i.body) for i in self.model.reverse.query(key)]

    def _delete(self, pk: str, sk: str) -> bool:
        try:
            self.model(pk, sk).delete(condition=self.model.pk.exists())
        except DeleteError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def put_org(self, org: Organization) -> bool:
        item = self._item(f"ORG#{org.org_id}", "ORG", org)
        return conditionally(lambda: item.save(condition=self.model.pk.does_not_exist()))

    def get_org(self, org_id: str) -> Organization | None:
        return self._get(Organization, f"ORG#{org_id}", "ORG")

    def put_org_member(self, member: OrgMember) -> None:
        self._item(f"ORG#{member.org_id}", f"MEMBER#{member.user_id}", member,
                   (f"USERORG#{member.user_id}", f"ORG#{member.org_id}")).save()

    def org_memberships(self, user_id: str) -> list[OrgMember]:
        return self._reverse(OrgMember, f"USERORG#{user_id}")

    def create_team(self, team: Team) -> None:
        name = self.model(f"ORG#{team.org_id}", f"TEAMNAME#{team.name.casefold()}", body=team.team_id)
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.save(name, condition=self.model.pk.does_not_exist())
                tx.save(self._item(f"TEAM#{team.team_id}", "TEAM", team), condition=self.model.pk.does_not_exist())
        except TransactWriteError as exc:
            if not is_condition_failure(exc):
                raise
            raise Conflict("a team of that name already exists in this organization", code="TEAM_EXISTS") from exc

    def get_team(self, team_id: str) -> Team | None:
        return self._get(Team, f"TEAM#{team_id}", "TEAM")

    def put_member(self, member: Membership) -> None:
        self._item(f"TEAM#{member.team_id}", f"MEMBER#{member.user_id}", member,
                   (f"USER#{member.user_id}", f"TEAM#{member.team_id}")).save()

    def get_member(self, team_id: str, user_id: str) -> Membership | None:
        return self._get(Membership, f"TEAM#{team_id}", f"MEMBER#{user_id}")

    def members(self, team_id: str) -> list[Membership]:
        return self._query(Membership, f"TEAM#{team_id}", "MEMBER#")

    def memberships(self, user_id: str) -> list[Membership]:
        return self._reverse(Membership, f"USER#{user_id}")

    def remove_member(self, team_id: str, user_id: str) -> bool:
        return self._delete(f"TEAM#{team_id}", f"MEMBER#{user_id}")

    def _invitation_item(self, invitation: Invitation) -> _TeamItem:
        return self._item(f"TEAM#{invitation.team_id}", f"INVITE#{invitation.invitation_id}", invitation,
                          (f"ADDR#{invitation.address}", f"INVITE#{invitation.invitation_id}"), invitation.status)

    def put_invitation(self, invitation: Invitation) -> None:
        self._invitation_item(invitation).save()

    def get_invitation(self, team_id: str, invitation_id: str) -> Invitation | None:
        return self._get(Invitation, f"TEAM#{team_id}", f"INVITE#{invitation_id}")

    def team_invitations(self, team_id: str) -> list[Invitation]:
        return self._query(Invitation, f"TEAM#{team_id}", "INVITE#")

    def invitations_for(self, address: str) -> list[Invitation]:
        return self._reverse(Invitation, f"ADDR#{address}")

    def decide_invitation(self, invitation: Invitation) -> bool:
        item = self._invitation_item(invitation)
        try:
            item.save(condition=self.model.status == "pending")
        except PutError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def put_share(self, share: CaseShare) -> None:
        self._item(f"CASE#{share.case_id}", f"SHARE#{share.team_id}", share,
                   (f"TEAMCASES#{share.team_id}", f"CASE#{share.case_id}")).save()

    def remove_share(self, case_id: str, team_id: str) -> bool:
        return self._delete(f"CASE#{case_id}", f"SHARE#{team_id}")

    def case_shares(self, case_id: str) -> list[CaseShare]:
        return self._query(CaseShare, f"CASE#{case_id}", "SHARE#")

    def team_shares(self, team_id: str) -> list[CaseShare]:
        return self._reverse(CaseShare, f"TEAMCASES#{team_id}")


class DynamoAuditLog:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_AuditItem, settings, "audit")

    def append(self, event: AuditEvent) -> None:
        item = self.model(f"TEAM#{event.team_id}", f"{event.at}#{event.event_id}", org_id=event.org_id,
                          body=event.model_dump_json())
        item.save(condition=self.model.pk.does_not_exist())  # never overwrites an event

    def for_team(self, team_id: str, limit: int) -> list[AuditEvent]:
        items = self.model.query(f"TEAM#{team_id}", scan_index_forward=False, consistent_read=True, limit=limit)
        return [AuditEvent.model_validate_json(i.body) for i in items]

    def for_org(self, org_id: str, limit: int) -> list[AuditEvent]:
        items = self.model.by_org.query(org_id, scan_index_forward=False, limit=limit)
        return [AuditEvent.model_validate_json(i.body) for i in items]
