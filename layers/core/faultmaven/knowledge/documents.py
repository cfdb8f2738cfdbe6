"""The knowledge base as users see it: upload, list, read, edit, delete and search documents, with access rules.

Who sees what: a document is readable by its owner, by the members of its team (scope `team`) and by everyone
(scope `global`). Only the owner edits or deletes a personal or team document; global documents are edited and
deleted by admins. A document the reader may not see answers 404 exactly like a missing one.
Team membership comes from the team directory (faultmaven.teams): every member reads a team's documents; its
`viewer`s cannot publish into it.

Re-uploading bytes the same owner already uploaded (same SHA-256) stores nothing new: the answer is the existing
document flagged as a duplicate. When that earlier upload had failed, it is replaced and ingested again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from faultmaven.auth.service import Principal
from faultmaven.clock import iso, new_id, now
from faultmaven.errors import Forbidden, InvalidInput, NotFound, TooLarge
from faultmaven.knowledge.alert_query import search_text
from faultmaven.knowledge.keys import raw_key, text_key
from faultmaven.knowledge.snippets import HTML_MARKS, Marks, excerpt, highlight
from faultmaven.ports.blobs import BlobStore
from faultmaven.ports.documents import (
    DocumentPage,
    DocumentQuery,
    DocumentRecord,
    DocumentRepository,
    DocumentStats,
    DocumentStatus,
    Visibility,
)
from faultmaven.ports.embedder import Embedder
from faultmaven.ports.vector_index import PrincipalFilter, Scope, SearchMode, VectorIndex

if TYPE_CHECKING:
    from faultmaven.knowledge.ingestion import IngestionRunner  # its chunkers and extractors: ingestion only
MAX_TAGS = 32
MAX_BULK = 100
_TYPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_SCOPES: tuple[Scope, ...] = ("personal", "team", "global")


@dataclass(frozen=True)
class Reader:
    """The caller as the knowledge base sees them."""

    user_id: str
    team_ids: tuple[str, ...] = ()  # the teams whose documents the reader sees
    is_admin: bool = False
    publish_team_ids: tuple[str, ...] | None = None  # the teams the reader may publish into (None: all of team_ids)

    @classmethod
    def of(cls, principal: Principal, team_roles: Mapping[str, str]) -> Reader:
        """The caller with their teams (`team id -> role`, from TeamService.team_roles)."""
        publish = tuple(team for team, role in team_roles.items() if role != "viewer")
        return cls(principal.user_id, tuple(team_roles), principal.is_admin, publish)

    @property
    def publishing_teams(self) -> tuple[str, ...]:
        return self.team_ids if self.publish_team_ids is None else self.publish_team_ids

    def visibility(self, *, only_own: bool = False) -> Visibility:
        return Visibility(owner_id=self.user_id, team_ids=list(self.team_ids), only_own=only_own)

    def can_read(self, doc: DocumentRecord) -> bool:
        return (doc.owner_id == self.user_id or doc.scope == "global"
                or (doc.scope == "team" and doc.team_id in self.team_ids))

    def can_write(self, doc: DocumentRecord) -> bool:
        return self.is_admin if doc.scope == "global" else doc.owner_id == self.user_id


def parse_tags(raw: str | Sequence[str] | None) -> list[str]:
    """Tags from a comma-separated string, a JSON list in a string, or a list; trimmed and de-duplicated."""
    if raw is None:
        return []
    items: Sequence[Any]
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError as exc:
                raise InvalidInput("tags: not a valid JSON list", code="INVALID_TAGS") from exc
            if not isinstance(items, list):
                raise InvalidInput("tags: expected a JSON list of strings", code="INVALID_TAGS")
        else:
            items = text.split(",")
    else:
        items = raw
    tags = list(dict.fromkeys(str(t).strip()[:64] for t in items if str(t).strip()))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", code="INVALID_TAGS")
    return tags


def _document_type(value: str) -> str:
    value = value.strip()
    if not _TYPE_RE.match(value):
        raise InvalidInput("document_type must be 1-64 letters, digits, spaces or _ . -", code="INVALID_DOCUMENT_TYPE")
    return value


class Upload(BaseModel):
    filename: str
    data: bytes
    title: str | None = None  # None: the title found in the content, else the file name
    document_type: str = "reference"
    tags: list[str] | str = Field(default_factory=list)  # a list, a comma-separated string or a JSON list
    source_url: str | None = None
    description: str | None = None
    category: str | None = None
    scope: str = "personal"
    team_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class UploadOutcome(BaseModel):
    document: DocumentRecord
    duplicate_of: str | None = None  # set when the upload repeated bytes the owner had already uploaded


class DocumentChanges(BaseModel):
    """A metadata edit; absent fields stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    document_type: str | None = None
    category: str | None = None
    tags: list[str] | str | None = None
    source_url: str | None = None
    description: str | None = None
    scope: Scope | None = None
    team_id: str | None = None


