"""The hashing gate: bounded concurrency, a fast 503 past its queue bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from faultmaven.auth.hash_gate import HashGate
from faultmaven.errors import Unavailable


def _wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Poll until `condition()` holds (a bound on waiting for threads to arrive, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "threads did not reach the gate"
        time.sleep(0.005)


def test_no_more_bodies_at_once_than_slots() -> None:
    gate, lock = HashGate(slots=2, max_waiting=100), threading.Lock()
    running = peak = 0

    def body() -> None:
        nonlocal running, peak
        with gate.slot():
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.01)
            with lock:
                running -= 1

    threads = [threading.Thread(target=body) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_past_the_queue_bound_the_answer_is_503_with_retry_after() -> None:
    gate = HashGate(slots=1, max_waiting=1)
    holder_in, release = threading.Event(), threading.Event()

    def holder() -> None:
        with gate.slot():
            holder_in.set()
            release.wait(10)

    def waiter() -> None:
        with gate.slot():
            pass

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    threads[0].start()
    holder_in.wait(10)
    threads[1].start()
    _wait_until(lambda: gate._waiting == 1)
    with pytest.raises(Unavailable) as refused, gate.slot():
        pass
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "1"
    release.set()
    for t in threads:
        t.join(10)
    with gate.slot():  # the gate is free again once the queue drained
        pass
