// Institutional memory: the drafts to review (postmortem and runbook drafted from a resolved case: edit, approve,
// reject), and the past incidents approved drafts became (searchable, with what fixed them and how fresh that is).

import { api } from "../api.js";
import { add, badge, fill, formatDate, h, notice } from "../dom.js";
import { markdown } from "../markdown.js";

const DRAFTS = "/api/v1/knowledge/drafts";
const STATUSES = ["pending", "approved", "rejected"];

function tabs(active) {
  return h("nav", { class: "row tabs", "aria-label": "Memory" },
    h("a", { href: "#/memory", class: active === "drafts" ? "button primary" : "button", id: "tab-drafts" }, "Drafts to review"),
    h("a", { href: "#/memory/past", class: active === "past" ? "button primary" : "button", id: "tab-past" }, "Past incidents"));
}

/** Draft the postmortem of one of the caller's resolved cases (the server refuses any other state). */
async function extractForm(onDrafted) {
  const select = h("select", { id: "extract-case", name: "case_id" });
  const submit = h("button", { type: "submit", class: "primary", id: "extract-submit" }, "Draft postmortem");
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "card", id: "extract" }, h("h2", {}, "Draft from a resolved case"),
    h("div", { class: "row" }, h("label", { class: "field grow" }, h("span", {}, "Resolved case"), select), submit), status);
  const page = await api("/api/v1/cases", { query: { state: "resolved", limit: 100, offset: 0 } });
  fill(select, page.cases.map((c) => h("option", { value: c.case_id }, c.title)));
  if (!page.cases.length) {
    submit.disabled = true;
    status.append(notice("info", "No resolved case yet: a case becomes a draft once it is resolved."));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const draft = await api(`/api/v1/cases/${encodeURIComponent(select.value)}/extract-knowledge`, { method: "POST", body: {} });
      status.replaceChildren(notice("ok", `Draft ready: ${draft.title}`));
      await onDrafted();
    } catch (error) {
      status.replaceChildren(notice("error", error.message));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function provenance(d) {
  return h("dl", { class: "meta" },
    h("dt", {}, "Case"), h("dd", {}, h("a", { href: `#/cases/${encodeURIComponent(d.case_id)}` }, d.case_id)),
    h("dt", {}, "Authors"), h("dd", {}, (d.authors || []).join(", ") || "—"),
    h("dt", {}, "Resolved"), h("dd", {}, formatDate(d.incident_date)),
    d.reviewed_at ? [h("dt", {}, "Reviewed"), h("dd", {}, formatDate(d.reviewed_at))] : null,
    d.review_note ? [h("dt", {}, "Review note"), h("dd", {}, d.review_note)] : null,
    d.edits?.length ? [h("dt", {}, "Edits"), h("dd", {}, `${d.edits.length} (last ${formatDate(d.edits.at(-1).at)})`)] : null);
}

/** One draft: read it rendered, or edit its parts; approve (index as a past incident, for the reviewer or for one of
 * the `teams` they may publish into) or reject with a note. */
function draftCard(draft, reload, teams) {
  const status = h("div", { class: "form-status" });
  const card = h("article", { class: "card draft", "data-draft": draft.draft_id });
  const view = () => fill(card, h("div", { class: "title-row" }, h("h2", {}, draft.title), badge(draft.status)),
    provenance(draft),
    h("h3", {}, "What fixed it"), h("p", { class: "draft-fix prewrap" }, draft.fix || "not recorded"),
    h("details", { class: "draft-body" }, h("summary", {}, "Postmortem"), h("div", { class: "md report-content" }, markdown(draft.postmortem))),
    h("details", { class: "draft-body" }, h("summary", {}, "Runbook draft"), h("div", { class: "md report-content" }, markdown(draft.runbook))),
    draft.status === "pending" ? actions() : null, status);

  async function send(path, body) {
    status.replaceChildren();
    try {
      draft = await api(`${DRAFTS}/${encodeURIComponent(draft.draft_id)}${path}`, { method: path ? "POST" : "PUT", body });
      view();
      status.replaceChildren(notice("ok", path === "/approve" ? "Approved: indexed as a past incident." : path === "/reject" ? "Rejected." : "Saved."));
      if (path) await reload();
    } catch (error) {
      status.replaceChildren(notice("error", error.message));
    }
  }

  function actions() {
    const note = h("input", { name: "note", class: "grow", maxlength: 2000, placeholder: "Review note (optional)", "aria-label": "Review note" });
    const scope = teams.length ? h("select", { name: "scope", "aria-label": "Who finds it" }, h("option", { value: "" }, "For me"),
      teams.map((t) => h("option", { value: t.team_id }, `For team ${t.name}`))) : null;
    const where = () => (scope?.value ? { scope: "team", team_id: scope.value } : {});
    return h("div", { class: "row draft-actions" }, note, scope,
      h("button", { type: "button", class: "primary", "data-action": "approve", on: { click: () => send("/approve", { note: note.value || null, version: draft.version, ...where() }) } }, "Approve"),
      h("button", { type: "button", "data-action": "edit", on: { click: edit } }, "Edit"),
      h("button", { type: "button", class: "danger", "data-action": "reject", on: { click: () => send("/reject", { note: note.value || null, version: draft.version }) } }, "Reject"));
  }

  function edit() {
    const field = (name, label, value, rows) => h("label", { class: "field" }, h("span", {}, label),
      rows ? h("textarea", { name, rows, maxlength: 100000 }, value || "") : h("input", { name, value: value || "", maxlength: 300 }));
    const form = h("form", { class: "draft-edit" }, field("title", "Title", draft.title), field("fix", "What fixed it", draft.fix, 3),
      field("postmortem", "Postmortem (Markdown)", draft.postmortem, 14), field("runbook", "Runbook (Markdown)", draft.runbook, 10),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", "data-action": "save" }, "Save"),
        h("button", { type: "button", "data-action": "cancel", on: { click: view } }, "Cancel")), status);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = (name) => form.elements[name].value;
      send("", { title: value("title"), fix: value("fix"), postmortem: value("postmortem"), runbook: value("runbook"), version: draft.version });
    });
    fill(card, h("h2", {}, `Edit: ${draft.title}`), form);
  }

  view();
  return card;
}

