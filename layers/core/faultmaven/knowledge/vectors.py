"""Checks shared by every vector index adapter on the vectors they are handed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faultmaven.errors import InvalidInput
from faultmaven.ports.embedder import EmbeddingSpace

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
