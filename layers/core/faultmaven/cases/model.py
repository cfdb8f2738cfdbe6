"""The case aggregate and its messages. Every change to a case goes through a method here, so the state machine,
the hypothesis rules and the propose-then-confirm handshake hold whoever calls (HTTP route or copilot)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from faultmaven.cases.hypotheses import OPEN_HYPOTHESIS_STATES, Hypothesis, HypothesisState
from faultmaven.cases.lifecycle import (
    CaseState,
    ClosureReason,
    InvestigationStage,
    closure_reason_for,
    is_terminal,
    require_editable,
    require_transition,
    valid_next_states,
)
from faultmaven.cases.progress import ProgressIndicator, derive_stage, ordered
from faultmaven.cases.titles import is_placeholder
from faultmaven.clock import new_id
from faultmaven.errors import Conflict, InvalidInput, NotFound

CaseSource = Literal["copilot", "slack", "api", "alert"]
MAX_TIMELINE_EVENTS = 50
MessageRole = Literal["user", "assistant", "system"]


def stamp(dt: datetime) -> str:
    """A UTC timestamp with fixed microsecond precision, so stored stamps sort as strings."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ProposalKind(StrEnum):
    START_INVESTIGATION = "start_investigation"
    RESOLVE = "resolve"
    CLOSE = "close"


PROPOSAL_TARGET = {ProposalKind.START_INVESTIGATION: CaseState.INVESTIGATING, ProposalKind.RESOLVE: CaseState.RESOLVED,
                   ProposalKind.CLOSE: CaseState.CLOSED}


class Proposal(BaseModel):
    """A transition the copilot suggested and the user has not answered yet."""

    proposal_id: str
    kind: ProposalKind
    summary: str = Field(default="", max_length=2000)  # the problem statement, resolution or closure summary
    closure_reason: ClosureReason | None = None
    proposed_at_turn: int = 0
    created_at: str

    @property
    def target(self) -> CaseState:
        return PROPOSAL_TARGET[self.kind]


class WorkingConclusion(BaseModel):
    summary: str = Field(max_length=1000)
    confidence: float = Field(ge=0.0, le=1.0)
    updated_at: str