export async function draftsPage(root) {
  const filter = h("select", { id: "draft-status", name: "status", "aria-label": "Status" }, STATUSES.map((s) => h("option", { value: s }, s)));
  const list = h("div", { id: "drafts" });
  const summary = h("p", { class: "muted small", id: "drafts-summary" });
  // The teams an approved draft may be indexed for: those where the reviewer publishes (not as a viewer).
  const teams = (await api("/api/v1/teams").catch(() => [])).filter((t) => t.my_role && t.my_role !== "viewer");

  async function load() {
    try {
      const page = await api(DRAFTS, { query: { status: filter.value, limit: 100 } });
      summary.textContent = `${page.total} ${filter.value} draft(s)`;
      fill(list, page.drafts.length ? page.drafts.map((d) => draftCard(d, load, teams)) : h("p", { class: "muted" }, `No ${filter.value} drafts.`));
    } catch (error) {
      fill(list, notice("error", error.message));
    }
  }

  filter.addEventListener("change", load);
  add(root, h("h1", {}, "Institutional memory"), tabs("drafts"), await extractForm(load),
    h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, "Status"), filter), summary), list);
  await load();
}

function incidentItem(p) {
  const dates = [p.incident_date ? `resolved ${formatDate(p.incident_date)}` : null, p.freshness_date ? `reviewed ${p.freshness_date}` : null].filter(Boolean).join(" · ");
  return h("li", { class: "card incident", "data-document": p.document_id },
    h("div", { class: "title-row" }, h("a", { href: `#/kb/${encodeURIComponent(p.document_id)}`, class: "result-title" }, p.title),
      p.score !== null && p.score !== undefined ? h("span", { class: "muted small" }, `relevance ${p.score.toFixed(2)}`) : null),
    h("p", { class: "incident-fix" }, h("strong", {}, "Fixed by: "), p.fix || "not recorded"),
    h("p", { class: "muted small" }, [p.case_id ? h("a", { href: `#/cases/${encodeURIComponent(p.case_id)}` }, p.case_id) : null, dates ? ` · ${dates}` : "",
      p.authors?.length ? ` · ${p.authors.join(", ")}` : ""]));
}

export async function pastIncidentsPage(root) {
  const query = h("input", { type: "search", id: "past-query", name: "q", maxlength: 1000, placeholder: "Describe the symptoms of a new incident" });
  const list = h("ul", { class: "incident-list", id: "past-incidents" });
  const summary = h("p", { class: "muted small", id: "past-summary" });

  async function load() {
    try {
      const found = await api("/api/v1/knowledge/past-incidents", { query: { q: query.value.trim(), limit: 20 } });
      summary.textContent = found.query ? `${found.incidents.length} most similar past incident(s)` : `${found.incidents.length} past incident(s), newest first`;
      fill(list, found.incidents.length ? found.incidents.map(incidentItem) : h("li", { class: "muted" }, "No past incidents: approve a draft to add one."));
    } catch (error) {
      fill(list, h("li", {}, notice("error", error.message)));
    }
  }

  const form = h("form", { class: "row filters", id: "past-search" }, h("label", { class: "field grow" }, h("span", {}, "Search"), query),
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  add(root, h("h1", {}, "Institutional memory"), tabs("past"), h("section", { class: "card" }, form, summary), list);
  await load();
}
