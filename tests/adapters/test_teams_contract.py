"""One contract for every adapter of the teams and audit ports (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from faultmaven.container import Container
from faultmaven.errors import Conflict
from faultmaven.teams.model import AuditEvent, CaseShare, Invitation, Membership, Organization, OrgMember, Team

AT = "2026-01-01T00:00:00.000000Z"


def _team(team_id: str = "t1", name: str = "SRE", org_id: str = "o1") -> Team:
    return Team(team_id=team_id, org_id=org_id, name=name, created_by="u1", created_at=AT)


def _invitation(invitation_id: str = "i1", address: str = "bob@example.com") -> Invitation:
    return Invitation(invitation_id=invitation_id, team_id="t1", org_id="o1", address=address, invited_by="u1",
                      created_at=AT, expires_at="2026-02-01T00:00:00.000000Z")


def test_organizations_first_writer_wins(any_container: Container) -> None:
    repo = any_container.team_repo
    assert repo.put_org(Organization(org_id="o1", name="Acme", created_by="u1", created_at=AT))
    assert not repo.put_org(Organization(org_id="o1", name="Other", created_by="u2", created_at=AT))
    assert repo.get_org("o1").name == "Acme" and repo.get_org("o2") is None
    repo.put_org_member(OrgMember(org_id="o1", user_id="u1", role="admin", joined_at=AT))
    assert [(m.org_id, m.role) for m in repo.org_memberships("u1")] == [("o1", "admin")]
    assert repo.org_memberships("u2") == []


def test_team_names_are_unique_per_organization(any_container: Container) -> None:
    repo = any_container.team_repo
    repo.create_team(_team())
    with pytest.raises(Conflict):
        repo.create_team(_team("t2", "sre"))  # same name, any case
    repo.create_team(_team("t3", "SRE", org_id="o2"))  # another organization may use it
    assert repo.get_team("t1").name == "SRE" and repo.get_team("t2") is None


def test_members_roles_and_reverse_lookup(any_container: Container) -> None:
    repo = any_container.team_repo
    repo.create_team(_team())
    repo.put_member(Membership(team_id="t1", user_id="u1", role="admin", joined_at=AT))
    repo.put_member(Membership(team_id="t1", user_id="u2", role="viewer", joined_at=AT))
    assert {(m.user_id, m.role) for m in repo.members("t1")} == {("u1", "admin"), ("u2", "viewer")}
    repo.put_member(Membership(team_id="t1", user_id="u2", role="member", joined_at=AT))
    assert repo.get_member("t1", "u2").role == "member"
    assert [m.team_id for m in repo.memberships("u2")] == ["t1"] and repo.memberships("u3") == []
    assert repo.remove_member("t1", "u2") and not repo.remove_member("t1", "u2")
    assert repo.get_member("t1", "u2") is None and repo.memberships("u2") == []


def test_an_invitation_is_decided_once_even_when_raced(any_container: Container) -> None:
    repo = any_container.team_repo
    repo.put_invitation(_invitation())
    assert [i.invitation_id for i in repo.invitations_for("bob@example.com")] == ["i1"]
    assert repo.invitations_for("carol@example.com") == [] and repo.get_invitation("t2", "i1") is None
    accepted = _invitation().model_copy(update={"status": "accepted", "decided_by": "u2"})
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda _: repo.decide_invitation(accepted), range(8)))
    assert wins.count(True) == 1
    assert repo.get_invitation("t1", "i1").status == "accepted"
    assert [i.status for i in repo.team_invitations("t1")] == ["accepted"]


def test_case_shares_both_ways(any_container: Container) -> None:
    repo = any_container.team_repo
    share = CaseShare(case_id="c1", team_id="t1", owner_id="u1", org_id="o1", shared_by="u1", created_at=AT)
    repo.put_share(share)
    repo.put_share(share.model_copy(update={"team_id": "t2"}))
    repo.put_share(share.model_copy(update={"permission": "read"}))  # sharing again changes the permission
    assert {(s.team_id, s.permission) for s in repo.case_shares("c1")} == {("t1", "read"), ("t2", "contribute")}
    assert [s.case_id for s in repo.team_shares("t1")] == ["c1"] and repo.case_shares("c2") == []
    assert repo.remove_share("c1", "t1") and not repo.remove_share("c1", "t1")
    assert repo.team_shares("t1") == [] and [s.team_id for s in repo.case_shares("c1")] == ["t2"]


def test_audit_log_is_newest_first_per_team_and_org(any_container: Container) -> None:
    log = any_container.audit_log
    for n, team in enumerate(["t1", "t2", "t1"]):
        log.append(AuditEvent(event_id=f"e{n}", org_id="o1", team_id=team, at=f"2026-01-01T00:00:0{n}.000000Z",
                              actor_id="u1", action="case.read", resource_type="case", resource_id="c1"))
    log.append(AuditEvent(event_id="x", org_id="o2", team_id="t9", at=AT, actor_id="u9", action="case.read",
                          resource_type="case", resource_id="c9"))
    assert [e.event_id for e in log.for_team("t1", 10)] == ["e2", "e0"]
    assert [e.event_id for e in log.for_org("o1", 10)] == ["e2", "e1", "e0"]
    assert [e.event_id for e in log.for_org("o1", 1)] == ["e2"]
    assert not hasattr(log, "delete") and not hasattr(log, "update")  # append-only by its interface


def test_the_sqlite_audit_table_refuses_updates_and_deletes(container: Container) -> None:
    container.audit_log.append(AuditEvent(event_id="e", org_id="o", team_id="t", at=AT, actor_id="u",
                                          action="case.read", resource_type="case", resource_id="c"))
    for sql in ("UPDATE audit_events SET team_id = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            container.db.execute(sql)
    assert [e.actor_id for e in container.audit_log.for_team("t", 5)] == ["u"]
