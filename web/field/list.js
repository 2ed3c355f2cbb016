// @ts-check
/**
 * The officer's open cases (those in a state the officer can act on, within their grids), nearest
 * first when the device has a position, by priority otherwise; and the submissions the service
 * refused, each with the reason and a way to discard it.
 */
import { t } from '../shared/i18n.js';
import { api } from '../shared/session.js';
import { distanceM, outlineCentre } from './geo.js';
import { onOutboxChange, pendingSubmissions, removeSubmission } from './outbox.js';
import { watchDevicePosition } from './position.js';

/** Distance for people on foot: metres, then kilometres. @param {number} metres */
export function formatDistance(metres) {
  return metres < 1000 ? `${Math.round(metres)} ${t('unit.m')}` : `${(metres / 1000).toFixed(1)} ${t('unit.km')}`;
}

/** Shows the list view. @param {import('../shared/session.js').User} user */
export async function showCaseList(user) {
  /** @type {HTMLElement} */ (document.getElementById('list-view')).hidden = false;
  const states = [...new Set(user.actions.flatMap((a) => a.from))];
  const query = new URLSearchParams([...states.map((state) => ['state', state]), ['limit', '500']]);
  const { cases } = states.length > 0 ? await api(`/api/v1/cases?${query}`) : { cases: [] };
  /** @type {[number, number] | null} */
  let here = null;
  const render = () => renderCases(cases, here);
  watchDevicePosition((position) => {
    here = position;
    render();
  });
  document.addEventListener('zhiwei:language', () => {
    render();
    void renderRefused();
  });
  onOutboxChange(() => void renderRefused());
  await renderRefused();
}

/** @param {any[]} cases @param {[number, number] | null} here */
function renderCases(cases, here) {
  const list = /** @type {HTMLElement} */ (document.getElementById('cases'));
  const entries = cases.map((c) => ({ c, distance: here ? distanceM(here, outlineCentre(c.outline.coordinates)) : null }));
  entries.sort((a, b) => (a.distance !== null && b.distance !== null ? a.distance - b.distance : b.c.priority - a.c.priority));
  /** @type {HTMLElement} */ (document.getElementById('list-order')).textContent = t(here ? 'field.nearest_first' : 'field.by_priority');
  /** @type {HTMLElement} */ (document.getElementById('no-cases')).hidden = cases.length > 0;
  list.replaceChildren(
    ...entries.map(({ c, distance }) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `/field/${c.id}`;
      link.dataset.caseId = String(c.id);
      const where = document.createElement('span');
      where.className = 'distance';
      where.textContent = distance === null ? '' : formatDistance(distance);
      link.append(where, `#${c.id} ${t(`violation.${c.violation}`)} · ${t(`kind.${c.change_kind}`)} · ${Math.round(c.area_m2)} ${t('unit.m2')} · ${t(`state.${c.state}`)}`);
      item.append(link);
      return item;
    }),
  );
}

async function renderRefused() {
  const list = /** @type {HTMLElement} */ (document.getElementById('refused'));
  const refused = (await pendingSubmissions()).filter((s) => s.refused);
  list.replaceChildren(
    ...refused.map((submission) => {
      const item = document.createElement('li');
      const discard = document.createElement('button');
      discard.type = 'button';
      discard.textContent = t('field.discard');
      discard.addEventListener('click', async () => {
        await removeSubmission(submission.id);
        await renderRefused();
      });
      item.append(`#${submission.caseId} ${t(`action.${submission.action}`)}: ${t('field.refused', { detail: submission.refused ?? '' })} `, discard);
      return item;
    }),
  );
}
