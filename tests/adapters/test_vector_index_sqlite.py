"""What only the embedded index has: an in-memory mirror of the vectors kept in step with the SQLite file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.ports.vector_index import Chunk, PrincipalFilter
from tests.adapters.test_vector_index_contract import ALICE, SPACE, chunk, embed, put, search


def test_writes_of_another_process_are_seen_by_the_next_search(tmp_path: Path) -> None:
    server = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    cli = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)  # its own connections, like a CLI
    put(server, [chunk("d1", "alice", "dns lookups time out")])
    assert [c.chunk_id for c in search(server, "dns lookups", ALICE, mode="vector")] == ["d1#0"]
    put(cli, [chunk("d2", "alice", "etcd defragmentation needed")])
    assert [c.chunk_id for c in search(server, "etcd defragmentation", ALICE, k=1, mode="vector")] == ["d2#0"]
    cli.delete_document("alice", "d2")
    assert "d2#0" not in [c.chunk_id for c in search(server, "etcd defragmentation", ALICE, mode="vector")]


def test_own_writes_update_the_loaded_mirror_in_place(tmp_path: Path) -> None:
    index = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    put(index, [chunk("d1", "alice", "dns lookups time out")])
    search(index, "dns", ALICE, mode="vector")
    mirror = index._mirror
    put(index, [chunk("d2", "alice", f"etcd defragmentation step {i}", i) for i in range(2000)])
    index.delete_document("alice", "d1")
    found = search(index, "etcd defragmentation step 7", ALICE, k=3, mode="vector")
    assert index._mirror is mirror, "the mirror was reloaded instead of followed"
    assert found and all(c.document_id == "d2" for c in found)
    assert search(index, "dns lookups time out", ALICE, mode="vector")[0].document_id == "d2"


def test_the_index_survives_a_restart(tmp_path: Path) -> None:
    put(SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE), [chunk("d1", "alice", "certificate expiry")])
    reopened = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    for mode in ("bm25", "vector", "hybrid"):
        assert [c.chunk_id for c in search(reopened, "certificate expiry", ALICE, mode=mode)] == ["d1#0"]


def test_a_wide_view_still_never_returns_hidden_rows(tmp_path: Path) -> None:
    index = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    put(index, [chunk(f"b{i}", "bob", "etcd quorum lost on the control plane") for i in range(10)])  # best matches
    put(index, [chunk(f"g{i}", "admin", f"runbook {i} about etcd", scope="global") for i in range(90)])
    found = search(index, "etcd quorum lost on the control plane", ALICE, k=20, mode="vector")
    assert len(found) == 20 and all(c.owner_id == "admin" for c in found)


def test_a_searchers_remembered_view_follows_deletes(tmp_path: Path) -> None:
    index = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    put(index, [chunk("d1", "alice", "dns lookups time out"), chunk("d2", "alice", "etcd quorum lost")])
    assert search(index, "dns lookups time out", ALICE, k=1, mode="vector")[0].document_id == "d1"
    mirror = index._mirror
    index.delete_document("alice", "d1")
    assert [c.document_id for c in search(index, "dns lookups time out", ALICE, k=1, mode="vector")] == ["d2"]
    assert index._mirror is mirror


def _mixed_chunks() -> list[Chunk]:
    """200 chunks whose owners and scopes alternate, so any one reader's rows are scattered in insertion order."""
    out = []
    for i in range(200):
        owner = "carol" if i % 10 == 0 else ("alice" if i % 2 else "bob")
        scope, team = ("team", "sre") if i % 3 == 0 else ("global", None) if i % 7 == 0 else ("personal", None)
        out.append(chunk(f"m{i}", owner, f"etcd member {i % 13} node {i % 17} disk {i % 5}", scope=scope, team=team))
    return out


