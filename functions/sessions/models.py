"""Request and response shapes of the session routes (field names from the clients' contract)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from faultmaven.http.api_model import ApiModel
from faultmaven.ports.sessions import SessionRecord


class SessionCreateRequest(ApiModel):
    client_id: str | None = Field(default=None, min_length=1, max_length=255)
    session_type: str | None = Field(default="troubleshooting", min_length=1, max_length=64)
    timeout_minutes: int | None = Field(default=180, ge=60, le=480)
    metadata: dict[str, Any] | None = None


class SessionResponse(ApiModel):
    session_id: str
    user_id: str
    client_id: str | None
    session_type: str
    status: Literal["active", "archived", "expired", "terminated"] = "active"
    created_at: str
    last_activity: str
    expires_at: str
    timeout_minutes: int
    metadata: dict[str, Any]
    session_resumed: bool | None = None
    message: str | None = None
    schema_version: str = "3.1.0"

    @classmethod
    def of(cls, session: SessionRecord, *, resumed: bool | None = None, message: str | None = None,
           ) -> SessionResponse:
        expires = datetime.fromtimestamp(session.expires_at, UTC).isoformat().replace("+00:00", "Z")
        return cls(session_id=session.session_id, user_id=session.user_id, client_id=session.client_id,
                   session_type=session.session_type, status=session.status, created_at=session.created_at,
                   last_activity=session.last_activity_at, expires_at=expires,
                   timeout_minutes=session.timeout_minutes, metadata=session.metadata, session_resumed=resumed,
                   message=message)


class SessionUpdateRequest(ApiModel):
    """What a client may change on its session; case data is not session data (400 for anything else)."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] | None = None
    timeout_minutes: int | None = Field(default=None, ge=60, le=480)


class SessionStatusResponse(ApiModel):
    session_id: str
    status: Literal["active", "archived"]
    message: str


class SessionListResponse(ApiModel):
    sessions: list[SessionResponse]
    total_count: int
    limit: int
    offset: int
    has_more: bool
