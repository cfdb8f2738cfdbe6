"""Checks shared by every vector index adapter on the vectors they are handed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faultmaven.errors import InvalidInput
from faultmaven.knowledge.alert_query import alert_names, named_first, title_weighting
from faultmaven.knowledge.ranking import Fusion, hybrid_ranking
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, SearchHit, SearchMode

HYBRID_CANDIDATES = 50  # depth of each ranked list fed to reciprocal rank fusion in hybrid mode (at least k)


def as_matrix(vectors: np.ndarray | Sequence[Sequence[float]], rows: int, space: EmbeddingSpace) -> np.ndarray:
    """`rows` vectors of the space's dimension as a contiguous float32 matrix, or InvalidInput."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if rows == 0:
        return matrix.reshape(0, space.dim)
    if matrix.shape != (rows, space.dim):
        raise InvalidInput(
            f"expected {rows} vector(s) of {space.dim} dims for {space.model_id}, got shape {matrix.shape}"
        )
    return matrix


def batch_matrix(
    chunk_ids: Sequence[str], vectors: np.ndarray | Sequence[Sequence[float]], space: EmbeddingSpace
) -> np.ndarray:
    """The vectors of an upsert batch, one per chunk, refusing a chunk id given twice."""
    if len(set(chunk_ids)) != len(chunk_ids):
        raise InvalidInput("a chunk id appears more than once in one upsert")
    return as_matrix(vectors, len(chunk_ids), space)


def list_depth(k: int, hybrid: bool) -> int:
    """How many results to take from each ranked list: k alone, or enough candidates for the fusion."""
    if k < 1:
        raise InvalidInput("k must be at least 1")
    return max(k, HYBRID_CANDIDATES) if hybrid else k


def query_inputs(k: int, mode: SearchMode, query_vector: np.ndarray | Sequence[float] | None,
                 space: EmbeddingSpace) -> tuple[int, np.ndarray | None]:
    """(the depth of each ranked list, the query vector checked against the space or None in bm25 mode)."""
    depth = list_depth(k, mode == "hybrid")
    if mode != "bm25" and query_vector is None:
        raise InvalidInput(f"a query vector is needed in {mode} mode")
    return depth, None if query_vector is None or mode == "bm25" else as_matrix([query_vector], 1, space)[0]


def fuse_hits(keyword: list[tuple[Chunk, float]], semantic: list[tuple[Chunk, float]], k: int,
              mode: SearchMode, query_text: str = "") -> list[SearchHit]:
    """The k best of an engine's keyword and vector lists (best first): in hybrid mode one hit per document, fused as
    knowledge/ranking.py decides; else the one list. When `query_text` is an alert notification, the passages titled
    with its alert name come first in the keyword list, and in the vector list when fused (`named_first`; vector
    mode keeps its cosine order), and a fused document weighs by how much of its title the alert's words hold
    (`title_weighting`)."""
    names = alert_names(query_text)
    keyword = named_first(keyword, names, _headings)
    if mode == "hybrid":
        semantic = named_first(semantic, names, _headings)
    chunks = {c.chunk_id: c for c, _ in [*semantic, *keyword]}
    keyword_ids = [c.chunk_id for c, _ in keyword]
    semantic_ids = [c.chunk_id for c, _ in semantic]
    if mode == "hybrid":
        lists = [[(c.chunk_id, score) for c, score in hits] for hits in (keyword, semantic)]
        weight = title_weighting(query_text, lambda cid: chunks[cid].title)
        ranked = hybrid_ranking(*lists, lambda cid: chunks[cid].document_id, Fusion(), weight)[:k]
    else:
        ranked = [(c.chunk_id, score) for c, score in (keyword or semantic)[:k]]
    keyword_rank = {cid: i + 1 for i, cid in enumerate(keyword_ids)}
    vector_rank = {cid: i + 1 for i, cid in enumerate(semantic_ids)}
    return [SearchHit(chunk=chunks[cid], score=score, bm25_rank=keyword_rank.get(cid), vector_rank=vector_rank.get(cid))
            for cid, score in ranked]


def _headings(chunk: Chunk) -> tuple[str, ...]:
    return (chunk.title, *chunk.heading_path)
