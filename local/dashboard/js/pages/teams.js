// Teams: the caller's teams and pending invitations, a new team; one team's members (roles for its admins),
// invitations, the cases shared with it and its audit trail (admins only).

import { api } from "../api.js";
import { add, badge, fill, formatDate, h, notice } from "../dom.js";

const ROLES = ["admin", "member", "viewer"];

function roleSelect(id, value = "member") {
  return h("select", { name: "role", id }, ROLES.map((r) => h("option", { value: r, selected: r === value }, r)));
}

/** Run an action from a form or button; show its error under `status`, else reload the page. */
async function act(status, action, reload) {
  try {
    await action();
    await reload();
  } catch (error) {
    fill(status, notice("error", error.message));
  }
}

function invitationsCard(invitations, reload) {
  if (!invitations.length) return null;
  const status = h("div", { class: "form-status" });
  const rows = invitations.map((i) => h("tr", { "data-invitation": i.invitation_id },
    h("td", {}, i.team_name || i.team_id), h("td", {}, badge(i.team_role)), h("td", {}, formatDate(i.expires_at)),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-accept": i.invitation_id, on: { click: () => act(status, () => api(`/api/v1/invitations/${encodeURIComponent(i.invitation_id)}/accept`, { method: "POST" }), reload) } }, "Join"),
      h("button", { type: "button", on: { click: () => act(status, () => api(`/api/v1/invitations/${encodeURIComponent(i.invitation_id)}`, { method: "DELETE" }), reload) } }, "Decline"))));
  return h("section", { class: "card", id: "my-invitations" }, h("h2", {}, "Invitations for you"),
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Team", "Role", "Expires", ""].map((c) => h("th", {}, c)))), h("tbody", {}, rows))), status);
}

function newTeamForm(reload) {
  const name = h("input", { name: "name", id: "new-team-name", required: true, maxlength: 200, placeholder: "e.g. Payments on-call" });
  const description = h("input", { name: "description", id: "new-team-description", maxlength: 2000, placeholder: "optional" });
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "card", id: "new-team" }, h("h2", {}, "New team"),
    h("div", { class: "row" }, h("label", { class: "field grow" }, h("span", {}, "Name"), name),
      h("label", { class: "field grow" }, h("span", {}, "Description"), description),
      h("button", { type: "submit", class: "primary", id: "new-team-submit" }, "Create")), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(status, () => api("/api/v1/teams", { method: "POST", body: { name: name.value.trim(), description: description.value.trim() || null } }), reload);
  });
  return form;
}

export async function teamsPage(root) {
  async function reload() {
    const [teams, invitations] = await Promise.all([api("/api/v1/teams"), api("/api/v1/invitations")]);
    const rows = teams.map((t) => h("tr", { "data-team": t.team_id },
      h("td", {}, h("a", { href: `#/teams/${encodeURIComponent(t.team_id)}` }, t.name)), h("td", {}, badge(t.my_role || "member")),
      h("td", {}, t.description || "—")));
    if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "You are in no team yet: create one, or join one you are invited to.")));
    fill(root, h("h1", {}, "Teams"), invitationsCard(invitations, reload),
      h("section", { class: "card" }, h("h2", {}, "Your teams"), h("div", { class: "table-wrap" }, h("table", { class: "table", id: "teams" },
        h("thead", {}, h("tr", {}, ["Team", "Your role", "Description"].map((c) => h("th", {}, c)))), h("tbody", {}, rows)))),
      newTeamForm(reload));
  }
  await reload();
}