@pytest.mark.parametrize("who", [ALICE, PrincipalFilter(owner_id="carol", include_global=False)])
def test_vector_scores_are_exact_whether_rows_are_grouped_or_scattered(tmp_path: Path, who: PrincipalFilter) -> None:
    chunks = _mixed_chunks()
    writer = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    search(writer, "etcd", who, mode="vector")  # loads the empty mirror, so the writes below are appended to it
    put(writer, chunks)
    reopened = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)  # loads rows grouped by access
    visible = [
        c for c in chunks
        if c.owner_id == who.owner_id or (c.scope == "team" and c.team_id in who.team_ids)
        or (c.scope == "global" and who.include_global)
    ]
    query = "etcd member 4 node 9 disk 2"
    expected = np.sort(embed([c.embedding_text for c in visible]) @ embed([query])[0])[::-1][:10]
    for index in (writer, reopened):
        hits = index.search(query, embed([query])[0], who, k=10, mode="vector")
        assert {h.chunk.chunk_id for h in hits} <= {c.chunk_id for c in visible}
        assert np.allclose([h.score for h in hits], expected, atol=1e-6)


def test_an_index_made_before_the_names_field_is_migrated_and_finds_names_by_their_words(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "kb.sqlite")
    old = SqliteVectorIndex(db, SPACE)
    put(old, [chunk("d1", "alice", "KubePersistentVolumeFillingUp fires when a claim is almost full")])
    with db.transaction() as conn:  # make it look like an index written by the previous release
        conn.execute("DROP TRIGGER kb_chunks_fts_insert")
        conn.execute("DROP TRIGGER kb_chunks_fts_delete")
        conn.execute("DROP TABLE kb_chunks_fts")
        conn.execute("ALTER TABLE kb_chunks DROP COLUMN names")
        conn.execute("CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(title, heading_path, text, access,"
                     " content='kb_chunks', content_rowid='rowid', tokenize='porter unicode61')")
        conn.execute("INSERT INTO kb_chunks_fts (kb_chunks_fts) VALUES ('rebuild')")
    reopened = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    assert [c.chunk_id for c in search(reopened, "persistent volume filling", ALICE, mode="bm25")] == ["d1#0"]
    put(reopened, [chunk("d2", "alice", "etcdHighFsyncDurations on slow disks")])
    assert [c.chunk_id for c in search(reopened, "fsync durations", ALICE, mode="bm25")] == ["d2#0"]
    reopened.delete_document("alice", "d1")
    assert search(reopened, "persistent volume filling", ALICE, mode="bm25") == []


def test_reindex_moves_to_a_new_model_in_resumable_steps(tmp_path: Path) -> None:
    from faultmaven.knowledge.reindex import Reindexer
    from faultmaven.ports.embedder import EmbeddingSpace
    from faultmaven.ports.vector_index import EmbeddingSpaceMismatch

    new_space = EmbeddingSpace(model_id="test/new-model", dim=32)
    calls: list[int] = []

    class NewModel:
        space = new_space

        def embed(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return embed(texts, dim=32)

    old = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE)
    put(old, [chunk(f"d{i}", "alice", f"runbook {i}: etcd quorum lost on member {i}") for i in range(5)])
    new = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), new_space)
    with pytest.raises(EmbeddingSpaceMismatch):
        new.search("etcd", embed(["etcd"], dim=32)[0], ALICE)
    first = new.reindex_step(NewModel().embed, batch=2)
    assert (first.done, first.total, first.complete, first.stored_model) == (2, 5, False, SPACE.model_id)

    # A restart: a new process resumes from what is stored, and uploads go on meanwhile in the new model.
    restarted = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), new_space)
    assert restarted.reindex_status().done == 2
    restarted.upsert([chunk("late", "alice", "dns lookups fail during the re-index")],
                     embed(["Runbook late > Diagnosis\ndns lookups fail during the re-index"], dim=32))
    restarted.delete_document("alice", "d0")
    progress: list[int] = []
    done = Reindexer(restarted, NewModel(), batch=2).run(lambda s: progress.append(s.done))
    assert done.complete and done.stored_model == new_space.model_id and done.total == 5
    assert progress[-1] == 5 and sum(calls) == 5  # d0-d4 once each; "late" came with its vector
    hits = restarted.search("dns lookups fail", embed(["dns lookups fail"], dim=32)[0], ALICE, k=1, mode="vector")
    assert [h.chunk.document_id for h in hits] == ["late"]
    assert Reindexer(restarted, NewModel()).status().complete  # nothing left to do
