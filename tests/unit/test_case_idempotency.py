"""The generic Idempotency-Key helper: run once, replay, refuse misuse, free the key when the request fails."""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.idempotency import Idempotency


@pytest.fixture
def idem(container: Container) -> Idempotency:
    return container.idempotency


def test_runs_once_and_replays(idem: Idempotency) -> None:
    calls = []

    def action() -> tuple[int, dict]:
        calls.append(1)
        return 201, {"n": len(calls)}

    first = idem.run("turns", "u1", "key-12345", {"q": "a"}, action)
    again = idem.run("turns", "u1", "key-12345", {"q": "a"}, action)
    assert (first.body, first.replayed, again.body, again.replayed, again.status_code) == (
        {"n": 1}, False, {"n": 1}, True, 201)
    assert idem.run("cases.create", "u1", "key-12345", {"q": "a"}, action).body == {"n": 2}  # another operation
    assert idem.run("turns", "u1", None, {"q": "a"}, action).body == {"n": 3}  # no key: no memory
    assert len(calls) == 3


def test_failure_frees_the_key(idem: Idempotency) -> None:
    def boom() -> tuple[int, dict]:
        raise InvalidInput("bad")

    with pytest.raises(InvalidInput):
        idem.run("turns", "u1", "key-failing", {}, boom)
    assert idem.run("turns", "u1", "key-failing", {}, lambda: (200, {"ok": True})).body == {"ok": True}


def test_in_progress_and_misuse(idem: Idempotency) -> None:
    def nested() -> tuple[int, dict]:
        with pytest.raises(Conflict) as err:  # the same key arrives while the first request runs
            idem.run("turns", "u1", "key-inflight", {}, lambda: (200, {}))
        assert err.value.code == "IDEMPOTENCY_IN_PROGRESS" and err.value.headers["Retry-After"] == "1"
        return 200, {"done": True}

    assert idem.run("turns", "u1", "key-inflight", {}, nested).body == {"done": True}
    with pytest.raises(InvalidInput) as err:
        idem.run("turns", "u1", "key-inflight", {"other": 1}, lambda: (200, {}))
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(InvalidInput):
        idem.run("turns", "u1", "bad key!", {}, lambda: (200, {}))
