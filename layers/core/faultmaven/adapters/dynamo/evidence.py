"""Evidence metadata in DynamoDB (PynamoDB).

Table `<prefix>-evidence`: partition key `pk = CASE#<owner_id>#<case_id>` (the owner is part of the key, so one
user's query can never reach another's files), sort key `sk`:
- `FILE#<file_id>`: the record (its analysis as a JSON string);
- `HASH#<sha256>`: a dedupe guard pointing at the file, written in the same transaction as the record with a
  does-not-exist condition, so two uploads of the same content to a case cannot both be stored.
Listing a case is one Query on `pk` with `begins_with(sk, "FILE#")`; no GSI, no Scan.
"""

from __future__ import annotations

import json

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from faultmaven.adapters.dynamo.base import bind
from faultmaven.adapters.dynamo.errors import is_condition_failure
from faultmaven.errors import Conflict
from faultmaven.ports.evidence import EvidenceRecord
from faultmaven.settings import Settings


class _EvidenceItem(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    file_id = UnicodeAttribute()
    uploaded_at = UnicodeAttribute(null=True)
    record = UnicodeAttribute(null=True)  # the EvidenceRecord as JSON (FILE# items only)


def _pk(owner_id: str, case_id: str) -> str:
    return f"CASE#{owner_id}#{case_id}"


def _record(item: _EvidenceItem) -> EvidenceRecord:
    return EvidenceRecord.model_validate_json(item.record or "{}")


class DynamoEvidenceRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_EvidenceItem, settings, "evidence")
        self.connection = Connection(region=settings.aws_region, host=settings.aws_endpoint_url)

    def create(self, record: EvidenceRecord) -> None:
        pk = _pk(record.owner_id, record.case_id)
        item = self.model(pk, f"FILE#{record.file_id}", file_id=record.file_id, uploaded_at=record.uploaded_at,
                          record=json.dumps(record.model_dump(mode="json")))
        guard = self.model(pk, f"HASH#{record.content_hash}", file_id=record.file_id)
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.save(guard, condition=self.model.sk.does_not_exist())
                tx.save(item, condition=self.model.sk.does_not_exist())
        except TransactWriteError as exc:
            if not is_condition_failure(exc):
                raise
            raise Conflict("this content is already attached to the case", code="DUPLICATE_CONTENT") from exc

    def _get(self, pk: str, sk: str) -> _EvidenceItem | None:
        try:
            return self.model.get(pk, sk, consistent_read=True)
        except self.model.DoesNotExist:
            return None

    def get(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None:
        item = self._get(_pk(owner_id, case_id), f"FILE#{file_id}")
        return _record(item) if item else None

    def find_by_hash(self, owner_id: str, case_id: str, content_hash: str) -> EvidenceRecord | None:
        guard = self._get(_pk(owner_id, case_id), f"HASH#{content_hash}")
        return self.get(owner_id, case_id, guard.file_id) if guard else None

    def list_for_case(self, owner_id: str, case_id: str) -> list[EvidenceRecord]:
        items = self.model.query(_pk(owner_id, case_id), self.model.sk.startswith("FILE#"), consistent_read=True)
        return sorted((_record(i) for i in items), key=lambda r: (r.uploaded_at, r.file_id))

    def delete(self, owner_id: str, case_id: str, file_id: str) -> EvidenceRecord | None:
        pk = _pk(owner_id, case_id)
        item = self._get(pk, f"FILE#{file_id}")
        if item is None:
            return None
        record = _record(item)
        with TransactWrite(connection=self.connection) as tx:
            tx.delete(self.model(pk, f"FILE#{file_id}"))
            tx.delete(self.model(pk, f"HASH#{record.content_hash}"))
        return record
