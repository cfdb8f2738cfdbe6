// A case as one Markdown document: summary, progress, hypotheses, transcript, evidence and reports.

/** The six progress indicators the clients count, in doctrine order. */
export const INDICATORS = ["symptom_verified", "scope_assessed", "timeline_established", "changes_identified", "root_cause_identified", "solution_proposed"];

const words = (s) => String(s || "").replace(/_/g, " ");

/** Text that cannot break out of a fenced block: a fence longer than any backtick run inside it. */
function fenced(text, lang = "") {
  const longest = Math.max(2, ...[...String(text).matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

export function caseMarkdown({ detail, messages, files, reports }, exportedAt = new Date()) {
  const lines = [`# ${detail.title}`, "",
    `- Case: \`${detail.case_id}\``, `- State: **${detail.state}**${detail.stage ? ` (stage: ${detail.stage})` : ""}${detail.closure_reason ? ` — ${words(detail.closure_reason)}` : ""}`,
    `- Opened: ${detail.created_at}`, `- Updated: ${detail.updated_at}`];
  if (detail.resolved_at || detail.closed_at) lines.push(`- Ended: ${detail.resolved_at || detail.closed_at}`);
  lines.push(`- Turns: ${detail.current_turn}`, `- Exported: ${exportedAt.toISOString()}`, "");
  if (detail.description) lines.push("## Description", "", detail.description, "");
  if (detail.problem_statement) lines.push("## Problem statement", "", detail.problem_statement, "");
  const done = new Set(detail.milestones_completed || []);
  lines.push("## Progress", "", ...INDICATORS.map((i) => `- [${done.has(i) ? "x" : " "}] ${words(i)}`), "");
  lines.push("## Hypotheses", "");
  if (detail.hypotheses?.length) {
    for (const hyp of detail.hypotheses) {
      const reason = hyp.refutation_reason || hyp.retirement_reason;
      lines.push(`- **${hyp.state}** (${Math.round(hyp.likelihood * 100)}%) ${hyp.text}${reason ? ` — ${reason}` : ""}`);
    }
  } else lines.push("- none recorded");
  lines.push("");
  if (detail.working_conclusion) lines.push("## Working conclusion", "", `${detail.working_conclusion.summary} (confidence ${Math.round(detail.working_conclusion.confidence * 100)}%)`, "");
  if (detail.root_cause) lines.push("## Root cause", "", detail.root_cause, "");
  if (detail.solution) lines.push("## Solution", "", detail.solution, "");
  lines.push("## Transcript", "");
  for (const m of messages) lines.push(`### Turn ${m.turn_number} — ${m.role} (${m.created_at})`, "", m.content, "");
  if (files.length) {
    lines.push("## Evidence", "");
    for (const f of files) {
      lines.push(`### ${f.filename}`, "", `- ${f.size_display || `${f.size_bytes} bytes`}, ${f.data_type || f.source_type}, uploaded at turn ${f.uploaded_at_turn}`);
      if (f.summary) lines.push("", fenced(f.summary));
      const templates = f.analysis?.templates || [];
      if (templates.length) {
        lines.push("", "| count | level | template |", "|---:|---|---|");
        for (const t of templates.slice(0, 10)) lines.push(`| ${t.count} | ${t.level} | \`${String(t.template).replace(/[|`]/g, "\\$&")}\` |`);
      }
      lines.push("");
    }
  }
  for (const r of reports) lines.push(`## Report: ${r.title}`, "", r.content.replace(/^(#+) /gm, "$1## "), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

export function exportFilename(detail) {
  const slug = String(detail.title || "case").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
  return `${slug || "case"}-${detail.case_id}.md`;
}
