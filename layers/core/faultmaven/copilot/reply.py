"""The reply written from the rules alone: used when no model is configured, or when the model fails."""

from __future__ import annotations

from faultmaven.copilot.doctrine import CONFIRM_MARKER, PHASES, EvidenceDigest, KnowledgeHit, TurnPlan

OFFLINE_NOTICE = ("_No language model is configured on this server, so this answer comes from FaultMaven's "
                  "investigation rules, your evidence and the knowledge base._")
FAILED_NOTICE = ("_The language model did not give a usable answer this turn ({reason}); this answer comes from "
                 "FaultMaven's investigation rules, your evidence and the knowledge base. Nothing was lost._")


def citations_markdown(hits: list[KnowledgeHit]) -> list[str]:
    """Each cited runbook with the passage that applies, the hypothesis it bears on and its first step."""
    lines = []
    for i, h in enumerate(hits, 1):
        lines.append(f"[{i}] **{h.title}** — {h.snippet.strip()[:240]}")
        if h.supports:
            lines.append(f"  - bears on: {h.supports[:160]}")
        if h.first_step:
            lines.append(f"  - first step from it: `{h.first_step}`")
    return lines


def evidence_markdown(evidence: list[EvidenceDigest]) -> list[str]:
    lines = []
    for e in evidence:
        line = f"- `{e.filename}` ({e.source_type}): {e.error_count} error line(s)"
        if e.first_error_at:
            line += f", first at {e.first_error_at}"
            if e.last_error_at and e.last_error_at != e.first_error_at:
                line += f", last at {e.last_error_at}"
        lines.append(line)
        lines.extend(f"  - most frequent error: `{t[:160]}`" for t in e.top_errors[:2])
    return lines


def compose_reply(plan: TurnPlan, evidence: list[EvidenceDigest], hits: list[KnowledgeHit], *,
                  notice: str = OFFLINE_NOTICE) -> str:
    parts: list[str] = [notice, ""]
    if plan.phase:
        parts.append(f"**Phase {plan.phase} of 5 — {PHASES[plan.phase]}**")
        parts.append("")
    parts.extend(plan.notes)
    if evidence:
        parts += ["", "**What your evidence shows**", *evidence_markdown(evidence)]
    if plan.new_hypotheses:
        parts += ["", "**Hypotheses to test**", *(f"- {h}" for h in plan.new_hypotheses)]
    if hits:
        parts += ["", "**From the knowledge base**", *citations_markdown(hits)]
    runs = [a for a in plan.suggested_actions if a.type in ("RUN", "EVIDENCE")]
    if runs:
        parts += ["", "**Next steps**"]
        parts += [f"- {a.label}: `{a.payload}`" if a.type == "RUN" else f"- {a.label}: {a.payload}" for a in runs]
    if plan.new_proposal is not None:
        parts += ["", f"Proposed: move the case to **{plan.new_proposal.target_state}** — "
                      f"{plan.new_proposal.reason}", "", CONFIRM_MARKER]
    return "\n".join(parts).strip() + "\n"
