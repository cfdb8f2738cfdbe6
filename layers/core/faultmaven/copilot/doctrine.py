"""The five-phase SRE doctrine as rules: each turn they decide what the case needs next and what may change.

Rules own state. A language model may write the reply and suggest structure, but only what passes these rules
reaches the case: indicators move on observable signals, transitions are proposed and wait for the user's yes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from faultmaven.copilot import signals
from faultmaven.copilot.commands import choose_commands
from faultmaven.copilot.findings import Findings, fix_from, impact_from, root_cause_from, timeline_from

INDICATORS = ("symptom_verified", "scope_assessed", "timeline_established", "changes_identified",
              "root_cause_identified", "solution_proposed")
PHASES = {1: "Define the blast radius", 2: "Establish the timeline", 3: "Formulate hypotheses",
          4: "Validate hypotheses with evidence", 5: "Propose a solution"}
CONFIRM_MARKER = "[✅ Yes]  [❌ No]"
_VERDICTS = ("validated", "refuted", "inconclusive")

State = Literal["inquiry", "investigating", "resolved", "closed"]
ActionType = Literal["DECIDE", "RUN", "EVIDENCE", "FREE_SPEECH"]


class HypothesisView(BaseModel):
    hypothesis_id: str
    statement: str
    status: str  # captured | active | validated | refuted | inconclusive | retired


class Proposal(BaseModel):
    """A transition the copilot proposed and the user has not answered yet."""

    target_state: State
    reason: str
    closure_reason: str | None = None


class CaseView(BaseModel):
    state: State
    progress: dict[str, bool] = Field(default_factory=dict)
    hypotheses: list[HypothesisView] = Field(default_factory=list)
    pending_proposal: Proposal | None = None
    problem_statement: str | None = None
    root_cause: str | None = None
    solution: str | None = None


class EvidenceDigest(BaseModel):
    """What the doctrine needs from an attached file's analysis."""

    filename: str
    source_type: str
    error_count: int = 0
    first_error_at: str | None = None
    last_error_at: str | None = None
    top_errors: list[str] = Field(default_factory=list)
    top_error_counts: list[int] = Field(default_factory=list)  # lines of each of top_errors


class KnowledgeHit(BaseModel):
    document_id: str
    title: str
    snippet: str
    score: float
    first_step: str | None = None  # what the runbook says to do first
    supports: str | None = None  # the open hypothesis this runbook bears on


class Intent(BaseModel):
    kind: Literal["conversation", "status_transition", "confirmation", "hypothesis_action"] = "conversation"
    data: dict[str, object] = Field(default_factory=dict)


class SuggestedAction(BaseModel):
    label: str
    type: ActionType
    payload: str | None = None
    why: str | None = None  # what running it tells you


class HypothesisChange(BaseModel):
    hypothesis_id: str
    status: str
    reason: str | None = None


class TurnPlan(BaseModel):
    phase: int  # 0 while in inquiry, else the doctrine phase 1..5 the case is in after this turn
    resolve_pending: bool | None = None  # True: apply the pending proposal; False: drop it
    transition: State | None = None  # applied this turn (a confirmed proposal or the user's own request)
    closure_reason: str | None = None
    new_proposal: Proposal | None = None
    problem_statement: str | None = None
    progress: dict[str, bool] = Field(default_factory=dict)  # indicators that become true this turn
    new_hypotheses: list[str] = Field(default_factory=list)
    hypothesis_changes: list[HypothesisChange] = Field(default_factory=list)
    suggested_actions: list[SuggestedAction] = Field(default_factory=list)
    findings: Findings = Field(default_factory=Findings)  # what this turn establishes for the case record
    notes: list[str] = Field(default_factory=list)  # plain statements of what the rules did, for the reply

    @property
    def milestones(self) -> list[str]:
        return [name for name in INDICATORS if self.progress.get(name)]


def current_phase(progress: dict[str, bool], hypotheses: list[HypothesisView]) -> int:
    """The first doctrine phase whose exit condition is not met yet."""
    if not (progress.get("symptom_verified") and progress.get("scope_assessed")):
        return 1
    if not (progress.get("timeline_established") and progress.get("changes_identified")):
        return 2
    if not progress.get("root_cause_identified"):
        return 4 if any(h.status == "active" for h in hypotheses) else 3
    return 5


