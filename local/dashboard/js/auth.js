// The signed-in state. Tokens live in sessionStorage: they survive a reload of this tab but not the tab itself,
// are not shared with other tabs or sent with requests automatically (no CSRF), and vanish when the browser closes.
// localStorage would keep a 7-day refresh token on disk for any later script on the origin to read.

const KEY = "fm_dashboard_auth";
const listeners = new Set();

export function getAuth() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function store(state) {
  if (state) sessionStorage.setItem(KEY, JSON.stringify(state));
  else sessionStorage.removeItem(KEY);
  for (const fn of listeners) fn(state);
}

export function onAuthChange(fn) {
  listeners.add(fn);
}

/** The auth state from a login/register response; expiry times in epoch milliseconds. */
export function authStateOf(response, now = Date.now()) {
  return {
    access_token: response.access_token,
    token_type: "bearer",
    expires_at: now + response.expires_in * 1000,
    refresh_token: response.refresh_token,
    refresh_expires_at: now + (response.refresh_expires_in || 0) * 1000,
    session_id: response.session_id,
    user: { ...response.user, is_active: true, is_dev_user: Boolean(response.user?.is_dev_user) },
  };
}

export function saveLogin(response) {
  store(authStateOf(response));
}

/** After /auth/refresh: the rotated pair replaces the old one; user and session stay. */
export function saveRefreshed(response) {
  const current = getAuth();
  if (!current) return;
  const now = Date.now();
  store({
    ...current,
    access_token: response.access_token,
    expires_at: now + response.expires_in * 1000,
    refresh_token: response.refresh_token,
    refresh_expires_at: now + (response.refresh_expires_in || 0) * 1000,
  });
}

export function clearAuth() {
  store(null);
}

export function currentUser() {
  return getAuth()?.user || null;
}

export function isAdmin() {
  return (currentUser()?.roles || []).includes("admin");
}

/**
 * Hand the sign-in to the FaultMaven browser extension. Its auth bridge (a content script on the configured
 * dashboard origin) listens for a same-window message {type: "FM_AUTH_SUCCESS", payload} and forwards the payload
 * to the extension: access_token, token_type, expires_at (epoch ms), refresh_token, refresh_expires_at (epoch ms),
 * session_id and user. The payload must be a token pair of the extension's own: refresh tokens rotate and a spent
 * one revokes its whole family, so sharing the dashboard's pair would sign both out at the first refresh.
 */
export function postExtensionHandOff(response) {
  window.postMessage({ type: "FM_AUTH_SUCCESS", payload: authStateOf(response) }, window.location.origin);
}
