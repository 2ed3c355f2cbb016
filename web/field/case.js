// @ts-check
/**
 * One case in the field: where it is (a small map with the device position, distance and
 * bearing), what was found (before/after chips, measurements), and the verdict: the buttons of
 * the transitions the officer may take from the case's state, photos, a note, and the GPS fix
 * stamped on submit. A submission goes through the outbox, so it is never lost.
 */
import { t } from '../shared/i18n.js';
import { api, ApiError, imageUrl } from '../shared/session.js';
import { bearingDeg, compassPoint, distanceM, outlineCentre } from './geo.js';
import { formatDistance } from './list.js';
import { caseMap } from './map.js';
import { onOutboxChange, pendingSubmissions, submit } from './outbox.js';
import { shrinkPhoto } from './photos.js';
import { currentPosition, watchDevicePosition } from './position.js';

/** Shows the case view. @param {number} caseId @param {import('../shared/session.js').User} user */
export async function showCase(caseId, user) {
  const view = /** @type {HTMLElement} */ (document.getElementById('case-view'));
  view.hidden = false;
  /** @type {any} */
  let found;
  try {
    found = await api(`/api/v1/cases/${caseId}`);
  } catch (err) {
    // the service answers 404 for a case outside the officer's grids as for one that does not exist
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    for (const part of view.children) /** @type {HTMLElement} */ (part).hidden = part.id !== 'not-yours' && part.tagName !== 'A';
    return;
  }
  const centre = outlineCentre(found.outline.coordinates);
  const map = await caseMap(/** @type {HTMLElement} */ (document.getElementById('case-map')), found, centre);
  /** @type {[number, number] | null} */
  let here = null;
  /** @type {string | null} */
  let positionFailure = null;
  const render = async () => {
    renderDetails(found);
    renderDirection(here, positionFailure, centre);
    await renderActions(found, user);
  };
  watchDevicePosition((position, failure) => {
    here = position;
    positionFailure = failure;
    renderDirection(here, positionFailure, centre);
    map.showDevice(position);
  });
  document.addEventListener('zhiwei:language', () => void render());
  const reload = async () => {
    found = await api(`/api/v1/cases/${caseId}`);
    await render();
  };
  // a verdict kept in the outbox is delivered later: then show the case as it now stands
  let queued = (await pendingSubmissions()).some((s) => s.caseId === caseId && !s.refused);
  onOutboxChange(async () => {
    if (!queued || (await pendingSubmissions()).some((s) => s.caseId === caseId && !s.refused)) return;
    queued = false;
    await reload();
    status(t('field.sent', { state: t(`state.${found.state}`) }));
  });
  await render();
  await renderChips(found);
  wireForm(caseId, { queued: () => (queued = true), done: reload });
}

/** @param {any} found */
function renderDetails(found) {
  /** @type {HTMLElement} */ (document.getElementById('case-title')).textContent =
    `#${found.id} ${t(`violation.${found.violation}`)} · ${t(`state.${found.state}`)}`;
  const rows = [
    ['field.area', `${found.area_m2.toFixed(1)} ${t('unit.m2')}`],
    ['field.height_change', found.height_change_m === null ? '—' : `${found.height_change_m.toFixed(1)} ${t('unit.m')}`],
    // a case without a permit may name a later one, not valid on the flight date: never show it as its own
    ['field.permit', found.violation === 'no_permit' ? '—' : (found.permit_no ?? '—')],
    ['field.grid', found.grid_id ?? '—'],
  ];
  /** @type {HTMLElement} */ (document.getElementById('measurements')).replaceChildren(
    ...rows.flatMap(([key, value]) => {
      const term = document.createElement('dt');
      term.textContent = t(key);
      const detail = document.createElement('dd');
      detail.textContent = value;
      return [term, detail];
    }),
  );
}

/** @param {[number, number] | null} here @param {string | null} failure @param {[number, number]} centre */
function renderDirection(here, failure, centre) {
  const line = /** @type {HTMLElement} */ (document.getElementById('direction'));
  if (!here) {
    line.textContent = t(failure ? 'field.position_denied' : 'field.no_position');
    return;
  }
  const degrees = bearingDeg(here, centre);
  line.textContent = t('field.distance', { distance: formatDistance(distanceM(here, centre)), direction: t(compassPoint(degrees)), degrees: Math.round(degrees) });
}

