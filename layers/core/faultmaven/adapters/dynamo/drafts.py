"""Knowledge drafts in DynamoDB: hash `owner_id`, range `draft_id`; the record as JSON, versioned writes.

An owner has a handful of drafts (one per resolved case), so listings are one Query of the owner's partition.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.ports.drafts import DraftPage, DraftStatus, KnowledgeDraft
from faultmaven.settings import Settings


class _DraftItem(Model):
    owner_id = UnicodeAttribute(hash_key=True)
    draft_id = UnicodeAttribute(range_key=True)
    case_id = UnicodeAttribute()
    status = UnicodeAttribute()
    version = NumberAttribute()
    created_at = UnicodeAttribute()
    body = UnicodeAttribute()


class DynamoDraftRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_DraftItem, settings, "knowledge-drafts")

    def _item(self, draft: KnowledgeDraft) -> _DraftItem:
        return self.model(draft.owner_id, draft.draft_id, case_id=draft.case_id, status=draft.status,
                          version=draft.version, created_at=draft.created_at, body=draft.model_dump_json())

    def create(self, draft: KnowledgeDraft) -> bool:
        return conditionally(lambda: self._item(draft).save(condition=self.model.draft_id.does_not_exist()))

    def get(self, owner_id: str, draft_id: str) -> KnowledgeDraft | None:
        try:
            item = self.model.get(owner_id, draft_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return KnowledgeDraft.model_validate_json(item.body)

    def _all(self, owner_id: str, condition: object = None) -> list[KnowledgeDraft]:
        items = self.model.query(owner_id, filter_condition=condition, consistent_read=True)
        drafts = [KnowledgeDraft.model_validate_json(i.body) for i in items]
        return sorted(drafts, key=lambda d: (d.created_at, d.draft_id), reverse=True)

    def find_by_case(self, owner_id: str, case_id: str) -> KnowledgeDraft | None:
        return next(iter(self._all(owner_id, self.model.case_id == case_id)), None)

    def update(self, draft: KnowledgeDraft, expected_version: int) -> bool:
        return conditionally(lambda: self._item(draft).save(condition=self.model.version == expected_version))

    def list(self, owner_id: str, status: DraftStatus | None, limit: int, offset: int) -> DraftPage:
        drafts = self._all(owner_id, None if status is None else self.model.status == status)
        return DraftPage(items=drafts[offset:offset + limit], total=len(drafts))
