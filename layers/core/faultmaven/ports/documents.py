"""Knowledge-base documents: the metadata of each uploaded document (its bytes and text live in the blob store)."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from faultmaven.ports.vector_index import Scope

DocumentStatus = Literal["pending", "indexed", "failed"]


class DocumentRecord(BaseModel):
    document_id: str
    owner_id: str
    scope: Scope = "personal"
    team_id: str | None = None
    title: str
    document_type: str
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    source_url: str | None = None
    description: str | None = None
    filename: str  # the uploaded file's name (it picks the extractor)
    content_type: str = "application/octet-stream"
    size_bytes: int = 0
    sha256: str  # of the uploaded bytes; re-uploads by the same owner are detected with it
    status: DocumentStatus = "pending"
    error: str | None = None  # why ingestion failed
    chunk_count: int = 0  # while pending: how many chunks the document makes, once known
    chunks_embedded: int = 0  # ingestion progress: chunks embedded so far (chunk_count once indexed)
    preview: str = ""  # the head of the extracted text, for listings
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: str
    updated_at: str


class Visibility(BaseModel):
    """Whose documents a reader sees: their own, their teams' team documents and (optionally) global ones."""

    owner_id: str
    team_ids: list[str] = Field(default_factory=list)
    include_global: bool = True
    only_own: bool = False  # the personal-KB views list the caller's own documents only


class DocumentQuery(BaseModel):
    visibility: Visibility
    scope: Scope | None = None
    document_type: str | None = None
    tags: list[str] = Field(default_factory=list)  # a document matches when it carries every one of them
    status: DocumentStatus | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class DocumentPage(BaseModel):
    items: list[DocumentRecord]
    total: int


class DocumentStats(BaseModel):
    total_documents: int = 0
    total_chunks: int = 0
    total_bytes: int = 0
    by_scope: dict[str, int] = Field(default_factory=dict)
    by_status: dict[str, int] = Field(default_factory=dict)
    by_type: dict[str, int] = Field(default_factory=dict)

    def add(self, scope: str, status: str, document_type: str, *, documents: int = 1, chunks: int = 0,
            size_bytes: int = 0) -> None:
        self.total_documents += documents
        self.total_chunks += chunks
        self.total_bytes += size_bytes
        for bucket, key in ((self.by_scope, scope), (self.by_status, status), (self.by_type, document_type)):
            bucket[key] = bucket.get(key, 0) + documents


class DocumentRepository(Protocol):
    def create(self, document: DocumentRecord) -> None:
        """Store a new document; raises `Conflict` when the id is taken."""

    def get(self, document_id: str) -> DocumentRecord | None: ...

    def get_many(self, document_ids: list[str]) -> dict[str, DocumentRecord]:
        """The documents that exist among these ids, by id."""

    def find_by_sha256(self, owner_id: str, sha256: str) -> DocumentRecord | None:
        """The owner's document with these exact bytes, if any (the oldest when several)."""

    def update_metadata(self, document: DocumentRecord) -> bool:
        """Write the metadata fields (title to metadata, scope, team_id, updated_at), leaving the ingestion fields
        (status, error, chunk_count, preview) as they are; False when the document is gone."""

    def set_status(self, document_id: str, status: DocumentStatus, *, error: str | None = None, chunk_count: int = 0,
                   preview: str = "", updated_at: str, title: str | None = None) -> bool:
        """Record an ingestion outcome (and a title found in the content); False when the document is gone."""

    def set_progress(self, document_id: str, *, chunks_embedded: int, chunk_count: int, updated_at: str) -> bool:
        """Record how far a pending document's ingestion got; False when it is gone or no longer pending."""

    def delete(self, document_id: str) -> bool:
        """Remove a document's record; False when there was none."""

    def list(self, query: DocumentQuery) -> DocumentPage:
        """Visible documents matching the filters, newest first, one page of them plus the total count."""

    def stats(self, visibility: Visibility) -> DocumentStats: ...

    def pending_ids(self) -> list[str]:
        """Every document still waiting for ingestion (to resume them after a restart)."""
