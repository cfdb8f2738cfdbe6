"""Sign-in throttling counters in DynamoDB: items `THROTTLE#<key>` in the users table, counted with `ADD` under a
condition on what was read (a compare-and-set), so parallel attempts each count once."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from faultmaven.adapters.dynamo.base import bind
from faultmaven.adapters.dynamo.errors import is_condition_failure
from faultmaven.ports.throttle import ThrottleState
from faultmaven.settings import Settings


class _ThrottleItem(Model):
    pk = UnicodeAttribute(hash_key=True)
    attempts = NumberAttribute(default=0)
    blocked_until = NumberAttribute(default=0)
    last_at = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)  # for a TTL, should the table get one


class DynamoThrottleStore:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_ThrottleItem, settings, "users")

    def get(self, key: str) -> ThrottleState | None:
        try:
            item = self.model.get(f"THROTTLE#{key}", consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return ThrottleState(attempts=int(item.attempts), blocked_until=int(item.blocked_until),
                             last_at=int(item.last_at))

    def advance(self, key: str, seen: ThrottleState | None, blocked_until: int, now: int, restart: bool) -> bool:
        m = self.model
        item = m(f"THROTTLE#{key}")
        try:
            if seen is None:
                item.attempts, item.blocked_until, item.last_at = 1, blocked_until, now
                item.save(condition=m.pk.does_not_exist())
            else:
                counted = m.attempts.set(1) if restart else m.attempts.add(1)
                item.update(actions=[counted, m.blocked_until.set(blocked_until), m.last_at.set(now)],
                            condition=(m.attempts == seen.attempts) & (m.last_at == seen.last_at))
        except (PutError, UpdateError) as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def clear(self, key: str) -> None:
        self.model(f"THROTTLE#{key}").delete()
