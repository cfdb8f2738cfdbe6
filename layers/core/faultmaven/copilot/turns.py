"""One conversation turn, end to end: sanitize, attach, retrieve, decide by the rules, write, record.

Order matters for "nothing lost, nothing half-done": everything is computed first; then the case changes are written
in one versioned write (an illegal request fails here, before anything is stored); then the turn's two messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from faultmaven.auth.service import Principal
from faultmaven.cases.changes import CaseChanges, HypothesisChange, HypothesisDraft, ProposalDraft
from faultmaven.cases.hypotheses import RunbookSupport
from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, ProposalKind
from faultmaven.cases.service import CaseService
from faultmaven.cases.titles import title_from_conversation
from faultmaven.copilot.case_knowledge import CaseKnowledge
from faultmaven.copilot.case_search import leading_templates
from faultmaven.copilot.doctrine import (
    CONFIRM_MARKER,
    INDICATORS,
    CaseView,
    EvidenceDigest,
    HypothesisView,
    Intent,
    KnowledgeHit,
    Proposal,
    SuggestedAction,
    TurnPlan,
    plan_turn,
)
from faultmaven.copilot.findings import adopt_grounded
from faultmaven.copilot.inputs import Progress, TurnInput, quiet
from faultmaven.copilot.past_incidents import FirstTurnMemory, not_recalled, sources, with_past_incidents
from faultmaven.copilot.prompting import build_request, parse_answer
from faultmaven.copilot.reply import FAILED_NOTICE, compose_reply
from faultmaven.copilot.vault import RedactionVault
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.evidence.service import EvidenceAnalysis, EvidenceService
from faultmaven.http.logging import logger
from faultmaven.knowledge.documents import KnowledgeService, Reader
from faultmaven.ports.llm import LLMError, LLMProvider
from faultmaven.sanitize import PlaceholderMap, Sanitizer

MAX_QUERY_CHARS = 20_000
MAX_PASTE_INLINE = 4_000  # longer pastes are kept as evidence and analysed rather than quoted whole
NO_KNOWLEDGE_NOTE = ("Your knowledge base is empty: you can see no runbooks or past incidents, so none are cited. "
                     "Add them in the dashboard, or on the server with `faultmaven kb add PATH` (global scope, "
                     "seen by every user).")
TRANSCRIPT_MESSAGES = 8
RECENT_USER_TURNS = 3  # the engineer's earlier messages that feed the knowledge-base queries
INTENTS = ("conversation", "status_transition", "confirmation", "hypothesis_action")
_PROPOSAL_KIND = {"investigating": ProposalKind.START_INVESTIGATION, "resolved": ProposalKind.RESOLVE,
                  "closed": ProposalKind.CLOSE}


def parse_intent(intent_type: str | None, intent_data: str | None) -> Intent:
    kind = (intent_type or "conversation").strip().lower()
    if kind not in INTENTS:
        raise InvalidInput(f"intent_type must be one of {', '.join(INTENTS)}", code="INVALID_INTENT")
    data: dict[str, object] = {}
    if intent_data:
        try:
            parsed = json.loads(intent_data)
        except ValueError:
            raise InvalidInput("intent_data must be a JSON object", code="INVALID_INTENT") from None
        if not isinstance(parsed, dict):
            raise InvalidInput("intent_data must be a JSON object", code="INVALID_INTENT")
        data = parsed
    return Intent(kind=kind, data=data)  # type: ignore[arg-type]


def digest(analysis: EvidenceAnalysis, sanitizer: Sanitizer, mapping: PlaceholderMap) -> EvidenceDigest:
    """The doctrine's view of one file, with its name and templates sanitized like everything bound for a model."""
    a = analysis.analysis or {}
    severity = a.get("severity_counts") or {}
    errors = int(severity.get("error", 0)) + int(severity.get("critical", 0))
    leading = leading_templates(a.get("templates") or [], 3)
    name = sanitizer.sanitize(analysis.filename, mapping).text  # a file's name may hold a token; replies quote it
    return EvidenceDigest(filename=name, source_type=str(analysis.source_type), error_count=errors,
                          first_error_at=a.get("first_error_at"), last_error_at=a.get("last_error_at"),
                          top_errors=[sanitizer.sanitize(t, mapping).text for t, _ in leading],
                          top_error_counts=[n for _, n in leading])


