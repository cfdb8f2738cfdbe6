"""Idempotency records in DynamoDB: hash key `record_id`, TTL attribute `expires_at`; a claim is a conditional put."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind
from faultmaven.ports.idempotency import IdempotencyRecord
from faultmaven.settings import Settings


class _IdempotencyItem(Model):
    record_id = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    status = UnicodeAttribute()
    status_code = NumberAttribute(default=0)
    body = UnicodeAttribute(default="")
    expires_at = NumberAttribute()
    locked_until = NumberAttribute()


class DynamoIdempotencyStore:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_IdempotencyItem, settings, "idempotency")

    def claim(self, record: IdempotencyRecord, now: int) -> IdempotencyRecord | None:
        m = self.model
        # TTL deletion lags, so an expired or abandoned record still in the table counts as free.
        free = (m.record_id.does_not_exist() | (m.expires_at <= now)
                | ((m.status == "in_progress") & (m.locked_until <= now)))
        try:
            m(**record.model_dump()).save(condition=free)
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            item = m.get(record.record_id, consistent_read=True)
            return IdempotencyRecord(**{f: getattr(item, f) for f in IdempotencyRecord.model_fields})
        return None

    def complete(self, record_id: str, status_code: int, body: str) -> None:
        self.model(record_id).update(actions=[self.model.status.set("completed"),
                                              self.model.status_code.set(status_code), self.model.body.set(body)])

    def release(self, record_id: str) -> None:
        try:
            self.model(record_id).delete(condition=self.model.status == "in_progress")
        except DeleteError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
