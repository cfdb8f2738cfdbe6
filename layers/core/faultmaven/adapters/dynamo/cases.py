"""Cases, their messages and daily title counters in DynamoDB (PynamoDB).

Cases table: hash `user_id`, range `sk` — `CASE#<case_id>` (the aggregate as JSON plus the attributes queries filter
on), `LEASE#<case_id>` (who runs a turn on the case, until when) or `COUNTER#<YYMMDD>` (title numbering). Local
secondary index `updated_at-index` (`user_id`, `updated_at`) lists a user's cases newest first with consistent reads;
counters, leases and tombstones carry no `updated_at`, so the index holds live cases only. `expires_at` is the TTL
attribute (counters, leases and tombstones expire).
Messages table: hash `case_key` = `<user_id>#<case_id>`, range `sk` = `<turn:08d>#<created_at>#<message_id>`.
No request path scans: everything is a GetItem or a Query on a key or the index.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, CaseMessage, stamp
from faultmaven.clock import now, now_epoch
from faultmaven.errors import Conflict
from faultmaven.ports.cases import CaseQuery, DeleteOutcome, StaleVersion
from faultmaven.settings import Settings

TOMBSTONE_TTL_SECONDS = 30 * 86400
COUNTER_TTL_SECONDS = 3 * 86400
LEASE_TTL_SECONDS = 86400  # DynamoDB's TTL sweeps lease items long after `lease_until` has freed them


class _ByUpdated(LocalSecondaryIndex):
    class Meta:
        index_name = "updated_at-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class _CaseItem(Model):
    user_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    updated_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    current_turn = NumberAttribute(null=True)
    search_text = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    body = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    n = NumberAttribute(null=True)
    holder = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    by_updated = _ByUpdated()


class _MessageItem(Model):
    case_key = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()


def _case_sk(case_id: str) -> str:
    return f"CASE#{case_id}"


def _case_key(user_id: str, case_id: str) -> str:
    return f"{user_id}#{case_id}"


class DynamoCaseRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_CaseItem, settings, "cases")
        self.messages_model = bind(_MessageItem, settings, "case-messages")

    def _item(self, case: Case) -> _CaseItem:
        return self.model(case.user_id, _case_sk(case.case_id), updated_at=case.updated_at,
                          created_at=case.created_at, state=case.state.value, source=case.source,
                          current_turn=case.current_turn, search_text=case.search_text, version=case.version,
                          body=case.model_dump_json())

    def _load(self, user_id: str, case_id: str) -> _CaseItem | None:
        try:
            return self.model.get(user_id, _case_sk(case_id), consistent_read=True)
        except self.model.DoesNotExist:
            return None

    def create(self, case: Case) -> None:
        if not conditionally(lambda: self._item(case).save(condition=self.model.sk.does_not_exist())):
            raise Conflict("a case with that id exists (or was deleted)", code="CASE_EXISTS")

    def get(self, user_id: str, case_id: str) -> Case | None:
        item = self._load(user_id, case_id)
        return Case.model_validate_json(item.body) if item is not None and item.body else None

    def save(self, case: Case, expected_version: int) -> None:
        try:
            self._item(case).save(condition=(self.model.version == expected_version)
                                  & self.model.deleted_at.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            current = self._load(case.user_id, case.case_id)
            raise StaleVersion(int(current.version) if current is not None and current.body else None) from exc

    def acquire_lease(self, user_id: str, case_id: str, holder: str, until: float, at: float) -> bool:
        m = self.model
        item = m(user_id, f"LEASE#{case_id}", holder=holder, lease_until=until,
                 expires_at=int(until) + LEASE_TTL_SECONDS)
        return conditionally(lambda: item.save(
            condition=m.sk.does_not_exist() | (m.lease_until <= at) | (m.holder == holder)))

    def release_lease(self, user_id: str, case_id: str, holder: str) -> None:
        conditionally(lambda: self.model(user_id, f"LEASE#{case_id}").delete(condition=self.model.holder == holder))

    def delete(self, user_id: str, case_id: str) -> DeleteOutcome:
        item = self._load(user_id, case_id)
        if item is None:
            return "missing"
        if item.deleted_at:
            return "already_deleted"
        # The tombstone replaces the whole item: without `updated_at` it leaves the listing index.
        self.model(user_id, _case_sk(case_id), deleted_at=stamp(now()),
                   expires_at=now_epoch() + TOMBSTONE_TTL_SECONDS).save()
        with self.messages_model.batch_write() as batch:
            for message in self.messages_model.query(_case_key(user_id, case_id), consistent_read=True):
                batch.delete(message)
        return "deleted"

    def list(self, user_id: str, query: CaseQuery) -> tuple[list[Case], int]:
        m = self.model
        conditions = []
        if query.state is not None:
            conditions.append(m.state == query.state.value)
        if query.source is not None:
            conditions.append(m.source == query.source)
        if not query.include_empty:
            conditions.append(m.current_turn > 0)
        if query.created_after is not None:
            conditions.append(m.created_at >= query.created_after)
        if query.created_before is not None:
            conditions.append(m.created_at < query.created_before)
        condition = None
        for c in conditions:
            condition = c if condition is None else condition & c
        items = list(m.by_updated.query(user_id, scan_index_forward=False, consistent_read=True,
                                        filter_condition=condition))
        page = items[query.offset:query.offset + query.limit]
        return [Case.model_validate_json(i.body) for i in page], len(items)

    def search(self, user_id: str, text: str, state: CaseState | None, limit: int) -> list[Case]:
        m = self.model
        condition = m.search_text.contains(text.lower())
        if state is not None:
            condition &= m.state == state.value
        found = [Case.model_validate_json(i.body)
                 for i in m.query(user_id, m.sk.startswith("CASE#"), filter_condition=condition, consistent_read=True)]
        found.sort(key=lambda c: (c.updated_at, c.case_id), reverse=True)
        return found[:limit]

    def next_title_number(self, user_id: str, day: str) -> int:
        counter = self.model(user_id, f"COUNTER#{day}")
        counter.update(actions=[self.model.n.add(1),
                                self.model.expires_at.set(now_epoch() + COUNTER_TTL_SECONDS)])
        return int(counter.n)

    def append_message(self, message: CaseMessage) -> None:
        sk = f"{message.turn_number:08d}#{message.created_at}#{message.message_id}"
        self.messages_model(_case_key(message.user_id, message.case_id), sk, body=message.model_dump_json()).save()

    def messages(self, user_id: str, case_id: str, limit: int, offset: int) -> tuple[list[CaseMessage], int]:
        key = _case_key(user_id, case_id)
        total = self.messages_model.count(key, consistent_read=True)
        items = list(self.messages_model.query(key, consistent_read=True, limit=offset + limit))
        return [CaseMessage.model_validate_json(i.body) for i in items[offset:offset + limit]], total
