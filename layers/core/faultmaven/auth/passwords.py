"""Password hashing with Argon2id (memory-hard). Clear passwords are never stored or logged."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from faultmaven.auth.hash_gate import GATE

# 19 MiB, 2 passes: OWASP's minimum Argon2id profile, light enough for a Lambda with 512 MB.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both paths cost the same time (made on first need, not
    at import: every function imports this module, and a hash costs tens of milliseconds of cold start)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    with GATE.slot():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for a real stored hash: an absent or empty one costs the same time and always fails."""
    stored = password_hash or _dummy_hash()
    try:
        with GATE.slot():
            return _hasher.verify(stored, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