def _observed(case: CaseView, text: str, evidence: list[EvidenceDigest], findings: Findings) -> dict[str, bool]:
    """Indicators the user's words or the attached evidence establish this turn, and what they say (`findings`):
    the scope is assessed by a stated extent, the timeline by a timed event, not by words like "after"."""
    seen: dict[str, bool] = {}
    if any(e.error_count for e in evidence) or (text and signals.describes_problem(text)):
        seen["symptom_verified"] = True
    has_symptom = bool(case.progress.get("symptom_verified")) or (bool(text) and signals.describes_problem(text))
    if has_symptom:
        findings.impact = impact_from(text)
        seen["scope_assessed"] = findings.impact is not None
    findings.timeline = timeline_from(text, evidence)
    if findings.timeline:
        seen["timeline_established"] = True
    if text and signals.mentions_change(text):
        seen["changes_identified"] = True
    return {k: v for k, v in seen.items() if v and not case.progress.get(k)}


def _commands(phase: int, case: CaseView, text: str, evidence: list[EvidenceDigest]) -> list[SuggestedAction]:
    """The phase's commands for the domains the case's words and evidence point at."""
    context = " ".join([text, case.problem_statement or "", *(h.statement for h in case.hypotheses),
                        *(f"{e.filename} {' '.join(e.top_errors)}" for e in evidence)])
    return [SuggestedAction(label=c.label, type=c.type, payload=c.payload, why=c.why)
            for c in choose_commands(phase, context)]


def _resolution(case: CaseView, plan: TurnPlan, text: str) -> None:
    """Phase 5: the fix the engineer states is recorded; resolution is proposed once root cause and fix are."""
    fix = fix_from(text)
    if fix:
        plan.findings.solution = fix
    solution = plan.findings.solution or case.solution
    if not solution:
        plan.notes.append("The root cause is known. What fix did you apply (or will you), and did the errors stop?")
        return
    if not case.progress.get("solution_proposed"):
        plan.progress["solution_proposed"] = True
    if case.pending_proposal is None and plan.resolve_pending is None:
        root_cause = plan.findings.root_cause or case.root_cause or "not recorded"
        plan.new_proposal = Proposal(target_state="resolved",
                                     reason=f"Root cause: {root_cause} Fix: {solution}"[:2000])
        plan.notes.append("Once the fix is verified, shall I mark the case resolved?")


def _hypotheses_from(evidence: list[EvidenceDigest], hits: list[KnowledgeHit], known: set[str]) -> list[str]:
    """Candidate causes grounded in what we have: the top error templates and the best matching runbooks."""
    out: list[str] = []
    for e in evidence:
        for template in e.top_errors[:2]:
            out.append(f"The errors '{template[:120]}' in {e.filename} point at the failing component")
    for hit in hits[:2]:
        out.append(f"The situation matches the runbook '{hit.title}'")
    return [h for h in dict.fromkeys(out) if h not in known][:3]


def _user_decision(intent: Intent, text: str) -> bool | None:
    if intent.kind == "confirmation":
        raw = str(intent.data.get("decision", intent.data.get("confirmed", intent.data.get("value", text)))).lower()
        return raw in ("yes", "true", "confirm", "confirmed", "1", "accept") or signals.yes_or_no(raw) is True
    return signals.yes_or_no(text) if text else None


