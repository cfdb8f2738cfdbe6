"""Request and response shapes of the case routes (field names and required fields from the clients' contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from faultmaven.cases.hypotheses import Hypothesis, HypothesisState, RunbookSupport
from faultmaven.cases.lifecycle import CaseState, ClosureReason, InvestigationStage
from faultmaven.cases.model import Case, CaseMessage, Proposal, WorkingConclusion
from faultmaven.cases.progress import ProgressIndicator
from faultmaven.http.api_model import ApiModel


class CaseCreateRequest(ApiModel):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default="", max_length=2000)
    initial_message: str | None = Field(default=None, max_length=4000)
    session_id: str | None = Field(default=None, max_length=128)


class CaseUpdateRequest(ApiModel):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    state: CaseState | None = None


class CaseSearchRequest(ApiModel):
    query: str = Field(min_length=1, max_length=500)
    state: CaseState | None = None
    team_id: str | None = None  # accepted and ignored: search covers the caller's own cases
    limit: int = Field(default=20, ge=1, le=100)


class CaseSummary(ApiModel):
    case_id: str
    title: str
    description: str
    state: CaseState
    created_at: str
    updated_at: str
    last_activity_at: str
    resolved_at: str | None
    closed_at: str | None
    archived_at: str | None = None  # archived cases are kept; the dashboard files them away
    user_id: str
    enterprise_id: str  # the tenant key; one user is one tenant until organizations exist
    organization_id: str | None = None
    shared_team_ids: list[str] = Field(default_factory=list)
    source: str = "copilot"
    closure_reason: ClosureReason | None
    current_turn: int
    investigation_turn: int | None = None
    stage: InvestigationStage | None
    turns_without_progress: int
    is_terminal: bool
    valid_next_states: list[CaseState]
    version: int

    @classmethod
    def fields_of(cls, case: Case) -> dict[str, Any]:
        return {"case_id": case.case_id, "title": case.title, "description": case.description, "state": case.state,
                "created_at": case.created_at, "updated_at": case.updated_at,
                "last_activity_at": case.last_activity_at, "resolved_at": case.resolved_at,
                "closed_at": case.closed_at, "archived_at": case.archived_at,
                "user_id": case.user_id, "enterprise_id": case.user_id,
                "source": case.source, "closure_reason": case.closure_reason, "current_turn": case.current_turn,
                "investigation_turn": case.investigation_turn, "stage": case.stage,
                "turns_without_progress": case.turns_without_progress, "is_terminal": case.is_terminal,
                "valid_next_states": case.valid_next_states, "version": case.version}

    @classmethod
    def of(cls, case: Case) -> CaseSummary:
        return cls(**cls.fields_of(case))


class CaseDetail(CaseSummary):
    current_stage: InvestigationStage | None
    milestones_completed: list[ProgressIndicator]
    pending_milestones: list[ProgressIndicator]
    evidence_count: int
    hypothesis_count: int
    solution_count: int
    escalated: bool = False
    problem_statement: str | None
    hypotheses: list[Hypothesis]
    pending_proposal: Proposal | None
    working_conclusion: WorkingConclusion | None
    root_cause: str | None
    solution: str | None

    @classmethod
    def of(cls, case: Case) -> CaseDetail:
        evidence = {e for h in case.hypotheses for e in h.evidence_ids}
        return cls(**cls.fields_of(case), current_stage=case.stage, milestones_completed=case.indicators,
                   pending_milestones=[i for i in ProgressIndicator if i not in case.indicators],
                   evidence_count=len(evidence), hypothesis_count=len(case.hypotheses),
                   solution_count=1 if case.solution else 0, problem_statement=case.problem_statement,
                   hypotheses=case.hypotheses, pending_proposal=case.pending_proposal,
                   working_conclusion=case.working_conclusion, root_cause=case.root_cause, solution=case.solution)


class CaseListResponse(ApiModel):
    cases: list[CaseSummary]
    total_count: int
    limit: int
    offset: int
    has_more: bool


class Message(ApiModel):
    message_id: str
    turn_number: int
    role: Literal["user", "assistant", "system"]
    content: str
    created_at: str
    author_id: str | None = None
    author_name: str | None = None  # who wrote a user message (on a shared case, not always the owner)
    metadata: dict[str, Any] | None = None

    @classmethod
    def of(cls, message: CaseMessage) -> Message:
        author = message.metadata.get("author_id", message.user_id) if message.role == "user" else None
        return cls(message_id=message.message_id, turn_number=message.turn_number, role=message.role,
                   content=message.content, created_at=message.created_at, author_id=author,
                   author_name=message.metadata.get("author_name") if author else None,
                   metadata=message.metadata or None)


class CaseMessagesResponse(ApiModel):
    messages: list[Message]
    total_count: int
    retrieved_count: int
    has_more: bool
    next_offset: int | None


class TitleResponse(ApiModel):
    title: str
    schema_version: str = "3.1.0"


# -- the /ui view, one shape per state ------------------------------------------------------------------------------
class _UIBase(ApiModel):
    case_id: str
    title: str
    current_turn: int
    investigation_turn: int | None
    created_at: str
    updated_at: str
    uploaded_files_count: int = 0
    valid_next_states: list[CaseState]
    disposition_eligibility: dict[str, Any] | None = None


class InquiryData(ApiModel):
    proposed_problem_statement: str | None
    problem_statement_confirmed: bool
    decided_to_investigate: bool
    inquiry_turns: int
    problem_confirmation: dict[str, Any] | None = None


class CaseUIInquiry(_UIBase):
    state: Literal["inquiry"] = "inquiry"
    inquiry: InquiryData


class HypothesisSummary(ApiModel):
    hypothesis_id: str
    text: str
    likelihood: float
    state: HypothesisState
    evidence_count: int
    refutation_reason: str | None
    retirement_reason: str | None
    support: list[RunbookSupport] = Field(default_factory=list)


class ProgressSummary(ApiModel):
    current_stage: InvestigationStage
    completed_indicators: list[ProgressIndicator]
    completed_stage_gates: list[str] = Field(default_factory=list)
    active_hypotheses: int
    total_evidence: int
    turns_without_progress: int


class ProgressTransparency(ApiModel):
    active: bool
    pending_milestone: str | None = None
    milestone_description: str | None = None


class ConclusionSummary(ApiModel):
    summary: str
    confidence: float
    last_updated: str


class CaseUIInvestigating(_UIBase):
    state: Literal["investigating"] = "investigating"
    problem_statement: str | None
    progress: ProgressSummary
    agent_status: str
    active_hypotheses: list[HypothesisSummary]
    latest_evidence: list[dict[str, Any]] = Field(default_factory=list)
    next_actions: list[str]
    working_conclusion: ConclusionSummary | None
    progress_transparency: ProgressTransparency | None


class RootCause(ApiModel):
    root_cause_id: str
    description: str
    category: str
    severity: str
    cause_assurance: str
    cause_overclaim: bool = False


class SolutionApplied(ApiModel):
    description: str
    applied_at: str
    applied_by: str


class Verification(ApiModel):
    verified: bool
    verification_method: str
    details: str


class ResolutionSummary(ApiModel):
    total_duration_minutes: int
    milestones_completed: int
    hypotheses_tested: int
    evidence_collected: int
    key_insights: list[str]


class CaseUIResolved(_UIBase):
    state: Literal["resolved", "closed"]
    resolved_at: str
    problem_statement: str | None
    closure_reason: ClosureReason | None
    root_cause: RootCause
    solution_applied: SolutionApplied
    verification_status: Verification
    resolution_summary: ResolutionSummary
    reports_available: list[dict[str, Any]] = Field(default_factory=list)


CaseUIResponse = CaseUIInquiry | CaseUIInvestigating | CaseUIResolved
