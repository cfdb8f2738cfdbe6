"""Team knowledge through HTTP (embedded index): a team-scoped document reaches its team's members, in search and by
id, and nobody else; a viewer reads it but cannot publish into the team; a member of another team cannot either."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_knowledge_api import QUERY, RUNBOOK, search, upload
from tests.api.test_teams_isolation import payments_and_search
from tests.conftest import SignedIn
from tests.support.shared_embedder import _shared_embedder, embedder  # noqa: F401 (fixtures)


def test_team_documents_reach_their_members_only(client: TestClient, alice: SignedIn) -> None:
    bob, carol, dave, erin, team, other = payments_and_search(client, alice)

    doc = upload(client, alice, scope="team", team_id=team)
    assert doc.status_code == 201, doc.text
    doc_id = doc.json()["document_id"]
    for who in (bob, carol):
        assert doc_id in {r["document_id"] for r in search(client, who)}
        assert client.get(f"/api/v1/knowledge/documents/{doc_id}", headers=who.headers).status_code == 200
    for who in (dave, erin):
        assert doc_id not in {r["document_id"] for r in search(client, who)}
        assert client.get(f"/api/v1/knowledge/documents/{doc_id}", headers=who.headers).status_code == 404
        assert client.delete(f"/api/v1/knowledge/documents/{doc_id}", headers=who.headers).status_code == 404

    refused = upload(client, carol, data=RUNBOOK + b"\nviewer edit", scope="team", team_id=team)
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_A_TEAM_MEMBER"
    outsider = upload(client, erin, data=RUNBOOK + b"\nelsewhere", scope="team", team_id=team)
    assert outsider.status_code == 403
    member = upload(client, bob, data=RUNBOOK + b"\nbob's addition", name="bob.md", scope="team", team_id=team)
    assert member.status_code == 201, member.text
    assert client.post("/api/v1/knowledge/search", headers=erin.headers, json={"query": QUERY}).json()["results"] == []
    theirs = upload(client, erin, data=RUNBOOK + b"\nsearch team notes", name="b.md", scope="team", team_id=other)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["document_id"] not in {r["document_id"] for r in search(client, alice)}
