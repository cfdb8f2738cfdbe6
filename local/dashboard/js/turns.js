// One copilot turn, through the same API the browser extension uses: a multipart POST to
// /api/v1/cases/{id}/turns that answers the TurnResponse (200) or 202 with a Location to poll until the turn is done.

import { api, ApiError, uploadResponse } from "./api.js";

export const CONFIRM_PROMPT = /\[✅ Yes\]\s*\[❌ No\]/;
const POLL_MS = 1000;
const MAX_POLL_MS = 10 * 60 * 1000;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function turnForm({ query, pasted, file, intentType, intentData }) {
  const form = new FormData();
  if (query) form.append("query", query);
  if (pasted) {
    form.append("pasted_content", pasted);
    form.append("input_type", "paste");
  }
  if (file) {
    form.append("files", file, file.name);
    if (!pasted) form.append("input_type", "file");
  }
  if (intentType) form.append("intent_type", intentType);
  if (intentData) form.append("intent_data", JSON.stringify(intentData));
  return form;
}

/** The poll's answer: the TurnResponse itself, {status: completed, result}, {status: failed, error}, or still running. */
function settled(body) {
  if (body && typeof body.agent_response === "string") return body;
  if (body?.status === "completed") return body.result;
  if (body?.status === "failed") throw new ApiError(500, "TURN_FAILED", body.error?.message || "the turn failed");
  return null;
}

/**
 * Send one turn. `onStatus(text)` hears what is happening: the upload's progress, then, on the 202 path, how long
 * the copilot has been working. A unique Idempotency-Key makes a retried request return the first answer.
 */
export async function sendTurn(caseId, input, onStatus = () => {}) {
  const path = `/api/v1/cases/${encodeURIComponent(caseId)}/turns`;
  const random = crypto.getRandomValues(new Uint8Array(16)); // randomUUID() needs a secure context; this does not
  const key = `dash-${Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  const form = turnForm(input);
  onStatus(input.file ? "Uploading…" : "Sending…");
  const started = Date.now();
  const { status, body, location } = await uploadResponse(path, form, (fraction) => {
    onStatus(fraction < 1 ? `Uploading… ${Math.round(fraction * 100)}%` : "The copilot is working…");
  }, { "Idempotency-Key": key });
  if (status !== 202) return body;
  const poll = location || `${path}/jobs/${encodeURIComponent(body.job_id)}`;
  while (Date.now() - started < MAX_POLL_MS) {
    onStatus(`The copilot is working… ${Math.round((Date.now() - started) / 1000)} s`);
    await sleep(POLL_MS);
    const result = settled(await api(poll));
    if (result) return result;
  }
  throw new ApiError(504, "TURN_TIMEOUT", "the turn is taking too long; reload the case later to see its answer");
}
