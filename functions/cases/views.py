"""The `/ui` view of a case: one shape per state, always carrying `state`."""

from __future__ import annotations

from datetime import datetime

from faultmaven.cases.hypotheses import HypothesisState
from faultmaven.cases.lifecycle import CaseState, InvestigationStage
from faultmaven.cases.model import Case, ProposalKind
from faultmaven.ports.evidence import EvidenceRecord
from functions.cases.models import (
    CaseUIInquiry,
    CaseUIInvestigating,
    CaseUIResolved,
    CaseUIResponse,
    ConclusionSummary,
    HypothesisSummary,
    InquiryData,
    ProgressSummary,
    ProgressTransparency,
    ResolutionSummary,
    RootCause,
    SolutionApplied,
    Verification,
)

LATEST_EVIDENCE = 5


def _base(case: Case, files: list[EvidenceRecord]) -> dict[str, object]:
    return {"case_id": case.case_id, "title": case.title, "current_turn": case.current_turn,
            "investigation_turn": case.investigation_turn, "created_at": case.created_at,
            "updated_at": case.updated_at, "valid_next_states": case.valid_next_states,
            "uploaded_files_count": len(files)}


def _minutes_between(start: str, end: str) -> int:
    return max(0, int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() // 60))


def _inquiry(case: Case, files: list[EvidenceRecord]) -> CaseUIInquiry:
    proposal = case.pending_proposal
    proposed = proposal.summary if proposal and proposal.kind == ProposalKind.START_INVESTIGATION else None
    return CaseUIInquiry(**_base(case, files), inquiry=InquiryData(
        proposed_problem_statement=proposed or None, problem_statement_confirmed=False,
        decided_to_investigate=proposed is not None, inquiry_turns=case.current_turn))


def _investigating(case: Case, files: list[EvidenceRecord]) -> CaseUIInvestigating:
    hypotheses = [HypothesisSummary(hypothesis_id=h.hypothesis_id, text=h.text, likelihood=h.likelihood, state=h.state,
                                    evidence_count=len(h.evidence_ids), refutation_reason=h.refutation_reason,
                                    retirement_reason=h.retirement_reason, support=h.support)
                  for h in case.open_hypotheses]
    evidence = {e for h in case.hypotheses for e in h.evidence_ids}
    progress = ProgressSummary(current_stage=case.stage or InvestigationStage.DIAGNOSIS,
                               completed_indicators=case.indicators, active_hypotheses=len(hypotheses),
                               total_evidence=len(evidence), turns_without_progress=case.turns_without_progress)
    proposal = case.pending_proposal
    transparency = ProgressTransparency(active=True, pending_milestone=proposal.kind.value,
                                        milestone_description=proposal.summary or None) if proposal else None
    conclusion = case.working_conclusion
    return CaseUIInvestigating(
        **_base(case, files), problem_statement=case.problem_statement, progress=progress,
        agent_status=case.agent_status or f"investigating: {progress.current_stage.value}",
        active_hypotheses=hypotheses, next_actions=case.next_actions,
        latest_evidence=[{"file_id": f.file_id, "filename": f.filename, "source_type": f.source_type,
                          "summary": f.summary, "uploaded_at_turn": f.uploaded_at_turn}
                         for f in files[:LATEST_EVIDENCE]],
        working_conclusion=ConclusionSummary(summary=conclusion.summary, confidence=conclusion.confidence,
                                             last_updated=conclusion.updated_at) if conclusion else None,
        progress_transparency=transparency)


def _ended(case: Case, files: list[EvidenceRecord]) -> CaseUIResolved:
    ended_at = case.resolved_at or case.closed_at or case.updated_at
    resolved = case.state == CaseState.RESOLVED
    validated = [h.text for h in case.hypotheses if h.state == HypothesisState.VALIDATED]
    refuted = [f"ruled out: {h.text}" for h in case.hypotheses if h.state == HypothesisState.REFUTED]
    tested = [h for h in case.hypotheses if h.state not in (HypothesisState.CAPTURED, HypothesisState.ACTIVE)]
    reason = case.closure_reason.value if case.closure_reason else None
    return CaseUIResolved(
        **_base(case, files), state=case.state.value, resolved_at=ended_at, problem_statement=case.problem_statement,
        closure_reason=case.closure_reason,
        root_cause=RootCause(root_cause_id=f"rc_{case.case_id}",
                             description=(case.root_cause or (validated[0] if validated else "not identified"))[:1000],
                             category="unspecified", severity="unspecified",
                             cause_assurance="validated" if validated else "unverified"),
        solution_applied=SolutionApplied(description=(case.solution or "none recorded")[:2000], applied_at=ended_at,
                                         applied_by=case.user_id),
        verification_status=Verification(verified=resolved,
                                         verification_method="confirmed by the user" if resolved else "none",
                                         details=f"closed: {reason}" if reason else "resolution confirmed"),
        resolution_summary=ResolutionSummary(total_duration_minutes=_minutes_between(case.created_at, ended_at),
                                             milestones_completed=len(case.indicators), hypotheses_tested=len(tested),
                                             evidence_collected=len({e for h in case.hypotheses
                                                                     for e in h.evidence_ids}),
                                             key_insights=validated + refuted))


def ui_view(case: Case, files: list[EvidenceRecord]) -> CaseUIResponse:
    """`files`: the case's uploaded files, newest first."""
    if case.state == CaseState.INQUIRY:
        return _inquiry(case, files)
    if case.state == CaseState.INVESTIGATING:
        return _investigating(case, files)
    return _ended(case, files)