function membersCard(team, members, me, reload) {
  const admin = team.my_role === "admin";
  const status = h("div", { class: "form-status" });
  const base = `/api/v1/teams/${encodeURIComponent(team.team_id)}/members`;
  const rows = members.map((m) => {
    let role = badge(m.team_role);
    if (admin) {
      role = roleSelect(`role-${m.user_id}`, m.team_role);
      role.addEventListener("change", () => act(status, () => api(`${base}/${encodeURIComponent(m.user_id)}`, { method: "PATCH", body: { role: role.value } }), reload));
    }
    const self = m.user_id === me.user_id;
    const remove = self || admin ? h("button", { type: "button", class: "link", on: { click: () => act(status, () => api(`${base}/${self ? "me" : encodeURIComponent(m.user_id)}`, { method: "DELETE" }), self ? () => { window.location.hash = "#/teams"; } : reload) } }, self ? "Leave" : "Remove") : null;
    return h("tr", { "data-member": m.user_id }, h("td", {}, m.display_name || m.user_id), h("td", {}, role), h("td", {}, formatDate(m.joined_at)), h("td", { class: "actions" }, remove));
  });
  return h("section", { class: "card", id: "team-members" }, h("h2", {}, "Members"),
    h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["Name", "Role", "Joined", ""].map((c) => h("th", {}, c)))), h("tbody", {}, rows))), status);
}

function inviteForm(team, reload) {
  const who = h("input", { name: "invitee", id: "invite-who", required: true, maxlength: 254, placeholder: "username or e-mail" });
  const role = roleSelect("invite-role");
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "card", id: "invite" }, h("h2", {}, "Invite"),
    h("div", { class: "row" }, h("label", { class: "field grow" }, h("span", {}, "Who"), who), h("label", { class: "field" }, h("span", {}, "Role"), role),
      h("button", { type: "submit", class: "primary", id: "invite-submit" }, "Invite")), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = who.value.trim();
    const body = value.includes("@") ? { email: value, role: role.value } : { username: value, role: role.value };
    act(status, async () => {
      await api(`/api/v1/teams/${encodeURIComponent(team.team_id)}/invitations`, { method: "POST", body });
      fill(status, notice("ok", `Invited ${value} as ${role.value}.`));
    }, async () => {});
  });
  return form;
}

function sharedCasesCard(cases) {
  const rows = cases.map((c) => h("tr", { "data-case": c.case_id },
    h("td", {}, h("a", { href: `#/cases/${encodeURIComponent(c.case_id)}` }, c.title)), h("td", {}, badge(c.state)),
    h("td", {}, badge(c.permission)), h("td", { class: "num" }, c.current_turn), h("td", {}, formatDate(c.updated_at))));
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No case is shared with this team yet (share one from its case page).")));
  return h("section", { class: "card", id: "team-cases" }, h("h2", {}, "Shared cases"),
    h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["Case", "State", "Access", "Turns", "Updated"].map((c) => h("th", {}, c)))), h("tbody", {}, rows))));
}

function auditCard(events, names) {
  const rows = events.map((e) => h("tr", {}, h("td", {}, formatDate(e.at)), h("td", {}, names[e.actor_id] || e.actor_id),
    h("td", {}, e.action), h("td", { class: "wrap" }, e.detail?.route || Object.values(e.detail || {}).join(", ") || e.resource_id)));
  return h("section", { class: "card", id: "team-audit" }, h("h2", {}, "Audit trail"), h("p", { class: "muted small" }, "Who read or changed what, newest first. Append-only."),
    h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["When", "Who", "Action", "What"].map((c) => h("th", {}, c)))), h("tbody", {}, rows))));
}

export async function teamPage(root, teamId) {
  const base = `/api/v1/teams/${encodeURIComponent(teamId)}`;
  async function reload() {
    const [team, members, cases, me] = await Promise.all([api(base), api(`${base}/members`), api(`${base}/cases`), api("/api/v1/auth/me")]);
    const admin = team.my_role === "admin";
    const events = admin ? await api(`${base}/audit`, { query: { limit: 50 } }) : [];
    const names = Object.fromEntries(members.map((m) => [m.user_id, m.display_name]));
    fill(root, h("p", {}, h("a", { href: "#/teams" }, "← Teams")), h("h1", {}, team.name),
      team.description ? h("p", { class: "muted" }, team.description) : null,
      h("p", {}, "Your role: ", badge(team.my_role)),
      h("div", { class: "two-col" }, membersCard(team, members, me, reload), admin ? inviteForm(team, reload) : null),
      sharedCasesCard(cases), admin ? auditCard(events, names) : null);
  }
  try {
    await reload();
  } catch (error) {
    add(root, notice("error", error.status === 404 ? "Team not found." : error.message));
  }
}
