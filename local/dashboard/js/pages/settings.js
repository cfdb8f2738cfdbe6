// Settings: the account, what this deployment offers (capabilities, health), the LLM provider, and what the
// sanitizer hides before anything reaches a model.

import { api, getCapabilities } from "../api.js";
import { add, badge, formatBytes, h, humanize } from "../dom.js";

// The redaction labels (docs/SANITIZER.md): what a placeholder like {{REDACTED:email}} stands for.
const REDACTIONS = [
  ["Cloud and service keys", "aws_access_key, aws_secret_key, google_api_key, google_oauth, github_token, gitlab_token, slack_token, slack_webhook, stripe_key, openai_key, anthropic_key, npm_token, pypi_token, huggingface_token, sendgrid_key, twilio_key, mailchimp_key, artifactory_key"],
  ["Tokens and keys", "jwt, private_key (PEM blocks), token, secret (keys that name a secret, random-looking values, Authorization: Bearer …)"],
  ["Passwords", "password (URL user-info, password/passwd/pwd keys in env, INI, YAML, JSON, XML, connection strings, --password=)"],
  ["Personal data", "email, phone (formatted numbers), card_number (Luhn-checked), ssn, ip_address (public addresses; private ones only when configured)"],
  ["Your own", "labels added with FM_SANITIZE_EXTRA_PATTERNS; values in FM_SANITIZE_ALLOWLIST are never redacted"],
];

const FEATURES = {
  extensionKB: "Knowledge base managed in the extension", adminKB: "Shared knowledge base (admins)",
  teamSharing: "Team sharing", managementConsole: "Management console", caseHistory: "Case history", sso: "Single sign-on",
};

function table(rows) {
  return h("table", { class: "table kv" }, h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)))));
}

function yesNo(value) {
  return badge(value ? "on" : "off", value ? "ok" : "off");
}

/** The LLM provider, from whichever of capabilities or /health reports it. */
function llmRows(caps, health) {
  const llm = caps.llm || health?.llm || health?.dependencies?.llm;
  if (!llm) {
    return [["Provider", "not reported by this server"],
      ["Note", "Each copilot reply says whether a model wrote it (llm_used); without a provider the copilot answers from its own doctrine and the knowledge base."]];
  }
  return Object.entries(llm).map(([k, v]) => [humanize(k), typeof v === "object" ? JSON.stringify(v) : String(v)]);
}

export async function settingsPage(root) {
  const [caps, health, me] = await Promise.all([
    getCapabilities(),
    api("/health", { auth: false }).catch((e) => ({ status: `unreachable: ${e.message}` })),
    api("/api/v1/auth/me"),
  ]);
  const deps = Object.entries(health.dependencies || {});
  add(root, h("h1", {}, "Settings"),
    h("div", { class: "two-col" },
      h("section", { class: "card", id: "account-info" }, h("h2", {}, "Account"), table([
        ["Username", me.username], ["Display name", me.display_name], ["Email", me.email],
        ["Roles", (me.roles || []).length ? me.roles.join(", ") : "user"], ["Member since", me.created_at],
      ]), h("p", { class: "muted small" }, "Signing in here also signs in the FaultMaven browser extension when it is installed and points at this dashboard.")),
      h("section", { class: "card", id: "llm-status" }, h("h2", {}, "LLM provider"), table(llmRows(caps, health)))),
    h("div", { class: "two-col" },
      h("section", { class: "card", id: "capabilities" }, h("h2", {}, "Capabilities"), table([
        ["Deployment", caps.deploymentMode], ["Knowledge base managed in", caps.kbManagement], ["Dashboard URL", caps.dashboardUrl],
        ...Object.entries(caps.features || {}).map(([k, v]) => [FEATURES[k] || k, yesNo(v)]),
        ["Largest file", formatBytes(caps.limits?.maxFileBytes)], ["File types", (caps.limits?.allowedExtensions || []).join(" ")],
        ["Branding", caps.branding?.name], ["Support", caps.branding?.supportUrl],
      ])),
      h("section", { class: "card", id: "health" }, h("h2", {}, "Health"), table([
        ["Status", badge(health.status || "unknown", health.status === "healthy" ? "ok" : "failed")],
        ["Version", health.version || "—"], ["Mode", health.mode || "—"],
        ...deps.map(([name, d]) => [name, badge(d.status, d.status === "ok" ? "ok" : "failed")]),
      ]))),
    h("section", { class: "card", id: "sanitizer" }, h("h2", {}, "What the sanitizer redacts"),
      h("p", {}, "Before any text reaches a language model, secrets and personal data are replaced by placeholders such as ",
        h("code", {}, "{{REDACTED:email}}"), ". Replies and the stored transcript carry the placeholder, never the value."),
      table(REDACTIONS)));
}
