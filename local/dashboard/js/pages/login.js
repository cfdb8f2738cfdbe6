// Sign in or register, then hand the sign-in to the browser extension and go to the knowledge base.

import { api } from "../api.js";
import { postExtensionHandOff, saveLogin } from "../auth.js";
import { add, h, notice } from "../dom.js";

function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

/**
 * The extension gets a token pair of its own (see postExtensionHandOff): a second sign-in with the credentials
 * the user just typed. A failure there only costs the hand-off, never the dashboard's own sign-in.
 */
async function handOff(username, password) {
  try {
    postExtensionHandOff(await api("/api/v1/auth/login", { method: "POST", body: { username, password }, auth: false }));
  } catch (error) {
    console.warn("extension hand-off skipped:", error.message);
  }
}

export async function loginPage(root) {
  const config = await api("/api/v1/auth/config", { auth: false }).catch(() => ({ supports_registration: false }));
  let mode = "login";
  const username = h("input", { name: "username", autocomplete: "username", required: true, maxlength: 254 });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const email = h("input", { name: "email", type: "email", autocomplete: "email" });
  const displayName = h("input", { name: "display_name", autocomplete: "name", maxlength: 100 });
  const extra = h("div", { class: "hidden" }, field("Email (optional)", email), field("Display name (optional)", displayName));
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const status = h("div", { class: "form-status" });
  const toggle = h("button", { type: "button", class: "link", id: "toggle-register" }, "Create an account");

  function setMode(next) {
    mode = next;
    extra.classList.toggle("hidden", mode !== "register");
    submit.textContent = mode === "register" ? "Create account" : "Sign in";
    toggle.textContent = mode === "register" ? "I already have an account" : "Create an account";
    password.autocomplete = mode === "register" ? "new-password" : "current-password";
    status.replaceChildren();
  }
  toggle.addEventListener("click", () => setMode(mode === "login" ? "register" : "login"));

  const form = h("form", { class: "card auth-form", id: "login-form" },
    h("h1", {}, "FaultMaven"),
    h("p", { class: "muted" }, "Manage the knowledge base and review troubleshooting cases."),
    field("Username", username), field("Password", password), extra, submit, status,
    config.supports_registration ? h("p", {}, toggle) : null);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.replaceChildren();
    const credentials = { username: username.value.trim(), password: password.value };
    const body = mode === "register"
      ? { ...credentials, email: email.value.trim() || null, display_name: displayName.value.trim() || null }
      : credentials;
    try {
      const response = await api(`/api/v1/auth/${mode}`, { method: "POST", body, auth: false });
      saveLogin(response);
      await handOff(credentials.username, credentials.password);
      window.location.hash = "#/kb";
    } catch (error) {
      status.append(notice("error", error.status === 401 ? "Wrong username or password." : error.message));
    } finally {
      submit.disabled = false;
    }
  });
  add(root, form);
  username.focus();
}
