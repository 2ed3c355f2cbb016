// @ts-check
/**
 * The field page's outbox: every verdict is written to IndexedDB (with its photos) before it is
 * sent, and removed only once the service has recorded it, so a submit made without a connection
 * or while the service is down is kept and sent again later — on the next try, when the browser
 * comes back online, or when the page is opened again. Each submission carries its own id as an
 * Idempotency-Key, so sending it twice records it once. A refusal (a 4xx other than timeouts and
 * rate limits, e.g. another officer already gave a verdict) stays listed with the reason until
 * the officer discards it.
 */
import { api, ApiError } from '../shared/session.js';

/**
 * A verdict waiting to be recorded.
 * @typedef {{ id: string, caseId: number, action: string, note: string, lon: number | null, lat: number | null,
 *   recordedAt: string, photos: Blob[], refused?: string }} Submission
 */

const storeName = 'submissions';
/** @type {Promise<IDBDatabase> | null} */
let opened = null;

/** @returns {Promise<IDBDatabase>} */
function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open('zhiwei-field', 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/**
 * Runs one request on the store and resolves with its result.
 * @param {IDBTransactionMode} mode @param {(store: IDBObjectStore) => IDBRequest} work
 */
async function onStore(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

/** Every submission not yet recorded, oldest first. @returns {Promise<Submission[]>} */
export async function pendingSubmissions() {
  const all = /** @type {Submission[]} */ (await onStore('readonly', (store) => store.getAll()));
  return all.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
}

/** Forgets a submission (recorded, or discarded by the officer). @param {string} id */
export function removeSubmission(id) {
  return onStore('readwrite', (store) => store.delete(id));
}

/** @type {Set<() => void>} */
const listeners = new Set();
let sending = false;
let failures = 0;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;

/** Calls `listener` whenever the outbox changes (queued, sent, refused). @param {() => void} listener */
export function onOutboxChange(listener) {
  listeners.add(listener);
}

/**
 * Keeps `submission` and tries to send it at once. Resolves with the recorded case state, or
 * null when it is kept for later; rejects with the ApiError when the service refused it.
 * @param {Submission} submission
 */
export async function submit(submission) {
  await onStore('readwrite', (store) => store.put(submission));
  listeners.forEach((listener) => listener());
  const outcome = await sendOne(submission);
  if (outcome.state === null && !outcome.refused) scheduleRetry();
  listeners.forEach((listener) => listener());
  if (outcome.refused) throw outcome.refused;
  return outcome.state;
}

/** Sends every waiting submission now; called on page load, when back online and by the retry timer. */
export async function sendPending() {
  if (sending) return;
  sending = true;
  let kept = false;
  try {
    for (const submission of await pendingSubmissions()) {
      if (submission.refused) continue;
      const outcome = await sendOne(submission);
      kept = (outcome.state === null && !outcome.refused) || kept;
    }
  } finally {
    sending = false;
  }
  if (kept) scheduleRetry();
  else failures = 0;
  listeners.forEach((listener) => listener());
}

/**
 * Sends one submission: recorded → removed; refused → kept with the reason; no answer → kept.
 * @param {Submission} submission
 * @returns {Promise<{ state: string | null, refused?: ApiError }>}
 */
async function sendOne(submission) {
  const form = new FormData();
  if (submission.lon !== null && submission.lat !== null) {
    form.append('lon', String(submission.lon));
    form.append('lat', String(submission.lat));
  }
  if (submission.note) form.append('note', submission.note);
  form.append('recorded_at', submission.recordedAt);
  submission.photos.forEach((photo, i) => form.append('photo', photo, `photo-${i + 1}.jpg`));
  try {
    const recorded = await api(`/api/v1/cases/${submission.caseId}/${submission.action}`, { form, headers: { 'idempotency-key': submission.id } });
    await removeSubmission(submission.id);
    return { state: recorded.case.state };
  } catch (err) {
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status)) {
      await onStore('readwrite', (store) => store.put({ ...submission, refused: err.message }));
      return { state: null, refused: err };
    }
    return { state: null };
  }
}

/** Tries again after 2 s, doubling up to 30 s while the service stays away. */
function scheduleRetry() {
  clearTimeout(retryTimer);
  failures += 1;
  retryTimer = setTimeout(() => void sendPending(), Math.min(30_000, 2000 * 2 ** (failures - 1)));
}

addEventListener('online', () => void sendPending());