class SearchFilters(BaseModel):
    document_type: str | None = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    scope: Scope | None = None


class SearchResult(BaseModel):
    document: DocumentRecord
    chunk_id: str
    heading_path: list[str]
    text: str  # the chunk's text
    excerpt: str  # plain text around the matched words
    snippet: str  # the excerpt with the matched words highlighted
    score: float  # relevance on the one 0-1 scale of every mode (see `relevance`)


@dataclass
class BulkDeleteOutcome:
    deleted: list[str]
    failed: list[tuple[str, str, str]]  # (document id, detail, code)


class KnowledgeService:
    def __init__(self, documents: DocumentRepository, blobs: BlobStore, index: VectorIndex, embedder: Embedder,
                 runner: IngestionRunner, *, max_file_bytes: int, pending_timeout_seconds: int) -> None:
        self.documents = documents
        self.blobs = blobs
        self.index = index
        self.embedder = embedder
        self.runner = runner
        self.max_file_bytes = max_file_bytes
        self.pending_timeout_seconds = pending_timeout_seconds

    # -- writes -------------------------------------------------------------------------------------------------

    def upload(self, reader: Reader, upload: Upload, *, wait_seconds: float | None = None) -> UploadOutcome:
        """Store an upload and start its ingestion; with `wait_seconds`, wait that long for it to finish."""
        if len(upload.data) > self.max_file_bytes:
            raise TooLarge(f"the file is larger than the {self.max_file_bytes}-byte limit", code="FILE_TOO_LARGE")
        filename = PurePath(upload.filename.replace("\\", "/")).name[-255:]
        if not filename:
            raise InvalidInput("the upload needs a file name", code="FILENAME_REQUIRED")
        from faultmaven.knowledge.extract import CONTENT_TYPES, check_upload  # the text extractors: uploads only

        fmt = check_upload(filename, upload.data)
        scope, team_id = self._check_scope(reader, upload.scope, upload.team_id)
        sha256 = hashlib.sha256(upload.data).hexdigest()
        existing = self.documents.find_by_sha256(reader.user_id, sha256)
        if existing is not None and existing.status != "failed":
            return UploadOutcome(document=self._settled(existing), duplicate_of=existing.document_id)
        if existing is not None:
            self._remove(existing)  # a failed earlier attempt: this upload replaces it
        stamp = iso(now())
        title = (upload.title or "").strip()
        doc = DocumentRecord(
            document_id=new_id("doc_"), owner_id=reader.user_id, scope=scope, team_id=team_id,
            title=title[:300] or PurePath(filename).stem, document_type=_document_type(upload.document_type),
            category=upload.category or None, tags=parse_tags(upload.tags), source_url=upload.source_url or None,
            description=upload.description or None, filename=filename, content_type=CONTENT_TYPES[fmt],
            size_bytes=len(upload.data), sha256=sha256, status="pending",
            metadata={**upload.metadata, **({"auto_title": True} if not title else {})},
            created_at=stamp, updated_at=stamp)
        self.documents.create(doc)
        try:
            self.blobs.put(raw_key(doc.document_id), upload.data, doc.content_type)
        except Exception:
            self.documents.delete(doc.document_id)
            raise
        return UploadOutcome(document=self._await(doc, self.runner.after_upload(doc.document_id), wait_seconds))

    def update(self, reader: Reader, document_id: str, changes: DocumentChanges) -> DocumentRecord:
        doc = self._writable(reader, document_id)
        fields = changes.model_dump(exclude_unset=True)
        if "tags" in fields:
            fields["tags"] = parse_tags(fields["tags"])
        if fields.get("document_type") is not None:
            fields["document_type"] = _document_type(fields["document_type"])
        fields = {k: v for k, v in fields.items() if v is not None}  # null means "absent" (API conventions)
        for key in ("category", "source_url", "description"):
            if key in fields:
                fields[key] = fields[key].strip() or None  # "" clears the field
        scope, team_id = doc.scope, doc.team_id
        if "scope" in fields or "team_id" in fields:
            scope, team_id = self._check_scope(reader, fields.get("scope", doc.scope), fields.get("team_id", team_id))
        metadata = dict(doc.metadata)
        if "title" in fields:
            metadata.pop("auto_title", None)  # a title set by hand is kept over one found in the content
        updated = doc.model_copy(update={**fields, "scope": scope, "team_id": team_id, "metadata": metadata,
                                         "updated_at": iso(now())})
        if not self.documents.update_metadata(updated):
            raise NotFound("document not found")
        # Chunks carry the title and the access scope: a change to either re-indexes the document.
        if (updated.title, updated.scope, updated.team_id) != (doc.title, doc.scope, doc.team_id):
            self.documents.set_status(document_id, "pending", updated_at=updated.updated_at)
            self.runner.reingest(document_id)
        return self._visible(reader, document_id)

    def delete(self, reader: Reader, document_id: str) -> None:
        self._remove(self._writable(reader, document_id))

    def bulk_delete(self, reader: Reader, document_ids: Sequence[str]) -> BulkDeleteOutcome:
        ids = list(dict.fromkeys(i.strip() for i in document_ids if i and i.strip()))
        if not ids:
            raise InvalidInput("document_ids must name at least one document", code="NO_DOCUMENTS")
        if len(ids) > MAX_BULK:
            raise InvalidInput(f"at most {MAX_BULK} documents per bulk delete", code="TOO_MANY_DOCUMENTS")
        outcome = BulkDeleteOutcome([], [])
        for document_id in ids:
            try:
                self.delete(reader, document_id)
            except (NotFound, Forbidden) as exc:
                outcome.failed.append((document_id, exc.detail, exc.code))
            else:
                outcome.deleted.append(document_id)
        return outcome

    def _remove(self, doc: DocumentRecord) -> None:
        self.documents.delete(doc.document_id)  # first, so a concurrent ingestion notices and cleans up after itself
        self.index.delete_document(doc.owner_id, doc.document_id)
        self.blobs.delete(raw_key(doc.document_id))
        self.blobs.delete(text_key(doc.document_id))

    @staticmethod
    def _check_scope(reader: Reader, scope: str, team_id: str | None) -> tuple[Scope, str | None]:
        if scope not in _SCOPES:
            raise InvalidInput("scope must be personal, team or global", code="INVALID_SCOPE")
        if scope == "global":
            if not reader.is_admin:
                raise Forbidden("publishing to the global knowledge base needs the admin role", code="ADMIN_REQUIRED")
            return "global", None
        if scope == "team":
            if not team_id:
                raise InvalidInput("team scope needs a team_id", code="TEAM_REQUIRED")
            if team_id not in reader.publishing_teams and not reader.is_admin:
                raise Forbidden("you may not publish into that team (not a member, or a viewer)",
                                code="NOT_A_TEAM_MEMBER")
            return "team", team_id
        return "personal", None

    # -- reads --------------------------------------------------------------------------------------------------

    def get(self, reader: Reader, document_id: str) -> tuple[DocumentRecord, str]:
        """A visible document and its extracted text ("" until it is indexed)."""
        doc = self._visible(reader, document_id)
        if doc.status != "indexed":
            return doc, ""
        try:
            return doc, self.blobs.get(text_key(document_id)).decode("utf-8", "replace")
        except NotFound:
            return doc, ""

    def list(self, reader: Reader, *, only_own: bool = False, scope: Scope | None = None,
             document_type: str | None = None, tags: str | Sequence[str] | None = None,
             status: DocumentStatus | None = None, limit: int = 50, offset: int = 0) -> DocumentPage:
        page = self.documents.list(DocumentQuery(
            visibility=reader.visibility(only_own=only_own), scope=scope, document_type=document_type,
            tags=parse_tags(tags), status=status, limit=limit, offset=offset))
        return DocumentPage(items=[self._settled(d) for d in page.items], total=page.total)

    def stats(self, reader: Reader, *, only_own: bool = False) -> DocumentStats:
        return self.documents.stats(reader.visibility(only_own=only_own))

    def _visible(self, reader: Reader, document_id: str) -> DocumentRecord:
        doc = self.documents.get(document_id)
        if doc is None or not reader.can_read(doc):
            raise NotFound("document not found")
        return self._settled(doc)

    def _writable(self, reader: Reader, document_id: str) -> DocumentRecord:
        doc = self._visible(reader, document_id)
        if not reader.can_write(doc):
            detail = ("global documents are managed by admins" if doc.scope == "global"
                      else "only the owner may change this document")
            raise Forbidden(detail, code="NOT_DOCUMENT_OWNER")
        return doc

    def _await(self, doc: DocumentRecord, future: Future[DocumentRecord | None] | None,
               wait_seconds: float | None) -> DocumentRecord:
        if future is None or wait_seconds is None:
            return doc
        try:
            future.result(timeout=wait_seconds)
        except FutureTimeout:
            return doc
        return self.documents.get(doc.document_id) or doc

    def _settled(self, doc: DocumentRecord) -> DocumentRecord:
        """The document, reported (and stored) as failed when its ingestion has been pending for too long."""
        if doc.status != "pending":
            return doc
        age = (now() - datetime.fromisoformat(doc.updated_at)).total_seconds()
        if age <= self.pending_timeout_seconds:
            return doc
        error = f"ingestion did not finish within {self.pending_timeout_seconds} s; upload the document again"
        stamp = iso(now())
        self.documents.set_status(doc.document_id, "failed", error=error, updated_at=stamp)
        return doc.model_copy(update={"status": "failed", "error": error, "updated_at": stamp})

    # -- search -------------------------------------------------------------------------------------------------

    def search(self, reader: Reader, query: str, *, limit: int = 10, mode: SearchMode = "hybrid",
               filters: SearchFilters | None = None, per_document: bool = True, threshold: float | None = None,
               marks: Marks = HTML_MARKS) -> list[SearchResult]:
        """The best chunks the reader may see (access is part of the index query), best first; one per document
        unless `per_document` is False (hybrid search always answers one per document: it fuses documents).

        Metadata filters (type, tags, category, scope) apply to the documents of the hits, so the index is asked for
        more candidates than `limit` when any is set, and when only the best chunk per document is kept.
        """
        query = query.strip()
        if not query:
            raise InvalidInput("query must not be empty", code="EMPTY_QUERY")
        filters = filters or SearchFilters()
        narrowing = per_document or any(v for v in filters.model_dump().values())
        depth = min(max(limit * 5, 50), 500) if narrowing else limit
        searched = search_text(query)  # an alert notification is searched for by its alert name(s) and words
        vector = self.embedder.embed([searched])[0] if mode != "bm25" else None
        hits = self.index.search(query, vector, PrincipalFilter(owner_id=reader.user_id,
                                                                team_ids=list(reader.team_ids)), k=depth, mode=mode)
        docs = self.documents.get_many(list({h.chunk.document_id for h in hits}))
        top = max((h.score for h in hits), default=0.0)
        results: list[SearchResult] = []
        seen: set[str] = set()
        for hit in hits:
            doc = docs.get(hit.chunk.document_id)
            if doc is None or not reader.can_read(doc) or not _passes(doc, filters):
                continue  # a document deleted since it was indexed, or filtered out by metadata
            if per_document and doc.document_id in seen:
                continue
            score = relevance(hit.score, mode, top)
            if threshold is not None and score < threshold:
                continue
            seen.add(doc.document_id)
            text = excerpt(hit.chunk.text, searched)
            results.append(SearchResult(document=doc, chunk_id=hit.chunk.chunk_id,
                                        heading_path=hit.chunk.heading_path, text=hit.chunk.text, excerpt=text,
                                        snippet=highlight(text, searched, marks), score=score))
            if len(results) == limit:
                break
        return results


def _passes(doc: DocumentRecord, filters: SearchFilters) -> bool:
    return ((filters.document_type is None or doc.document_type == filters.document_type)
            and (filters.category is None or doc.category == filters.category)
            and (filters.scope is None or doc.scope == filters.scope)
            and all(t in doc.tags for t in filters.tags))


def relevance(score: float, mode: SearchMode, top: float) -> float:
    """The one score users see, 0-1 in every mode: hybrid search's fused score as it is (1.0 = first in both the
    keyword and the vector list; for an alert, weighed by the document's title, alert_query.title_weight), cosine
    for vectors, BM25 relative to the best hit of the same query (BM25 has no absolute scale)."""
    if mode == "bm25":
        score = score / top if top > 0 else 0.0
    return round(min(1.0, max(0.0, score)), 4)
