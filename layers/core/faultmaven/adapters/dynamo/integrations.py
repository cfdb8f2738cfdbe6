"""Integrations, alert links, notification settings and dead letters in one DynamoDB table (`integrations`):
hash key `pk` names the kind of item (and the owner of an alert link), range key `sk` the item.

An alert link is claimed by a conditional put (absent, or still pointing at the case it replaces), so repeats of
an alert sent at once find one case."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.ports.integrations import DeadLetter, IntegrationRecord, NotificationSettings
from faultmaven.settings import Settings

_INTEGRATION = "INTEGRATION"
_SETTINGS = "NOTIFY"
_DEAD = "DEADLETTER"


def _link_pk(owner_id: str) -> str:
    return f"ALERT#{owner_id}"


class _Item(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()


class DynamoIntegrationStore:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_Item, settings, "integrations")

    def _body(self, pk: str, sk: str) -> str | None:
        try:
            return self.model.get(pk, sk, consistent_read=True).body
        except self.model.DoesNotExist:
            return None

    def save(self, record: IntegrationRecord) -> None:
        self.model(_INTEGRATION, record.integration_id, body=record.model_dump_json()).save()

    def get(self, integration_id: str) -> IntegrationRecord | None:
        body = self._body(_INTEGRATION, integration_id)
        return IntegrationRecord.model_validate_json(body) if body else None

    def list(self) -> list[IntegrationRecord]:
        records = [IntegrationRecord.model_validate_json(i.body) for i in self.model.query(_INTEGRATION)]
        return sorted(records, key=lambda r: (r.created_at, r.integration_id))

    def delete(self, integration_id: str) -> bool:
        m = self.model
        return conditionally(lambda: m(_INTEGRATION, integration_id).delete(condition=m.pk.exists()))

    def link_alert(self, owner_id: str, fingerprint: str, case_id: str, replacing: str | None = None) -> str:
        m = self.model
        free = m.pk.does_not_exist() if replacing is None else (m.body == replacing)
        if conditionally(lambda: m(_link_pk(owner_id), fingerprint, body=case_id).save(condition=free)):
            return case_id
        return self.linked_case(owner_id, fingerprint) or self.link_alert(owner_id, fingerprint, case_id)

    def linked_case(self, owner_id: str, fingerprint: str) -> str | None:
        return self._body(_link_pk(owner_id), fingerprint)

    def unlink_alert(self, owner_id: str, fingerprint: str, case_id: str) -> bool:
        m = self.model
        return conditionally(lambda: m(_link_pk(owner_id), fingerprint).delete(condition=m.body == case_id))

    def save_settings(self, settings: NotificationSettings) -> None:
        self.model(_SETTINGS, settings.scope_id, body=settings.model_dump_json()).save()

    def settings(self, scope_id: str) -> NotificationSettings | None:
        body = self._body(_SETTINGS, scope_id)
        return NotificationSettings.model_validate_json(body) if body else None

    def add_dead_letter(self, letter: DeadLetter) -> None:
        self.model(_DEAD, f"{letter.created_at}#{letter.letter_id}", body=letter.model_dump_json()).save()

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        items = self.model.query(_DEAD, scan_index_forward=False, limit=limit)
        return [DeadLetter.model_validate_json(i.body) for i in items]
