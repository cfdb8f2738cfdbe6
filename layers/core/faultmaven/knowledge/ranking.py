"""Fusion of ranked lists (keyword and vector) into one ranking of documents, each with its best passage.

Two ways to fuse, both weighted: reciprocal rank fusion (ranks only, Cormack et al. 2009) and a convex combination
of the lists' scores, each divided by its list's best (Bruch et al. 2022). With the shipped weights a document's
score is 1.0 when it is first in both lists, at most 0.60 when only the vector list has it and 0.40 when only the
keyword list does. Fusing at the document level — a document's rank in a list
is the rank of its best chunk there — gives each document one slot however many of its chunks match, and its best
passage is the chunk the same fusion puts first. Which method, which weights: benchmarks/retrieval.py picks them by
cross-validation on held-out queries (see benchmarks/results/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

T = TypeVar("T", bound=Hashable)

RRF_K = 60  # the constant of Cormack et al. (2009); it damps the weight of the very first ranks

FusionMethod = Literal["rrf", "convex"]


@dataclass(frozen=True)
class Fusion:
    """How keyword and vector lists are fused: the method, the vector list's weight (the keyword list weighs
    1 - vector_weight) and, for RRF, its k. The defaults are what cross-validation chose."""

    method: FusionMethod = "convex"
    vector_weight: float = 0.60
    rrf_k: int = RRF_K
    scale_vectors: bool = True  # convex: divide cosine scores by the best one too (else they count as they are)

    def __post_init__(self) -> None:
        if not 0.0 <= self.vector_weight <= 1.0:
            raise ValueError("vector_weight must be within 0-1")
        if self.rrf_k < 0:
            raise ValueError("rrf_k must be >= 0")

    @property
    def best_score(self) -> float:
        """The highest fused score possible (first in every list): fused scores divided by it fall within 0-1."""
        return 1.0 / (self.rrf_k + 1) if self.method == "rrf" else 1.0


def reciprocal_rank_fusion(rankings: Sequence[Sequence[T]], k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> list[tuple[T, float]]:
    """Fuse best-first lists (each holding an item once): score(d) = sum over lists of w / (k + rank of d).

    Ranks count from 1; weights default to 1 each. Returns (item, score) best first. Ties keep the order in which
    items were first met, scanning rank by rank across the lists, so equal scores never reorder at random.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    weights = weights or [1.0] * len(rankings)
    scores: dict[T, float] = {}
    depth = max((len(r) for r in rankings), default=0)
    for rank in range(depth):
        for ranking, weight in zip(rankings, weights, strict=True):
            if rank < len(ranking):
                item = ranking[rank]
                scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return _best_first(scores)


def convex_fusion(lists: Sequence[Sequence[tuple[T, float]]], weights: Sequence[float],
                  scaled: Sequence[bool]) -> list[tuple[T, float]]:
    """score(d) = sum over lists of w x d's score there (0 when absent), a list's scores divided by its best score
    when it is `scaled` (BM25 has no absolute scale; cosine has one and keeps it)."""
    scores: dict[T, float] = {}
    for ranked, weight, scale in zip(lists, weights, scaled, strict=True):
        top = max((s for _, s in ranked), default=0.0) if scale else 1.0
        for item, score in ranked:
            if item not in scores:
                scores[item] = 0.0
            if top > 0:
                scores[item] += weight * min(1.0, max(score, 0.0) / top)
    return _best_first(scores)


def fuse_passages(lists: Sequence[Sequence[tuple[T, float]]], fusion: Fusion) -> list[tuple[T, float]]:
    """The passages of a keyword and a vector list (best-first (passage, score)) fused, best first."""
    return _fuse(lists, _weights(fusion, len(lists)), fusion)


def fuse_documents(lists: Sequence[Sequence[tuple[T, float]]], document_of: Callable[[T], Hashable],
                   fusion: Fusion) -> list[tuple[T, float]]:
    """One entry per document, best first: (its best passage, the document's fused score).

    Each list is best-first (passage, score). A document stands in a list at the place of its best passage there
    (with that passage's score); the documents are fused, and each is represented by the passage that the same
    fusion ranks first among its own.
    """
    weights = _weights(fusion, len(lists))
    documents: list[list[tuple[Hashable, float]]] = []
    for ranked in lists:
        seen: dict[Hashable, float] = {}
        for item, score in ranked:
            seen.setdefault(document_of(item), score)
        documents.append(list(seen.items()))
    passages = _fuse(lists, weights, fusion)
    best_passage: dict[Hashable, T] = {}
    for item, _ in passages:
        best_passage.setdefault(document_of(item), item)
    return [(best_passage[doc], score) for doc, score in _fuse(documents, weights, fusion)]


def hybrid_ranking(keyword: Sequence[tuple[T, float]], semantic: Sequence[tuple[T, float]],
                   document_of: Callable[[T], Hashable], fusion: Fusion,
                   weight: Callable[[T], float] | None = None) -> list[tuple[T, float]]:
    """What hybrid search answers: each document once, as its best passage, with a 0-1 score (1: first in both
    lists, at full `weight`). Vector scores below 0 count as 0; `weight` (0-1, of a document's best passage)
    scales a document's fused score (`reweighed`)."""
    semantic = [(item, max(score, 0.0)) for item, score in semantic]
    best = fusion.best_score
    ranked = [(item, score / best) for item, score in fuse_documents([keyword, semantic], document_of, fusion)]
    return reweighed(ranked, weight) if weight else ranked


def reweighed(ranked: Sequence[tuple[T, float]], weight: Callable[[T], float]) -> list[tuple[T, float]]:
    """`ranked` with each score multiplied by the item's weight, best first again (ties keep their order). A weight
    of at most 1 keeps a document only one list found under the citation threshold."""
    return sorted(((item, score * weight(item)) for item, score in ranked), key=lambda pair: -pair[1])


def _weights(fusion: Fusion, lists: int) -> list[float]:
    return [1.0 - fusion.vector_weight, fusion.vector_weight] if lists == 2 else [1.0] * lists


def _fuse(lists: Sequence[Sequence[tuple[T, float]]], weights: list[float], fusion: Fusion) -> list[tuple[T, float]]:
    if fusion.method == "rrf":
        return reciprocal_rank_fusion([[item for item, _ in ranked] for ranked in lists], fusion.rrf_k, weights)
    return convex_fusion(lists, weights, [True] + [fusion.scale_vectors] * (len(lists) - 1))


def _best_first(scores: dict[T, float]) -> list[tuple[T, float]]:
    first_seen = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
