"""One contract for every adapter of the sessions port; expiry reads as absence on both."""

from __future__ import annotations

from faultmaven.container import Container
from faultmaven.ports.sessions import SessionRecord

NOW = 1_800_000_000


def _session(session_id: str, user_id: str = "u1", client_id: str | None = "ext-1", expires_at: int = NOW + 600,
             last: str = "2026-01-01T00:00:00Z", session_type: str = "troubleshooting") -> SessionRecord:
    return SessionRecord(session_id=session_id, user_id=user_id, client_id=client_id, session_type=session_type,
                         timeout_minutes=60, created_at=last, last_activity_at=last, expires_at=expires_at,
                         metadata={"browser": "firefox"})


def test_put_get_and_expiry(any_container: Container) -> None:
    repo = any_container.sessions
    repo.put(_session("s1"))
    got = repo.get("u1", "s1", NOW)
    assert got is not None and got.metadata == {"browser": "firefox"} and got.client_id == "ext-1"
    assert repo.get("u2", "s1", NOW) is None
    assert repo.get("u1", "s1", NOW + 600) is None  # expired at exactly expires_at


def test_find_by_client_prefers_latest_live(any_container: Container) -> None:
    repo = any_container.sessions
    repo.put(_session("old", last="2026-01-01T00:00:00Z"))
    repo.put(_session("new", last="2026-01-02T00:00:00Z"))
    repo.put(_session("dead", last="2026-01-03T00:00:00Z", expires_at=NOW - 1))
    repo.put(_session("other", client_id="ext-2"))
    assert repo.find_by_client("u1", "ext-1", NOW).session_id == "new"
    assert repo.find_by_client("u2", "ext-1", NOW) is None
    assert repo.find_by_client("u1", "ext-9", NOW) is None


def test_list_touch_delete(any_container: Container) -> None:
    repo = any_container.sessions
    repo.put(_session("a", last="2026-01-01T00:00:00Z"))
    repo.put(_session("b", last="2026-01-02T00:00:00Z", session_type="chat"))
    repo.put(_session("c", expires_at=NOW))
    repo.put(_session("z", user_id="u2"))
    items, total = repo.list("u1", None, NOW, 10, 0)
    assert [s.session_id for s in items] == ["b", "a"] and total == 2
    assert [s.session_id for s in repo.list("u1", "chat", NOW, 10, 0)[0]] == ["b"]
    assert [s.session_id for s in repo.list("u1", None, NOW, 1, 1)[0]] == ["a"]

    assert repo.touch("u1", "a", "2026-01-05T00:00:00Z", NOW + 9999, NOW) is True
    assert repo.get("u1", "a", NOW + 5000).last_activity_at == "2026-01-05T00:00:00Z"
    assert repo.touch("u1", "c", "2026-01-05T00:00:00Z", NOW + 9999, NOW) is False  # expired stays expired
    assert repo.touch("u2", "a", "2026-01-05T00:00:00Z", NOW + 9999, NOW) is False

    assert repo.delete("u2", "a", NOW) is False
    assert repo.delete("u1", "a", NOW) is True
    assert repo.delete("u1", "a", NOW) is False
    assert repo.get("u1", "a", NOW) is None