def case_view(case: Case) -> CaseView:
    pending = None
    if case.pending_proposal is not None:
        pending = Proposal(target_state=case.pending_proposal.target.value, reason=case.pending_proposal.summary,
                           closure_reason=case.pending_proposal.closure_reason)
    return CaseView(state=case.state.value, progress={i.value: True for i in case.indicators},
                    hypotheses=[HypothesisView(hypothesis_id=h.hypothesis_id, statement=h.text, status=h.state.value)
                                for h in case.hypotheses],
                    pending_proposal=pending, problem_statement=case.problem_statement,
                    root_cause=case.root_cause, solution=case.solution)


def extraction_gates(plan: TurnPlan, case: Case) -> set[str]:
    """The record fields a model may fill this turn: the rules decide when, the model may say it better."""
    done = {i.value for i in case.indicators} | set(plan.progress)
    gates = {"impact"} if "scope_assessed" in done else set()
    if plan.progress.get("root_cause_identified"):
        gates.add("root_cause")
    if plan.phase == 5:
        gates.add("solution")
    return gates


def grounding_source(user_text: str, transcript: list[tuple[str, str]], evidence: list[EvidenceDigest],
                     case: Case) -> str:
    """What a model's extraction must be drawn from: the engineer's words, the evidence, the hypotheses."""
    return "\n".join([user_text, *(text for role, text in transcript if role == "user"),
                      *(f"{e.filename} {e.first_error_at or ''} {' '.join(e.top_errors)}" for e in evidence),
                      *(h.text for h in case.hypotheses)])


def made_progress(plan: TurnPlan, model_hypotheses: list[str]) -> bool:
    return bool(plan.progress or plan.transition or plan.new_hypotheses or model_hypotheses
                or plan.hypothesis_changes)


def case_changes(plan: TurnPlan, turn_number: int, title: str | None, model_hypotheses: list[str],
                 support: dict[str, list[RunbookSupport]] | None = None) -> CaseChanges:
    """`support` maps a hypothesis (id of an existing one, statement of a new one) to the runbooks bearing on it."""
    support = support or {}
    hypotheses = [*plan.new_hypotheses, *model_hypotheses]
    answer = None if plan.resolve_pending is None else ("confirm" if plan.resolve_pending else "reject")
    propose = None
    if plan.new_proposal is not None:
        propose = ProposalDraft(kind=_PROPOSAL_KIND[plan.new_proposal.target_state],
                                summary=plan.new_proposal.reason[:2000],
                                closure_reason=plan.new_proposal.closure_reason)
    # A confirmed proposal is applied through `answer_proposal`; `transition` is only the user's own request.
    explicit = plan.transition if plan.resolve_pending is not True else None
    return CaseChanges(turn_number=turn_number, progress_made=made_progress(plan, model_hypotheses), title=title,
                       add_hypotheses=[HypothesisDraft(text=h[:500], support=support.get(h, []))
                                       for h in dict.fromkeys(hypotheses)],
                       update_hypotheses=[HypothesisChange(hypothesis_id=c.hypothesis_id, state=c.status,
                                                           reason=c.reason) for c in plan.hypothesis_changes]
                       + [HypothesisChange(hypothesis_id=hid, support=s) for hid, s in support.items()
                          if hid.startswith("hyp_")],
                       indicators=dict.fromkeys(plan.progress, True), problem_statement=plan.problem_statement,
                       root_cause=plan.findings.root_cause, solution=plan.findings.solution,
                       impact=plan.findings.impact, add_timeline=plan.findings.timeline[-20:],
                       answer_proposal=answer, propose=propose,
                       transition=CaseState(explicit) if explicit else None)


