"""The hand-off summary when the on-call changes: where an open case stands, from the case record only.

Unlike the closing reports, it is about what is still open: the working conclusion, the hypotheses still being
weighed, the recent timeline and the next actions, so the next engineer picks up without re-reading the thread.
"""

from __future__ import annotations

from faultmaven.cases.model import Case
from faultmaven.copilot.reports import NOT_RECORDED, Report

RECENT_EVENTS = 10


def handoff_report(case: Case, at: str, from_name: str, to_name: str | None = None, note: str | None = None
                   ) -> Report:
    stage = f", {case.stage.value}" if case.stage else ""
    lines = [f"# Hand-off: {case.title}", "",
             f"- From: {from_name}" + (f" → to: {to_name}" if to_name else ""),
             f"- State: **{case.state.value}{stage}**, turn {case.current_turn}, last activity "
             f"{case.last_activity_at}",
             "", "## Problem", case.problem_statement or case.description or NOT_RECORDED,
             "", "## Impact", case.impact or NOT_RECORDED,
             "", "## Where it stands"]
    if case.working_conclusion:
        lines.append(f"{case.working_conclusion.summary} (confidence {case.working_conclusion.confidence:.0%})")
    lines.append(f"Root cause: {case.root_cause or 'not identified yet'}")
    if case.solution:
        lines.append(f"Fix: {case.solution}")
    lines += ["", "## Open hypotheses",
              *([f"- **{h.state.value}** ({h.likelihood:.0%}) — {h.text}" for h in case.open_hypotheses]
                or ["- none open"]),
              "", "## Recent timeline", *([f"- {e}" for e in case.timeline[-RECENT_EVENTS:]] or [f"- {NOT_RECORDED}"]),
              "", "## Next actions", *([f"- {a}" for a in case.next_actions] or ["- none recorded"])]
    if note:
        lines += ["", "## Note from the outgoing on-call", note.strip()]
    return Report(report_type="handoff_summary", title=f"Hand-off — {case.title}"[:200],
                  content="\n".join(lines) + "\n", case_id=case.case_id, case_state=case.state.value,
                  generated_at=at)
