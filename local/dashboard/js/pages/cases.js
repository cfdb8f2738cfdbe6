// Cases: open a new one, counts by state, cases opened per day, time to close, and the list with a state filter and
// search.

import { api, fetchAll } from "../api.js";
import { add, badge, formatDate, h, notice } from "../dom.js";
import { dailyStackedBars, figure, horizontalBars } from "../charts.js";

export const CASE_STATES = ["inquiry", "investigating", "resolved", "closed"];
const DAYS = 30;

function dayOf(iso) {
  return String(iso || "").slice(0, 10);
}

/** Cases opened on each of the last `days` days (UTC), split by their current state. */
export function openedPerDay(cases, days = DAYS, today = new Date()) {
  const out = [];
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (let i = days - 1; i >= 0; i -= 1) out.push({ day: new Date(end - i * 86400000).toISOString().slice(0, 10), counts: {} });
  const byDay = new Map(out.map((d) => [d.day, d]));
  for (const c of cases) {
    const slot = byDay.get(dayOf(c.created_at));
    if (slot) slot.counts[c.state] = (slot.counts[c.state] || 0) + 1;
  }
  return out;
}

/** Time from opening to resolution or closure for the most recent ended cases, in minutes or hours. */
function durations(cases, n = 10) {
  const ended = cases.filter((c) => c.resolved_at || c.closed_at)
    .map((c) => ({ c, end: Date.parse(c.resolved_at || c.closed_at), start: Date.parse(c.created_at) }))
    .filter((x) => Number.isFinite(x.end) && Number.isFinite(x.start))
    .sort((a, b) => b.end - a.end).slice(0, n)
    .map(({ c, end, start }) => ({ c, minutes: Math.max(0, (end - start) / 60000) }));
  const hours = ended.some((x) => x.minutes >= 120);
  const unit = hours ? " h" : " min";
  const items = ended.map(({ c, minutes }) => {
    const value = hours ? Number((minutes / 60).toFixed(1)) : Math.round(minutes);
    return { label: c.title, value, kind: c.state, title: `${c.title}: ${value}${unit} (${c.state})` };
  });
  return { items, unit };
}

function overview(cases) {
  const counts = Object.fromEntries(CASE_STATES.map((s) => [s, 0]));
  for (const c of cases) counts[c.state] = (counts[c.state] || 0) + 1;
  const ended = durations(cases);
  return h("div", { class: "charts", id: "case-charts" },
    figure("Cases by state", horizontalBars(CASE_STATES.map((s) => ({ label: s, value: counts[s], kind: s })), { label: "Cases by state", labelWidth: 120, width: 480 })),
    figure("Opened per day", dailyStackedBars(openedPerDay(cases), CASE_STATES, { label: "Cases opened per day" }), `last ${DAYS} days, by current state`),
    ended.items.length ? figure("Time to resolve or close", horizontalBars(ended.items, { label: "Time from opening to end", unit: ended.unit, labelWidth: 260 }), "latest ended cases") : null);
}

function caseRow(c) {
  return h("tr", { "data-case": c.case_id },
    h("td", {}, h("a", { href: `#/cases/${encodeURIComponent(c.case_id)}` }, c.title)),
    h("td", {}, badge(c.state)), h("td", {}, c.stage ? c.stage : "—"), h("td", { class: "num" }, c.current_turn),
    h("td", {}, formatDate(c.created_at)), h("td", {}, formatDate(c.updated_at)));
}

/** Open a case (title optional: the server names it from the conversation) and go to it to start the first turn. */
function newCaseForm() {
  const title = h("input", { name: "title", id: "new-case-title", maxlength: 200, placeholder: "e.g. Checkout returns 503 since 09:10" });
  const description = h("textarea", { name: "description", id: "new-case-description", rows: 2, maxlength: 2000, placeholder: "What is happening, who is affected, since when (optional)" });
  const submit = h("button", { type: "submit", class: "primary", id: "new-case-submit" }, "Open case");
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "card", id: "new-case" }, h("h2", {}, "Investigate a new problem"),
    h("label", { class: "field" }, h("span", {}, "Title (optional)"), title),
    h("label", { class: "field" }, h("span", {}, "Description"), description), submit, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const created = await api("/api/v1/cases", { method: "POST", body: { title: title.value.trim() || null, description: description.value.trim() } });
      window.location.hash = `#/cases/${encodeURIComponent(created.case_id)}`;
    } catch (error) {
      status.replaceChildren(notice("error", error.message));
      submit.disabled = false;
    }
  });
  return form;
}

export async function casesPage(root) {
  const state = h("select", { name: "state", id: "case-state" }, ["", ...CASE_STATES].map((v) => h("option", { value: v }, v || "any state")));
  const query = h("input", { type: "search", name: "query", id: "case-search", placeholder: "Search titles and descriptions", maxlength: 500 });
  const body = h("tbody", { id: "cases" });
  const summary = h("p", { class: "muted small" });

  function show(list, total) {
    body.replaceChildren(...list.map(caseRow));
    if (!list.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No cases yet: open one above.")));
    summary.textContent = `${total} case(s)`;
  }

  async function load() {
    try {
      if (query.value.trim()) {
        const found = await api("/api/v1/cases/search", { method: "POST", body: { query: query.value.trim(), state: state.value || null, limit: 100 } });
        show(found, found.length);
      } else {
        const page = await api("/api/v1/cases", { query: { state: state.value, limit: 100, offset: 0 } });
        show(page.cases, page.total_count);
      }
    } catch (error) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 6 }, notice("error", error.message))));
    }
  }

  const form = h("form", { class: "row filters", id: "case-filters" },
    h("label", { class: "field" }, h("span", {}, "State"), state), h("label", { class: "field grow" }, h("span", {}, "Search"), query),
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  state.addEventListener("change", load);

  const chartsBox = h("section", { class: "card" }, h("h2", {}, "Overview"));
  add(root, h("h1", {}, "Cases"), newCaseForm(), chartsBox,
    h("section", { class: "card" }, h("h2", {}, "All cases"), form, summary,
      h("div", { class: "table-wrap" }, h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["Title", "State", "Stage", "Turns", "Opened", "Updated"].map((c) => h("th", {}, c)))), body))));
  const [all] = await Promise.all([fetchAll("/api/v1/cases", "cases"), load()]);
  chartsBox.append(overview(all));
}
