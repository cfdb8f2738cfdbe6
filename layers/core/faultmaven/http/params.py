"""Bounded query parameters shared by every route: a number or a string out of range is a 422 with a message at the
edge, never an integer overflow in a store (SQLite's 64-bit limit) or an unbounded scan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_OFFSET = 1_000_000  # deeper than any list a user pages through; far below 2**63
MAX_PAGE = 10_000
MAX_NAME = 128  # ids, types, scopes, team ids passed as filters

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"0 to {MAX_OFFSET}")]
Page = Annotated[int | None, Query(ge=1, le=MAX_PAGE, description=f"1-based, up to {MAX_PAGE}")]
Name = Annotated[str | None, Query(max_length=MAX_NAME)]
