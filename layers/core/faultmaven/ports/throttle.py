"""Sign-in throttling counters: one small record per key (an account name, a client address)."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel


class ThrottleState(BaseModel):
    attempts: int  # counted since the key was last cleared or went quiet
    blocked_until: int = 0  # epoch seconds; no attempt on this key before then
    last_at: int  # epoch seconds of the last counted attempt


class ThrottleStore(Protocol):
    def get(self, key: str) -> ThrottleState | None: ...

    def advance(self, key: str, seen: ThrottleState | None, blocked_until: int, now: int, restart: bool) -> bool:
        """Count one attempt atomically: `attempts + 1` (or 1 when `restart`), only if the record is still `seen`
        (None: still absent). False when another writer got there first; the caller reads again and retries."""

    def clear(self, key: str) -> None: ...
