"""Storage port of the case aggregate: cases (with optimistic versions), their turn lease, their messages, daily
title counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, CaseMessage


class StaleVersion(Exception):
    """A conditional save found another version (or none: `actual` is None when the case is gone)."""

    def __init__(self, actual: int | None) -> None:
        super().__init__(f"stale case version (actual: {actual})")
        self.actual = actual


@dataclass(frozen=True)
class CaseQuery:
    """Filters of a case listing; timestamps are `stamp()` strings (created_before is exclusive)."""

    state: CaseState | None = None
    source: str | None = None
    include_empty: bool = True  # cases with no turn yet
    created_after: str | None = None
    created_before: str | None = None
    limit: int = 50
    offset: int = 0


DeleteOutcome = Literal["deleted", "already_deleted", "missing"]


class CaseRepository(Protocol):
    """Every method is scoped by the owner's `user_id`: another user's case is indistinguishable from none."""

    def create(self, case: Case) -> None:
        """Store a new case (its `version` as given); raises `Conflict` when the owner has (or deleted) that id."""

    def get(self, user_id: str, case_id: str) -> Case | None:
        """The live case, or None (missing, deleted, or someone else's)."""

    def save(self, case: Case, expected_version: int) -> None:
        """Replace the case only if its stored version is `expected_version`; else raise `StaleVersion`."""

    def acquire_lease(self, user_id: str, case_id: str, holder: str, until: float, at: float) -> bool:
        """Atomically take the case's turn lease for `holder` until `until` (epoch seconds) when it is free, expired
        at `at`, or already `holder`'s; False while someone else holds it."""

    def release_lease(self, user_id: str, case_id: str, holder: str) -> None:
        """Give the lease back if `holder` still has it (an expired lease taken over by another is left alone)."""

    def delete(self, user_id: str, case_id: str) -> DeleteOutcome:
        """Delete a case and its messages, leaving a tombstone so a repeated delete can be told apart."""

    def list(self, user_id: str, query: CaseQuery) -> tuple[list[Case], int]:
        """One page of the owner's cases, newest `updated_at` first, and the total that match."""

    def search(self, user_id: str, text: str, state: CaseState | None, limit: int) -> list[Case]:
        """The owner's cases whose title, description or problem statement contains `text` (any case)."""

    def next_title_number(self, user_id: str, day: str) -> int:
        """Atomically count one more case for the owner on `day` (YYMMDD); returns the new count."""

    def append_message(self, message: CaseMessage) -> None: ...

    def messages(self, user_id: str, case_id: str, limit: int, offset: int) -> tuple[list[CaseMessage], int]:
        """Messages of a case in conversation order (turn, then time), one page, and their total."""
