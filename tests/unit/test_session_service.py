"""The session service: create-or-resume, timeouts, expiry, the SESSION_EXPIRED answer, sign-in binding."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.errors import InvalidInput, NotFound, Unauthorized
from faultmaven.sessions.service import SessionService


@pytest.fixture
def svc(container: Container) -> SessionService:
    return container.session_service


def _expire(container: Container, user_id: str, session_id: str) -> None:
    session = container.sessions.get(user_id, session_id, 0)
    container.sessions.put(session.model_copy(update={"expires_at": 1}))


def test_open_resumes_by_client_and_merges_metadata(svc: SessionService) -> None:
    first, resumed = svc.open("u1", "ext", metadata={"a": 1})
    assert resumed is False and first.timeout_minutes == 180
    again, resumed = svc.open("u1", "ext", timeout_minutes=60, metadata={"b": 2})
    assert resumed is True and again.session_id == first.session_id
    assert again.timeout_minutes == 60 and again.metadata == {"a": 1, "b": 2}
    assert svc.open("u1", None)[0].session_id != first.session_id  # no client id: always new


@pytest.mark.parametrize("timeout", [0, 59, 481])
def test_timeout_bounds(svc: SessionService, timeout: int) -> None:
    with pytest.raises(InvalidInput):
        svc.open("u1", "ext", timeout_minutes=timeout)


def test_expired_sessions_are_gone(container: Container, svc: SessionService) -> None:
    session, _ = svc.open("u1", "ext")
    _expire(container, "u1", session.session_id)
    with pytest.raises(NotFound):
        svc.heartbeat("u1", session.session_id)
    with pytest.raises(Unauthorized) as err:
        svc.require_live("u1", session.session_id)
    assert err.value.code == "SESSION_EXPIRED" and "session expired" in err.value.detail
    assert svc.open("u1", "ext")[1] is False
    assert svc.list("u1", None, 10, 0)[1] == 1


def test_for_login(container: Container, svc: SessionService) -> None:
    session, _ = svc.open("u1", "ext")
    assert svc.for_login("u1", session.session_id) == session.session_id
    assert svc.for_login("u2", session.session_id) != session.session_id  # someone else's: a new one
    _expire(container, "u1", session.session_id)
    fresh = svc.for_login("u1", session.session_id)
    assert fresh != session.session_id and svc.require_live("u1", fresh).user_id == "u1"
