"""Knowledge-base document records in DynamoDB (PynamoDB).

Table `<prefix>-documents`, hash key `document_id`, with three GSIs (all projecting every attribute):
- `owner_id-index` (`owner_id`, range `created_at`): a user's own documents;
- `shared_key-index` (`shared_key`, range `created_at`), sparse: `global` for global documents, `team#<id>` for a
  team's documents, absent on personal ones;
- `owner_sha-index` (`owner_sha` = `<owner_id>#<sha256>`, range `created_at`): duplicate detection.
A reader's documents are at most a few thousand items, so filters, ordering and offsets are applied in memory to the
union of those queries.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind
from faultmaven.adapters.dynamo.errors import CONDITION_FAILED, is_condition_failure
from faultmaven.errors import Conflict
from faultmaven.ports.documents import (
    DocumentPage,
    DocumentQuery,
    DocumentRecord,
    DocumentStats,
    DocumentStatus,
    Visibility,
)
from faultmaven.settings import Settings


class _ByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner_id-index"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _ByShared(GlobalSecondaryIndex):
    class Meta:
        index_name = "shared_key-index"
        projection = AllProjection()

    shared_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _ByOwnerSha(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner_sha-index"
        projection = AllProjection()

    owner_sha = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _DocumentItem(Model):
    document_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    shared_key = UnicodeAttribute(null=True)
    owner_sha = UnicodeAttribute()
    scope = UnicodeAttribute()
    team_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    document_type = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    source_url = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute(default=0)
    sha256 = UnicodeAttribute()
    status = UnicodeAttribute()
    error = UnicodeAttribute(null=True)
    chunk_count = NumberAttribute(default=0)
    chunks_embedded = NumberAttribute(default=0)
    preview = UnicodeAttribute(null=True)
    metadata = JSONAttribute(default=dict)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    by_owner = _ByOwner()
    by_shared = _ByShared()
    by_owner_sha = _ByOwnerSha()


_METADATA_FIELDS = ("title", "document_type", "category", "tags", "source_url", "description", "scope", "team_id",
                    "metadata", "updated_at")


def _shared_key(scope: str, team_id: str | None) -> str | None:
    return "global" if scope == "global" else f"team#{team_id}" if scope == "team" else None


def _record(item: _DocumentItem) -> DocumentRecord:
    data = {f: getattr(item, f) for f in DocumentRecord.model_fields}
    data["preview"] = data["preview"] or ""
    data["tags"] = list(data["tags"] or [])
    return DocumentRecord(**data)


def _matches(record: DocumentRecord, query: DocumentQuery) -> bool:
    return ((query.scope is None or record.scope == query.scope)
            and (query.document_type is None or record.document_type == query.document_type)
            and (query.status is None or record.status == query.status)
            and all(tag in record.tags for tag in query.tags))


class DynamoDocumentRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_DocumentItem, settings, "documents")

    def create(self, document: DocumentRecord) -> None:
        item = self.model(**document.model_dump(), shared_key=_shared_key(document.scope, document.team_id),
                          owner_sha=f"{document.owner_id}#{document.sha256}")
        try:
            item.save(condition=self.model.document_id.does_not_exist())
        except PutError as exc:
            if not is_condition_failure(exc):
                raise
            raise Conflict("a document with that id already exists") from exc

    def get(self, document_id: str) -> DocumentRecord | None:
        try:
            return _record(self.model.get(document_id, consistent_read=True))
        except self.model.DoesNotExist:
            return None

    def get_many(self, document_ids: list[str]) -> dict[str, DocumentRecord]:
        unique = list(dict.fromkeys(document_ids))
        return {item.document_id: _record(item) for item in self.model.batch_get(unique)} if unique else {}

    def find_by_sha256(self, owner_id: str, sha256: str) -> DocumentRecord | None:
        for item in self.model.by_owner_sha.query(f"{owner_id}#{sha256}", limit=1):
            return _record(item)
        return None

    def _update(self, document_id: str, values: dict[str, Any], condition: Any = None) -> bool:
        actions = [getattr(self.model, name).set(value) if value is not None else getattr(self.model, name).remove()
                   for name, value in values.items()]
        exists = self.model.document_id.exists()
        condition = exists if condition is None else exists & condition
        try:
            self.model(document_id).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def update_metadata(self, document: DocumentRecord) -> bool:
        values: dict[str, Any] = {f: getattr(document, f) for f in _METADATA_FIELDS}
        values["shared_key"] = _shared_key(document.scope, document.team_id)
        return self._update(document.document_id, values)

    def set_status(self, document_id: str, status: DocumentStatus, *, error: str | None = None, chunk_count: int = 0,
                   preview: str = "", updated_at: str, title: str | None = None) -> bool:
        values: dict[str, Any] = {"status": status, "error": error, "chunk_count": chunk_count,
                                  "chunks_embedded": chunk_count, "preview": preview or None, "updated_at": updated_at}
        if title:
            values["title"] = title
        return self._update(document_id, values)

    def set_progress(self, document_id: str, *, chunks_embedded: int, chunk_count: int, updated_at: str) -> bool:
        values = {"chunks_embedded": chunks_embedded, "chunk_count": chunk_count, "updated_at": updated_at}
        return self._update(document_id, values, self.model.status == "pending")

    def delete(self, document_id: str) -> bool:
        try:
            self.model(document_id).delete(condition=self.model.document_id.exists())
        except DeleteError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def _visible(self, visibility: Visibility) -> list[DocumentRecord]:
        found = {item.document_id: item for item in self.model.by_owner.query(visibility.owner_id)}
        if not visibility.only_own:
            keys = [f"team#{t}" for t in visibility.team_ids] + (["global"] if visibility.include_global else [])
            for key in keys:
                found.update((item.document_id, item) for item in self.model.by_shared.query(key))
        return [_record(item) for item in found.values()]

    def list(self, query: DocumentQuery) -> DocumentPage:
        matching = [r for r in self._visible(query.visibility) if _matches(r, query)]
        matching.sort(key=lambda r: (r.created_at, r.document_id), reverse=True)
        return DocumentPage(items=matching[query.offset : query.offset + query.limit], total=len(matching))

    def stats(self, visibility: Visibility) -> DocumentStats:
        stats = DocumentStats()
        for record in self._visible(visibility):
            stats.add(record.scope, record.status, record.document_type, chunks=record.chunk_count,
                      size_bytes=record.size_bytes)
        return stats

    def pending_ids(self) -> list[str]:
        return [item.document_id for item in self.model.scan(self.model.status == "pending")]
