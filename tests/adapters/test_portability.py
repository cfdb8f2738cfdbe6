"""Export and import through the ports: embedded → bundle → AWS adapters (moto) → bundle → embedded loses nothing;
a tampered or unknown bundle is refused with nothing written; importing twice writes nothing new; documents are
re-embedded with the target's model. The data is made through the HTTP API, and compared through the ports with
ids the API returned (not with the exporter's own walk)."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.container import Container, set_container
from faultmaven.copilot.vault import RedactionVault, map_key
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.knowledge.ingestion import raw_key, text_key
from faultmaven.portability.transfer import export_bundle, import_bundle
from faultmaven.ports.cases import CaseQuery
from faultmaven.ports.documents import DocumentQuery, Visibility
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import PrincipalFilter
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import SignedIn, sign_up
from tests.unit.test_documents_service import HashingEmbedder

SECRET = "AKIAIOSFODNN7EXAMPLE"
LOG = "\n".join(f"2026-11-25 09:10:{i:02d} ERROR pool: connection refused to 10.0.0.{i % 5}:5432"
                for i in range(40)).encode()
RUNBOOK = (b"# Postgres connection pool exhausted\n\n## Meaning\nApplications log connection refused to the database "
           b"port 5432 when the pool is exhausted.\n\n## Mitigation\nRaise max_connections.\n")


class OtherModelEmbedder(HashingEmbedder):
    space = EmbeddingSpace(model_id="test/hashing-other", dim=64)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.roll(super().embed(texts), 7, axis=1)  # another space: same words, other coordinates


def _with_index(container: Container, embedder: HashingEmbedder, index_db: Path) -> Container:
    container.__dict__["embedder"] = embedder
    container.__dict__["vector_index"] = SqliteVectorIndex(SqliteDatabase(index_db), embedder.space)
    return container


def _populate(client: TestClient, container: Container) -> dict[str, Any]:
    """Two users; a case with turns (a secret, so a sealed placeholder map), a log file and hypotheses; a KB doc;
    a team of both, the case shared with it (so an audit trail)."""
    alice, bob = sign_up(client, "alice"), sign_up(client, "bob")
    case_id = client.post("/api/v1/cases", json={"description": "checkout outage"},
                          headers=alice.headers).json()["case_id"]
    for form, files in (({"query": f"checkout returns 503 since 09:10, key {SECRET}"}, None),
                        ({"query": "", "intent_type": "confirmation", "intent_data": '{"decision":"yes"}'}, None),
                        ({"query": "we deployed v2.3 at 09:05"}, {"files": ("api.log", LOG, "text/plain")})):
        r = client.post(f"/api/v1/cases/{case_id}/turns", data=form, files=files, headers=alice.headers)
        assert r.status_code == 200, r.text
    case = container.cases.get(alice.user_id, case_id)
    case.add_hypothesis("the v2.3 deploy exhausted the connection pool", at=case.updated_at)
    container.cases.save(case.model_copy(update={"version": case.version + 1}), expected_version=case.version)
    client.post("/api/v1/cases", json={"description": "bob's dns issue"}, headers=bob.headers)
    team_id = client.post("/api/v1/teams", json={"name": "Payments SRE"}, headers=alice.headers).json()["team_id"]
    offer = client.post(f"/api/v1/teams/{team_id}/invitations", json={"username": "bob", "role": "viewer"},
                        headers=alice.headers).json()
    assert client.post(f"/api/v1/invitations/{offer['invitation_id']}/accept", headers=bob.headers).status_code == 200
    shared = client.post(f"/api/v1/cases/{case_id}/team-shares", json={"team_id": team_id}, headers=alice.headers)
    assert shared.status_code == 201, shared.text
    assert client.get(f"/api/v1/cases/{case_id}/messages", headers=bob.headers).status_code == 200  # audited
    r = client.post("/api/v1/knowledge/documents?wait=true", files={"file": ("pg.md", RUNBOOK, "text/markdown")},
                    data={"title": "Postgres pool runbook"}, headers=alice.headers)
    assert r.status_code == 201 and r.json()["status"] == "indexed", r.text
    return {"users": [alice, bob], "case_id": case_id, "document_id": r.json()["document_id"]}


def _snapshot(c: Container, users: list[SignedIn]) -> dict[str, Any]:
    """Every record of these users and every file they name, read through the ports."""
    out: dict[str, Any] = {}
    for who in users:
        uid = who.user_id
        cases, _ = c.cases.list(uid, CaseQuery(limit=500))
        docs = c.documents.list(DocumentQuery(visibility=Visibility(owner_id=uid, only_own=True))).items
        out[who.username] = {
            "user": c.users.get(uid).model_dump(),
            "session": c.sessions.get(uid, who.session_id, 0).model_dump(),
            "cases": [case.model_dump() for case in cases],
            "messages": {k.case_id: [m.model_dump() for m in c.cases.messages(uid, k.case_id, 500, 0)[0]]
                         for k in cases},
            "maps": {k.case_id: c.blobs.get(map_key(uid, k.case_id)) for k in cases
                     if c.blobs.exists(map_key(uid, k.case_id))},
            "evidence": {k.case_id: [(e.model_dump(), c.blobs.get(e.blob_key))
                                     for e in c.evidence_files.list_for_case(uid, k.case_id)] for k in cases},
            "documents": [(d.model_dump(), c.blobs.get(raw_key(d.document_id)), c.blobs.get(text_key(d.document_id)))
                          for d in docs],
            "orgs": [(m.model_dump(), c.team_repo.get_org(m.org_id).model_dump())
                     for m in c.team_repo.org_memberships(uid)],
            "teams": [(m.model_dump(), c.team_repo.get_team(m.team_id).model_dump(),
                       [x.model_dump() for x in c.team_repo.members(m.team_id)],
                       [x.model_dump() for x in c.team_repo.team_shares(m.team_id)],
                       [e.model_dump() for e in c.audit_log.for_team(m.team_id, 1000)])
                      for m in c.team_repo.memberships(uid)],
        }
    return out


def _finds_runbook(c: Container, who: SignedIn, document_id: str) -> bool:
    vector = c.embedder.embed(["postgres pool exhausted connection refused"])[0]
    hits = c.vector_index.search("postgres pool exhausted connection refused", vector,
                                 PrincipalFilter(owner_id=who.user_id), k=3, mode="vector")
    return bool(hits) and hits[0].chunk.document_id == document_id


@pytest.fixture
def source(container: Container, tmp_path: Path) -> tuple[Container, dict[str, Any]]:
    _with_index(container, HashingEmbedder(), tmp_path / "source-index.sqlite")
    with TestClient(build_app(container.settings), raise_server_exceptions=False) as client:
        made = _populate(client, container)
    return container, made


def _embedded(tmp_path: Path, name: str, embedder: HashingEmbedder) -> Container:
    c = Container(Settings(mode="embedded", data_dir=tmp_path / name))
    return _with_index(c, embedder, tmp_path / f"{name}-index.sqlite")


def test_embedded_to_aws_and_back_loses_nothing(source: tuple[Container, dict[str, Any]], tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    src, made = source
    users = made["users"]
    before = _snapshot(src, users)
    assert before["alice"]["maps"] and before["alice"]["evidence"][made["case_id"]]  # the data has what we test
    assert len(before["alice"]["messages"][made["case_id"]]) >= 6 and before["alice"]["cases"][0]["hypotheses"]
    team = before["bob"]["teams"][0]
    assert len(team[2]) == 2 and team[3] and "case.read" in {e["action"] for e in team[4]} and before["bob"]["orgs"]
    assert SECRET.encode() not in next(iter(before["alice"]["maps"].values()))  # sealed

    manifest = export_bundle(src, tmp_path / "out.tar.gz", mode="embedded")
    assert manifest.counts["users"] == 2 and manifest.counts["cases"] == 2 and manifest.counts["documents"] == 1
    assert manifest.embedding.model_id == "test/hashing"

    cloud = _with_index(request.getfixturevalue("aws_container"), HashingEmbedder(), tmp_path / "cloud-index.sqlite")
    report = import_bundle(cloud, tmp_path / "out.tar.gz")
    assert not report.model_changed and not report.documents_not_indexed
    assert (report.documents_vectors_reused, report.documents_reindexed) == (1, 0)  # same model: nothing embedded
    assert _snapshot(cloud, users) == before
    assert _finds_runbook(cloud, users[0], made["document_id"])
    # The sealed map opens in the cloud with the embedded key given as FM_REDACTION_KEY (docs/PORTABILITY.md).
    key = (src.settings.data_dir / "keys" / "redaction.key").read_text()
    vault = RedactionVault(cloud.blobs, cloud.settings.model_copy(update={"redaction_key": SecretStr(key)}))
    opened, corrupt = vault.load(users[0].user_id, made["case_id"])
    assert not corrupt and opened.to_json() == src.redaction_vault.load(users[0].user_id, made["case_id"])[0].to_json()
    assert SECRET in opened.to_json().decode()

    export_bundle(cloud, tmp_path / "back", mode="aws")
    set_container(None)
    home = _embedded(tmp_path, "home", HashingEmbedder())
    import_bundle(home, tmp_path / "back")
    assert _snapshot(home, users) == before
    assert _finds_runbook(home, users[0], made["document_id"])


def test_import_twice_writes_nothing_new(source: tuple[Container, dict[str, Any]], tmp_path: Path) -> None:
    src, made = source
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", HashingEmbedder())
    first = import_bundle(target, tmp_path / "bundle")
    once = _snapshot(target, made["users"])
    second = import_bundle(target, tmp_path / "bundle")
    assert sum(first.written.values()) > 0 and first.blobs_written > 0
    assert sum(second.written.values()) == 0 and second.blobs_written == 0 and second.documents_reindexed == 0
    assert _snapshot(target, made["users"]) == once == _snapshot(src, made["users"])
    assert target.cases.messages(made["users"][0].user_id, made["case_id"], 500, 0)[1] == len(
        once["alice"]["messages"][made["case_id"]])  # no duplicate messages


def test_a_case_deleted_in_the_target_stays_deleted(source: tuple[Container, dict[str, Any]],
                                                    tmp_path: Path) -> None:
    src, made = source
    alice = made["users"][0]
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", HashingEmbedder())
    import_bundle(target, tmp_path / "bundle")
    assert target.cases.delete(alice.user_id, made["case_id"]) == "deleted"
    target.redaction_vault.forget(alice.user_id, made["case_id"])  # what deleting a case does to its files
    target.evidence.delete_case_files(alice.user_id, made["case_id"])
    again = import_bundle(target, tmp_path / "bundle")
    assert sum(again.written.values()) == 0
    assert target.cases.get(alice.user_id, made["case_id"]) is None
    assert target.cases.messages(alice.user_id, made["case_id"], 10, 0) == ([], 0)
    assert not target.blobs.exists(map_key(alice.user_id, made["case_id"]))
    assert not any(target.blobs.exists(e.blob_key)
                   for e in src.evidence_files.list_for_case(alice.user_id, made["case_id"]))


def test_a_case_changed_in_the_target_takes_the_bundles_version(source: tuple[Container, dict[str, Any]],
                                                                tmp_path: Path) -> None:
    src, made = source
    alice = made["users"][0]
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", HashingEmbedder())
    import_bundle(target, tmp_path / "bundle")
    case = target.cases.get(alice.user_id, made["case_id"])
    target.cases.save(case.model_copy(update={"title": "renamed there", "version": case.version + 1}),
                      expected_version=case.version)
    again = import_bundle(target, tmp_path / "bundle")
    assert again.written["cases"] == 1
    assert target.cases.get(alice.user_id, made["case_id"]) == src.cases.get(alice.user_id, made["case_id"])


def test_documents_are_re_embedded_when_the_model_differs(source: tuple[Container, dict[str, Any]],
                                                          tmp_path: Path) -> None:
    src, made = source
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", OtherModelEmbedder())
    lines: list[str] = []
    report = import_bundle(target, tmp_path / "bundle", progress=lines.append)
    assert report.model_changed and (report.source_model, report.target_model) == ("test/hashing",
                                                                                   "test/hashing-other")
    assert (report.documents_reindexed, report.documents_vectors_reused) == (1, 0)
    assert any("re-embedded" in line for line in lines)
    assert target.vector_index.space.model_id == "test/hashing-other"
    assert _finds_runbook(target, made["users"][0], made["document_id"])
    assert _snapshot(target, made["users"]) == _snapshot(src, made["users"])


class BrokenEmbedder(HashingEmbedder):
    space = EmbeddingSpace(model_id="test/broken", dim=64)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("the model is not there")


def test_a_document_that_cannot_be_indexed_is_reported_and_kept(source: tuple[Container, dict[str, Any]],
                                                                tmp_path: Path) -> None:
    src, made = source
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", BrokenEmbedder())
    report = import_bundle(target, tmp_path / "bundle")
    assert report.documents_not_indexed == [made["document_id"]] and report.documents_reindexed == 0
    kept = target.documents.get(made["document_id"])
    assert kept.status == "failed" and target.blobs.exists(raw_key(made["document_id"]))
    assert report.written["cases"] == 2  # the rest came along


def _nothing_written(c: Container) -> bool:
    return list(c.users.all()) == [] and not (c.settings.data_dir / "blobs").exists()


@pytest.mark.parametrize("damage", ["edit a record", "edit a blob", "add a file", "drop a line", "future version",
                                    "blob outside the bundle", "vectors cut short"])
def test_a_damaged_bundle_is_refused_and_nothing_is_written(source: tuple[Container, dict[str, Any]], tmp_path: Path,
                                                            damage: str) -> None:
    src, _ = source
    bundle = tmp_path / "bundle"
    export_bundle(src, bundle, mode="embedded")
    cases = bundle / "entities" / "cases.jsonl"
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    if damage == "edit a record":
        cases.write_text(cases.read_text().replace("checkout", "checkin"))
    elif damage == "edit a blob":
        blob = next(p for p in (bundle / "blobs").rglob("*") if p.is_file())
        blob.write_bytes(blob.read_bytes() + b"x")
    elif damage == "add a file":
        (bundle / "blobs" / "planted").write_bytes(b"x")
    elif damage == "drop a line":  # and fix up the checksum: the count in the manifest still tells
        cases.write_text(cases.read_text().splitlines(keepends=True)[0])
        manifest["files"]["entities/cases.jsonl"] = {"sha256": hashlib.sha256(cases.read_bytes()).hexdigest(),
                                                     "bytes": cases.stat().st_size}
        manifest_path.write_text(json.dumps(manifest))
    elif damage == "future version":
        manifest["format_version"] = 99
        manifest_path.write_text(json.dumps(manifest))
    elif damage == "vectors cut short":
        documents = bundle / "entities" / "documents.jsonl"
        line = json.loads(documents.read_text())
        line["extra"]["vectors"] = line["extra"]["vectors"][:8]
        documents.write_text(json.dumps(line) + "\n")
        manifest["files"]["entities/documents.jsonl"] = {"sha256": hashlib.sha256(documents.read_bytes()).hexdigest(),
                                                         "bytes": documents.stat().st_size}
        manifest_path.write_text(json.dumps(manifest))
    else:
        line = json.loads(cases.read_text().splitlines()[0])
        line["blobs"] = [{"key": "../../../etc/passwd", "content_type": "text/plain"}]
        evil = json.dumps(line) + "\n" + "".join(cases.read_text().splitlines(keepends=True)[1:])
        cases.write_text(evil)
        manifest["files"]["entities/cases.jsonl"] = {"sha256": hashlib.sha256(cases.read_bytes()).hexdigest(),
                                                     "bytes": cases.stat().st_size}
        manifest_path.write_text(json.dumps(manifest))
    target = _embedded(tmp_path, "target", HashingEmbedder())
    with pytest.raises(InvalidInput) as refused:
        import_bundle(target, bundle)
    assert refused.value.code == "BUNDLE_INVALID" and "nothing was imported" in refused.value.detail
    assert _nothing_written(target)


def test_a_tampered_archive_is_refused(source: tuple[Container, dict[str, Any]], tmp_path: Path) -> None:
    src, _ = source
    export_bundle(src, tmp_path / "b.tar.gz", mode="embedded")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    users = tmp_path / "unpacked" / "entities" / "users.jsonl"
    users.write_text(users.read_text().replace('"roles":["user"]', '"roles":["user","admin"]'))
    with tarfile.open(tmp_path / "evil.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "unpacked", arcname=".")
    target = _embedded(tmp_path, "target", HashingEmbedder())
    with pytest.raises(InvalidInput, match=r"checksum of entities/users\.jsonl"):
        import_bundle(target, tmp_path / "evil.tar.gz")
    assert _nothing_written(target)
    with pytest.raises(InvalidInput, match="no bundle"):
        import_bundle(target, tmp_path / "missing.tar.gz")


def test_a_username_held_by_another_user_is_refused(source: tuple[Container, dict[str, Any]], tmp_path: Path) -> None:
    src, _ = source
    export_bundle(src, tmp_path / "bundle", mode="embedded")
    target = _embedded(tmp_path, "target", HashingEmbedder())
    other = src.users.get_by_username("alice").model_copy(update={"user_id": "user_someone_else"})
    target.users.create(other)
    with pytest.raises(Conflict, match="alice"):
        import_bundle(target, tmp_path / "bundle")
    assert [u.user_id for u in target.users.all()] == ["user_someone_else"]


def test_export_refuses_an_existing_path(source: tuple[Container, dict[str, Any]], tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(InvalidInput, match="already exists"):
        export_bundle(source[0], tmp_path / "taken", mode="embedded")
    assert (tmp_path / "taken" / "file").read_text() == "x"