class Case(BaseModel):
    case_id: str
    user_id: str
    title: str
    description: str = ""
    state: CaseState = CaseState.INQUIRY
    source: CaseSource = "copilot"
    session_id: str | None = None
    created_at: str
    updated_at: str
    last_activity_at: str
    resolved_at: str | None = None
    closed_at: str | None = None
    archived_at: str | None = None
    closure_reason: ClosureReason | None = None
    current_turn: int = 0
    investigation_started_turn: int | None = None
    turns_without_progress: int = 0
    problem_statement: str | None = None
    hypotheses: list[Hypothesis] = Field(default_factory=list)
    indicators: list[ProgressIndicator] = Field(default_factory=list)
    pending_proposal: Proposal | None = None
    working_conclusion: WorkingConclusion | None = None
    root_cause: str | None = None
    solution: str | None = None
    impact: str | None = None  # who and how much is affected, as the engineer put it
    timeline: list[str] = Field(default_factory=list)  # timed events, in the order they were learnt
    agent_status: str = ""
    next_actions: list[str] = Field(default_factory=list)
    version: int = 1

    # -- derived ------------------------------------------------------------------------------------------------
    @property
    def is_terminal(self) -> bool:
        return is_terminal(self.state)

    @property
    def stage(self) -> InvestigationStage | None:
        return derive_stage(self.state, self.indicators)

    @property
    def valid_next_states(self) -> list[CaseState]:
        return valid_next_states(self.state)

    @property
    def has_placeholder_title(self) -> bool:
        return is_placeholder(self.title)

    @property
    def search_text(self) -> str:
        """What case search matches against, lower-cased."""
        return " ".join(filter(None, (self.title, self.description, self.problem_statement))).lower()

    @property
    def investigation_turn(self) -> int | None:
        if self.investigation_started_turn is None:
            return None
        return max(0, self.current_turn - self.investigation_started_turn)

    @property
    def open_hypotheses(self) -> list[Hypothesis]:
        return [h for h in self.hypotheses if h.state in OPEN_HYPOTHESIS_STATES]

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        for h in self.hypotheses:
            if h.hypothesis_id == hypothesis_id:
                return h
        raise NotFound(f"hypothesis {hypothesis_id} not found on this case", code="HYPOTHESIS_NOT_FOUND")

    # -- edits --------------------------------------------------------------------------------------------------
    def require_editable(self) -> None:
        require_editable(self.state)

    def rename(self, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise InvalidInput("title must not be empty", code="INVALID_TITLE")
        self.require_editable()
        self.title = title[:200]

    def transition(self, target: CaseState, at: str, closure_reason: ClosureReason | str | None = None) -> None:
        """Move along a legal edge (409 otherwise) and stamp what the new state implies."""
        if target == CaseState.CLOSED:
            self.closure_reason = closure_reason_for(self.state, closure_reason)
        else:
            require_transition(self.state, target)
            if closure_reason is not None:
                raise InvalidInput("a closure reason only fits a transition to closed", code="INVALID_CLOSURE_REASON")
        if target == CaseState.INVESTIGATING:
            self.investigation_started_turn = self.current_turn
        if target == CaseState.RESOLVED:
            self.resolved_at = at
        if target == CaseState.CLOSED:
            self.closed_at = at
        self.state = target
        self.pending_proposal = None  # whatever was pending described the state we just left

    def propose(self, kind: ProposalKind, at: str, summary: str = "",
                closure_reason: ClosureReason | str | None = None) -> Proposal:
        """Store a transition for the user to confirm; it must be legal now (and on confirmation)."""
        target = PROPOSAL_TARGET[kind]
        if target == CaseState.CLOSED:
            closure_reason = closure_reason_for(self.state, closure_reason)
        else:
            require_transition(self.state, target)
        self.pending_proposal = Proposal(proposal_id=new_id("prop_"), kind=kind, summary=summary[:2000],
                                         closure_reason=closure_reason, proposed_at_turn=self.current_turn,
                                         created_at=at)
        return self.pending_proposal

    def _pending(self) -> Proposal:
        if self.pending_proposal is None:
            raise Conflict("there is no pending proposal to answer", code="NO_PENDING_PROPOSAL")
        return self.pending_proposal

    def confirm_proposal(self, at: str) -> Proposal:
        """Apply the pending proposal: the transition and what it carries (problem statement or resolution)."""
        proposal = self._pending()
        self.transition(proposal.target, at, proposal.closure_reason)
        if proposal.kind == ProposalKind.START_INVESTIGATION and proposal.summary:
            self.problem_statement = proposal.summary[:1000]
        if proposal.kind == ProposalKind.RESOLVE and proposal.summary and not self.solution:
            self.solution = proposal.summary
        return proposal

    def reject_proposal(self) -> Proposal:
        proposal = self._pending()
        self.pending_proposal = None
        return proposal

    def add_hypothesis(self, text: str, at: str, likelihood: float = 0.5,
                       state: HypothesisState = HypothesisState.CAPTURED) -> Hypothesis:
        self.require_editable()
        if state not in (HypothesisState.CAPTURED, HypothesisState.ACTIVE):
            raise InvalidInput("a new hypothesis starts captured or active", code="INVALID_HYPOTHESIS")
        if not text.strip():
            raise InvalidInput("a hypothesis needs text", code="INVALID_HYPOTHESIS")
        hypothesis = Hypothesis(hypothesis_id=new_id("hyp_"), text=text.strip()[:500], likelihood=likelihood,
                                state=state, created_at=at, updated_at=at)
        self.hypotheses.append(hypothesis)
        return hypothesis

    def set_indicator(self, indicator: ProgressIndicator, done: bool = True) -> None:
        self.require_editable()
        current = set(self.indicators)
        current = current | {indicator} if done else current - {indicator}
        self.indicators = ordered(current)

    def add_timeline(self, events: list[str]) -> None:
        """Record timed events once each, keeping the most recent `MAX_TIMELINE_EVENTS`."""
        self.timeline = list(dict.fromkeys([*self.timeline, *(e.strip()[:500] for e in events if e.strip())]))
        self.timeline = self.timeline[-MAX_TIMELINE_EVENTS:]

    def record_turn(self, turn_number: int, progress_made: bool) -> None:
        if turn_number <= self.current_turn:  # another turn took this number: never two turns with one number
            raise Conflict(f"turn {turn_number} is not after the case's turn {self.current_turn}; send it again",
                           code="STALE_TURN", headers={"Retry-After": "1"})
        self.current_turn = turn_number
        self.turns_without_progress = 0 if progress_made else self.turns_without_progress + 1


class CaseMessage(BaseModel):
    message_id: str
    case_id: str
    user_id: str
    role: MessageRole
    content: str
    turn_number: int = Field(ge=0)
    created_at: str
    metadata: dict[str, Any] = Field(default_factory=dict)
