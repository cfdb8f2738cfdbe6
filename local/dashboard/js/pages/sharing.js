// A case's team shares: which of the caller's teams it is shared with (read or contribute), and, for its owner,
// sharing it with another team or ending a share. Filled in after the case page is drawn.

import { api } from "../api.js";
import { badge, fill, h, notice } from "../dom.js";

export function sharingSection(caseId) {
  const base = `/api/v1/cases/${encodeURIComponent(caseId)}/team-shares`;
  const section = h("section", { class: "card", id: "case-sharing" }, h("h2", {}, "Team sharing"));
  const status = h("div", { class: "form-status" });

  async function load() {
    const [teams, shares] = await Promise.all([api("/api/v1/teams"), api(base)]);
    const names = Object.fromEntries(teams.map((t) => [t.team_id, t.name]));
    const rows = shares.map((s) => h("li", { "data-share": s.team_id }, names[s.team_id] || s.team_id, " ", badge(s.permission), " ",
      h("button", { type: "button", class: "link", on: { click: () => change(() => api(`${base}/${encodeURIComponent(s.team_id)}`, { method: "DELETE" })) } }, "Stop sharing")));
    const team = h("select", { name: "team_id", id: "share-team" }, teams.map((t) => h("option", { value: t.team_id }, t.name)));
    const permission = h("select", { name: "permission", id: "share-permission" }, ["contribute", "read"].map((p) => h("option", { value: p }, p)));
    const form = h("form", { class: "row", id: "share-form" }, h("label", { class: "field grow" }, h("span", {}, "Team"), team),
      h("label", { class: "field" }, h("span", {}, "Access"), permission), h("button", { type: "submit", id: "share-submit" }, "Share"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      change(() => api(base, { method: "POST", body: { team_id: team.value, permission: permission.value } }));
    });
    fill(section, h("h2", {}, "Team sharing"),
      rows.length ? h("ul", { class: "plain", id: "shares" }, rows) : h("p", { class: "muted small" }, "Not shared with any of your teams."),
      teams.length ? form : h("p", { class: "muted small" }, h("a", { href: "#/teams" }, "Create or join a team"), " to work this case together."), status);
  }

  async function change(action) {
    try {
      await action();
      await load();
    } catch (error) {
      fill(status, notice("error", error.message));
    }
  }

  load().catch((error) => fill(section, h("h2", {}, "Team sharing"), notice("error", error.message)));
  return section;
}
