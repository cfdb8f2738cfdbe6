"""Sign-in throttling with growing delays, per account name and per client address.

Every key is an account *name*, whether or not such a user exists, so an unknown user is answered exactly like a
known one (no enumeration). An account's attempt is counted before its password is checked, by a compare-and-set
on a counter, so parallel attempts cannot slip past the limit: of 20 at once against a limit of 5, five are checked.
Past the limit each attempt waits twice as long as the one before (1 s, 2 s, 4 s ... up to `max_delay`), instead of
a hard lock that anyone could set off against anyone: the owner waits seconds, a guesser waits longer and longer.
A client address counts only failures (a shared NAT signing in is not slowed) and is never cleared by a success,
so an attacker cannot reset it by signing in to an account of their own.
"""

from __future__ import annotations

from faultmaven.clock import now_epoch
from faultmaven.errors import RateLimited
from faultmaven.ports.throttle import ThrottleStore

_MAX_RACES = 50  # compare-and-set retries before giving up (only under heavy contention on one key)


def _busy(retry_after: int) -> RateLimited:
    return RateLimited("too many sign-in attempts; try again later", retry_after=retry_after)


class LoginThrottle:
    def __init__(self, store: ThrottleStore, *, account_limit: int, client_limit: int, max_delay: int) -> None:
        self.store = store
        self.account_limit = account_limit
        self.client_limit = client_limit
        self.max_delay = max_delay  # also how long a key must stay quiet before its count starts again

    @staticmethod
    def account_key(username: str) -> str:
        return f"user:{username.strip().lower()}"

    @staticmethod
    def client_key(client: str) -> str:
        return f"client:{client}"

    def _delay(self, attempts: int, limit: int) -> int:
        return 0 if attempts < limit else min(self.max_delay, 2 ** min(attempts - limit, 30))

    def _count(self, key: str, limit: int, *, refuse_when_blocked: bool) -> None:
        for _ in range(_MAX_RACES):
            seen, current = self.store.get(key), now_epoch()
            if refuse_when_blocked and seen is not None and seen.blocked_until > current:
                raise _busy(seen.blocked_until - current)
            restart = seen is None or current > max(seen.last_at, seen.blocked_until) + self.max_delay
            attempts = 1 if restart or seen is None else seen.attempts + 1
            delay = self._delay(attempts, limit)
            if self.store.advance(key, seen, current + delay if delay else 0, current, restart):
                return
        raise _busy(1)

    def admit(self, username: str, client: str | None) -> None:
        """Before a password is checked: 429 while the account or the client must wait; counts the attempt."""
        if client:
            state, current = self.store.get(self.client_key(client)), now_epoch()
            if state is not None and state.blocked_until > current:
                raise _busy(state.blocked_until - current)
        self._count(self.account_key(username), self.account_limit, refuse_when_blocked=True)

    def failed(self, client: str | None) -> None:
        if client:
            self._count(self.client_key(client), self.client_limit, refuse_when_blocked=False)

    def succeeded(self, username: str) -> None:
        self.store.clear(self.account_key(username))

    def unlock(self, username: str) -> None:
        """An admin's unlock: the account's delays end now (its clients' own counts stay)."""
        self.store.clear(self.account_key(username))
