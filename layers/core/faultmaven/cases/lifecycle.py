"""The case lifecycle as a state machine: states, legal edges, closure reasons and the derived stage.

Transitions are decided here, never by free text: a copilot may only propose one (see `Case.propose`), and the
proposal is applied when the user confirms it.
"""

from __future__ import annotations

from enum import StrEnum

from faultmaven.errors import Conflict, InvalidInput


class CaseState(StrEnum):
    INQUIRY = "inquiry"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class InvestigationStage(StrEnum):
    DIAGNOSIS = "diagnosis"
    MITIGATION = "mitigation"
    TREATMENT = "treatment"


class ClosureReason(StrEnum):
    INQUIRY_ONLY = "inquiry_only"
    SOLUTION_DEFERRED = "solution_deferred"
    CLOSED_RCA_INFEASIBLE = "closed_rca_infeasible"
    MITIGATION_SUFFICIENT = "mitigation_sufficient"
    CLOSED_INSUFFICIENT_EVIDENCE = "closed_insufficient_evidence"


TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.INQUIRY: frozenset({CaseState.INVESTIGATING, CaseState.CLOSED}),
    CaseState.INVESTIGATING: frozenset({CaseState.RESOLVED, CaseState.CLOSED}),
    CaseState.RESOLVED: frozenset(),
    CaseState.CLOSED: frozenset(),
}
TERMINAL_STATES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# Which reasons fit a closure from which state: an inquiry never started an investigation, so only `inquiry_only`
# describes it; the other four describe how an investigation ended without a confirmed resolution.
CLOSURE_REASONS: dict[CaseState, frozenset[ClosureReason]] = {
    CaseState.INQUIRY: frozenset({ClosureReason.INQUIRY_ONLY}),
    CaseState.INVESTIGATING: frozenset(set(ClosureReason) - {ClosureReason.INQUIRY_ONLY}),
}
DEFAULT_CLOSURE_REASON = {CaseState.INQUIRY: ClosureReason.INQUIRY_ONLY,
                          CaseState.INVESTIGATING: ClosureReason.SOLUTION_DEFERRED}


def is_terminal(state: CaseState) -> bool:
    return state in TERMINAL_STATES


def valid_next_states(state: CaseState) -> list[CaseState]:
    """The legal targets from `state`, in lifecycle order."""
    return [s for s in CaseState if s in TRANSITIONS[state]]


def require_editable(state: CaseState) -> None:
    if is_terminal(state):
        raise Conflict(f"the case is {state.value}; a resolved or closed case cannot be changed", code="CASE_TERMINAL")


def require_transition(source: CaseState, target: CaseState) -> None:
    """Raise 409 unless `source -> target` is a legal edge."""
    require_editable(source)
    if target not in TRANSITIONS[source]:
        allowed = ", ".join(valid_next_states(source))
        raise Conflict(f"a case cannot go from {source.value} to {target.value} (allowed: {allowed})",
                       code="ILLEGAL_TRANSITION")


def closure_reason_for(source: CaseState, reason: ClosureReason | str | None) -> ClosureReason:
    """The closure reason for closing a case that is in `source` (the state's default when none is given)."""
    require_transition(source, CaseState.CLOSED)
    if reason is None:
        return DEFAULT_CLOSURE_REASON[source]
    try:
        chosen = ClosureReason(reason)
    except ValueError:
        raise InvalidInput(f"unknown closure reason {reason!r}; one of: {', '.join(ClosureReason)}",
                           code="INVALID_CLOSURE_REASON") from None
    if chosen not in CLOSURE_REASONS[source]:
        allowed = ", ".join(sorted(CLOSURE_REASONS[source]))
        raise InvalidInput(f"{chosen.value} does not fit a case in {source.value} (allowed: {allowed})",
                           code="INVALID_CLOSURE_REASON")
    return chosen
