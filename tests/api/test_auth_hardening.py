"""Sign-in attacks that must fail: parallel guessing, enumeration, lockout of others, weak passwords, open sign-up,
admin by username, tokens that outlive a logout. On SQLite and on DynamoDB (moto) where storage matters."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.cli import main as cli
from local.server import build_app
from tests.conftest import PASSWORD, SignedIn, sign_up

REGISTER, LOGIN, ME = "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/me"
WRONG = "not the password at all"


def _login(client: TestClient, username: str, password: str = WRONG):
    return client.post(LOGIN, json={"username": username, "password": password})


def test_parallel_guesses_cannot_pass_the_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 wrong passwords at once against a limit of 3: only 3 are checked, the rest wait, and so does the owner
    (the clock is held still: past the limit the first wait is one second, which a slow run could outlast).
    SQLite only: moto does not serialize concurrent conditional writes as DynamoDB does; the DynamoDB adapter's
    compare-and-set is checked with a stale read in tests/adapters/test_users_contract.py."""
    any_client = client
    sign_up(any_client, "carol")
    monkeypatch.setattr("faultmaven.auth.throttle.now_epoch", lambda: 1_000_000)
    with ThreadPoolExecutor(10) as pool:
        codes = sorted(r.status_code for r in pool.map(lambda _: _login(any_client, "carol"), range(20)))
    assert codes.count(401) == 3 and codes.count(429) == 17, codes
    assert _login(any_client, "carol", PASSWORD).status_code == 429


