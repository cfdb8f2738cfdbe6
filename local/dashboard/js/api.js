// Calls to the FaultMaven API with the user's token: JSON requests, uploads with progress, and one token refresh
// (POST /api/v1/auth/refresh) when a request answers 401 TOKEN_EXPIRED.

import { clearAuth, getAuth, saveRefreshed } from "./auth.js";

const BASE = String(window.FAULTMAVEN_CONFIG?.apiBaseUrl || "").replace(/\/+$/, "");

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(describe(status, detail));
    this.status = status;
    this.code = code;
  }
}

function describe(status, detail) {
  if (Array.isArray(detail)) {
    // FastAPI's 422 list: "field: message" for each problem
    return detail.map((e) => `${(e.loc || []).filter((p) => p !== "body").join(".")}: ${e.msg}`).join("; ");
  }
  return typeof detail === "string" && detail ? detail : `request failed (HTTP ${status})`;
}

export function apiUrl(path, query) {
  const url = new URL(BASE + path, window.location.href);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, String(value));
  }
  return url.toString();
}

let refreshing = null;

/** One refresh at a time: concurrent 401s wait for the same rotation instead of spending the token twice. */
function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      const auth = getAuth();
      if (!auth?.refresh_token) throw new ApiError(401, "NOT_AUTHENTICATED", "not signed in");
      const r = await fetch(apiUrl("/api/v1/auth/refresh"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: auth.refresh_token }),
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new ApiError(r.status, body.code, body.detail);
      saveRefreshed(body);
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

function signedOut() {
  clearAuth();
  if (!window.location.hash.startsWith("#/login")) window.location.hash = "#/login";
}

async function parse(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/**
 * A JSON call. `body` is sent as JSON; `auth: false` for the sign-in routes. A 401 TOKEN_EXPIRED refreshes the
 * tokens and retries once; any other 401 on an authenticated call means the sign-in is gone.
 */
export async function api(path, { method = "GET", body, query, auth = true, retried = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = auth ? getAuth()?.access_token : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(apiUrl(path, query), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await parse(response).catch(() => null);
  if (response.ok) return data;
  const code = data?.code;
  if (auth && response.status === 401) {
    if (code === "TOKEN_EXPIRED" && !retried) {
      try {
        await refreshTokens();
      } catch (error) {
        signedOut();
        throw error;
      }
      return api(path, { method, body, query, auth, retried: true });
    }
    signedOut();
  }
  throw new ApiError(response.status, code, data?.detail ?? data);
}

function xhrUpload(path, form, onProgress, headers) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", apiUrl(path));
    const token = getAuth()?.access_token;
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => resolve({ status: xhr.status, body: xhr.response, location: xhr.getResponseHeader("Location") }));
    xhr.addEventListener("error", () => resolve({ status: 0, body: { detail: "network error" }, location: null }));
    xhr.send(form);
  });
}

/**
 * A multipart POST through XMLHttpRequest, whose upload progress events fetch() does not offer: resolves to
 * {status, body, location} for any 2xx (a 202 carries the Location to poll), throws ApiError otherwise.
 */
export async function uploadResponse(path, form, onProgress = () => {}, headers = {}) {
  let result = await xhrUpload(path, form, onProgress, headers);
  if (result.status === 401 && result.body?.code === "TOKEN_EXPIRED") {
    try {
      await refreshTokens();
    } catch (error) {
      signedOut();
      throw error;
    }
    result = await xhrUpload(path, form, onProgress, headers);
  }
  if (result.status >= 200 && result.status < 300) return result;
  if (result.status === 401) signedOut();
  throw new ApiError(result.status, result.body?.code, result.body?.detail);
}

/** A multipart upload with progress; resolves to the response body. */
export async function upload(path, form, onProgress = () => {}) {
  return (await uploadResponse(path, form, onProgress)).body;
}

let capabilities = null;

/** The deployment's capabilities (public, cached for the page's life). */
export function getCapabilities() {
  capabilities ||= api("/api/v1/meta/capabilities", { auth: false }).catch((error) => {
    capabilities = null;
    throw error;
  });
  return capabilities;
}

/** Every page of a paged list, up to `cap` items. */
export async function fetchAll(path, key, { pageSize = 100, cap = 1000, query = {} } = {}) {
  const items = [];
  for (let offset = 0; offset < cap; offset += pageSize) {
    const page = await api(path, { query: { ...query, limit: pageSize, offset } });
    items.push(...(page[key] || []));
    if (!page.has_more || (page[key] || []).length === 0) break;
  }
  return items;
}
