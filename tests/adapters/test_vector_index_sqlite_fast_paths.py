"""The embedded index's fast paths: the keyword list computed in memory equals FTS5's own bm25() ranking for every
kind of searcher; the sign-bit prefilter of vector search keeps the exact top 10."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.knowledge.query_terms import query_terms
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, PrincipalFilter

SPACE = EmbeddingSpace(model_id="test/random", dim=8)
_NAMED = ("disk pressure evicted evicting pods node nodes memory leak leaking restart restarts running crash "
          "KubePodCrashLooping etcdHighFsyncDurations latency timeout dns resolve certificate expired volume "
          "filling quota throttled cpu kernel panic oom killer heap")
WORDS = [*_NAMED.split(), *(f"filler{i}" for i in range(300))]  # enough words that common ones get a real idf
QUERIES = ("pods evicted because of disk pressure", "KubePodCrashLooping restarts", "etcd fsync latency high",
           "node memory leaking, OOM killer running", "certificate expired", "nothing matches zzz")
WHO = {
    "own only": PrincipalFilter(owner_id="u1", include_global=False),
    "own + team + global": PrincipalFilter(owner_id="u2", team_ids=["sre"]),
    "two teams + global": PrincipalFilter(owner_id="nobody", team_ids=["sre", "dba"]),
}


def _chunks(count: int, seed: int) -> list[Chunk]:
    rng = random.Random(seed)
    chunks = []
    for i in range(count):
        scope = rng.choice(["personal", "team", "global"])
        chunks.append(Chunk(
            chunk_id=f"c{seed}-{i}", document_id=f"d{seed}-{i // 3}", owner_id=rng.choice(["u1", "u2", "u3"]),
            scope=scope, team_id=rng.choice(["sre", "dba"]) if scope == "team" else None,
            title=" ".join(rng.sample(WORDS, 2)), heading_path=[" ".join(rng.sample(WORDS, rng.randint(0, 2)))],
            text=" ".join(rng.choices(WORDS, k=rng.randint(3, 60))), ordinal=i % 3))
    return chunks


@pytest.fixture
def index(tmp_path: Path) -> SqliteVectorIndex:
    idx = SqliteVectorIndex(SqliteDatabase(tmp_path / "kb.sqlite"), SPACE, keyword_weights=(3.0, 2.0, 1.0, 0.5))
    chunks = _chunks(400, seed=1)
    idx.upsert(chunks, np.random.default_rng(1).standard_normal((len(chunks), SPACE.dim)).astype(np.float32))
    return idx


def _by_fts5(index: SqliteVectorIndex, query: str, who: PrincipalFilter, depth: int) -> list[tuple[int, float]]:
    return index._fts_bm25(query_terms(query), who, depth)


def _same(ours: list[tuple[int, float]], fts: list[tuple[int, float]]) -> None:
    """Same rows, same scores, same order (rows whose scores differ only in the last bits count as tied)."""
    def ordered(hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        return sorted(hits, key=lambda h: (-float(f"{h[1]:.12g}"), h[0]))

    assert [r for r, _ in ordered(ours)] == [r for r, _ in ordered(fts)]
    assert np.allclose([s for _, s in ordered(ours)], [s for _, s in ordered(fts)], rtol=1e-9, atol=0)
    assert [s for _, s in ours] == sorted((s for _, s in ours), reverse=True)


@pytest.mark.parametrize("who", WHO.values(), ids=WHO.keys())
def test_in_memory_bm25_ranks_and_scores_as_fts5_does(index: SqliteVectorIndex, who: PrincipalFilter) -> None:
    for query in QUERIES:
        fts = _by_fts5(index, query, who, depth=1000)  # deep enough to hold every match: no cut among equal scores
        ours = index._bm25(query, who, depth=1000)
        _same(ours, fts)
        assert bool(ours) == (query != "nothing matches zzz")


def test_top_k_and_changes_to_the_index_follow_fts5(index: SqliteVectorIndex) -> None:
    who = WHO["own + team + global"]
    query = "pods evicted because of disk pressure"
    top = index._bm25(query, who, depth=10)
    assert len(top) == 10 and top == index._bm25(query, who, depth=1000)[:10]
    index.delete_document("u1", "d1-0")
    index.delete_document("u2", "d1-1")
    index.delete_document("u3", "d1-2")
    more = _chunks(50, seed=2)
    index.upsert(more, np.ones((len(more), SPACE.dim), np.float32))
    _same(index._bm25(query, who, depth=1000), _by_fts5(index, query, who, depth=1000))
    other = SqliteVectorIndex(index._db, SPACE, keyword_weights=(3.0, 2.0, 1.0, 0.5))  # a fresh process's view
    _same(other._bm25(query, who, depth=1000), _by_fts5(index, query, who, depth=1000))


def test_a_word_fts5_reads_as_a_phrase_is_left_to_fts5(index: SqliteVectorIndex) -> None:
    who = WHO["two teams + global"]
    assert index._keywords.score(["disk_pressure"], 0, np.ones(1000, bool), 10) is None
    assert index._bm25("disk_pressure pods", who, 1000) == _by_fts5(index, "disk_pressure pods", who, 1000)


def test_the_sign_bit_prefilter_keeps_the_exact_top_10_and_its_scores(tmp_path: Path) -> None:
    """Two-step vector search (sign bits pick 400 of the 5,000 visible rows, floats score them) against exact search."""
    space = EmbeddingSpace(model_id="test/clustered", dim=64)
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((50, space.dim))
    vectors = (centres[rng.integers(0, 50, 15000)] + 0.6 * rng.standard_normal((15000, space.dim))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [Chunk(chunk_id=f"c{i}", document_id=f"d{i}", owner_id=f"u{i % 3}", scope="personal", title="t",
                    heading_path=[], text="x", ordinal=0) for i in range(len(vectors))]
    db = SqliteDatabase(tmp_path / "kb.sqlite")
    SqliteVectorIndex(db, space).upsert(chunks, vectors)
    two_step = SqliteVectorIndex(db, space, prefilter_min_rows=1)
    exact = SqliteVectorIndex(db, space, prefilter_min_rows=None)
    who = PrincipalFilter(owner_id="u1", include_global=False)
    shares = []
    for query in vectors[rng.integers(0, 15000, 30)] + 0.1 * rng.standard_normal((30, space.dim)).astype(np.float32):
        ours = two_step.search("", query, who, k=10, mode="vector")
        truth = exact.search("", query, who, k=10, mode="vector")
        assert {h.chunk.owner_id for h in ours} == {"u1"}
        truth_scores = {h.chunk.chunk_id: h.score for h in truth}
        assert all(abs(h.score - truth_scores[h.chunk.chunk_id]) < 1e-6
                   for h in ours if h.chunk.chunk_id in truth_scores)  # exact scores, not Hamming estimates
        shares.append(len({h.chunk.chunk_id for h in ours} & set(truth_scores)) / 10)
    assert np.mean(shares) >= 0.95