class TurnService:
    def __init__(self, cases: CaseService, evidence: EvidenceService, knowledge: Callable[[], KnowledgeService],
                 sanitizer: Sanitizer, vault: RedactionVault, llm: LLMProvider | None, *,
                 readers: Callable[[Principal], Reader] = lambda p: Reader(p.user_id),
                 lease_seconds: float = 300.0, wait_seconds: float = 10.0, max_output_tokens: int = 1200) -> None:
        """`knowledge` is called when a turn searches, so a broken or absent index cannot stop turns.
        A turn holds its case's lease (at most `lease_seconds`); a concurrent one waits up to `wait_seconds`."""
        self.cases = cases
        self.evidence = evidence
        self.knowledge = knowledge
        self.sanitizer = sanitizer
        self.vault = vault
        self.llm = llm
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        self.max_output_tokens = max_output_tokens
        self.case_knowledge = CaseKnowledge(knowledge, sanitizer)
        self.readers = readers  # the knowledge a turn may cite or recall is what its author may read
        self.memory = FirstTurnMemory(knowledge, sanitizer)

    def run(self, principal: Principal, case_id: str, turn: TurnInput, progress: Progress = quiet, *,
            owner_id: str | None = None, author_name: str | None = None) -> dict[str, Any]:
        """Check the input, then read, plan and write while holding the case's lease: turns on one case are
        numbered and applied one after another, each on the case as the previous one left it. `progress` hears
        of each stage, the evidence analysed and the knowledge found (the streamed turn sends them on).
        On a shared case `owner_id` is the case's owner (whose key it is stored under) and the caller is the
        author of the turn: their id and `author_name` are stored on the user message."""
        query = (turn.query or "").strip()
        intent = parse_intent(turn.intent_type, turn.intent_data)
        if not (query or (turn.pasted_content or "").strip() or turn.file or intent.kind != "conversation"):
            raise InvalidInput("a turn needs a query, pasted_content or a file", code="EMPTY_TURN")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInput(f"query is longer than {MAX_QUERY_CHARS} characters; attach it as a file instead",
                               code="QUERY_TOO_LONG")
        user = owner_id or principal.user_id
        with self.cases.turn_lease(user, case_id, hold_seconds=self.lease_seconds, wait_seconds=self.wait_seconds):
            return self._run_leased(principal, user, case_id, turn, query, intent, progress,
                                    author_name or principal.username)

    def _run_leased(self, principal: Principal, user: str, case_id: str, turn: TurnInput, query: str,
                    intent: Intent, progress: Progress, author_name: str) -> dict[str, Any]:
        case = self.cases.get(user, case_id)
        if case.is_terminal:
            raise Conflict(f"the case is {case.state.value}; open a new case to continue", code="CASE_TERMINAL")
        pasted = (turn.pasted_content or "").strip()
        turn_number = case.current_turn + 1
        progress("stage", {"stage": "started", "turn_number": turn_number})

        # Evidence first: a bad file is a 4xx before anything else is written. It is kept under the case owner's key.
        holder = principal if user == principal.user_id else replace(principal, user_id=user)
        attachments = []
        if turn.file is not None:
            attachments.append(self.evidence.attach(holder, case_id, turn.file.filename, turn.file.data,
                                                    turn.file.content_type, turn_number, "file", turn.source_url))
        if pasted and (len(pasted) > MAX_PASTE_INLINE or turn.input_type == "page_capture"):
            source = "page_capture" if turn.input_type == "page_capture" else "paste"
            attachments.append(self.evidence.attach(holder, case_id, None, pasted.encode(), "text/plain",
                                                    turn_number, source, turn.source_url))
            pasted = ""

        mapping, map_lost = self.vault.load(user, case_id)
        intent.data = self.sanitizer.sanitize_data(intent.data, mapping)  # reasons in it are stored with the case
        safe_query = self.sanitizer.sanitize(query, mapping) if query else None
        safe_paste = self.sanitizer.sanitize(pasted, mapping) if pasted else None
        summary: dict[str, int] = {}
        for result in (safe_query, safe_paste):
            for label, count in (result.summary if result else {}).items():
                summary[label] = summary.get(label, 0) + count
        user_text = "\n\n".join(r.text for r in (safe_query, safe_paste) if r)

        evidence = [digest(a, self.sanitizer, mapping) for a in self.evidence.analyses_for_case(user, case_id)]
        progress("stage", {"stage": "evidence_analysed"})
        for d in evidence:
            progress("evidence", d.model_dump())
        # Leading errors across files, first of each file first: one file's noise never hides another's cause.
        templates = [pair for rank in range(3) for d in evidence
                     for pair in list(zip(d.top_errors, d.top_error_counts, strict=False))[rank:rank + 1]]
        reader = self.readers(principal)
        cited = self.case_knowledge.cite(reader, case, user_text, self._recent_user_text(case), templates, mapping)
        past = self.memory.recall(reader, case, user_text, mapping)
        hits, searched = not_recalled(cited.hits, past), cited.searched
        plan = plan_turn(case_view(case), user_text, intent, evidence, hits)
        support = {**self._changed_support(case, cited.support),
                   **self.case_knowledge.support_new(cited, plan.new_hypotheses)}
        progress("knowledge", {"searched": searched, "hits": [h.model_dump(exclude={"snippet"}) for h in hits]})
        progress("stage", {"stage": "decided", "phase": plan.phase, "milestones": plan.milestones,
                           "writer": "model" if self.llm is not None else "rules"})
        if searched is None:
            plan.notes.append("The knowledge base could not be searched this turn, so no runbooks are cited.")
        elif not searched:
            plan.notes.append(NO_KNOWLEDGE_NOTE)
        if map_lost:
            plan.notes.append("This case's saved redaction map could not be read, so redaction started a fresh one: "
                              "placeholders from earlier turns can no longer be revealed.")

        reply, model_hypotheses, llm_used = self._write(plan, user_text, case, evidence, hits, mapping)
        reply = with_past_incidents(reply, past)
        if llm_used and searched is False and NO_KNOWLEDGE_NOTE not in reply:
            reply = f"_{NO_KNOWLEDGE_NOTE}_\n\n{reply}"  # a model may leave the rules' notes out; this one matters
        title = None
        if case.has_placeholder_title and safe_query:
            title = title_from_conversation([safe_query.text])
        stored = user_text or self.sanitizer.sanitize(
            f"(attached {', '.join(a.filename for a in attachments)})" if attachments
            else f"({intent.kind.replace('_', ' ')})", mapping).text
        progress("stage", {"stage": "saving"})
        self.vault.save(user, case_id, mapping)  # first: a map that cannot be merged fails the turn before any write
        changes = case_changes(plan, turn_number, title, model_hypotheses, support)
        updated = self.cases.apply(user, case_id, changes)

        self.cases.append_message(user, case_id, "user", stored, turn_number,
                                  {"redactions": summary, "intent": intent.kind, "author_id": principal.user_id,
                                   "author_name": author_name})
        self.cases.append_message(user, case_id, "assistant", reply, turn_number,
                                  {"llm_used": llm_used, "phase": plan.phase})
        response = self._response(updated, turn_number, plan, reply, attachments, hits, summary, llm_used,
                                  changes.progress_made)
        response["sources"] += sources(past)
        return response

    def _recent_user_text(self, case: Case) -> list[str]:
        """The engineer's last few messages, oldest first (already sanitized when stored)."""
        total = self._message_count(case)
        window = 2 * RECENT_USER_TURNS
        messages, _ = self.cases.messages(case.user_id, case.case_id, window, max(0, total - window))
        return [m.content for m in messages if m.role == "user"][-RECENT_USER_TURNS:]

    @staticmethod
    def _changed_support(case: Case, support: dict[str, list[RunbookSupport]]) -> dict[str, list[RunbookSupport]]:
        """Support to write back: only where the runbooks bearing on a hypothesis changed, so citations stay put."""
        current = {h.hypothesis_id: [s.document_id for s in h.support] for h in case.hypotheses}
        return {hid: s for hid, s in support.items() if [x.document_id for x in s] != current.get(hid)}

    def _write(self, plan: TurnPlan, user_text: str, case: Case, evidence: list[EvidenceDigest],
               hits: list[KnowledgeHit], mapping: PlaceholderMap) -> tuple[str, list[str], bool]:
        """The reply text: the model's when one is configured and answers usefully, else the rules' own."""
        if self.llm is None:
            return compose_reply(plan, evidence, hits), [], False
        messages, _ = self.cases.messages(case.user_id, case.case_id, TRANSCRIPT_MESSAGES,
                                          max(0, self._message_count(case) - TRANSCRIPT_MESSAGES))
        transcript = [(m.role, m.content) for m in messages]
        try:
            request = build_request(plan, user_text, transcript, evidence, hits, max_tokens=self.max_output_tokens)
            request.placeholders = mapping  # the port sanitizes with the case's map
            response = self.llm.complete(request)
            answer = parse_answer(response.parsed)
            if answer is None:
                raise LLMError("the model's answer did not match the expected JSON")
        except LLMError as exc:
            logger.warning("LLM turn failed; answering from the rules", extra={"error_type": type(exc).__name__})
            return compose_reply(plan, evidence, hits, notice=FAILED_NOTICE.format(reason=type(exc).__name__)), \
                [], False
        plan.suggested_actions += [SuggestedAction(label=c.label, type="RUN", payload=c.command)
                                   for c in answer.commands]
        adopt_grounded(plan.findings, answer.findings(), extraction_gates(plan, case),
                       grounding_source(user_text, transcript, evidence, case))
        text = answer.reply.replace(CONFIRM_MARKER, "").rstrip()
        if hits:
            text += "\n\n**Sources**\n" + "\n".join(f"[{i}] {h.title}" for i, h in enumerate(hits, 1))
        if plan.new_proposal is not None:
            text += f"\n\n{CONFIRM_MARKER}"
        accepted = answer.hypotheses if plan.phase >= 3 and case.state == CaseState.INVESTIGATING else []
        return text + "\n", accepted, True

    def _message_count(self, case: Case) -> int:
        _, total = self.cases.messages(case.user_id, case.case_id, 1, 0)
        return int(total)

    @staticmethod
    def _response(case: Case, turn_number: int, plan: TurnPlan, reply: str, attachments: list[Any],
                  hits: list[KnowledgeHit], summary: dict[str, int], llm_used: bool,
                  progress: bool) -> dict[str, Any]:
        done = {x.value for x in case.indicators}
        pending = next((i for i in INDICATORS if i not in done), None)
        return {
            "agent_response": reply,
            "turn_number": turn_number,
            "case_state": case.state.value,
            "milestones_completed": plan.milestones,
            "progress_made": progress,
            "attachments_processed": [{
                "file_id": a.file_id, "filename": a.filename, "file_size": a.size_bytes,
                "processing_status": a.analysis_status, "source_type": a.source_type,
                "upload_source": a.upload_source, "uploaded_at": a.uploaded_at, "duplicate_of": a.duplicate_of,
                "duplicate_turn": a.duplicate_turn} for a in attachments],
            "suggested_actions": [a.model_dump() for a in plan.suggested_actions],
            "sources": [{"type": "knowledge_base", "content": h.snippet, "confidence": round(h.score, 4),
                         "metadata": {"document_id": h.document_id, "title": h.title}} for h in hits],
            "progress_transparency": {"active": case.state == CaseState.INVESTIGATING, "pending_milestone": pending},
            "investigation_turn": case.investigation_turn,
            "redactions": summary,
            "llm_used": llm_used,
        }
