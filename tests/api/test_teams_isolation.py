"""Teams through HTTP on both storage adapters: team A's owner, member and viewer, team B's member and an outsider
try every team, shared-case and audit route. Members read and contribute, a viewer only reads, team B and the
outsider get 404 with nothing revealed, and only admins read the audit trail."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import SignedIn, sign_up
from tests.support.turn_worker import queue_worker

SECRET = "alice's private notes about db-7"


@dataclass
class Teams:
    alice: SignedIn  # team A's admin, owns the case
    bob: SignedIn  # team A member
    carol: SignedIn  # team A viewer
    erin: SignedIn  # team B's admin
    dave: SignedIn  # in no team
    team_a: str
    team_b: str
    case_id: str
    file_id: str  # a file on the case, and its evidence record
    evidence_id: str


def join_team(client: TestClient, admin: SignedIn, who: SignedIn, team_id: str, role: str) -> None:
    r = client.post(f"/api/v1/teams/{team_id}/invitations", json={"username": who.username, "role": role},
                    headers=admin.headers)
    assert r.status_code == 201, r.text
    mine = client.get("/api/v1/invitations", headers=who.headers).json()
    assert [i["team_name"] for i in mine] == ["Payments SRE"]
    accepted = client.post(f"/api/v1/invitations/{mine[0]['invitation_id']}/accept", headers=who.headers)
    assert accepted.status_code == 200 and accepted.json()["team_role"] == role, accepted.text


def payments_and_search(client: TestClient, alice: SignedIn) -> tuple[SignedIn, SignedIn, SignedIn, SignedIn, str, str]:
    """Bob (member) and Carol (viewer) join Alice's team "Payments SRE"; Erin runs "Search SRE"; Dave is in none.
    Returns bob, carol, dave, erin and the two team ids."""
    bob, carol, dave, erin = (sign_up(client, n) for n in ("bob", "carol", "dave", "erin"))
    team = client.post("/api/v1/teams", json={"name": "Payments SRE"}, headers=alice.headers).json()["team_id"]
    other = client.post("/api/v1/teams", json={"name": "Search SRE"}, headers=erin.headers).json()["team_id"]
    join_team(client, alice, bob, team, "member")
    join_team(client, alice, carol, team, "viewer")
    return bob, carol, dave, erin, team, other


@pytest.fixture
def teams(any_client: TestClient, any_container: Container) -> Iterator[Teams]:
    with queue_worker(any_container):  # the cloud runs turns from its queue
        yield _teams(any_client, any_container)


def _teams(c: TestClient, any_container: Container) -> Teams:
    alice, bob, carol, erin, dave = (sign_up(c, n) for n in ("alice", "bob", "carol", "erin", "dave"))
    team_a = c.post("/api/v1/teams", json={"name": "Payments SRE"}, headers=alice.headers)
    assert team_a.status_code == 201, team_a.text
    team_a_id = team_a.json()["team_id"]
    team_b_id = c.post("/api/v1/teams", json={"name": "Search SRE"}, headers=erin.headers).json()["team_id"]
    join_team(c, alice, bob, team_a_id, "member")
    join_team(c, alice, carol, team_a_id, "viewer")
    case_id = c.post("/api/v1/cases", json={"title": "Checkout 503s", "description": SECRET},
                     headers=alice.headers).json()["case_id"]
    any_container.case_service.append_message(alice.user_id, case_id, "user", SECRET, 0)
    upload = c.post(f"/api/v1/cases/{case_id}/uploaded-files", headers=alice.headers,
                    files={"file": ("db.log", f"ERROR db-7 timeout; {SECRET}\n".encode(), "text/plain")})
    assert upload.status_code == 201, upload.text
    file_id = upload.json()["file_id"]
    evidence_id = c.get(f"/api/v1/cases/{case_id}/evidence", headers=alice.headers).json()["evidence"][0]["evidence_id"]
    shared = c.post(f"/api/v1/cases/{case_id}/team-shares", json={"team_id": team_a_id}, headers=alice.headers)
    assert shared.status_code == 201 and shared.json()["permission"] == "contribute", shared.text
    return Teams(alice, bob, carol, erin, dave, team_a_id, team_b_id, case_id, file_id, evidence_id)


READ_ROUTES = [
    ("GET", "/api/v1/cases/{case_id}"),
    ("GET", "/api/v1/cases/{case_id}/messages"),
    ("GET", "/api/v1/cases/{case_id}/ui"),
    ("GET", "/api/v1/cases/{case_id}/reports"),
    ("GET", "/api/v1/cases/{case_id}/team-shares"),
    ("GET", "/api/v1/cases/{case_id}/handoff"),
    ("GET", "/api/v1/cases/{case_id}/uploaded-files"),
    ("GET", "/api/v1/cases/{case_id}/evidence"),
    ("GET", "/api/v1/cases/{case_id}/uploaded-files/{file_id}"),
    ("GET", "/api/v1/cases/{case_id}/uploaded-files/{file_id}/content"),
    ("GET", "/api/v1/cases/{case_id}/evidence/{evidence_id}"),
    ("GET", "/api/v1/teams/{team_id}"),
    ("GET", "/api/v1/teams/{team_id}/members"),
    ("GET", "/api/v1/teams/{team_id}/cases"),
]
# Routes that change something, with a body; the viewer gets 403 on each (they may know the case and team exist).
WRITE_ROUTES = [
    ("POST", "/api/v1/cases/{case_id}/turns", None),
    ("POST", "/api/v1/cases/{case_id}/turns/stream", None),
    ("PUT", "/api/v1/cases/{case_id}", {"title": "hijacked"}),
    ("POST", "/api/v1/cases/{case_id}/close", {"closure_reason": "inquiry_only"}),
    ("POST", "/api/v1/cases/{case_id}/archive", None),
    ("POST", "/api/v1/cases/{case_id}/title?force=true", None),
    ("POST", "/api/v1/cases/{case_id}/uploaded-files", None),
    ("POST", "/api/v1/cases/{case_id}/extract-knowledge", None),
    ("POST", "/api/v1/cases/{case_id}/unarchive", None),
    ("POST", "/api/v1/cases/{case_id}/uploaded-files/presign", {"filename": "big.log", "size_bytes": 10}),
    ("POST", "/api/v1/cases/{case_id}/uploaded-files/{file_id}/complete", {"filename": "big.log"}),
    ("DELETE", "/api/v1/cases/{case_id}/uploaded-files/{file_id}", None),
    ("POST", "/api/v1/cases/{case_id}/team-shares", {"team_id": "{team_id}"}),
    ("DELETE", "/api/v1/cases/{case_id}/team-shares/{team_id}", None),
    ("POST", "/api/v1/teams/{team_id}/invitations", {"username": "dave"}),
    ("GET", "/api/v1/teams/{team_id}/invitations", None),
    ("PATCH", "/api/v1/teams/{team_id}/members/{owner_id}", {"role": "viewer"}),
    ("DELETE", "/api/v1/teams/{team_id}/members/{owner_id}", None),
    ("GET", "/api/v1/teams/{team_id}/audit", None),
]
# Routes a reader of the case may call (a hand-off answers; the reports answer 409 on this open case), an outsider
# may not (404).
HANDOFF = ("POST", "/api/v1/cases/{case_id}/handoff", {})
READER_ACTIONS = [
    ("POST", "/api/v1/cases/{case_id}/reports", None),
    ("POST", "/api/v1/cases/{case_id}/reports/runbook", None),
]


def _call(client: TestClient, who: SignedIn, method: str, path: str, body: dict | None, t: Teams):
    fill = {"case_id": t.case_id, "team_id": t.team_a, "owner_id": t.alice.user_id, "file_id": t.file_id,
            "evidence_id": t.evidence_id}
    path = path.format(**fill)
    if body is not None:
        body = {k: v.format(**fill) if isinstance(v, str) else v for k, v in body.items()}
    if path.endswith(("/turns", "/turns/stream")):
        return client.post(path, data={"query": "I think it is the database"}, headers=who.headers)
    return client.request(method, path, json=body, headers=who.headers, follow_redirects=False)


def _snapshot(client: TestClient, t: Teams) -> tuple:
    case = client.get(f"/api/v1/cases/{t.case_id}", headers=t.alice.headers).json()
    messages = client.get(f"/api/v1/cases/{t.case_id}/messages", headers=t.alice.headers).json()["total_count"]
    members = client.get(f"/api/v1/teams/{t.team_a}/members", headers=t.alice.headers).json()
    shares = client.get(f"/api/v1/cases/{t.case_id}/team-shares", headers=t.alice.headers).json()
    return case, messages, sorted((m["user_id"], m["team_role"]) for m in members), shares


@pytest.mark.parametrize("outsider", ["dave", "erin"])
def test_outsiders_get_404_and_change_nothing(any_client: TestClient, teams: Teams, outsider: str) -> None:
    before = _snapshot(any_client, teams)
    for method, path, body in [(m, p, None) for m, p in READ_ROUTES] + WRITE_ROUTES + READER_ACTIONS + [HANDOFF]:
        r = _call(any_client, getattr(teams, outsider), method, path, body, teams)
        assert r.status_code == 404, (method, path, r.text)
        assert SECRET not in r.text and "Checkout" not in r.text and "Payments" not in r.text, (method, path)
        assert _snapshot(any_client, teams) == before, (method, path)


def test_member_and_viewer_read_the_shared_case(any_client: TestClient, teams: Teams) -> None:
    for method, path in READ_ROUTES:
        for who in (teams.bob, teams.carol):
            r = _call(any_client, who, method, path, None, teams)
            downloaded = path.endswith("/content") and r.status_code == 307  # the cloud: a presigned URL
            assert r.status_code == 200 or downloaded, (who.username, method, path, r.text)
        for method, path, body in READER_ACTIONS:
            r = _call(any_client, who, method, path, body, teams)
            assert r.status_code == 409 and r.json()["code"] == "CASE_NOT_TERMINAL", (method, path, r.text)
        assert _call(any_client, who, *HANDOFF, teams).status_code == 200


def test_every_case_and_team_route_is_walked() -> None:
    """A case or team route added later joins these lists, or this fails."""
    walked = {(m, p) for m, p in READ_ROUTES} | {(m, p) for m, p, _ in [*WRITE_ROUTES, *READER_ACTIONS, HANDOFF]}
    elsewhere = {("DELETE", "/api/v1/cases/{case_id}"),  # test_only_the_owner_deletes_a_shared_case
                 ("GET", "/api/v1/cases/{case_id}/turns/jobs/{job_id}"),  # test_a_turns_job_is_polled_by_...
                 ("PATCH", "/api/v1/teams/{team_id}/members/{user_id}"),  # the walks use the owner's id
                 ("DELETE", "/api/v1/teams/{team_id}/members/{user_id}"),
                 ("DELETE", "/api/v1/teams/{team_id}/members/me"),  # test_roles_and_the_last_admin
                 ("DELETE", "/api/v1/teams/{team_id}/invitations/{invitation_id}"),  # invitations tests
                 ("GET", "/api/v1/teams/{team_id}/audit")}
    app = build_app(Settings(mode="embedded", data_dir=Path(tempfile.mkdtemp())))
    routes = {(m, r.path) for r in app.routes for m in getattr(r, "methods", None) or ()
              if "{case_id}" in r.path or r.path.startswith("/api/v1/teams/{team_id}")}
    walked = {(m, p.split("?")[0].replace("{owner_id}", "{user_id}")) for m, p in walked}
    assert routes - walked - elsewhere == set()


def test_a_viewer_cannot_write(any_client: TestClient, teams: Teams) -> None:
    before = _snapshot(any_client, teams)
    for method, path, body in WRITE_ROUTES:
        r = _call(any_client, teams.carol, method, path, body, teams)
        assert r.status_code == 403, (method, path, r.text)
        assert _snapshot(any_client, teams) == before, (method, path)


def test_only_the_owner_deletes_a_shared_case(any_client: TestClient, teams: Teams) -> None:
    for who in (teams.bob, teams.carol, teams.dave):
        assert any_client.delete(f"/api/v1/cases/{teams.case_id}", headers=who.headers).status_code == 404
    assert any_client.get(f"/api/v1/cases/{teams.case_id}", headers=teams.alice.headers).status_code == 200
    assert any_client.delete(f"/api/v1/cases/{teams.case_id}", headers=teams.alice.headers).status_code == 204
    assert any_client.get(f"/api/v1/cases/{teams.case_id}", headers=teams.bob.headers).status_code == 404


def test_outsiders_list_and_search_nothing(any_client: TestClient, teams: Teams) -> None:
    for who in (teams.dave, teams.erin):
        assert any_client.get("/api/v1/cases", headers=who.headers).json()["cases"] == []
        assert any_client.post("/api/v1/cases/search", json={"query": "Checkout"}, headers=who.headers).json() == []
        assert teams.team_a not in {t["team_id"] for t in any_client.get("/api/v1/teams", headers=who.headers).json()}
        listed = any_client.get(f"/api/v1/cases?team_id={teams.team_a}", headers=who.headers)
        assert listed.status_code == 404


def test_capabilities_report_team_sharing(any_client: TestClient) -> None:
    assert any_client.get("/api/v1/meta/capabilities").json()["features"]["teamSharing"] is True


def test_members_see_the_team_and_its_shared_cases(any_client: TestClient, teams: Teams) -> None:
    mine = any_client.get("/api/v1/teams", headers=teams.bob.headers).json()
    assert [(t["team_id"], t["my_role"]) for t in mine] == [(teams.team_a, "member")]
    assert mine[0]["enterprise_id"]
    roster = any_client.get(f"/api/v1/teams/{teams.team_a}/members", headers=teams.carol.headers).json()
    assert sorted((m["display_name"], m["team_role"]) for m in roster) == [
        ("alice", "admin"), ("bob", "member"), ("carol", "viewer")]
    shared = any_client.get(f"/api/v1/cases?team_id={teams.team_a}", headers=teams.bob.headers).json()
    assert [c["case_id"] for c in shared["cases"]] == [teams.case_id]
    assert shared["cases"][0]["title"] == "Checkout 503s"


def test_a_member_contributes_a_turn_attributed_to_them(any_client: TestClient, teams: Teams) -> None:
    r = any_client.post(f"/api/v1/cases/{teams.case_id}/turns", data={"query": "checkout errors since 09:10"},
                        headers=teams.bob.headers)
    assert r.status_code == 200, r.text
    assert r.json()["turn_number"] == 1
    messages = any_client.get(f"/api/v1/cases/{teams.case_id}/messages", headers=teams.alice.headers).json()
    user_turn = [m for m in messages["messages"] if m["turn_number"] == 1 and m["role"] == "user"]
    assert [(m["author_id"], m["author_name"]) for m in user_turn] == [(teams.bob.user_id, "bob")]
    earlier = [m for m in messages["messages"] if m["turn_number"] == 0]
    assert earlier[0]["author_id"] == teams.alice.user_id  # the owner's own message stays theirs


def test_a_turns_job_is_polled_by_its_sender_only(any_client: TestClient, teams: Teams) -> None:
    r = any_client.post(f"/api/v1/cases/{teams.case_id}/turns", data={"query": "checkout errors since 09:10"},
                        headers={**teams.bob.headers, "Prefer": "respond-async"})
    assert r.status_code == 202, r.text
    for who in (teams.alice, teams.carol, teams.dave):
        assert any_client.get(r.headers["Location"], headers=who.headers).status_code == 404
    for _ in range(200):
        polled = any_client.get(r.headers["Location"], headers=teams.bob.headers)
        if polled.status_code == 200:
            break
        time.sleep(0.1)
    assert polled.json()["status"] == "completed", polled.text
    assert polled.json()["result"]["turn_number"] == 1


def test_unsharing_ends_the_teams_access(any_client: TestClient, teams: Teams) -> None:
    r = any_client.delete(f"/api/v1/cases/{teams.case_id}/team-shares/{teams.team_a}", headers=teams.alice.headers)
    assert r.status_code == 204
    assert any_client.get(f"/api/v1/cases/{teams.case_id}", headers=teams.bob.headers).status_code == 404
    again = any_client.delete(f"/api/v1/cases/{teams.case_id}/team-shares/{teams.team_a}", headers=teams.alice.headers)
    assert again.status_code == 204  # idempotent


def test_a_read_only_share_lets_members_read_but_not_write(any_client: TestClient, teams: Teams) -> None:
    r = any_client.post(f"/api/v1/cases/{teams.case_id}/team-shares", json={"team_id": teams.team_a,
                                                                          "permission": "read"},
                        headers=teams.alice.headers)
    assert r.status_code == 201
    turn = any_client.post(f"/api/v1/cases/{teams.case_id}/turns", data={"query": "x"}, headers=teams.bob.headers)
    assert turn.status_code == 403 and turn.json()["code"] == "CASE_READ_ONLY"
    assert any_client.get(f"/api/v1/cases/{teams.case_id}", headers=teams.bob.headers).status_code == 200


def test_the_audit_trail_records_who_read_and_changed_the_case(any_client: TestClient, teams: Teams) -> None:
    any_client.get(f"/api/v1/cases/{teams.case_id}/messages", headers=teams.carol.headers)
    any_client.post(f"/api/v1/cases/{teams.case_id}/turns", data={"query": "db-7 is slow"}, headers=teams.bob.headers)
    trail = any_client.get(f"/api/v1/teams/{teams.team_a}/audit", headers=teams.alice.headers)
    assert trail.status_code == 200, trail.text
    seen = {(e["actor_id"], e["action"], e["detail"].get("route")) for e in trail.json()}
    assert (teams.carol.user_id, "case.read", "GET /api/v1/cases/{case_id}/messages") in seen
    assert (teams.bob.user_id, "case.write", "POST /api/v1/cases/{case_id}/turns") in seen
    assert {"team.create", "invitation.accept", "case.share"} <= {e["action"] for e in trail.json()}
    # Append-only: no route changes or removes an event.
    for method in ("PUT", "PATCH", "DELETE"):
        assert any_client.request(method, f"/api/v1/teams/{teams.team_a}/audit",
                                  headers=teams.alice.headers).status_code == 405
    org = trail.json()[0]["org_id"]
    assert any_client.get(f"/api/v1/orgs/{org}/audit", headers=teams.alice.headers).status_code == 200
    assert any_client.get(f"/api/v1/orgs/{org}/audit", headers=teams.bob.headers).status_code in (403, 404)
    assert any_client.get(f"/api/v1/orgs/{org}/audit", headers=teams.dave.headers).status_code == 404


def test_handoff_names_the_next_on_call(any_client: TestClient, teams: Teams) -> None:
    r = any_client.post(f"/api/v1/cases/{teams.case_id}/handoff",
                        json={"to_user_id": teams.bob.user_id, "note": "watch db-7, password=hunter2hunter2"},
                        headers=teams.alice.headers)
    assert r.status_code == 200, r.text
    content = r.json()["report"]["content"]
    assert "Checkout 503s" in content and "to: bob" in content and "hunter2hunter2" not in content
    refused = any_client.post(f"/api/v1/cases/{teams.case_id}/handoff", json={"to_user_id": teams.dave.user_id},
                              headers=teams.alice.headers)
    assert refused.status_code == 400
    trail = any_client.get(f"/api/v1/teams/{teams.team_a}/audit", headers=teams.alice.headers).json()
    assert any(e["action"] == "case.handoff" and e["detail"] == {"to_user_id": teams.bob.user_id} for e in trail)


def test_roles_and_the_last_admin(any_client: TestClient, teams: Teams) -> None:
    base = f"/api/v1/teams/{teams.team_a}/members"
    promoted = any_client.patch(f"{base}/{teams.carol.user_id}", json={"role": "member"}, headers=teams.alice.headers)
    assert promoted.status_code == 200 and promoted.json()["team_role"] == "member"
    demote_self = any_client.patch(f"{base}/{teams.alice.user_id}", json={"role": "member"},
                                   headers=teams.alice.headers)
    assert demote_self.status_code == 409 and demote_self.json()["code"] == "LAST_ADMIN"
    assert any_client.delete(f"{base}/me", headers=teams.alice.headers).status_code == 409
    assert any_client.delete(f"{base}/me", headers=teams.bob.headers).status_code == 204
    assert any_client.get(f"/api/v1/cases/{teams.case_id}", headers=teams.bob.headers).status_code == 404


def test_invitations_are_for_their_addressee_only(any_client: TestClient, teams: Teams) -> None:
    offer = any_client.post(f"/api/v1/teams/{teams.team_a}/invitations", json={"username": "dave"},
                            headers=teams.alice.headers).json()
    again = any_client.post(f"/api/v1/teams/{teams.team_a}/invitations", json={"username": "dave"},
                            headers=teams.alice.headers).json()
    assert again["invitation_id"] == offer["invitation_id"]  # a live offer is not doubled
    stolen = any_client.post(f"/api/v1/invitations/{offer['invitation_id']}/accept", headers=teams.erin.headers)
    assert stolen.status_code == 404
    assert any_client.delete(f"/api/v1/invitations/{offer['invitation_id']}", headers=teams.dave.headers
                             ).status_code == 204
    late = any_client.post(f"/api/v1/invitations/{offer['invitation_id']}/accept", headers=teams.dave.headers)
    assert late.status_code == 410
    listed = any_client.get(f"/api/v1/teams/{teams.team_a}/invitations", headers=teams.alice.headers).json()
    assert {i["status"] for i in listed} == {"accepted", "declined"}


def test_an_install_admin_reads_the_embedded_organizations_trail(client: TestClient, container: Container,
                                                                 alice: SignedIn) -> None:
    from tests.api.test_knowledge_api import sign_in_with_roles

    client.post("/api/v1/teams", json={"name": "Payments SRE"}, headers=alice.headers)
    root = sign_in_with_roles(client, container, "root", ["user", "admin"])
    trail = client.get("/api/v1/orgs/org_local/audit", headers=root.headers)
    assert trail.status_code == 200 and [e["action"] for e in trail.json()] == ["team.create"]
    assert client.post("/api/v1/orgs", json={"name": "another"}, headers=root.headers).status_code == 409


def test_cloud_organizations_are_separate(aws_container: Container) -> None:
    with TestClient(build_app(aws_container.settings), raise_server_exceptions=False) as c:
        ann, ben = sign_up(c, "ann"), sign_up(c, "ben")
        org = c.post("/api/v1/orgs", json={"name": "Acme"}, headers=ann.headers)
        assert org.status_code == 201 and org.json()["my_role"] == "admin", org.text
        org_id = org.json()["org_id"]
        team = c.post("/api/v1/teams", json={"name": "SRE", "org_id": org_id}, headers=ann.headers).json()
        assert team["enterprise_id"] == org_id
        refused = c.post("/api/v1/teams", json={"name": "Intruders", "org_id": org_id}, headers=ben.headers)
        assert refused.status_code == 404
        own = c.post("/api/v1/teams", json={"name": "SRE"}, headers=ben.headers).json()  # a new org of his own
        assert own["enterprise_id"] != org_id
        assert [o["org_id"] for o in c.get("/api/v1/orgs", headers=ben.headers).json()] == [own["enterprise_id"]]
        assert c.get(f"/api/v1/orgs/{org_id}/audit", headers=ben.headers).status_code == 404
