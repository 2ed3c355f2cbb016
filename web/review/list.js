// @ts-check
/**
 * The case list beside the map, highest priority first: one button per case with a swatch in its
 * map colours, its violation, change kind, state, priority, area and grid. The selected case's
 * button is pressed and scrolled into view.
 */
import { t } from '../shared/i18n.js';
import { stateColours, violationColours } from './layers.js';

/**
 * A case as `GET /api/v1/cases` lists it.
 * @typedef {{ id: number, state: string, violation: string, change_kind: string, priority: number, grid_id: string | null,
 *   area_m2: number, overdue: boolean, outline: { type: 'MultiPolygon', coordinates: number[][][][] } }} CaseSummary
 */

/**
 * Shows `cases` in `list`; `onSelect` is called with the id of the case clicked.
 * @param {HTMLUListElement} list @param {(id: number) => void} onSelect
 */
export function caseList(list, onSelect) {
  /** @type {CaseSummary[]} */
  let shown = [];
  /** @type {number | null} */
  let selected = null;
  const render = () => {
    list.replaceChildren(...shown.map((c) => row(c, c.id === selected)));
  };
  list.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-id]');
    if (button) onSelect(Number(/** @type {HTMLElement} */ (button).dataset.id));
  });
  document.addEventListener('zhiwei:language', render);
  return {
    /** @param {CaseSummary[]} cases */
    show(cases) {
      shown = cases;
      render();
    },
    /** Presses the button of case `id` (none for null) and scrolls it into view. @param {number | null} id */
    select(id) {
      selected = id;
      for (const button of list.querySelectorAll('button[data-id]')) {
        const pressed = Number(/** @type {HTMLElement} */ (button).dataset.id) === id;
        button.setAttribute('aria-pressed', String(pressed));
        if (pressed) button.scrollIntoView({ block: 'nearest' });
      }
    },
  };
}

/** @param {CaseSummary} c @param {boolean} pressed */
function row(c, pressed) {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.id = String(c.id);
  button.setAttribute('aria-pressed', String(pressed));
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = violationColours[/** @type {keyof typeof violationColours} */ (c.violation)] ?? '#9e9e9e';
  swatch.style.borderColor = stateColours[/** @type {keyof typeof stateColours} */ (c.state)] ?? '#ffffff';
  const text = (/** @type {string} */ className, /** @type {string} */ content) => Object.assign(document.createElement('span'), { className, textContent: content });
  button.append(
    swatch,
    text('case-id', `#${c.id}`),
    text('case-what', `${t(`violation.${c.violation}`)} · ${t(`kind.${c.change_kind}`)}`),
    text('case-state', t(`state.${c.state}`)),
    text('case-numbers', `${t('measure.priority')} ${c.priority.toFixed(1)} · ${Math.round(c.area_m2)} ${t('unit.m2')}${c.grid_id ? ' · ' : ''}`),
  );
  // a grid id (WG-01-02) is one token: it does not break at its hyphens
  if (c.grid_id) button.querySelector('.case-numbers')?.append(text('grid-id', c.grid_id));
  if (c.overdue) button.append(text('case-overdue', t('list.overdue')));
  const item = document.createElement('li');
  item.append(button);
  return item;
}
