"""A bounded number of Argon2 computations at once, sign-ins before sign-ups, and a fast 503 past a queue bound.

Argon2id releases the GIL, so a burst of sign-ins would otherwise run as many hashes at once as there are request
threads: every core busy, every request slow, each hash slower. Through the gate a burst runs at a fixed pace,
a waiting verification (a user signing in) goes before a waiting new hash (sign-up, password change), and a caller
who would wait behind more than `max_waiting` others is told at once to come back (503 with Retry-After) instead of
holding a connection and a thread for seconds. The parameters of the hash are not touched.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from faultmaven.errors import Unavailable


class HashGate:
    def __init__(self, slots: int, max_waiting: int) -> None:
        self._cond = threading.Condition()
        self._free = max(1, slots)
        self._max_waiting = max_waiting
        self._waiting = 0
        self._urgent_waiting = 0

    @contextmanager
    def slot(self, *, urgent: bool) -> Iterator[None]:
        """Hold one of the slots while the body runs; `urgent` callers are admitted before the others."""
        with self._cond:
            if self._free == 0 and self._waiting >= self._max_waiting:
                raise Unavailable("too many sign-ins at once; try again shortly", code="BUSY", retry_after=1)
            self._waiting += 1
            self._urgent_waiting += urgent
            try:
                while self._free == 0 or (not urgent and self._urgent_waiting):
                    self._cond.wait()
            finally:
                self._waiting -= 1
                self._urgent_waiting -= urgent
            self._free -= 1
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify_all()


# One core is left to everything else (case reads and writes, the event loop): with every core hashing, a burst of
# sign-ins slowed all routes, sign-ins included (measured by benchmarks/load.py). 96 waiting callers are about two
# seconds of hashing on one idle core, fewer than the sign-in routes' 128 threads, so the 503 comes first.
GATE = HashGate(slots=max(1, (os.cpu_count() or 1) - 1), max_waiting=96)
