"""The changes a copilot turn may make to a case, validated before they touch it and applied in one versioned write.

`apply_changes` runs them in a fixed order: the turn, the title, hypotheses, indicators, text fields, the answer to a
pending proposal, a new proposal, and last an explicit transition (so a confirmation that ends the case comes after
the edits it carries). Every rule of the aggregate (`Case` methods) still applies, so an illegal request fails whole.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from faultmaven.cases.hypotheses import HypothesisState
from faultmaven.cases.lifecycle import CaseState, ClosureReason
from faultmaven.cases.model import Case, ProposalKind, WorkingConclusion
from faultmaven.cases.progress import ProgressIndicator


class HypothesisDraft(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    likelihood: float = Field(default=0.5, ge=0.0, le=1.0)
    state: Literal[HypothesisState.CAPTURED, HypothesisState.ACTIVE] = HypothesisState.CAPTURED


class HypothesisChange(BaseModel):
    hypothesis_id: str
    state: HypothesisState | None = None
    likelihood: float | None = Field(default=None, ge=0.0, le=1.0)
    reason: str | None = Field(default=None, max_length=500)  # why it was refuted or retired
    add_evidence_ids: list[str] = Field(default_factory=list)


class ProposalDraft(BaseModel):
    kind: ProposalKind
    summary: str = Field(default="", max_length=2000)
    closure_reason: ClosureReason | None = None


class ConclusionDraft(BaseModel):
    summary: str = Field(min_length=1, max_length=1000)
    confidence: float = Field(ge=0.0, le=1.0)


class CaseChanges(BaseModel):
    turn_number: int | None = Field(default=None, ge=0)  # the turn these changes belong to
    progress_made: bool = False  # with turn_number: resets (or counts) turns without progress
    title: str | None = Field(default=None, max_length=200)
    add_hypotheses: list[HypothesisDraft] = Field(default_factory=list)
    update_hypotheses: list[HypothesisChange] = Field(default_factory=list)
    indicators: dict[ProgressIndicator, bool] = Field(default_factory=dict)
    problem_statement: str | None = Field(default=None, max_length=1000)
    working_conclusion: ConclusionDraft | None = None
    root_cause: str | None = Field(default=None, max_length=1000)
    solution: str | None = Field(default=None, max_length=2000)
    impact: str | None = Field(default=None, max_length=1000)
    add_timeline: list[str] = Field(default_factory=list, max_length=20)
    agent_status: str | None = Field(default=None, max_length=500)
    next_actions: list[str] | None = None
    answer_proposal: Literal["confirm", "reject"] | None = None
    propose: ProposalDraft | None = None
    transition: CaseState | None = None  # an explicit user decision (never the copilot's own)
    closure_reason: ClosureReason | None = None


def apply_changes(case: Case, changes: CaseChanges, at: str) -> None:
    """Apply `changes` to `case` in place (the caller works on a copy and saves it under the version check)."""
    case.require_editable()
    if changes.turn_number is not None:
        case.record_turn(changes.turn_number, changes.progress_made)
    if changes.title is not None:
        case.rename(changes.title)
    for draft in changes.add_hypotheses:
        case.add_hypothesis(draft.text, at, draft.likelihood, draft.state)
    for change in changes.update_hypotheses:
        hypothesis = case.hypothesis(change.hypothesis_id)
        if change.state is not None:
            hypothesis.move_to(change.state, change.reason)
        if change.likelihood is not None:
            hypothesis.likelihood = change.likelihood
        hypothesis.evidence_ids = list(dict.fromkeys([*hypothesis.evidence_ids, *change.add_evidence_ids]))
        hypothesis.updated_at = at
    for indicator, done in changes.indicators.items():
        case.set_indicator(indicator, done)
    if changes.problem_statement is not None:
        case.problem_statement = changes.problem_statement
    if changes.working_conclusion is not None:
        case.working_conclusion = WorkingConclusion(**changes.working_conclusion.model_dump(), updated_at=at)
    case.add_timeline(changes.add_timeline)
    for field in ("root_cause", "solution", "impact", "agent_status", "next_actions"):
        value = getattr(changes, field)
        if value is not None:
            setattr(case, field, value)
    if changes.answer_proposal == "confirm":
        case.confirm_proposal(at)
    elif changes.answer_proposal == "reject":
        case.reject_proposal()
    if changes.propose is not None:
        case.propose(changes.propose.kind, at, changes.propose.summary, changes.propose.closure_reason)
    if changes.transition is not None:
        case.transition(changes.transition, at, changes.closure_reason)
