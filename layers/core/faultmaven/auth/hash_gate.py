"""A bounded number of Argon2 computations at once, and a fast 503 past a queue bound.

Argon2id releases the GIL, so a burst of sign-ins would otherwise run as many hashes at once as there are request
threads: every core busy, every request slow, each hash slower. Through the gate a burst runs at a fixed pace, and a
caller who would wait behind more than `max_waiting` others is told at once to come back (503 with Retry-After)
instead of holding a connection and a thread for seconds. The parameters of the hash are not touched.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from faultmaven.errors import Unavailable


class HashGate:
    def __init__(self, slots: int, max_waiting: int) -> None:
        self._slots = threading.Semaphore(max(1, slots))
        self._lock = threading.Lock()
        self._max_waiting = max_waiting
        self._waiting = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots while the body runs."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self._max_waiting:
                    raise Unavailable("too many sign-ins at once; try again shortly", code="BUSY", retry_after=1)
                self._waiting += 1
            try:
                self._slots.acquire()
            finally:
                with self._lock:
                    self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


# One core is left to everything else (case reads and writes, the event loop): with every core hashing, a burst of
# sign-ins slowed all routes, sign-ins included (measured by benchmarks/load.py). Serving sign-ins before waiting
# sign-ups was tried too: sign-in p95 gained little and case p95 doubled. 96 waiting callers are about two seconds of
# hashing on one idle core, fewer than the sign-in routes' 128 threads, so the 503 comes first.
GATE = HashGate(slots=max(1, (os.cpu_count() or 1) - 1), max_waiting=96)
