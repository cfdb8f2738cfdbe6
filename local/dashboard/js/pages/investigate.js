// Working a case from the dashboard: the composer (a message, pasted output, a file), the Yes / No buttons of a
// proposal, and the hypothesis actions. Every one of them is a copilot turn (see ../turns.js); while one runs the
// others are disabled, and when it ends the case page is drawn again from the server.

import { formatBytes, h, notice } from "../dom.js";
import { sendTurn } from "../turns.js";

const HYPOTHESIS_ACTIONS = {
  captured: ["activate", "validate", "refute", "retire"],
  active: ["validate", "refute", "inconclusive"],
  inconclusive: ["activate", "validate", "refute", "retire"],
};
const ACTION_LABELS = { activate: "Test it", validate: "Validate", refute: "Refute", inconclusive: "Inconclusive", retire: "Retire" };

/**
 * One case's turn runner. `redraw()` re-renders the page after a turn; `maxFileBytes` comes from the capabilities.
 * Returns the pieces the case page places: the composer, the proposal buttons, and the hypothesis buttons.
 */
export function investigation(caseId, redraw, { maxFileBytes = 0 } = {}) {
  const status = h("div", { class: "turn-status", id: "turn-status", role: "status", "aria-live": "polite" });
  const controls = new Set();
  let running = false;

  async function run(input) {
    if (running) return;
    running = true;
    for (const c of controls) c.disabled = true;
    status.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), h("span", { class: "turn-status-text" }, "Sending…"));
    const text = status.querySelector(".turn-status-text");
    try {
      await sendTurn(caseId, input, (message) => { text.textContent = message; });
      await redraw();
    } catch (error) {
      status.replaceChildren(notice("error", error.message || String(error)));
      for (const c of controls) c.disabled = false;
      running = false;
      throw error;
    }
  }

  function control(el) {
    controls.add(el);
    return el;
  }

  function composer() {
    const query = h("textarea", { name: "query", id: "turn-query", rows: 3, maxlength: 20000, placeholder: "Describe the problem, answer the copilot, or ask a question" });
    const pasted = h("textarea", { name: "pasted_content", id: "turn-paste", rows: 6, placeholder: "Paste log lines, command output or a stack trace" });
    const file = h("input", { type: "file", name: "files", id: "turn-file" });
    const fileNote = h("span", { class: "muted small" }, maxFileBytes ? `up to ${formatBytes(maxFileBytes)}` : "");
    const send = control(h("button", { type: "submit", class: "primary", id: "turn-send" }, "Send"));
    const form = h("form", { class: "card composer", id: "composer" },
      h("h2", {}, "Continue the investigation"),
      h("label", { class: "field" }, h("span", {}, "Message"), query),
      h("details", { class: "paste" }, h("summary", {}, "Paste output"), pasted),
      h("div", { class: "row composer-actions" },
        h("label", { class: "field grow" }, h("span", {}, "Attach a log or config file"), file, fileNote), send),
      status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = { query: query.value.trim(), pasted: pasted.value.trim(), file: file.files[0] || null };
      if (!input.query && !input.pasted && !input.file) {
        status.replaceChildren(notice("error", "Write a message, paste some output or attach a file."));
        return;
      }
      if (input.file && maxFileBytes && input.file.size > maxFileBytes) {
        status.replaceChildren(notice("error", `${input.file.name} is ${formatBytes(input.file.size)}; the limit is ${formatBytes(maxFileBytes)}.`));
        return;
      }
      await run(input).catch(() => {}); // the error is shown in the status line and the text is kept for a retry
    });
    query.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    return form;
  }

  /** The buttons that answer the copilot's `[✅ Yes] [❌ No]` proposal with a confirmation intent. */
  function confirmButtons(summary) {
    const answer = (decision) => () => run({ intentType: "confirmation", intentData: { decision } }).catch(() => {});
    return h("div", { class: "confirm", id: "confirm", role: "group", "aria-label": "Answer the proposal" },
      summary ? h("span", { class: "muted small" }, summary) : null,
      control(h("button", { type: "button", class: "primary", id: "confirm-yes", on: { click: answer("yes") } }, "✅ Yes")),
      control(h("button", { type: "button", id: "confirm-no", on: { click: answer("no") } }, "❌ No")));
  }

  function hypothesisButtons(hypothesis) {
    const actions = HYPOTHESIS_ACTIONS[hypothesis.state] || [];
    if (!actions.length) return null;
    return h("div", { class: "hyp-actions" }, actions.map((action) => control(h("button", {
      type: "button", class: "small", "data-action": action,
      on: { click: () => run({ intentType: "hypothesis_action", intentData: { hypothesis_id: hypothesis.hypothesis_id, action } }).catch(() => {}) },
    }, ACTION_LABELS[action]))));
  }

  return { composer, confirmButtons, hypothesisButtons };
}
