import { reactive } from 'vue';

/** The signed-in user and the CSRF token of the session (the session itself is the HttpOnly cookie jy_session). */
export const session = reactive({ user: null, csrfToken: null, checked: false });

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** JSON over fetch with the session cookie; state-changing calls carry X-CSRF-Token. Errors carry the server's message. */
export async function api(path, { method = 'GET', body, query, raw = false } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') {
      url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
  }
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && session.csrfToken) {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  if (raw && res.ok) {
    return res;
  }
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/v1/auth/')) {
      session.user = null;
      window.dispatchEvent(new CustomEvent('jy-signed-out'));
    }
    throw new ApiError(res.status, messageOf(data, res.status), data);
  }
  return data;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function messageOf(data, status) {
  const m = data?.message;
  if (Array.isArray(m)) {
    return m.join('；');
  }
  return m || `请求失败（HTTP ${status}）`;
}

/** A list answered as {items,total} or as a bare array. */
export function listOf(data) {
  if (Array.isArray(data)) {
    return { items: data, total: data.length };
  }
  return { items: data?.items ?? [], total: data?.total ?? data?.items?.length ?? 0 };
}

export async function restoreSession() {
  try {
    const me = await api('/api/v1/auth/me');
    session.user = me.user;
    session.csrfToken = me.csrfToken ?? session.csrfToken;
  } catch {
    session.user = null;
  }
  session.checked = true;
}

export async function login(form) {
  const res = await api('/api/v1/auth/login', { method: 'POST', body: form });
  session.user = res.user;
  session.csrfToken = res.csrfToken;
  return res;
}

export async function logout() {
  try {
    await api('/api/v1/auth/logout', { method: 'POST' });
  } finally {
    session.user = null;
    session.csrfToken = null;
  }
}

/** Whether a draft's createdBy / approval's by names the signed-in person (`user:<login>`). */
export function isMe(by) {
  const u = session.user?.username;
  return !!u && (by === `user:${u}` || by === u);
}
