"""Session routes: create-or-resume by client id, read, list mine, heartbeat, delete.

Creating a session needs a signed-in caller: the extension also tries once before sign-in and tolerates the 401.
A session of another user, or one past its expiry, answers 404 (`code` SESSION_EXPIRED) on every route.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response, status

from faultmaven.errors import Unauthorized
from faultmaven.http.auth import ContainerDep, CurrentPrincipal, OptionalPrincipal
from faultmaven.http.params import Name, Offset
from functions.sessions.models import (
    SessionCreateRequest,
    SessionListResponse,
    SessionResponse,
    SessionStatusResponse,
    SessionUpdateRequest,
)

router = APIRouter(tags=["sessions"])
PREFIX = "/api/v1/sessions"
SessionId = Annotated[str, Path(min_length=1, max_length=128)]


# The extension posts to the collection with a trailing slash; serve both spellings rather than redirect a POST.
@router.post(PREFIX, status_code=status.HTTP_201_CREATED, response_model=SessionResponse)
@router.post(f"{PREFIX}/", status_code=status.HTTP_201_CREATED, response_model=SessionResponse, include_in_schema=False)
def create_session(principal: OptionalPrincipal, container: ContainerDep,
                   body: Annotated[SessionCreateRequest | None, Body()] = None) -> SessionResponse:
    if principal is None:
        raise Unauthorized("sign in first: creating a session needs Authorization: Bearer <access token>",
                           code="NOT_AUTHENTICATED")
    body = body or SessionCreateRequest()
    session, resumed = container.session_service.open(principal.user_id, body.client_id, body.session_type,
                                                      body.timeout_minutes, body.metadata)
    return SessionResponse.of(session, resumed=resumed,
                              message="session resumed" if resumed else "session created")


@router.get(PREFIX, response_model=SessionListResponse)
@router.get(f"{PREFIX}/", response_model=SessionListResponse, include_in_schema=False)
def list_sessions(principal: CurrentPrincipal, container: ContainerDep, session_type: Name = None,
                  limit: int = Query(default=50, ge=1, le=100), offset: Offset = 0,
                  ) -> SessionListResponse:
    """The caller's live sessions, most recently active first (a `user_id` parameter is ignored)."""
    sessions, total = container.session_service.list(principal.user_id, session_type, limit, offset)
    return SessionListResponse(sessions=[SessionResponse.of(s) for s in sessions], total_count=total, limit=limit,
                               offset=offset, has_more=offset + len(sessions) < total)


@router.get(f"{PREFIX}/{{session_id}}", response_model=SessionResponse)
def get_session(session_id: SessionId, principal: CurrentPrincipal, container: ContainerDep) -> SessionResponse:
    return SessionResponse.of(container.session_service.get(principal.user_id, session_id))


@router.put(f"{PREFIX}/{{session_id}}", response_model=SessionResponse)
def update_session(session_id: SessionId, body: SessionUpdateRequest, principal: CurrentPrincipal,
                   container: ContainerDep) -> SessionResponse:
    session = container.session_service.update(principal.user_id, session_id, metadata=body.metadata,
                                               timeout_minutes=body.timeout_minutes)
    return SessionResponse.of(session, message="session updated")


def _set_status(container: ContainerDep, principal: CurrentPrincipal, session_id: str,
                status_: Literal["archived", "active"], done: str) -> SessionStatusResponse:
    session = container.session_service.set_status(principal.user_id, session_id, status_)
    return SessionStatusResponse(session_id=session.session_id, status=status_, message=f"Session {done} successfully")


@router.post(f"{PREFIX}/{{session_id}}/archive", response_model=SessionStatusResponse)
def archive_session(session_id: SessionId, principal: CurrentPrincipal, container: ContainerDep,
                    ) -> SessionStatusResponse:
    """Keep the session and its data, filed away (still live until it expires)."""
    return _set_status(container, principal, session_id, "archived", "archived")


@router.post(f"{PREFIX}/{{session_id}}/restore", response_model=SessionStatusResponse)
def restore_session(session_id: SessionId, principal: CurrentPrincipal, container: ContainerDep,
                    ) -> SessionStatusResponse:
    return _set_status(container, principal, session_id, "active", "restored")


@router.post(f"{PREFIX}/{{session_id}}/heartbeat", response_model=SessionResponse)
def heartbeat(session_id: SessionId, principal: CurrentPrincipal, container: ContainerDep) -> SessionResponse:
    return SessionResponse.of(container.session_service.heartbeat(principal.user_id, session_id),
                              message="session extended")


@router.delete(f"{PREFIX}/{{session_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_session(session_id: SessionId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    container.session_service.delete(principal.user_id, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
