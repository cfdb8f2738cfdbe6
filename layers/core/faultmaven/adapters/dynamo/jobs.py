"""Jobs in DynamoDB: hash key `job_id`, the record as JSON, TTL attribute `expires_at` (ended or not, after
`KEEP_SECONDS`, as the SQLite store keeps them). Every read and write is conditioned on the owner."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.clock import now_epoch
from faultmaven.ports.jobs import FINAL_STATUSES, KEEP_SECONDS, JobRecord
from faultmaven.settings import Settings


class _JobItem(Model):
    job_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    status = UnicodeAttribute()
    body = UnicodeAttribute()
    expires_at = NumberAttribute()


class DynamoJobStore:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_JobItem, settings, "jobs")

    def create(self, job: JobRecord) -> None:
        m = self.model
        m(job.job_id, owner_id=job.owner_id, status=job.status, body=job.model_dump_json(),
          expires_at=now_epoch() + KEEP_SECONDS).save(condition=m.job_id.does_not_exist())

    def get(self, owner_id: str, job_id: str) -> JobRecord | None:
        try:
            item = self.model.get(job_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return JobRecord.model_validate_json(item.body) if item.owner_id == owner_id else None

    def update(self, job: JobRecord) -> None:
        m = self.model
        mine_and_open = (m.owner_id == job.owner_id) & ~m.status.is_in(*FINAL_STATUSES)
        conditionally(lambda: m(job.job_id).update(
            actions=[m.status.set(job.status), m.body.set(job.model_dump_json())], condition=mine_and_open))
