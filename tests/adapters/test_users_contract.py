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


def test_all_lists_every_user_in_id_order(any_container: Container) -> None:
    repo = any_container.users
    assert list(repo.all()) == []
    repo.create(_user("u2", "bob"))
    repo.create(_user("u1", "alice"))
    repo.add_invitation("h1", "u1", expires_at=1000)  # not a user: never listed
    repo.set_roles("u2", ["user", "admin"])
    assert [(u.user_id, u.username, u.roles) for u in repo.all()] == [("u1", "alice", ["user"]),
                                                                      ("u2", "bob", ["user", "admin"])]


def test_username_is_unique(any_container: Container) -> None:
    repo = any_container.users
    repo.create(_user())
    with pytest.raises(Conflict):
        repo.create(_user(user_id="u2"))
    assert repo.get("u2") is None


def test_roles_password_and_invitations(any_container: Container) -> None:
    repo = any_container.users
    repo.create(_user())
    repo.set_roles("u1", ["user", "admin"])
    repo.set_password("u1", "$argon2id$other")
    assert (repo.get("u1").roles, repo.get("u1").password_hash) == (["user", "admin"], "$argon2id$other")
    repo.add_invitation("h1", "u1", expires_at=1000)
    repo.add_invitation("h2", "u1", expires_at=1000)
    assert repo.take_invitation("h1", now=999) is True
    assert repo.take_invitation("h1", now=999) is False  # spent
    assert repo.take_invitation("h2", now=1000) is False  # expired
    assert repo.take_invitation("nope", now=0) is False


def test_throttle_counter_is_compare_and_set(any_container: Container) -> None:
    store = any_container.throttle_store
    assert store.get("user:x") is None
    assert store.advance("user:x", None, 0, 100, restart=True) is True
    assert store.advance("user:x", None, 0, 100, restart=True) is False  # someone created it first
    seen = store.get("user:x")
    assert (seen.attempts, seen.last_at) == (1, 100)
    assert store.advance("user:x", seen, 150, 101, restart=False) is True
    assert store.advance("user:x", seen, 150, 101, restart=False) is False  # stale read: not counted twice
    assert store.get("user:x").model_dump() == {"attempts": 2, "blocked_until": 150, "last_at": 101}
    assert store.advance("user:x", store.get("user:x"), 0, 500, restart=True) is True
    assert store.get("user:x").attempts == 1
    store.clear("user:x")
    store.clear("user:never")
    assert store.get("user:x") is None


def test_parallel_attempts_each_count_once(any_container: Container) -> None:
    """20 threads each add one through the compare-and-set loop of the throttle: the count is 20."""
    from concurrent.futures import ThreadPoolExecutor

    from faultmaven.auth.throttle import LoginThrottle

    throttle = LoginThrottle(any_container.throttle_store, account_limit=1000, client_limit=1000, max_delay=60)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: throttle.admit("bob", None), range(20)))
    assert any_container.throttle_store.get("user:bob").attempts == 20


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


def test_an_invitation_sent_twice_at_once_is_spent_once(any_container: Container) -> None:
    """Two tabs (or a retry) registering with one code at the same moment: exactly one of them gets it."""
    from concurrent.futures import ThreadPoolExecutor

    users = any_container.users
    users.add_invitation("code-hash-1", "admin-1", expires_at=2_000_000_000)
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: users.take_invitation("code-hash-1", 1_000_000_000), range(8)))
    assert taken.count(True) == 1
    assert users.take_invitation("code-hash-1", 1_000_000_000) is False
