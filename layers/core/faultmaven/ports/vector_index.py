"""Vector index port: stores document chunks with their embeddings and answers hybrid searches.

Who may see a chunk is decided inside the query (a SQL WHERE, an OpenSearch filter clause), never by filtering the
top k afterwards: a post-filter could leak another owner's chunks or starve a user of results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field, model_validator

from faultmaven.errors import Conflict
from faultmaven.ports.embedder import EmbeddingSpace

if TYPE_CHECKING:
    import numpy as np

Scope = Literal["personal", "team", "global"]
SearchMode = Literal["hybrid", "bm25", "vector"]


class Chunk(BaseModel):
    """A piece of one document, small enough to embed, carrying where it sits in that document."""

    chunk_id: str = Field(min_length=1)
    document_id: str = Field(min_length=1)
    owner_id: str = Field(min_length=1)
    scope: Scope = "personal"
    team_id: str | None = None
    title: str = ""
    heading_path: list[str] = Field(default_factory=list)
    text: str
    ordinal: int = Field(ge=0)

    @model_validator(mode="after")
    def _team_scope_needs_team(self) -> Chunk:
        if self.scope == "team" and not self.team_id:
            raise ValueError("a team-scoped chunk needs a team_id")
        return self

    @property
    def embedding_text(self) -> str:
        """What is embedded and keyword-indexed: the title and heading path give a section its context."""
        context = " > ".join(part for part in (self.title, *self.heading_path) if part)
        return f"{context}\n{self.text}" if context else self.text


class PrincipalFilter(BaseModel):
    """Who is asking: their own chunks, their teams' chunks, and (optionally) global ones."""

    owner_id: str = Field(min_length=1)
    team_ids: list[str] = Field(default_factory=list)
    include_global: bool = True


class SearchHit(BaseModel):
    chunk: Chunk
    score: float  # hybrid: the fused 0-1 score (knowledge/ranking.py); else the engine's own (higher is better)
    bm25_rank: int | None = None  # 1-based rank in the keyword list, when the chunk was in it
    vector_rank: int | None = None  # 1-based rank in the vector list, when the chunk was in it


class EmbeddingSpaceMismatch(Conflict):
    """The index holds vectors of another model (or dimension): re-index before using this embedder."""

    code = "EMBEDDING_MODEL_MISMATCH"

    def __init__(self, stored: EmbeddingSpace, wanted: EmbeddingSpace) -> None:
        super().__init__(
            f"the knowledge index was built with {stored.model_id} ({stored.dim} dims) but the configured embedder "
            f"is {wanted.model_id} ({wanted.dim} dims); vectors of different models cannot be mixed — re-index the "
            "knowledge base (`faultmaven kb reindex`, or POST /api/v1/admin/kb/reindex) or switch the embedder back"
        )
        self.stored, self.wanted = stored, wanted


class VectorIndex(Protocol):
    """An index bound to one embedding space; it refuses vectors or queries from any other."""

    @property
    def space(self) -> EmbeddingSpace: ...

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray | Sequence[Sequence[float]]) -> None:
        """Store chunks with their vectors (row i belongs to chunks[i]), replacing chunks with the same chunk_id."""

    def delete_document(self, owner_id: str, document_id: str) -> int:
        """Remove every chunk of one owner's document; returns how many were removed."""

    def search(
        self,
        query_text: str,
        query_vector: np.ndarray | Sequence[float] | None,
        principal: PrincipalFilter,
        k: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[SearchHit]:
        """The k best chunks visible to `principal` (hybrid: the k best documents, each as its best chunk);
        `query_vector` may be None only in bm25 mode."""


class ReindexStatus(BaseModel):
    """Where a re-index stands: chunks holding vectors of `target_model` out of `total`."""

    stored_model: str | None  # the model the index's searchable vectors come from (None: empty index)
    target_model: str
    done: int
    total: int
    complete: bool  # the index now searches with the target model's vectors


@runtime_checkable
class Reindexable(Protocol):
    """An index that can move its vectors to another embedding model in steps that survive a restart."""

    def reindex_status(self) -> ReindexStatus: ...

    def reindex_step(self, embed: Callable[[list[str]], np.ndarray], batch: int) -> ReindexStatus:
        """Embed the next `batch` chunks that lack a vector of this index's model; when none is left, switch the
        index to that model. Work already done is kept, so a stopped re-index resumes where it was."""


@runtime_checkable
class VectorExport(Protocol):
    """An index that can hand back a document's chunks with their vectors, so an export carries them and an import
    into an index of the same embedding model needs no embedding. Indexes without it are re-embedded on import."""

    def document_vectors(self, owner_id: str, document_id: str) -> tuple[list[Chunk], np.ndarray]:
        """The document's chunks in ordinal order and their vectors in this index's space (row i is chunk i); no
        chunks when the document has none, or when its vectors are of another model (a re-index is pending)."""
