"""The shape of the hook that sanitizes what a case stores, so domain services need not know the vault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (owner, case, values) -> the values (strings, or JSON-like data) sanitized with the case's placeholder map, in order.
Redactor = Callable[[str, str, list[Any]], list[Any]]
