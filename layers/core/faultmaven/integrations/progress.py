"""Notifications of a case's progress: the hook `CaseService` calls after each written change. Kept apart from the
notifier so that building the case service imports nothing of the delivery machinery."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case
from faultmaven.http.logging import logger

if TYPE_CHECKING:
    from faultmaven.integrations.notifier import Notifier


def progress_watcher(notifier: Callable[[], Notifier],
                     team_scopes: Callable[[Case], list[str]] = lambda case: []) -> Callable[[Case, Case], None]:
    """`CaseService`'s change hook: a case opened from an alert tells its owner's channels, and those of the teams
    it is shared with (`team_scopes`), when its state or stage changes ("resolved" when it is resolved). Other
    cases, and other changes, send nothing."""

    def changed(before: Case, after: Case) -> None:
        if after.source != "alert" or (before.state, before.stage) == (after.state, after.stage):
            return
        resolved = after.state == CaseState.RESOLVED
        detail = f"State: {after.state.value}" + (f", stage: {after.stage.value}" if after.stage else "")
        if resolved and after.solution:
            detail += f"\nSolution: {after.solution}"
        try:
            for scope in (after.user_id, *team_scopes(after)):
                notifier().case_event(scope, "resolved" if resolved else "stage", after, detail)
        except Exception as exc:  # a notification never fails the change that caused it
            logger.warning("notification not queued", extra={"error_type": type(exc).__name__})

    return changed
