"""One contract for every adapter of the documents port (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.errors import Conflict
from faultmaven.ports.documents import DocumentQuery, DocumentRecord, Visibility


def _doc(document_id: str, owner: str = "alice", *, scope: str = "personal", team_id: str | None = None,
         created: str = "2026-01-01T00:00:00Z", sha: str | None = None, **fields: object) -> DocumentRecord:
    return DocumentRecord(document_id=document_id, owner_id=owner, scope=scope, team_id=team_id,
                          title=f"Doc {document_id}", document_type=str(fields.pop("document_type", "runbook")),
                          filename=f"{document_id}.md", sha256=sha or f"sha-{document_id}", size_bytes=10,
                          created_at=created, updated_at=created, **fields)


def _ids(page) -> list[str]:
    return [d.document_id for d in page.items]


ALICE = Visibility(owner_id="alice", team_ids=["sre"])


def test_create_get_and_unique_ids(any_container: Container) -> None:
    repo = any_container.documents
    doc = _doc("d1", tags=["k8s", "disk"], metadata={"source_path": "/x/d1.md"}, category="infra")
    repo.create(doc)
    assert repo.get("d1") == doc
    assert repo.get("nope") is None
    with pytest.raises(Conflict):
        repo.create(_doc("d1", owner="bob"))
    assert repo.get("d1").owner_id == "alice"
    repo.create(_doc("d2"))
    assert set(repo.get_many(["d1", "d2", "missing", "d1"])) == {"d1", "d2"}
    assert repo.get_many([]) == {}


def test_find_by_sha256_is_per_owner(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("d1", sha="same", created="2026-01-01T00:00:00Z"))
    repo.create(_doc("d2", sha="same", created="2026-01-02T00:00:00Z"))
    assert repo.find_by_sha256("alice", "same").document_id == "d1"
    assert repo.find_by_sha256("bob", "same") is None
    assert repo.find_by_sha256("alice", "other") is None


def test_status_and_metadata_updates_do_not_clobber_each_other(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("d1"))
    stale = repo.get("d1")
    assert repo.set_status("d1", "indexed", chunk_count=4, preview="head", updated_at="2026-01-03T00:00:00Z",
                           title="Found title")
    changed = stale.model_copy(update={"tags": ["new"], "category": None, "description": "why",
                                       "scope": "team", "team_id": "sre", "updated_at": "2026-01-04T00:00:00Z"})
    assert repo.update_metadata(changed)
    doc = repo.get("d1")
    assert (doc.status, doc.chunk_count, doc.preview) == ("indexed", 4, "head")  # kept despite the stale copy
    assert (doc.tags, doc.description, doc.scope, doc.team_id) == (["new"], "why", "team", "sre")
    assert repo.set_status("d1", "failed", error="boom", updated_at="2026-01-05T00:00:00Z")
    doc = repo.get("d1")
    assert (doc.status, doc.error, doc.chunk_count, doc.title) == ("failed", "boom", 0, "Doc d1")
    assert not repo.set_status("gone", "indexed", updated_at="x")
    assert not repo.update_metadata(_doc("gone"))


def test_ingestion_progress_is_recorded_only_while_pending(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("d1"))
    assert repo.set_progress("d1", chunks_embedded=256, chunk_count=700, updated_at="2026-01-02T00:00:00Z")
    doc = repo.get("d1")
    assert (doc.status, doc.chunks_embedded, doc.chunk_count, doc.updated_at) == (
        "pending", 256, 700, "2026-01-02T00:00:00Z")
    assert repo.set_status("d1", "indexed", chunk_count=700, updated_at="2026-01-03T00:00:00Z")
    assert (repo.get("d1").chunks_embedded, repo.get("d1").chunk_count) == (700, 700)
    # a late progress report of a run that already ended changes nothing
    assert not repo.set_progress("d1", chunks_embedded=512, chunk_count=700, updated_at="2026-01-04T00:00:00Z")
    assert (repo.get("d1").chunks_embedded, repo.get("d1").updated_at) == (700, "2026-01-03T00:00:00Z")
    assert repo.set_status("d1", "pending", updated_at="2026-01-05T00:00:00Z")  # a re-ingest starts from zero
    assert (repo.get("d1").chunks_embedded, repo.get("d1").chunk_count) == (0, 0)
    assert not repo.set_progress("gone", chunks_embedded=1, chunk_count=2, updated_at="x")


def test_delete(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("d1"))
    assert repo.delete("d1") is True
    assert repo.get("d1") is None
    assert repo.delete("d1") is False


def test_list_shows_own_team_and_global_documents_newest_first(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("mine", created="2026-01-01T00:00:00Z"))
    repo.create(_doc("bobs", owner="bob", created="2026-01-02T00:00:00Z"))
    repo.create(_doc("team-sre", owner="bob", scope="team", team_id="sre", created="2026-01-03T00:00:00Z"))
    repo.create(_doc("team-db", owner="bob", scope="team", team_id="db", created="2026-01-04T00:00:00Z"))
    repo.create(_doc("global", owner="root", scope="global", created="2026-01-05T00:00:00Z"))
    page = repo.list(DocumentQuery(visibility=ALICE))
    assert (_ids(page), page.total) == (["global", "team-sre", "mine"], 3)
    assert _ids(repo.list(DocumentQuery(visibility=Visibility(owner_id="alice", only_own=True)))) == ["mine"]
    no_global = Visibility(owner_id="alice", include_global=False)
    assert _ids(repo.list(DocumentQuery(visibility=no_global))) == ["mine"]
    assert _ids(repo.list(DocumentQuery(visibility=Visibility(owner_id="bob")))) == [
        "global", "team-db", "team-sre", "bobs"]  # an owner sees their team documents without the membership


def test_list_filters_and_pages(any_container: Container) -> None:
    repo = any_container.documents
    for i in range(5):
        repo.create(_doc(f"d{i}", created=f"2026-01-0{i + 1}T00:00:00Z", tags=["k8s"] + (["disk"] if i % 2 else []),
                         document_type="runbook" if i < 3 else "postmortem"))
    repo.set_status("d4", "indexed", updated_at="2026-02-01T00:00:00Z")
    q = DocumentQuery
    assert _ids(repo.list(q(visibility=ALICE, tags=["k8s", "disk"]))) == ["d3", "d1"]
    assert _ids(repo.list(q(visibility=ALICE, document_type="postmortem"))) == ["d4", "d3"]
    assert _ids(repo.list(q(visibility=ALICE, status="indexed"))) == ["d4"]
    assert _ids(repo.list(q(visibility=ALICE, scope="global"))) == []
    page = repo.list(q(visibility=ALICE, limit=2, offset=2))
    assert (_ids(page), page.total) == (["d2", "d1"], 5)


def test_stats_and_pending(any_container: Container) -> None:
    repo = any_container.documents
    repo.create(_doc("d1"))
    repo.create(_doc("d2", document_type="postmortem"))
    repo.create(_doc("g", owner="root", scope="global"))
    repo.create(_doc("hidden", owner="bob"))
    repo.set_status("d1", "indexed", chunk_count=3, updated_at="2026-01-02T00:00:00Z")
    stats = repo.stats(ALICE)
    assert (stats.total_documents, stats.total_chunks, stats.total_bytes) == (3, 3, 30)
    assert stats.by_scope == {"personal": 2, "global": 1}
    assert stats.by_status == {"indexed": 1, "pending": 2}
    assert stats.by_type == {"runbook": 2, "postmortem": 1}
    assert sorted(repo.pending_ids()) == ["d2", "g", "hidden"]
