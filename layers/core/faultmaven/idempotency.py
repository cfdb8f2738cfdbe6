"""`Idempotency-Key` handling for any creating request (case creation, conversation turns).

The first request with a key claims it and runs; its response is kept for a day and replayed to a repeat of the key
by the same user, without running again. The key is scoped by operation and user, so another user's identical key
is independent. A repeat with a different request body is refused, as is one that arrives while the first still runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from faultmaven.clock import now_epoch
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.ports.idempotency import IdempotencyRecord, IdempotencyStore

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,255}$")
REPLAY_TTL_SECONDS = 24 * 3600
LOCK_SECONDS = 120  # longer than any request may run (API Gateway stops at ~30 s, a Lambda at 15 min at most)


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any  # JSON-compatible
    replayed: bool


def fingerprint(request: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def validate_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise InvalidInput("Idempotency-Key must be 8-255 characters of letters, digits, '_' and '-'",
                           code="INVALID_IDEMPOTENCY_KEY")
    return key


class Idempotency:
    def __init__(self, store: IdempotencyStore, ttl_seconds: int = REPLAY_TTL_SECONDS) -> None:
        self.store = store
        self.ttl_seconds = ttl_seconds

    def run(self, scope: str, user_id: str, key: str | None, request: Mapping[str, Any],
            action: Callable[[], tuple[int, Any]]) -> Outcome:
        """Run `action` (returning status code and JSON body) once per key; without a key, just run it."""
        if key is None:
            status_code, body = action()
            return Outcome(status_code, body, replayed=False)
        validate_key(key)
        current = now_epoch()
        record = IdempotencyRecord(record_id=f"{scope}#{user_id}#{key}", fingerprint=fingerprint(request),
                                   expires_at=current + self.ttl_seconds, locked_until=current + LOCK_SECONDS)
        existing = self.store.claim(record, current)
        if existing is not None:
            return self._replay(existing, record.fingerprint)
        try:
            status_code, body = action()
        except BaseException:
            self.store.release(record.record_id)
            raise
        self.store.complete(record.record_id, status_code, json.dumps(body))
        return Outcome(status_code, body, replayed=False)

    @staticmethod
    def _replay(existing: IdempotencyRecord, request_fingerprint: str) -> Outcome:
        if existing.fingerprint != request_fingerprint:
            raise InvalidInput("this Idempotency-Key was already used with a different request",
                               code="IDEMPOTENCY_KEY_REUSED")
        if existing.status != "completed":
            raise Conflict("a request with this Idempotency-Key is still running; retry shortly",
                           code="IDEMPOTENCY_IN_PROGRESS", headers={"Retry-After": "1"})
        return Outcome(existing.status_code, json.loads(existing.body), replayed=True)
