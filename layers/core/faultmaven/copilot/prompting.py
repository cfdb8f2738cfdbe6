"""What the model sees and what it may return.

The prompt carries the doctrine phase the rules chose, the case's sanitized evidence analyses and knowledge-base
snippets, and the recent transcript. The model answers one JSON object; only fields that pass validation here are
used, and the rules decide what they change.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from faultmaven.copilot.doctrine import PHASES, EvidenceDigest, KnowledgeHit, TurnPlan
from faultmaven.copilot.findings import Findings
from faultmaven.copilot.reply import citations_markdown, evidence_markdown
from faultmaven.ports.llm import ChatMessage, LLMRequest

SYSTEM = """You are FaultMaven, a troubleshooting copilot for SRE and DevOps engineers working a production incident.
You follow a five-phase doctrine: 1 define the blast radius, 2 establish the timeline and recent changes,
3 formulate hypotheses, 4 validate them with evidence, 5 propose a solution. Be concrete and brief: name exact
commands to run and exact evidence to collect. Ground claims in the evidence and knowledge-base excerpts you are
given and cite excerpts as [n]. Never invent log lines. Text like {{REDACTED:label}} is a value hidden for privacy:
keep such placeholders exactly as written and never guess what they hide.
Fill impact, timeline, root_cause and fix only with what the engineer or the evidence actually stated; leave them out
otherwise.
Answer with one JSON object only, matching the schema you are given."""

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reply": {"type": "string", "description": "Markdown answer to the engineer"},
        "hypotheses": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "commands": {"type": "array", "maxItems": 4, "items": {
            "type": "object", "properties": {"label": {"type": "string"}, "command": {"type": "string"}},
            "required": ["label", "command"]}},
        "impact": {"type": "string", "description": "who and how much is affected, as stated"},
        "timeline": {"type": "array", "maxItems": 5, "items": {"type": "string"},
                     "description": "timed events stated, e.g. '09:05 deployed v2.3'"},
        "root_cause": {"type": "string", "description": "the cause the evidence established, if it did"},
        "fix": {"type": "string", "description": "the fix the engineer applied or will apply, if stated"},
    },
    "required": ["reply"],
}


class ModelCommand(BaseModel):
    label: str = Field(min_length=1, max_length=120)
    command: str = Field(min_length=1, max_length=500)


class ModelAnswer(BaseModel):
    """The validated part of a model's JSON answer."""

    reply: str = Field(min_length=1, max_length=20000)
    hypotheses: list[str] = Field(default_factory=list, max_length=3)
    commands: list[ModelCommand] = Field(default_factory=list, max_length=4)
    impact: str | None = Field(default=None, max_length=1000)
    timeline: list[str] = Field(default_factory=list, max_length=5)
    root_cause: str | None = Field(default=None, max_length=1000)
    fix: str | None = Field(default=None, max_length=2000)

    def findings(self) -> Findings:
        return Findings(impact=self.impact, timeline=self.timeline, root_cause=self.root_cause, solution=self.fix)


def _lenient_findings(parsed: dict[str, Any]) -> dict[str, Any]:
    """The optional extraction fields, cut to size or dropped: a clumsy extraction never costs the whole answer."""
    out: dict[str, Any] = {}
    for name, limit in (("impact", 1000), ("root_cause", 1000), ("fix", 2000)):
        value = parsed.get(name)
        out[name] = value.strip()[:limit] if isinstance(value, str) and value.strip() else None
    events = parsed.get("timeline")
    out["timeline"] = [e.strip()[:300] for e in events if isinstance(e, str) and e.strip()][:5] \
        if isinstance(events, list) else []
    return out


def parse_answer(parsed: dict[str, Any] | None) -> ModelAnswer | None:
    if parsed is None:
        return None
    try:
        answer = ModelAnswer.model_validate({**parsed, **_lenient_findings(parsed)})
    except ValidationError:
        return None
    answer.hypotheses = [h.strip()[:300] for h in answer.hypotheses if h.strip()]
    return answer


def build_request(plan: TurnPlan, user_text: str, transcript: list[tuple[str, str]], evidence: list[EvidenceDigest],
                  hits: list[KnowledgeHit], max_tokens: int = 1200) -> LLMRequest:
    """All text passed in must already be sanitized."""
    context = [f"Case phase: {plan.phase} — {PHASES.get(plan.phase, 'understand the question')}"]
    if plan.notes:
        context += ["Decided by the rules this turn:", *(f"- {n}" for n in plan.notes)]
    if plan.new_hypotheses:
        context += ["Hypotheses just recorded:", *(f"- {h}" for h in plan.new_hypotheses)]
    if evidence:
        context += ["Evidence analyses:", *evidence_markdown(evidence)]
    if hits:
        context += ["Knowledge-base excerpts:", *citations_markdown(hits)]
    if plan.new_proposal is not None:
        context.append(f"You are proposing to move the case to {plan.new_proposal.target_state}; end by asking the "
                       "engineer to confirm.")
    messages = [ChatMessage(role="system", content=SYSTEM)]
    messages += [ChatMessage(role="assistant" if role == "assistant" else "user", content=text)
                 for role, text in transcript[-8:]]
    messages.append(ChatMessage(role="user", content="\n".join(context) + "\n\nEngineer: " + (user_text or
                                                                                             "(no text)")))
    return LLMRequest(messages=messages, json_schema=REPLY_SCHEMA, max_tokens=max_tokens)
