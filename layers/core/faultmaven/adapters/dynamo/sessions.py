"""Client sessions in DynamoDB: hash `user_id`, range `session_id`, TTL attribute `expires_at`.

TTL removes expired items lazily (up to days later), so every read also filters on `expires_at > now`. Lookups by
client and listings are Queries on the owner's partition (a user has a handful of live sessions).
"""

from __future__ import annotations

import json

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind, conditionally
from faultmaven.ports.sessions import SessionRecord
from faultmaven.settings import Settings


class _SessionItem(Model):
    user_id = UnicodeAttribute(hash_key=True)
    session_id = UnicodeAttribute(range_key=True)
    client_id = UnicodeAttribute(null=True)
    session_type = UnicodeAttribute()
    timeout_minutes = NumberAttribute()
    created_at = UnicodeAttribute()
    last_activity_at = UnicodeAttribute()
    expires_at = NumberAttribute()
    metadata = UnicodeAttribute(default="{}")
    status = UnicodeAttribute(default="active")


_FIELDS = ("session_id", "user_id", "client_id", "session_type", "timeout_minutes", "created_at", "last_activity_at",
           "expires_at", "status")


def _session(item: _SessionItem) -> SessionRecord:
    return SessionRecord(**{f: getattr(item, f) for f in _FIELDS}, metadata=json.loads(item.metadata))


class DynamoSessionRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_SessionItem, settings, "sessions")

    def put(self, session: SessionRecord) -> None:
        self.model(**session.model_dump(include=set(_FIELDS)), metadata=json.dumps(session.metadata)).save()

    def get(self, user_id: str, session_id: str, now: int) -> SessionRecord | None:
        try:
            item = self.model.get(user_id, session_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return _session(item) if item.expires_at > now else None

    def _live(self, user_id: str, now: int, condition: object = None) -> list[SessionRecord]:
        live = self.model.expires_at > now
        items = self.model.query(user_id, filter_condition=live if condition is None else live & condition,
                                 consistent_read=True)
        return sorted((_session(i) for i in items), key=lambda s: (s.last_activity_at, s.session_id), reverse=True)

    def find_by_client(self, user_id: str, client_id: str, now: int) -> SessionRecord | None:
        found = self._live(user_id, now, self.model.client_id == client_id)
        return found[0] if found else None

    def list(self, user_id: str, session_type: str | None, now: int, limit: int,
             offset: int) -> tuple[list[SessionRecord], int]:
        found = self._live(user_id, now, self.model.session_type == session_type if session_type else None)
        return found[offset:offset + limit], len(found)

    def touch(self, user_id: str, session_id: str, last_activity_at: str, expires_at: int, now: int) -> bool:
        return conditionally(lambda: self.model(user_id, session_id).update(
            actions=[self.model.last_activity_at.set(last_activity_at), self.model.expires_at.set(expires_at)],
            condition=self.model.expires_at > now))

    def delete(self, user_id: str, session_id: str, now: int) -> bool:
        return conditionally(lambda: self.model(user_id, session_id).delete(condition=self.model.expires_at > now))

