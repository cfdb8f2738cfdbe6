"""A bounded number of Argon2 computations at once, sign-ins first, and a fast 503 past a queue bound.

Argon2id releases the GIL, so a burst of sign-ins would otherwise run as many hashes at once as there are request
threads: every core busy, every request slow, each hash slower. Through the gate a burst runs at a fixed pace, and a
caller who would wait behind more than `max_waiting` others is told at once to come back (503 with Retry-After)
instead of holding a connection and a thread for seconds. The parameters of the hash are not touched.

Waiters are served in order of arrival, except that a sign-in (`urgent`) goes before every waiting sign-up or
password change: a burst of sign-ups, an attacker's or a team's first morning, must not queue the people who already
have accounts behind it. A freed slot is handed to the next waiter directly, so nobody barges past the queue.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from faultmaven.errors import Unavailable


class HashGate:
    def __init__(self, slots: int, max_waiting: int) -> None:
        self._lock = threading.Lock()
        self._free = max(1, slots)
        self._max_waiting = max_waiting
        self._order = itertools.count()
        # (0 for a sign-in else 1, arrival number, a lock its waiter blocks on until a slot is handed to it)
        self._queue: list[tuple[int, int, threading.Lock]] = []

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextmanager
    def slot(self, *, urgent: bool = False) -> Iterator[None]:
        """Hold one of the slots while the body runs; `urgent` (a sign-in) is served before queued others."""
        with self._lock:
            if self._free:
                self._free -= 1
                turn = None
            else:
                if len(self._queue) >= self._max_waiting:
                    raise Unavailable("too many sign-ins at once; try again shortly", code="BUSY", retry_after=1)
                turn = threading.Lock()
                turn.acquire()
                heapq.heappush(self._queue, (0 if urgent else 1, next(self._order), turn))
        if turn is not None:
            turn.acquire()  # released by the holder that hands us its slot
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._lock:
            if self._queue:
                heapq.heappop(self._queue)[2].release()  # the slot passes on, still taken
            else:
                self._free += 1


# One core is left to everything else (case reads and writes, the event loop): with every core hashing, a burst of
# sign-ins slowed all routes, sign-ins included (measured by benchmarks/load.py). 96 waiting callers are about two
# seconds of hashing on one idle core, fewer than the sign-in routes' 128 threads, so the 503 comes first.
GATE = HashGate(slots=max(1, (os.cpu_count() or 1) - 1), max_waiting=96)
