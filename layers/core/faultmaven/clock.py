"""Time and identifiers, in one place so tests can reason about them."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def now_epoch() -> int:
    return int(time.time())


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_id(prefix: str = "") -> str:
    """A random, URL-safe identifier (128 bits)."""
    return f"{prefix}{secrets.token_hex(16)}"
