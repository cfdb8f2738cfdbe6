"""Request and response bodies of the knowledge-base routes (field names from the client contract)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from faultmaven.errors import InvalidInput
from faultmaven.http.api_model import ApiModel
from faultmaven.knowledge.documents import SearchFilters, SearchResult, parse_tags
from faultmaven.memory.past_incidents import PROVENANCE_KEYS
from faultmaven.ports.documents import DocumentRecord, DocumentStats
from faultmaven.ports.vector_index import Scope, SearchMode


class KnowledgeDocument(ApiModel):
    """A document as the clients read it (`KnowledgeBaseDocument` plus ingestion state)."""

    document_id: str
    title: str
    content: str  # the full extracted text on a single-document read; in listings, a preview of it
    content_truncated: bool = False  # true when `content` is only the preview
    document_type: str
    scope: Scope
    status: str  # pending | indexed | failed
    error: str | None = None
    owner_id: str
    user_id: str  # the dashboard's name for the owner
    team_id: str | None = None
    category: str | None = None
    tags: list[str]
    source_url: str | None = None
    description: str | None = None
    filename: str
    content_type: str
    size_bytes: int
    chunk_count: int  # while pending: the chunks the document makes, once known
    chunks_embedded: int = 0  # ingestion progress: of chunk_count, how many are embedded
    metadata: dict[str, Any]
    verification_status: str = "experimental"
    verification_level: int = 0
    created_at: str
    updated_at: str
    duplicate: bool = False
    duplicate_of: str | None = None

    @classmethod
    def of(cls, doc: DocumentRecord, content: str | None = None, duplicate_of: str | None = None) -> KnowledgeDocument:
        metadata = {k: v for k, v in doc.metadata.items() if k != "auto_title"}
        metadata.update(sha256=doc.sha256, filename=doc.filename)
        return cls(document_id=doc.document_id, title=doc.title, content=doc.preview if content is None else content,
                   content_truncated=content is None, document_type=doc.document_type,
                   scope=doc.scope, status=doc.status, error=doc.error, owner_id=doc.owner_id, user_id=doc.owner_id,
                   team_id=doc.team_id, category=doc.category, tags=doc.tags, source_url=doc.source_url,
                   description=doc.description, filename=doc.filename, content_type=doc.content_type,
                   size_bytes=doc.size_bytes, chunk_count=doc.chunk_count,
                   chunks_embedded=doc.chunks_embedded, metadata=metadata,
                   created_at=doc.created_at, updated_at=doc.updated_at, duplicate=duplicate_of is not None,
                   duplicate_of=duplicate_of)


class ScopeCounts(ApiModel):
    personal: int = 0
    team: int = 0
    global_: int = Field(0, alias="global")

    model_config = {"populate_by_name": True}


class DocumentListResponse(ApiModel):
    documents: list[KnowledgeDocument]
    total_count: int
    limit: int
    offset: int
    has_more: bool
    scope_counts: ScopeCounts


class DocumentUpdateRequest(ApiModel):
    """PUT body: any subset of the metadata; a changed title or scope re-indexes the document."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    document_type: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] | str | None = None
    source_url: str | None = Field(default=None, max_length=2048)
    description: str | None = Field(default=None, max_length=4000)
    scope: Scope | None = None
    team_id: str | None = Field(default=None, max_length=128)


class BulkDeleteRequest(ApiModel):
    document_ids: list[str] = Field(min_length=1, max_length=100)


class BulkDeleteError(ApiModel):
    document_id: str
    detail: str
    code: str


class BulkDeleteResponse(ApiModel):
    total_requested: int
    deleted_count: int
    deleted_ids: list[str]
    failed_ids: list[str]
    errors: list[BulkDeleteError]


class StatsResponse(ApiModel):
    total_documents: int
    total_chunks: int
    total_bytes: int
    by_scope: dict[str, int]
    by_status: dict[str, int]
    by_type: dict[str, int]
    embedding_model: str

    @classmethod
    def of(cls, stats: DocumentStats, embedding_model: str) -> StatsResponse:
        return cls(**stats.model_dump(), embedding_model=embedding_model)


class SearchRequest(ApiModel):
    """The contract's `SearchRequest`, plus `top_k` (an alias of `limit`), `mode` and `scope`."""

    query: str = Field(min_length=1, max_length=2000)
    limit: int = Field(default=10, gt=0, le=100)
    top_k: int | None = Field(default=None, gt=0, le=100)
    mode: SearchMode | None = None  # hybrid (default of /knowledge/search) | bm25 | vector
    document_type: str | None = None
    category: str | None = None
    tags: str | list[str] | None = None
    scope: Scope | None = None
    filters: dict[str, Any] | None = None  # the same keys (document_type, category, tags, scope) nested
    similarity_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    rank_by: str | None = None  # accepted for compatibility; results are ranked by relevance
    per_document: bool = True  # one result per document (its best passage); False: several passages may share one

    @model_validator(mode="after")
    def _query_has_text(self) -> SearchRequest:
        if not self.query.strip():
            raise ValueError("query must not be blank")
        return self

    @property
    def effective_limit(self) -> int:
        return self.top_k or self.limit

    def search_filters(self) -> SearchFilters:
        nested = self.filters or {}
        scope = self.scope or nested.get("scope")
        if scope is not None and scope not in ("personal", "team", "global"):
            raise InvalidInput("filters.scope must be personal, team or global", code="INVALID_SCOPE")
        return SearchFilters(document_type=self.document_type or nested.get("document_type"),
                             category=self.category or nested.get("category"),
                             tags=parse_tags(self.tags if self.tags is not None else nested.get("tags")),
                             scope=scope)


class SearchResultItem(ApiModel):
    document_id: str
    chunk_id: str
    title: str
    scope: Scope
    document_type: str
    category: str | None
    tags: list[str]
    source_url: str | None
    heading_path: list[str]
    content: str  # plain-text excerpt around the matched words
    snippet: str  # the excerpt, HTML-escaped, with matched words wrapped in <mark>…</mark>
    score: float  # relevance, 0-1, the same scale in every mode (docs/KNOWLEDGE.md)
    similarity_score: float  # the same number, under the name the extension reads
    metadata: dict[str, Any]

    @classmethod
    def of(cls, r: SearchResult) -> SearchResultItem:
        d = r.document
        return cls(document_id=d.document_id, chunk_id=r.chunk_id, title=d.title, scope=d.scope,
                   document_type=d.document_type, category=d.category, tags=d.tags, source_url=d.source_url,
                   heading_path=r.heading_path, content=r.excerpt, snippet=r.snippet, score=r.score,
                   similarity_score=r.score,
                   metadata={"title": d.title, "document_type": d.document_type, "category": d.category,
                             "tags": d.tags, "source_url": d.source_url, "heading_path": r.heading_path,
                             "filename": d.filename,
                             **{k: d.metadata[k] for k in PROVENANCE_KEYS if k in d.metadata}})


class SearchResponse(ApiModel):
    query: str
    mode: SearchMode
    total_results: int
    results: list[SearchResultItem]



class ReindexResponse(ApiModel):
    """Progress of moving the knowledge index to the configured embedding model."""

    stored_model: str | None
    target_model: str
    done: int
    total: int
    complete: bool
    running: bool  # a re-index is running in this server
