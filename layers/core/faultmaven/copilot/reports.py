"""Reports derived from a case: a resolution or closure summary, and a runbook draft for the knowledge base.

They are built from the case record itself (never from a model), so they are reproducible and always match it.
"""

from __future__ import annotations

from pydantic import BaseModel

from faultmaven.cases.model import Case

RUNBOOK_DOCUMENT_TYPE = "runbook"


class Report(BaseModel):
    report_type: str  # resolution_summary | closure_summary | runbook_draft | postmortem
    title: str
    content: str  # Markdown
    case_id: str
    case_state: str
    generated_at: str


NOT_RECORDED = "not recorded in the case"


def _hypothesis_lines(case: Case) -> list[str]:
    lines = []
    for h in case.hypotheses:
        reason = h.refutation_reason or h.retirement_reason
        lines.append(f"- **{h.state.value}** — {h.text}" + (f" ({reason})" if reason else ""))
    return lines or ["- none recorded"]


def _timeline_lines(case: Case) -> list[str]:
    return [f"- {event}" for event in case.timeline] or [f"- {NOT_RECORDED}"]


def summary_report(case: Case, at: str) -> Report:
    resolved = case.state.value == "resolved"
    kind = "resolution_summary" if resolved else "closure_summary"
    lines = [f"# {'Resolution' if resolved else 'Closure'} summary: {case.title}", "",
             f"- State: **{case.state.value}**" + (f" ({case.closure_reason.value})" if case.closure_reason else ""),
             f"- Opened: {case.created_at}"]
    if case.resolved_at or case.closed_at:
        lines.append(f"- Ended: {case.resolved_at or case.closed_at}")
    lines.append(f"- Turns: {case.current_turn}")
    lines += ["", "## Problem", case.problem_statement or case.description or NOT_RECORDED, "",
              "## Impact", case.impact or NOT_RECORDED, "",
              "## Timeline", *_timeline_lines(case), "",
              "## Progress", *(f"- {i.value.replace('_', ' ')}" for i in case.indicators), "",
              "## Hypotheses", *_hypothesis_lines(case), "",
              "## Root cause", case.root_cause or "not identified", "",
              "## Fix", case.solution or NOT_RECORDED]
    return Report(report_type=kind, title=f"{'Resolution' if resolved else 'Closure'} summary — {case.title}",
                  content="\n".join(lines) + "\n", case_id=case.case_id, case_state=case.state.value,
                  generated_at=at)


def runbook_draft(case: Case, at: str) -> Report:
    """A runbook in the Meaning / Impact / Diagnosis / Mitigation shape that on-call runbooks commonly use, filled
    from the case record only: what is missing from the record is said to be missing, never made up."""
    refuted = [h.text for h in case.hypotheses if h.state.value == "refuted"]
    lines = [f"# Runbook: {case.problem_statement or case.title}", "",
             "## Meaning", case.problem_statement or case.description or case.title, "",
             "## Impact", case.impact or NOT_RECORDED, "",
             "## Diagnosis", f"Root cause found in this case: {case.root_cause or 'not identified'}", "",
             "Timeline of the case:", *_timeline_lines(case),
             *(f"- Ruled out: {t}" for t in refuted), "",
             "## Mitigation", case.solution or NOT_RECORDED, "",
             f"_Drafted from case {case.case_id} on {at}._"]
    return Report(report_type="runbook_draft", title=f"Runbook — {case.problem_statement or case.title}"[:200],
                  content="\n".join(lines) + "\n", case_id=case.case_id, case_state=case.state.value,
                  generated_at=at)


def postmortem(case: Case, at: str, evidence_lines: list[str], follow_ups: list[str]) -> Report:
    """A blameless postmortem of a resolved case: the summary's record plus the evidence it rests on and the
    follow-ups the engineer named; like every report here, only what the case records."""
    summary = summary_report(case, at)
    lines = [f"# Postmortem: {case.problem_statement or case.title}", "",
             f"- Case: {case.case_id}", f"- Opened: {case.created_at}",
             f"- Resolved: {case.resolved_at or case.closed_at or NOT_RECORDED}", "",
             "## Impact", case.impact or NOT_RECORDED, "",
             "## Timeline", *_timeline_lines(case), "",
             "## Root cause", case.root_cause or "not identified", "",
             "## Fix", case.solution or NOT_RECORDED, "",
             "## Evidence", *(f"- {line}" for line in evidence_lines or [NOT_RECORDED]), "",
             "## Hypotheses considered", *_hypothesis_lines(case), "",
             "## Follow-ups", *(f"- {item}" for item in follow_ups or [NOT_RECORDED])]
    return summary.model_copy(update={"report_type": "postmortem", "content": "\n".join(lines) + "\n",
                                      "title": f"Postmortem — {case.problem_statement or case.title}"[:200]})


def reports_for(case: Case, at: str) -> list[Report]:
    """Terminal cases get both reports; an open case has none yet."""
    if not case.is_terminal:
        return []
    return [summary_report(case, at), runbook_draft(case, at)]
