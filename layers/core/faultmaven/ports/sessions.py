"""Storage port of client sessions. A session whose `expires_at` has passed reads as absent everywhere, whether or
not the store has removed it yet (DynamoDB's TTL deletes lazily; SQLite applies the same rule in its queries)."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field


class SessionRecord(BaseModel):
    session_id: str
    user_id: str
    client_id: str | None = None
    session_type: str = "troubleshooting"
    timeout_minutes: int
    created_at: str
    last_activity_at: str
    expires_at: int  # epoch seconds: last activity + timeout
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: Literal["active", "archived"] = "active"  # archived: kept, and still live until it expires


class SessionRepository(Protocol):
    """Every method is scoped by the owner's `user_id` and treats sessions expired at `now` as absent."""

    def put(self, session: SessionRecord) -> None:
        """Create or replace a session."""

    def get(self, user_id: str, session_id: str, now: int) -> SessionRecord | None: ...

    def find_by_client(self, user_id: str, client_id: str, now: int) -> SessionRecord | None:
        """The owner's live session of that client (the most recently active one)."""

    def list(self, user_id: str, session_type: str | None, now: int, limit: int,
             offset: int) -> tuple[list[SessionRecord], int]:
        """One page of the owner's live sessions, most recently active first, and their total."""

    def touch(self, user_id: str, session_id: str, last_activity_at: str, expires_at: int, now: int) -> bool:
        """Record activity on a live session; False when it is missing or already expired."""

    def delete(self, user_id: str, session_id: str, now: int) -> bool:
        """Remove a session; True when a live one was removed."""
