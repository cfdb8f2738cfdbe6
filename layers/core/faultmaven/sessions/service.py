"""Sessions of a signed-in user's clients (the browser extension keeps one per install, by `client_id`).

A session lives `timeout_minutes` (60-480) past its last activity; a heartbeat extends it. Cases belong to users,
not sessions: a session only tells the server that the client it talks to is still the same live one.
"""

from __future__ import annotations

from typing import Any

from faultmaven.clock import iso, new_id, now, now_epoch
from faultmaven.errors import InvalidInput, NotFound, Unauthorized
from faultmaven.ports.sessions import SessionRecord, SessionRepository

MIN_TIMEOUT, DEFAULT_TIMEOUT, MAX_TIMEOUT = 60, 180, 480
# The extension recreates its session and retries when a 401 carries this code and these words.
SESSION_EXPIRED = "SESSION_EXPIRED"


def session_expired() -> Unauthorized:
    return Unauthorized("session expired or session not found; create a new session", code=SESSION_EXPIRED)


class SessionService:
    def __init__(self, repo: SessionRepository) -> None:
        self.repo = repo

    def open(self, user_id: str, client_id: str | None = None, session_type: str | None = None,
             timeout_minutes: int | None = None, metadata: dict[str, Any] | None = None,
             ) -> tuple[SessionRecord, bool]:
        """Resume the user's live session of `client_id` (refreshing it), else create one; True when resumed."""
        timeout = DEFAULT_TIMEOUT if timeout_minutes is None else timeout_minutes
        if not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
            raise InvalidInput(f"timeout_minutes must be between {MIN_TIMEOUT} and {MAX_TIMEOUT}",
                               code="INVALID_TIMEOUT")
        current = now_epoch()
        if client_id:
            existing = self.repo.find_by_client(user_id, client_id, current)
            if existing is not None:
                resumed = existing.model_copy(update={
                    "timeout_minutes": timeout if timeout_minutes is not None else existing.timeout_minutes,
                    "metadata": {**existing.metadata, **(metadata or {})}})
                self._refresh(resumed, current)
                self.repo.put(resumed)
                return resumed, True
        stamp = iso(now())
        session = SessionRecord(session_id=new_id("sess_"), user_id=user_id, client_id=client_id,
                                session_type=session_type or "troubleshooting", timeout_minutes=timeout,
                                created_at=stamp, last_activity_at=stamp, expires_at=current + timeout * 60,
                                metadata=metadata or {})
        self.repo.put(session)
        return session, False

    @staticmethod
    def _refresh(session: SessionRecord, current: int) -> None:
        session.last_activity_at = iso(now())
        session.expires_at = current + session.timeout_minutes * 60

    def for_login(self, user_id: str, requested: str | None) -> str:
        """The session a sign-in binds to: `requested` when it is a live session of this user, else a new one."""
        if requested:
            live = self.repo.get(user_id, requested, now_epoch())
            if live is not None:
                return self.heartbeat(user_id, live.session_id).session_id
        return self.open(user_id)[0].session_id

    def get(self, user_id: str, session_id: str) -> SessionRecord:
        session = self.repo.get(user_id, session_id, now_epoch())
        if session is None:
            raise NotFound("session not found or expired", code=SESSION_EXPIRED)
        return session

    def heartbeat(self, user_id: str, session_id: str) -> SessionRecord:
        """Extend a live session by its timeout; 404 when it is gone (the client then opens a new one)."""
        session = self.get(user_id, session_id)
        current = now_epoch()
        self._refresh(session, current)
        if not self.repo.touch(user_id, session_id, session.last_activity_at, session.expires_at, current):
            raise NotFound("session not found or expired", code=SESSION_EXPIRED)
        return session

    def update(self, user_id: str, session_id: str, *, metadata: dict[str, Any] | None = None,
               timeout_minutes: int | None = None) -> SessionRecord:
        """Change a live session's metadata (merged) or timeout; its expiry moves with the new timeout."""
        session = self.get(user_id, session_id)
        if timeout_minutes is not None:
            if not MIN_TIMEOUT <= timeout_minutes <= MAX_TIMEOUT:
                raise InvalidInput(f"timeout_minutes must be between {MIN_TIMEOUT} and {MAX_TIMEOUT}",
                                   code="INVALID_TIMEOUT")
            session.timeout_minutes = timeout_minutes
        session.metadata = {**session.metadata, **(metadata or {})}
        self._refresh(session, now_epoch())
        self.repo.put(session)
        return session

    def set_status(self, user_id: str, session_id: str, status: str) -> SessionRecord:
        """Archive (`archived`) or restore (`active`) a live session; its data is kept either way."""
        session = self.get(user_id, session_id)
        if session.status != status:
            session.status = status
            self.repo.put(session)
        return session

    def list(self, user_id: str, session_type: str | None, limit: int, offset: int) -> tuple[list[SessionRecord], int]:
        return self.repo.list(user_id, session_type, now_epoch(), limit, offset)

    def delete(self, user_id: str, session_id: str) -> None:
        if not self.repo.delete(user_id, session_id, now_epoch()):
            raise NotFound("session not found or expired", code=SESSION_EXPIRED)

    def require_live(self, user_id: str, session_id: str) -> SessionRecord:
        """For requests carrying `X-Session-Id`: 401 SESSION_EXPIRED unless it names a live session of the caller.
        Only use it where the client recovers from that answer (it opens a new session and retries)."""
        session = self.repo.get(user_id, session_id, now_epoch())
        if session is None:
            raise session_expired()
        return session
