"""Per-integration webhook rate limit: at most `limit` requests per fixed window, counted on the sign-in throttle's
store (its compare-and-set counter), so parallel requests each count once on both adapters.

A key's record reads: `attempts` = requests in the window, `blocked_until` = when the window ends.
"""

from __future__ import annotations

from faultmaven.clock import now_epoch
from faultmaven.errors import RateLimited
from faultmaven.ports.throttle import ThrottleStore

_MAX_RACES = 50


class WebhookRateLimit:
    def __init__(self, store: ThrottleStore, *, limit: int, window_seconds: int = 60) -> None:
        self.store = store
        self.limit = limit
        self.window_seconds = window_seconds

    def admit(self, integration_id: str) -> None:
        """Count one request; 429 with Retry-After once the window's budget is spent."""
        key = f"webhook:{integration_id}"
        for _ in range(_MAX_RACES):
            seen, current = self.store.get(key), now_epoch()
            restart = seen is None or current >= seen.blocked_until
            if not restart and seen is not None and seen.attempts >= self.limit:
                raise RateLimited("this integration sent too many alerts; retry later",
                                  retry_after=seen.blocked_until - current)
            window_end = current + self.window_seconds if restart or seen is None else seen.blocked_until
            if self.store.advance(key, seen, window_end, current, restart):
                return
        raise RateLimited("this integration sent too many alerts at once; retry later", retry_after=1)
