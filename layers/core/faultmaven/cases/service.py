"""Use cases over the case aggregate, for the HTTP routes and for the copilot.

Every change is a read-modify-write of the whole aggregate guarded by its `version`:
- with `expected_version` (the client's `If-Match` / `X-Expected-Version`) a stale version answers 409 at once;
- without it, a write that loses a race is re-applied to the fresh case (its rules re-checked) a few times, so a
  concurrent change is never overwritten; if it still loses, 409.
A 409 for a version carries `X-Expected-Version` and `X-Actual-Version` headers.

A copilot turn also holds the case's lease (`turn_lease`) while it reads, plans and writes, so two turns on one case
run one after the other instead of planning on the same stale copy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from faultmaven.cases.changes import CaseChanges, apply_changes
from faultmaven.cases.lifecycle import CaseState, ClosureReason
from faultmaven.cases.model import Case, CaseMessage, CaseSource, MessageRole, stamp
from faultmaven.cases.titles import placeholder_title, title_from_conversation
from faultmaven.clock import new_id, now
from faultmaven.errors import Conflict, InvalidInput, NotFound
from faultmaven.ports.cases import CaseQuery, CaseRepository, StaleVersion
from faultmaven.sanitize.stored import Redactor

MAX_WRITE_ATTEMPTS = 3
LEASE_POLL_SECONDS = (0.02, 0.5)  # first and longest pause between tries for a busy case's lease
TITLE_SOURCE_MESSAGES = 20


def version_conflict(expected: int, actual: int) -> Conflict:
    return Conflict(f"the case changed meanwhile (version {actual}, expected {expected}); reload and retry",
                    code="VERSION_CONFLICT", headers={"X-Expected-Version": str(expected),
                                                      "X-Actual-Version": str(actual)})


def case_not_found() -> NotFound:
    return NotFound("case not found", code="CASE_NOT_FOUND")


def _unchanged(owner_id: str, case_id: str, texts: list[Any]) -> list[Any]:
    return texts


def case_busy() -> Conflict:
    return Conflict("another turn is running on this case; send this one again shortly", code="CASE_BUSY",
                    headers={"Retry-After": "2"})


class CaseService:
    def __init__(self, repo: CaseRepository, redact: Redactor = _unchanged, *,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 on_change: Callable[[Case, Case], None] | None = None) -> None:
        """`redact` sanitizes what a user types into a case before it is stored (title, description, first
        message), so stored texts never hold a secret; the copilot sanitizes its turns itself. `on_change` hears
        of every written change (before, after), e.g. to notify a team of a stage change; it must not raise."""
        self.repo = repo
        self.on_change = on_change
        self.redact = redact
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def turn_lease(self, user_id: str, case_id: str, *, hold_seconds: float, wait_seconds: float) -> Iterator[None]:
        """Hold the case's lease for one turn: wait up to `wait_seconds` while another turn holds it, then 409
        CASE_BUSY with Retry-After. `hold_seconds` bounds a turn that dies without releasing it."""
        holder = new_id("lease_")
        deadline = self._clock() + wait_seconds
        pause, longest = LEASE_POLL_SECONDS
        while not self.repo.acquire_lease(user_id, case_id, holder, self._clock() + hold_seconds, self._clock()):
            left = deadline - self._clock()
            if left <= 0:
                raise case_busy()
            self._sleep(min(pause, left))
            pause = min(pause * 2, longest)
        try:
            yield
        finally:
            self.repo.release_lease(user_id, case_id, holder)

    # -- reading ------------------------------------------------------------------------------------------------
    def get(self, user_id: str, case_id: str) -> Case:
        """The caller's case with its hypotheses, indicators and pending proposal; 404 for anyone else's."""
        case = self.repo.get(user_id, case_id)
        if case is None:
            raise case_not_found()
        return case

    def list(self, user_id: str, query: CaseQuery) -> tuple[list[Case], int]:
        return self.repo.list(user_id, query)

    def search(self, user_id: str, text: str, state: CaseState | None = None, limit: int = 20) -> list[Case]:
        text = text.strip()
        if not text:
            raise InvalidInput("query must not be blank", code="INVALID_QUERY")
        return self.repo.search(user_id, text, state, limit)

    def messages(self, user_id: str, case_id: str, limit: int, offset: int) -> tuple[list[CaseMessage], int]:
        """One page of the conversation in order (turn, then time), and the total number of messages."""
        self.get(user_id, case_id)
        return self.repo.messages(user_id, case_id, limit, offset)

    # -- creating and deleting ----------------------------------------------------------------------------------
    def create(self, user_id: str, *, title: str | None = None, description: str | None = None,
               initial_message: str | None = None, session_id: str | None = None,
               source: CaseSource = "copilot", case_id: str | None = None) -> Case:
        """A new inquiry. Without a title it gets the placeholder `Case-YYMMDD-N`, renamed later from the
        conversation. An initial message is stored as the user's message of turn 0. `case_id` is given by a caller
        that had to claim the id first (an alert's dedupe link)."""
        at = now()
        case_id = case_id or new_id("case_")
        title, description, initial_message = self.redact(user_id, case_id, [
            " ".join((title or "").split()), (description or "").strip(), (initial_message or "").strip()])
        title = title[:200]
        if not title:
            title = placeholder_title(at, self.repo.next_title_number(user_id, f"{at:%y%m%d}"))
        ts = stamp(at)
        case = Case(case_id=case_id, user_id=user_id, title=title, description=description,
                    source=source, session_id=session_id, created_at=ts, updated_at=ts, last_activity_at=ts)
        self.repo.create(case)
        if initial_message:
            self.append_message(user_id, case.case_id, "user", initial_message, 0)
        return case

    def delete(self, user_id: str, case_id: str) -> None:
        """Delete a case and its messages. Repeating it is harmless; a case that never was the caller's is 404."""
        if self.repo.delete(user_id, case_id) == "missing":
            raise case_not_found()

    # -- conversation -------------------------------------------------------------------------------------------
    def append_message(self, user_id: str, case_id: str, role: MessageRole, content: str, turn_number: int,
                       metadata: dict[str, Any] | None = None) -> CaseMessage:
        """Store one message of a turn (content already sanitized by the caller). It does not change the case
        itself: record the turn with `apply(..., CaseChanges(turn_number=...))`. Whether a terminal case still
        takes messages is the caller's decision."""
        self.get(user_id, case_id)
        message = CaseMessage(message_id=new_id("msg_"), case_id=case_id, user_id=user_id, role=role,
                              content=content, turn_number=turn_number, created_at=stamp(now()),
                              metadata=metadata or {})
        self.repo.append_message(message)
        return message

    # -- changing -----------------------------------------------------------------------------------------------
    def apply(self, user_id: str, case_id: str, changes: CaseChanges, expected_version: int | None = None) -> Case:
        """Apply validated copilot changes (turn, hypotheses, indicators, proposal, transition) in one write."""
        return self._mutate(user_id, case_id, lambda case, at: apply_changes(case, changes, at), expected_version)

    def update(self, user_id: str, case_id: str, *, title: str | None = None, description: str | None = None,
               state: CaseState | None = None, expected_version: int | None = None) -> Case:
        """A user's edit: rename, describe, or move the case along a legal edge. 409 once it is terminal."""
        if title is not None or description is not None:
            self.get(user_id, case_id)  # 404 before anything is written for a case that is not the caller's
            clean = iter(self.redact(user_id, case_id, [t for t in (title, description) if t is not None]))
            title, description = (None if t is None else next(clean) for t in (title, description))

        def edit(case: Case, at: str) -> None:
            case.require_editable()
            if title is not None:
                case.rename(title)
            if description is not None:
                case.description = description.strip()
            if state is not None and state != case.state:
                case.transition(state, at)

        return self._mutate(user_id, case_id, edit, expected_version)

    def close(self, user_id: str, case_id: str, reason: ClosureReason | str | None = None,
              expected_version: int | None = None) -> Case:
        """Close with a reason fitting the current state (its default when none is given)."""
        return self._mutate(user_id, case_id, lambda case, at: case.transition(CaseState.CLOSED, at, reason),
                            expected_version)

    def archive(self, user_id: str, case_id: str, archived: bool, expected_version: int | None = None) -> Case:
        """File a case away or bring it back; any state, nothing else changes."""

        def mark(case: Case, at: str) -> None:
            if archived != (case.archived_at is not None):
                case.archived_at = at if archived else None

        return self._mutate(user_id, case_id, mark, expected_version)

    def generate_title(self, user_id: str, case_id: str, force: bool = False) -> Case:
        """Title the case from its conversation. Only a placeholder title is replaced unless `force`; when the
        conversation has nothing to go on yet, the title stays as it is."""
        case = self.get(user_id, case_id)
        if not (force or case.has_placeholder_title) or case.is_terminal:
            return case
        messages, _ = self.repo.messages(user_id, case_id, TITLE_SOURCE_MESSAGES, 0)
        title = title_from_conversation(m.content for m in messages if m.role == "user")
        if title is None or title == case.title:
            return case
        return self._mutate(user_id, case_id, lambda c, _: c.rename(title), expected_version=None)

    def _mutate(self, user_id: str, case_id: str, change: Callable[[Case, str], None],
                expected_version: int | None) -> Case:
        attempts = 1 if expected_version is not None else MAX_WRITE_ATTEMPTS
        for attempt in range(attempts):
            current = self.get(user_id, case_id)
            if expected_version is not None and current.version != expected_version:
                raise version_conflict(expected_version, current.version)
            updated = current.model_copy(deep=True)
            at = stamp(now())
            change(updated, at)
            if updated == current:
                return current  # nothing to write
            updated.version = current.version + 1
            updated.updated_at = updated.last_activity_at = at
            try:
                self.repo.save(updated, current.version)
            except StaleVersion as exc:
                if exc.actual is None:
                    raise case_not_found() from exc
                if attempt == attempts - 1:
                    raise version_conflict(current.version, exc.actual) from exc
                continue
            if self.on_change is not None:
                self.on_change(current, updated)
            return updated
        raise AssertionError("unreachable")  # pragma: no cover
