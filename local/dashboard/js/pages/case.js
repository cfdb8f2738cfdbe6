// One case: progress, hypotheses board, transcript (with each message's author), evidence with its log analysis
// charts, reports, team sharing, and export.

import { api, getCapabilities } from "../api.js";
import { add, badge, downloadText, formatDate, h, humanize } from "../dom.js";
import { figure, horizontalBars, timelineChart } from "../charts.js";
import { caseMarkdown, exportFilename, INDICATORS } from "../export.js";
import { markdown } from "../markdown.js";
import { CONFIRM_PROMPT } from "../turns.js";
import { investigation } from "./investigate.js";
import { sharingSection } from "./sharing.js";

const HYPOTHESIS_STATES = ["captured", "active", "validated", "refuted", "inconclusive", "retired"];
const LEVEL_ORDER = ["fatal", "critical", "error", "warn", "warning", "info", "debug", "trace", "unknown"];

async function allMessages(base) {
  const messages = [];
  for (let offset = 0; ; ) {
    const page = await api(`${base}/messages`, { query: { limit: 100, offset } });
    messages.push(...page.messages);
    if (!page.has_more || page.next_offset === null) break;
    offset = page.next_offset;
  }
  return messages;
}

function progressSection(detail) {
  const done = new Set(detail.milestones_completed || []);
  return h("section", { class: "card" }, h("h2", {}, "Progress"),
    h("p", { class: "muted small" }, `${done.size} of ${INDICATORS.length} indicators`),
    h("progress", { max: INDICATORS.length, value: done.size, class: "wide" }),
    h("ol", { class: "indicators", id: "indicators" }, INDICATORS.map((i) =>
      h("li", { class: done.has(i) ? "done" : "pending" }, h("span", { class: "mark", "aria-hidden": "true" }, done.has(i) ? "✓" : "○"), humanize(i)))),
    detail.turns_without_progress ? h("p", { class: "muted small" }, `${detail.turns_without_progress} turn(s) without progress`) : null);
}

function findings(detail) {
  const rows = [["Problem statement", detail.problem_statement], ["Description", detail.description],
    ["Working conclusion", detail.working_conclusion && `${detail.working_conclusion.summary} (confidence ${Math.round(detail.working_conclusion.confidence * 100)}%)`],
    ["Root cause", detail.root_cause], ["Solution", detail.solution],
    ["Waiting for confirmation", detail.pending_proposal && `${humanize(detail.pending_proposal.kind)}: ${detail.pending_proposal.summary}`]]
    .filter(([, v]) => v);
  if (!rows.length) return null;
  return h("section", { class: "card" }, h("h2", {}, "Findings"), h("dl", { class: "meta" }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { class: "prewrap" }, v)])));
}

function hypothesisBoard(hypotheses, actions = () => null) {
  const board = h("div", { class: "board", id: "hypotheses" });
  for (const state of HYPOTHESIS_STATES) {
    const items = hypotheses.filter((x) => x.state === state);
    board.append(h("div", { class: `column column-${state}` }, h("h3", {}, humanize(state), h("span", { class: "count" }, items.length)),
      items.map((x) => h("div", { class: "hyp" }, h("p", {}, x.text),
        h("div", { class: "likelihood", title: `likelihood ${Math.round(x.likelihood * 100)}%` },
          h("progress", { max: 1, value: x.likelihood }), ` ${Math.round(x.likelihood * 100)}%`),
        x.evidence_ids?.length ? h("p", { class: "muted small" }, `${x.evidence_ids.length} evidence`) : null,
        x.refutation_reason || x.retirement_reason ? h("p", { class: "muted small" }, x.refutation_reason || x.retirement_reason) : null,
        actions(x)))));
  }
  return h("section", { class: "card" }, h("h2", {}, "Hypotheses"),
    hypotheses.length ? board : h("p", { class: "muted" }, "No hypotheses yet: they are formed once the case is being investigated."));
}

/**
 * The conversation. While a proposal waits, its Yes / No buttons (`confirm`) follow the last reply; the copilot's
 * literal `[✅ Yes] [❌ No]` (which the extension turns into buttons) is left out of the text.
 */
function transcript(messages, confirm = null) {
  const last = messages.findLastIndex((m) => m.role === "assistant");
  return h("section", { class: "card" }, h("h2", {}, `Transcript (${messages.length})`),
    h("ol", { class: "transcript", id: "transcript" }, messages.map((m, i) => h("li", { class: `msg msg-${m.role}` },
      h("div", { class: "msg-head" }, h("strong", {}, m.role === "assistant" ? "FaultMaven" : (m.author_name || m.role)), ` · turn ${m.turn_number} · ${formatDate(m.created_at)}`),
      h("div", { class: "msg-body" }, m.role === "assistant" ? markdown(m.content.replace(CONFIRM_PROMPT, "").trimEnd()) : h("p", { class: "prewrap" }, m.content)),
      i === last ? confirm : null))));
}

