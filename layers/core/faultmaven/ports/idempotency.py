"""Storage port of idempotency records: the first response to an `Idempotency-Key`, replayed on repeats."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel


class IdempotencyRecord(BaseModel):
    record_id: str  # "<scope>#<user_id>#<key>": keys of different users or operations never meet
    fingerprint: str  # hash of the request the key was first used with
    status: Literal["in_progress", "completed"] = "in_progress"
    status_code: int = 0
    body: str = ""  # the first response, JSON
    expires_at: int  # epoch seconds; after this the key is forgotten (the TTL attribute in DynamoDB)
    locked_until: int  # epoch seconds; an in-progress claim older than this was abandoned and may be taken over

    def is_live(self, now: int) -> bool:
        return self.expires_at > now and (self.status == "completed" or self.locked_until > now)


class IdempotencyStore(Protocol):
    def claim(self, record: IdempotencyRecord, now: int) -> IdempotencyRecord | None:
        """Atomically store `record` unless a live record has its id: None when claimed, else the live record."""

    def complete(self, record_id: str, status_code: int, body: str) -> None:
        """Keep the response of a claimed record for replays."""

    def release(self, record_id: str) -> None:
        """Forget a claim whose request failed, so the client may retry with the same key."""
