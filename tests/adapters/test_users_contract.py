"""One contract for every adapter of the users and tokens ports (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.errors import Conflict
from faultmaven.ports.users import RefreshTokenRecord, UserRecord


def _user(user_id: str = "u1", username: str = "alice") -> UserRecord:
    return UserRecord(user_id=user_id, username=username, email=f"{username}@example.com", display_name=username,
                      password_hash="$argon2id$fake", created_at="2026-01-01T00:00:00Z")


def test_create_and_get(any_container: Container) -> None:
    repo = any_container.users
    repo.create(_user())
    assert repo.get("u1").username == "alice"
    assert repo.get_by_username("ALICE").user_id == "u1"
    assert repo.get("nope") is None
    assert repo.get_by_username("nobody") is None


def test_username_is_unique(any_container: Container) -> None:
    repo = any_container.users
    repo.create(_user())
    with pytest.raises(Conflict):
        repo.create(_user(user_id="u2"))
    assert repo.get("u2") is None


def test_login_state(any_container: Container) -> None:
    repo = any_container.users
    repo.create(_user())
    repo.set_login_state("u1", 2, 12345)
    user = repo.get("u1")
    assert (user.failed_logins, user.locked_until) == (2, 12345)


def test_refresh_token_is_spent_once(any_container: Container) -> None:
    tokens = any_container.tokens
    tokens.put(RefreshTokenRecord(token_id="t1", family_id="f1", user_id="u1", expires_at=2_000_000_000))
    assert tokens.mark_used("t1") is True
    assert tokens.mark_used("t1") is False
    assert tokens.mark_used("missing") is False
    assert tokens.get("t1").used is True


def test_revoke_family_and_user(any_container: Container) -> None:
    tokens = any_container.tokens
    for tid, fam, uid in (("a", "f1", "u1"), ("b", "f1", "u1"), ("c", "f2", "u1"), ("d", "f3", "u2")):
        tokens.put(RefreshTokenRecord(token_id=tid, family_id=fam, user_id=uid, expires_at=2_000_000_000))
    tokens.mark_used("a")
    assert tokens.revoke_family("f1") == 1  # only "b" was live
    assert tokens.mark_used("b") is False
    assert tokens.revoke_user("u1") == 1  # "c"
    assert tokens.mark_used("c") is False
    assert tokens.mark_used("d") is True  # another user's token is untouched
