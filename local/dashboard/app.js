// The dashboard shell: hash routes (#/login, #/kb, #/kb/<id>, #/cases, #/cases/<id>, #/teams, #/teams/<id>,
// #/memory, #/memory/past, #/settings), the top bar, and sign-out. Each route renders into a fresh <section>; a render that finishes after the user has moved on
// writes into a detached section and is simply never seen.

import { api } from "./js/api.js";
import { clearAuth, currentUser, getAuth, onAuthChange } from "./js/auth.js";
import { clear, h, notice } from "./js/dom.js";
import { casePage } from "./js/pages/case.js";
import { casesPage } from "./js/pages/cases.js";
import { documentPage } from "./js/pages/document.js";
import { knowledgePage } from "./js/pages/knowledge.js";
import { loginPage } from "./js/pages/login.js";
import { draftsPage, pastIncidentsPage } from "./js/pages/memory.js";
import { settingsPage } from "./js/pages/settings.js";
import { teamPage, teamsPage } from "./js/pages/teams.js";

const ROUTES = [
  { pattern: /^#\/login$/, page: loginPage, section: "login", public: true },
  { pattern: /^#\/kb$/, page: knowledgePage, section: "kb" },
  { pattern: /^#\/kb\/([^/]+)$/, page: documentPage, section: "kb" },
  { pattern: /^#\/cases$/, page: casesPage, section: "cases" },
  { pattern: /^#\/cases\/([^/]+)$/, page: casePage, section: "cases" },
  { pattern: /^#\/teams$/, page: teamsPage, section: "teams" },
  { pattern: /^#\/teams\/([^/]+)$/, page: teamPage, section: "teams" },
  { pattern: /^#\/memory$/, page: draftsPage, section: "memory" },
  { pattern: /^#\/memory\/past$/, page: pastIncidentsPage, section: "memory" },
  { pattern: /^#\/settings$/, page: settingsPage, section: "settings" },
];

function renderAccount() {
  const user = currentUser();
  const account = clear(document.getElementById("account"));
  document.getElementById("nav").classList.toggle("hidden", !user);
  if (!user) return;
  account.append(
    h("span", { class: "who", title: (user.roles || []).join(", ") }, user.display_name || user.username),
    h("button", { type: "button", class: "link", id: "sign-out", on: { click: signOut } }, "Sign out"),
  );
}

async function signOut() {
  try {
    await api("/api/v1/auth/logout", { method: "POST" });
  } catch {
    // the local sign-out below happens whatever the server said
  }
  clearAuth();
  window.location.hash = "#/login";
}

async function render() {
  const hash = window.location.hash || "";
  const route = ROUTES.find((r) => r.pattern.test(hash));
  if (!route) {
    window.location.hash = getAuth() ? "#/kb" : "#/login";
    return;
  }
  if (!route.public && !getAuth()) {
    window.location.hash = "#/login";
    return;
  }
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.dataset.section === route.section);
  }
  const section = h("section", { class: `page page-${route.section}` });
  const main = clear(document.getElementById("main"));
  main.append(section);
  const params = hash.match(route.pattern).slice(1).map(decodeURIComponent);
  try {
    await route.page(section, ...params);
  } catch (error) {
    section.append(notice("error", error.message || String(error)));
  }
}

onAuthChange(renderAccount);
window.addEventListener("hashchange", render);
renderAccount();
render();
