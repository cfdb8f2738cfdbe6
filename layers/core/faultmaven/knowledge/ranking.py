"""Reciprocal rank fusion: merges ranked lists without comparing their incomparable scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

RRF_K = 60  # the constant of Cormack et al. (2009); it damps the weight of the very first ranks


def reciprocal_rank_fusion(rankings: Sequence[Sequence[T]], k: int = RRF_K) -> list[tuple[T, float]]:
    """Fuse best-first lists (each holding an item once): score(d) = sum over lists of 1 / (k + rank of d).

    Ranks count from 1. Returns (item, score) best first. Ties keep the order in which items were first met,
    scanning rank by rank across the lists, so equal scores never reorder at random.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    scores: dict[T, float] = {}
    depth = max((len(r) for r in rankings), default=0)
    for rank in range(depth):
        for ranking in rankings:
            if rank < len(ranking):
                item = ranking[rank]
                scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    first_seen = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