def test_unknown_and_known_names_answer_alike(any_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_up(any_client, "carol")
    monkeypatch.setattr("faultmaven.auth.throttle.now_epoch", lambda: 1_000_000)
    answers = {}
    for name in ("carol", "nobody-here"):
        seq = [_login(any_client, name) for _ in range(5)]
        answers[name] = [(r.status_code, r.json()["detail"], r.headers.get("Retry-After")) for r in seq]
    assert answers["carol"] == answers["nobody-here"]
    assert [a[0] for a in answers["carol"]] == [401, 401, 401, 429, 429]


def test_delays_grow_and_a_success_clears_them(container: Container, monkeypatch: pytest.MonkeyPatch,
                                               client: TestClient) -> None:
    sign_up(client, "carol")
    clock = [1_000_000]
    monkeypatch.setattr("faultmaven.auth.throttle.now_epoch", lambda: clock[0])
    waits = []
    for _ in range(6):
        r = _login(client, "carol")
        assert r.status_code == 401
        blocked = _login(client, "carol")
        if blocked.status_code == 429:
            waits.append(int(blocked.headers["Retry-After"]))
            clock[0] += waits[-1]
    assert waits == [1, 2, 4, 8, 16]  # after the 3 free attempts: each wait twice the one before
    assert _login(client, "carol", PASSWORD).status_code == 200
    assert _login(client, "carol").status_code == 401  # the count started again
    assert _login(client, "carol").status_code == 401


def test_one_client_guessing_many_names_is_slowed(container: Container) -> None:
    auth = container.auth
    auth.throttle.client_limit = 4
    from faultmaven.errors import RateLimited, Unauthorized

    for i in range(4):
        with pytest.raises(Unauthorized):
            auth.authenticate(f"user{i}", WRONG, client="10.0.0.9")
    with pytest.raises(RateLimited):
        auth.authenticate("user9", WRONG, client="10.0.0.9")
    with pytest.raises(Unauthorized):  # another client is not slowed by this one
        auth.authenticate("user9", WRONG, client="10.0.0.10")


def _admin(client: TestClient, data_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str = "root") -> SignedIn:
    """An admin made the only way there is: `faultmaven admin create` on the store."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(["admin", "create", name, "--data-dir", str(data_dir)]) == 0
    body = _login(client, name, PASSWORD).json()
    return SignedIn(body["user"]["user_id"], name, body["access_token"], body["refresh_token"], body["session_id"])


def test_admin_unlock_and_no_admin_by_username(client: TestClient, container: Container,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    claimed = client.post(REGISTER, json={"username": "admin", "password": PASSWORD}).json()
    assert claimed["user"]["roles"] == ["user"]
    alice = sign_up(client, "alice")
    root = _admin(client, container.settings.data_dir, monkeypatch)
    assert "admin" in client.get(ME, headers=root.headers).json()["roles"]
    monkeypatch.setattr("faultmaven.auth.throttle.now_epoch", lambda: 1_000_000)  # no wait runs out on a slow run
    for _ in range(4):
        _login(client, "carol")
    assert _login(client, "carol").status_code == 429
    assert client.post("/api/v1/auth/unlock", json={"username": "carol"}, headers=alice.headers).status_code == 403
    assert client.post("/api/v1/auth/unlock", json={"username": "carol"}, headers=root.headers).status_code == 204
    assert _login(client, "carol").status_code == 401
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(["admin", "create", "root", "--data-dir", str(container.settings.data_dir)]) == 1  # taken


@pytest.mark.parametrize("password", ["12345678", "password123", "qwertyuiop", "carolcarol1"])
def test_common_passwords_are_refused(any_client: TestClient, password: str) -> None:
    r = any_client.post(REGISTER, json={"username": "carol", "password": password})
    assert r.status_code == 400 and r.json()["code"] == "WEAK_PASSWORD", r.text


def test_password_change_applies_the_rules_and_signs_out(client: TestClient, alice: SignedIn) -> None:
    change = "/api/v1/auth/password"
    weak = client.post(change, json={"current_password": PASSWORD, "new_password": "12345678"}, headers=alice.headers)
    assert weak.status_code == 400 and weak.json()["code"] == "WEAK_PASSWORD"
    wrong = client.post(change, json={"current_password": WRONG, "new_password": "a fresh long passphrase"},
                        headers=alice.headers)
    assert wrong.status_code == 401
    ok = client.post(change, json={"current_password": PASSWORD, "new_password": "a fresh long passphrase"},
                     headers=alice.headers)
    assert ok.status_code == 204
    assert client.get(ME, headers=alice.headers).json()["code"] == "TOKEN_REVOKED"
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token}).status_code == 401
    assert _login(client, "alice", PASSWORD).status_code == 401
    assert _login(client, "alice", "a fresh long passphrase").status_code == 200


def test_logout_ends_the_sessions_access_tokens(any_client: TestClient) -> None:
    alice = sign_up(any_client, "alice")
    other = _login(any_client, "alice", PASSWORD).json()  # another sign-in: another session
    rotated = any_client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token}).json()
    assert any_client.post("/api/v1/auth/logout", headers=alice.headers).status_code == 200
    for token in (alice.access_token, rotated["access_token"]):  # the rotated token keeps the session id
        r = any_client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json()["code"] == "TOKEN_REVOKED"
    assert any_client.get(ME, headers={"Authorization": f"Bearer {other['access_token']}"}).status_code == 200
    assert any_client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 401


def test_a_revoked_family_stays_revoked(any_client: TestClient, any_container: Container) -> None:
    """A rotation that races with a revocation (its token was checked just before) cannot revive the family."""
    alice = sign_up(any_client, "alice")
    auth = any_container.auth
    real_mark_used = auth.tokens.mark_used

    def revoked_meanwhile(token_id: str) -> bool:
        ok = real_mark_used(token_id)
        auth._revoke_family(auth.tokens.get(token_id).family_id, alice.user_id)
        return ok

    auth.tokens.mark_used = revoked_meanwhile
    try:
        r = any_client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    finally:
        auth.tokens.mark_used = real_mark_used
    assert r.status_code == 401 and r.json()["code"] == "TOKEN_REUSED"
    live = [t for t in _family_tokens(any_container, alice.user_id) if not (t.used or t.revoked)]
    assert live == []


def _family_tokens(container: Container, user_id: str) -> list:
    if container.embedded:
        rows = container.db.query("SELECT token_id FROM refresh_tokens WHERE user_id = ?", (user_id,))
        return [container.tokens.get(r["token_id"]) for r in rows]
    return [container.tokens.get(i.token_id) for i in container.tokens.model.by_user.query(user_id)]


@pytest.mark.parametrize("policy", ["closed", "invite"])
def test_registration_policy(tmp_path: Path, policy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", registration=policy)
    set_container(Container(settings))
    try:
        with TestClient(build_app(settings)) as client:
            config = client.get("/api/v1/auth/config").json()
            assert config["registration"] == policy and config["supports_registration"] is (policy == "invite")
            r = client.post(REGISTER, json={"username": "dave", "password": PASSWORD})
            assert r.status_code == 403
            if policy == "closed":
                return
            assert r.json()["code"] == "INVITE_REQUIRED"
            root = _admin(client, settings.data_dir, monkeypatch)
            code = client.post("/api/v1/auth/invitations", headers=root.headers).json()["invite_code"]
            bad = client.post(REGISTER, json={"username": "dave", "password": "12345678", "invite_code": code})
            assert bad.status_code == 400  # a weak password does not spend the invitation
            ok = client.post(REGISTER, json={"username": "dave", "password": PASSWORD, "invite_code": code})
            assert ok.status_code == 201 and ok.json()["user"]["roles"] == ["user"]
            again = client.post(REGISTER, json={"username": "erin", "password": PASSWORD, "invite_code": code})
            assert again.status_code == 403 and again.json()["code"] == "INVITE_INVALID"
    finally:
        set_container(None)


def test_cloud_default_is_closed_and_embedded_open() -> None:
    assert Settings(mode="aws").effective_registration == "closed"
    assert Settings(mode="embedded").effective_registration == "open"


def test_first_admin_of_a_cloud_deploy_by_the_one_shot_command(aws_container: Container,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`FM_MODE=aws ... faultmaven admin create` writes the tables directly (no signing key needed)."""
    for name, value in {"FM_MODE": "aws", "FM_TABLE_PREFIX": aws_container.settings.table_prefix,
                        "FM_AWS_REGION": aws_container.settings.aws_region}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(["admin", "create", "root"]) == 0
    assert "admin" in aws_container.users.get_by_username("root").roles
    assert cli(["admin", "invite"]) == 0
