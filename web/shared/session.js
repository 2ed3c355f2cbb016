// @ts-check
/**
 * Signing in with a token and calling the API with it. The token is kept in sessionStorage, so
 * it lasts as long as the tab and is never written anywhere else. Errors come back as problem+json
 * and are raised as `ApiError` with the server's own detail.
 */
import { language, setLanguage, t, translatePage } from './i18n.js';

const tokenKey = 'zhiwei.token';

/**
 * The signed-in user as `GET /api/v1/me` describes them.
 * @typedef {{ name: string, role: string, grids: string[], actions: { action: string, to: string, from: string[] }[] }} User
 */

/** An API answer other than 2xx, with the problem+json the service sent. */
export class ApiError extends Error {
  /** @param {number} status @param {{ title?: string, detail?: string, hint?: string }} problem */
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The token of this session, if any. */
export function sessionToken() {
  return sessionStorage.getItem(tokenKey);
}

/**
 * Calls the API with the session's token. `json` is sent as JSON, `form` as multipart.
 * @param {string} path
 * @param {{ method?: string, json?: unknown, form?: FormData, headers?: Record<string, string>, signal?: AbortSignal }} [options]
 * @returns {Promise<any>} the parsed JSON, or null for 204
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...options.headers, authorization: `Bearer ${sessionToken() ?? ''}` };
  /** @type {BodyInit | undefined} */
  let body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) body = options.form;
  const response = await fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, signal: options.signal });
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, parsed ?? { title: response.statusText });
  return parsed;
}

const imageUrls = new Map();

/** An object URL for an image the API serves behind the token (an `<img>` cannot send one). @param {string} path */
export async function imageUrl(path) {
  if (!imageUrls.has(path)) {
    const response = await fetch(path, { headers: { authorization: `Bearer ${sessionToken() ?? ''}` } });
    if (!response.ok) throw new ApiError(response.status, { title: response.statusText });
    imageUrls.set(path, URL.createObjectURL(await response.blob()));
  }
  return imageUrls.get(path);
}

/**
 * Resolves with the signed-in user: at once when the session's token still works, otherwise
 * after the sign-in form (`#login`, with a token field `#login-token`) is sent with a good one.
 * @returns {Promise<User>}
 */
export async function signIn() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('login'));
  const user = sessionToken() ? await me().catch(() => null) : null;
  if (user) return user;
  // nobody is signed in: nothing to sign out of
  const logout = document.getElementById('logout');
  if (logout) logout.hidden = true;
  form.hidden = false;
  const field = /** @type {HTMLInputElement} */ (form.querySelector('#login-token'));
  const message = /** @type {HTMLElement} */ (form.querySelector('[role=alert]'));
  field.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      sessionStorage.setItem(tokenKey, field.value.trim());
      const signedIn = await me().catch((err) => {
        sessionStorage.removeItem(tokenKey);
        message.textContent = err instanceof ApiError ? t('login.refused') : t('error.network');
        return null;
      });
      if (!signedIn) return;
      form.hidden = true;
      if (logout) logout.hidden = false;
      field.value = '';
      resolve(signedIn);
    });
  });
}

/** Forgets the token and shows the sign-in form again. */
export function signOut() {
  sessionStorage.removeItem(tokenKey);
  location.reload();
}

/** @returns {Promise<User>} */
function me() {
  return api('/api/v1/me');
}

/** Wires the language menu (`select#language`) and the sign-out button (`#logout`), and labels the page. */
export function setUpPage() {
  const select = /** @type {HTMLSelectElement} */ (document.getElementById('language'));
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value === 'en' ? 'en' : 'zh-CN'));
  document.getElementById('logout')?.addEventListener('click', signOut);
  translatePage();
}