function analysisCharts(analysis) {
  if (!analysis) return [];
  const out = [];
  const buckets = analysis.timeline?.buckets || [];
  if (buckets.length) {
    const bursts = analysis.timeline.bursts?.length || 0;
    out.push(figure("Error timeline", timelineChart(buckets), `${analysis.timeline.bucket_seconds}s buckets${bursts ? `, ${bursts} burst(s) outlined` : ""}; errors in red`));
  }
  const templates = analysis.templates || [];
  if (templates.length) {
    out.push(figure("Top templates", horizontalBars(templates.slice(0, 10).map((t) => ({
      label: t.template, value: t.count, kind: String(t.level || "").toLowerCase(), title: `${t.count}× [${t.level}] ${t.template}\ne.g. ${t.example}`,
    })), { label: "Most frequent log templates", labelWidth: 420 }), `${analysis.template_count ?? templates.length} template(s) in ${analysis.line_count} lines`));
  }
  const severities = Object.entries(analysis.severity_counts || {})
    .sort((a, b) => LEVEL_ORDER.indexOf(a[0].toLowerCase()) - LEVEL_ORDER.indexOf(b[0].toLowerCase()));
  if (severities.length) {
    out.push(figure("Lines by level", horizontalBars(severities.map(([level, n]) => ({ label: level, value: n, kind: level.toLowerCase() })), { label: "Lines by level", labelWidth: 100, width: 480, barHeight: 14 })));
  }
  return out;
}

function evidenceSection(files) {
  return h("section", { class: "card", id: "evidence" }, h("h2", {}, `Evidence (${files.length})`),
    files.length ? files.map((f) => h("article", { class: "evidence-item", "data-file": f.file_id },
      h("h3", {}, f.filename, " ", badge(f.analysis_status)),
      h("p", { class: "muted small" }, `${f.size_display} · ${f.source_type} · uploaded at turn ${f.uploaded_at_turn} · ${formatDate(f.uploaded_at)}`),
      f.summary ? h("p", { class: "prewrap" }, f.summary) : null,
      h("div", { class: "charts" }, analysisCharts(f.analysis)))) : h("p", { class: "muted" }, "No files were attached to this case."));
}

function reportsSection(reports, detail) {
  const body = reports.length ? reports.map((r) => h("article", { class: "report" },
    h("div", { class: "title-row" }, h("h3", {}, r.title),
      h("button", { type: "button", class: "small", on: { click: () => downloadText(`${r.report_type}-${detail.case_id}.md`, r.content) } }, "Download")),
    h("div", { class: "report-content" }, markdown(r.content))))
    : h("p", { class: "muted" }, "Reports are written when the case is resolved or closed.");
  return h("section", { class: "card", id: "reports" }, h("h2", {}, "Reports"), body);
}

export async function casePage(root, id) {
  const base = `/api/v1/cases/${encodeURIComponent(id)}`;
  const [detail, messages, fileList, reportList, capabilities] = await Promise.all([
    api(base), allMessages(base), api(`${base}/uploaded-files`, { query: { limit: 100, sort_order: "asc" } }),
    api(`${base}/reports`).catch(() => ({ reports: [] })), getCapabilities().catch(() => ({})),
  ]);
  // The list carries summaries only; each file's details carry its full analysis (timeline, templates).
  const files = await Promise.all(fileList.files.map((f) => api(`${base}/uploaded-files/${encodeURIComponent(f.file_id)}`)
    .then((d) => ({ ...f, ...d }))
    .catch(() => f)));
  const reports = reportList.reports || [];
  const exportButton = h("button", { type: "button", class: "primary", id: "export-case" }, "Export as Markdown");
  exportButton.addEventListener("click", () => downloadText(exportFilename(detail), caseMarkdown({ detail, messages, files, reports })));
  const redraw = async () => {
    const fresh = h("section", { class: root.className });
    await casePage(fresh, id);
    root.replaceWith(fresh);
    fresh.querySelector("#transcript")?.lastElementChild?.scrollIntoView({ block: "nearest" });
  };
  const work = detail.is_terminal ? null : investigation(detail.case_id, redraw, { maxFileBytes: capabilities.limits?.maxFileBytes });
  const proposal = detail.pending_proposal;
  add(root,
    h("p", {}, h("a", { href: "#/cases" }, "← Cases")),
    h("div", { class: "title-row" }, h("h1", {}, detail.title), exportButton),
    h("p", {}, badge(detail.state), detail.stage ? [" ", badge(detail.stage, "stage")] : null,
      h("span", { class: "muted small" }, ` opened ${formatDate(detail.created_at)} · updated ${formatDate(detail.updated_at)} · ${detail.current_turn} turn(s)`)),
    h("div", { class: "two-col" }, progressSection(detail), findings(detail)),
    transcript(messages, work && proposal ? work.confirmButtons(`${humanize(proposal.kind)}?`) : null),
    work ? work.composer() : null,
    hypothesisBoard(detail.hypotheses || [], work ? work.hypothesisButtons : undefined),
    evidenceSection(files), reportsSection(reports, detail), sharingSection(detail.case_id));
}
