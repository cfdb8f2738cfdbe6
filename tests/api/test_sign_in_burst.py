"""A burst of sign-ins past the hashing gate's queue bound is told at once to come back (503 + Retry-After), and a
correct password still signs in once the gate frees (nothing about the account changes)."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from faultmaven.auth.hash_gate import HashGate
from tests.conftest import PASSWORD, sign_up

LOGIN = "/api/v1/auth/login"


def test_sign_in_past_the_queue_bound_is_503_with_retry_after(client: TestClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sign_up(client, "carol")
    gate = HashGate(slots=1, max_waiting=0)
    monkeypatch.setattr("faultmaven.auth.passwords.GATE", gate)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.slot():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        busy = client.post(LOGIN, json={"username": "carol", "password": PASSWORD})
    finally:
        release.set()
        holder.join(10)
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "1" and busy.json()["code"] == "BUSY"
    assert client.post(LOGIN, json={"username": "carol", "password": PASSWORD}).status_code == 200