def plan_turn(case: CaseView, text: str, intent: Intent, evidence: list[EvidenceDigest],
              hits: list[KnowledgeHit]) -> TurnPlan:
    """Decide this turn's changes. Pure: the caller applies the plan under the case's version check."""
    plan = TurnPlan(phase=0)
    state = case.state
    hypotheses = list(case.hypotheses)

    # 1. An answer to a pending proposal comes first.
    if case.pending_proposal is not None:
        decision = _user_decision(intent, text)
        if decision is not None:
            plan.resolve_pending = decision
            if decision:
                plan.transition = case.pending_proposal.target_state
                plan.closure_reason = case.pending_proposal.closure_reason
                plan.notes.append(f"Confirmed: the case is now {plan.transition}.")
                state = plan.transition
            else:
                plan.notes.append("Understood, the proposal is withdrawn; we carry on.")

    # 2. The user's own explicit requests.
    if intent.kind == "status_transition":
        target = str(intent.data.get("target_state", intent.data.get("to", ""))).lower()
        if target in ("investigating", "resolved", "closed") and target != state:
            plan.transition = target  # type: ignore[assignment]
            plan.closure_reason = str(intent.data.get("closure_reason") or "") or None
            plan.notes.append(f"As you asked, the case moves to {target}.")
            state = target  # type: ignore[assignment]
    if intent.kind == "hypothesis_action":
        hid = str(intent.data.get("hypothesis_id", ""))
        action = str(intent.data.get("action", "")).lower()
        status = {"validate": "validated", "confirm": "validated", "refute": "refuted", "activate": "active",
                  "test": "active", "retire": "retired", "inconclusive": "inconclusive"}.get(action)
        target = next((h for h in hypotheses if h.hypothesis_id == hid), None)
        if status and target is not None:
            if target.status in ("captured", "inconclusive") and status in _VERDICTS:
                # A verdict is reached by testing: an untested hypothesis passes through "active" on the way.
                plan.hypothesis_changes.append(HypothesisChange(hypothesis_id=hid, status="active"))
            plan.hypothesis_changes.append(HypothesisChange(hypothesis_id=hid, status=status,
                                                            reason=str(intent.data.get("reason") or "") or None))
            hypotheses = [h.model_copy(update={"status": status}) if h.hypothesis_id == hid else h
                          for h in hypotheses]
            if status == "validated":
                plan.progress["root_cause_identified"] = True
                plan.findings.root_cause = root_cause_from(target.statement, str(intent.data.get("reason") or "")
                                                           or None, evidence)
                plan.notes.append("The hypothesis is validated: we have a root cause.")

    if state in ("resolved", "closed"):
        plan.phase = 5 if state == "resolved" else 0
        return plan

    # 3. What the words and the evidence establish.
    observed = _observed(case, text, evidence, plan.findings)
    plan.progress.update(observed)

    if state == "inquiry":
        # A log's leading errors include failure lines logged without a level (kernels, many daemons): those show an
        # incident as much as error-level lines do.
        problem = bool(observed.get("symptom_verified")) or any(e.error_count or e.top_errors for e in evidence)
        if problem and case.pending_proposal is None and plan.resolve_pending is None:
            statement = (text or f"Errors found in {evidence[0].filename}").strip().splitlines()[0][:200]
            plan.problem_statement = statement
            plan.new_proposal = Proposal(target_state="investigating", reason=statement)
            plan.notes.append("This looks like an incident. Shall I open a structured investigation?")
            plan.suggested_actions = [SuggestedAction(label="Yes, investigate", type="DECIDE", payload="yes"),
                                      SuggestedAction(label="No, just answer", type="DECIDE", payload="no")]
        return plan

    # 4. Investigating: walk the doctrine.
    progress = {**case.progress, **plan.progress}
    known = {h.statement for h in hypotheses}
    phase = current_phase(progress, hypotheses)
    if phase >= 3 and not any(h.status in ("captured", "active") for h in hypotheses) and \
            not progress.get("root_cause_identified"):
        plan.new_hypotheses = _hypotheses_from(evidence, hits, known)
        if plan.new_hypotheses:
            plan.notes.append(f"{len(plan.new_hypotheses)} hypothesis(es) recorded from the evidence and runbooks.")
    if phase == 3 and any(h.status == "captured" for h in hypotheses):
        first = next(h for h in hypotheses if h.status == "captured")
        plan.hypothesis_changes.append(HypothesisChange(hypothesis_id=first.hypothesis_id, status="active"))
        plan.notes.append(f"Testing first: {first.statement}")
        phase = 4
    if phase == 5:
        _resolution(case, plan, text)
    plan.phase = phase
    plan.suggested_actions = _commands(phase, case, text, evidence)
    if phase == 4:
        for h in [h for h in hypotheses if h.status == "active"][:2]:
            plan.suggested_actions.append(SuggestedAction(label=f"Validate: {h.statement[:60]}", type="DECIDE",
                                                          payload=h.hypothesis_id))
    return plan