/** The detection chips: before, after (outline in red), height change. @param {any} found */
async function renderChips(found) {
  const chips = /** @type {HTMLElement} */ (document.getElementById('chips'));
  const wanted = [['before.jpg', 'field.before'], ['after.jpg', 'field.after'], ['height-change.png', 'field.height']];
  const figures = await Promise.all(
    wanted.map(async ([name, label]) => {
      // the latest flight's chips (a case found again has a set per detection)
      const file = found.evidence.findLast((/** @type {any} */ e) => e.kind === 'detection' && e.name === name);
      if (!file) return null;
      const figure = document.createElement('figure');
      const image = document.createElement('img');
      image.alt = t(label);
      image.src = await imageUrl(file.url);
      const caption = document.createElement('figcaption');
      caption.textContent = t(label);
      figure.append(image, caption);
      return figure;
    }),
  );
  chips.replaceChildren(.../** @type {HTMLElement[]} */ (figures.filter(Boolean)));
}

/** Verdict buttons for what the officer may do from the case's state, unless a verdict is already waiting to be sent. @param {any} found @param {import('../shared/session.js').User} user */
async function renderActions(found, user) {
  const allowed = user.actions.filter((a) => a.from.includes(found.state));
  const waiting = (await pendingSubmissions()).some((s) => s.caseId === found.id && !s.refused);
  /** @type {HTMLElement} */ (document.getElementById('no-actions')).hidden = allowed.length > 0;
  // a note and photos go with a verdict: none without one
  /** @type {HTMLElement} */ (document.getElementById('verdict-inputs')).hidden = allowed.length === 0;
  /** @type {HTMLElement} */ (document.getElementById('actions')).replaceChildren(
    ...allowed.map((a) => {
      const button = document.createElement('button');
      button.type = 'submit';
      button.name = 'action';
      button.value = a.action;
      button.className = a.to === 'verified_illegal' ? 'danger' : 'primary';
      button.textContent = t(`action.${a.action}`);
      button.disabled = waiting;
      return button;
    }),
  );
  if (waiting) status(t('field.queued'));
}

/** @param {string} text */
function status(text) {
  /** @type {HTMLElement} */ (document.getElementById('submit-status')).textContent = text;
}

/**
 * Photos shrink as they are chosen; a verdict button sends the note, photos and GPS fix.
 * @param {number} caseId @param {{ queued: () => void, done: () => Promise<void> }} then
 */
function wireForm(caseId, then) {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('verdict'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('photos'));
  const previews = /** @type {HTMLElement} */ (document.getElementById('photo-previews'));
  /** @type {Blob[]} */
  let photos = [];
  input.addEventListener('change', async () => {
    photos = [...photos, ...(await Promise.all([...(input.files ?? [])].map(shrinkPhoto)))].slice(0, 10);
    input.value = '';
    previews.replaceChildren(
      ...photos.map((photo, i) => Object.assign(document.createElement('img'), { src: URL.createObjectURL(photo), alt: `${t('field.photos')} ${i + 1}` })),
    );
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (event).submitter);
    if (!button?.value) return;
    form.querySelectorAll('button').forEach((b) => (b.disabled = true));
    status(t('field.sending'));
    const position = await currentPosition(5000);
    const note = /** @type {HTMLTextAreaElement} */ (document.getElementById('note'));
    const submission = {
      id: submissionId(), caseId, action: button.value, note: note.value.trim(), lon: position?.[0] ?? null, lat: position?.[1] ?? null,
      recordedAt: new Date().toISOString(), photos,
    };
    try {
      const state = await submit(submission);
      note.value = '';
      photos = [];
      previews.replaceChildren();
      if (state === null) {
        then.queued();
        status(t('field.queued'));
        return;
      }
      await then.done();
      status(t('field.sent', { state: t(`state.${state}`) }));
    } catch (err) {
      await then.done();
      status(t('field.refused', { detail: err instanceof Error ? err.message : String(err) }));
    }
  });
}

/** A random id for a submission (crypto.randomUUID needs HTTPS; getRandomValues does not). */
function submissionId() {
  return `field-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
