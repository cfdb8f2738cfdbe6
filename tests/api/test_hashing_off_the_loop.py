"""Password hashing never stalls the server: while 20 sign-ins are hashing or queued for the hashing gate, over real
HTTP, the event loop still answers `GET /health` and case reads, and every sign-in then succeeds."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from faultmaven.auth import passwords
from faultmaven.auth.hash_gate import HashGate
from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import PASSWORD, sign_up
from tests.support.live_server import LiveServer

USERS = 20


class _HeldVerify:
    """The real hasher, except that a verification waits, in the gate's slot, until the test lets it go."""

    def __init__(self) -> None:
        self.real = passwords._hasher()
        self.entered, self.release = threading.Event(), threading.Event()
        self.waited_out = False

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.entered.set()
        if not self.release.wait(30):
            self.waited_out = True  # the test never got its answers while we held the slot
        return self.real.verify(stored, password)


def test_the_loop_answers_while_twenty_sign_ins_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d")
    set_container(Container(settings))
    gate, held = HashGate(slots=1, max_waiting=96), _HeldVerify()
    try:
        with LiveServer(build_app(settings)) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:
            users = [sign_up(http, f"burst-{n}") for n in range(USERS)]  # type: ignore[arg-type]
            case_id = http.post("/api/v1/cases", json={}, headers=users[0].headers).json()["case_id"]
            monkeypatch.setattr(passwords, "GATE", gate)
            monkeypatch.setattr(passwords, "_hasher", lambda: held)

            def sign_in(user: str) -> httpx.Response:
                with httpx.Client(base_url=server.base_url, timeout=60) as own:
                    return own.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})

            with ThreadPoolExecutor(max_workers=USERS) as pool:
                logins = [pool.submit(sign_in, u.username) for u in users]
                assert held.entered.wait(30)
                while gate.waiting < USERS - 1:  # one hashing, the others queued at the gate
                    assert not any(f.done() for f in logins), [f.result().text for f in logins if f.done()]
                    threading.Event().wait(0.01)
                health = http.get("/health")
                case = http.get(f"/api/v1/cases/{case_id}", headers=users[0].headers)
                in_flight = not any(f.done() for f in logins)
                held.release.set()
                answers = [f.result() for f in logins]
            assert health.status_code == 200 and case.status_code == 200, (health.text, case.text)
            assert in_flight and not held.waited_out  # answered while the sign-ins were still hashing
            assert [r.status_code for r in answers] == [200] * USERS, [r.text for r in answers if r.status_code != 200]
    finally:
        set_container(None)
