// @ts-check
/**
 * The map review page (`/review`): the reviewer signs in, filters the suspects, sees them on the
 * orthophotos and in a list kept in step with the map, opens a case and triages, dismisses or
 * dispatches it. An action refreshes the list, the map and the statistics. The register's buildings
 * (all, or a survey job's) lie under the suspects; a click on one opens its measurements.
 */
import './messages.js';
import { t } from '../shared/i18n.js';
import { api, setUpPage, signIn } from '../shared/session.js';
import { caseActions } from './actions.js';
import { showBuildingDetail } from './building-panel.js';
import { setUpFilters } from './filters.js';
import { showLegend } from './legend.js';
import { caseList } from './list.js';
import { createReviewMap, outlineBounds } from './map.js';
import { showCaseDetail } from './panel.js';
import { showStatistics } from './stats.js';
import { setUpSwipe } from './swipe.js';

/** @typedef {import('./list.js').CaseSummary} CaseSummary */

const element = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const pageSize = 500;

setUpPage();
const user = await signIn();
// an officer's work is on the field page (plans and zones are not theirs to see)
if (user.role === 'officer') {
  location.replace('/field');
  await new Promise(() => {}); // nothing more to do here while the browser leaves
}
element('review').hidden = false;

const panel = element('case-panel');
const buildingPanel = element('building-panel');
const list = caseList(/** @type {HTMLUListElement} */ (element('case-list')), (id) => void selectCase(id, true));
const actions = caseActions(/** @type {HTMLFormElement} */ (element('case-action')), (id) => void afterAction(id));
const filters = await setUpFilters(/** @type {HTMLFormElement} */ (element('filters')), () => void applyFilters());
/** @type {CaseSummary[]} */
let cases = [];
/** @type {string | null} */
let nextCursor = null;
/** @type {number | null} */
let selectedId = null;
/** @type {number | null} */
let selectedBuildingId = null;
/** @type {any} */
let statistics = null;
let imageryJob = filters.imageryJob();
/** Counts list requests, so that an answer overtaken by a newer request is dropped. */
let listRequests = 0;

const [config, imagery] = await Promise.all([readConfig(), readImagery(imageryJob), loadCases(), refreshStatistics()]);
const layerMenu = /** @type {HTMLFieldSetElement} */ (element('layers'));
showLegend(/** @type {HTMLDetailsElement} */ (element('legend')));
const visible = new Set([...layerMenu.querySelectorAll('input:checked')].map((box) => /** @type {HTMLInputElement} */ (box).name));
const map = createReviewMap(element('map-area'), {
  imagery, basemap: config.basemap ?? null, caseQuery: filters.query(), buildingQuery: buildingQuery(), bounds: viewOf(imagery), visible,
  onCaseClick: (id) => void selectCase(id, false),
  onBuildingClick: (id) => void selectBuilding(id),
  onIdle: (count) => (/** @type {HTMLOutputElement} */ (element('map-count')).value = String(count)),
});
setUpSwipe(element('swipe'), element('map-before'), element('map-area'));
showSwipe(imagery);
element('review').inert = false;
layerMenu.addEventListener('change', (event) => {
  const box = /** @type {HTMLInputElement} */ (event.target);
  map.setVisible(box.name, box.checked);
});
element('more-cases').addEventListener('click', () => void loadCases(nextCursor));
element('case-close').addEventListener('click', closePanel);
panel.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closePanel();
});
element('building-close').addEventListener('click', closeBuildingPanel);
buildingPanel.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeBuildingPanel();
});
document.addEventListener('zhiwei:language', () => {
  showCount();
  if (statistics) showStatistics(element('stats'), statistics);
  if (selectedId !== null) void selectCase(selectedId, false);
  if (selectedBuildingId !== null) void selectBuilding(selectedBuildingId);
});

/** Loads the first page of the filtered list, or the page after `cursor`. @param {string | null} [cursor] */
async function loadCases(cursor = null) {
  const query = filters.query();
  query.set('sort', 'priority');
  query.set('limit', String(pageSize));
  if (cursor) query.set('cursor', cursor);
  const request = ++listRequests;
  const page = await api(`/api/v1/cases?${query}`);
  if (request !== listRequests) return;
  cases = cursor ? [...cases, ...page.cases] : page.cases;
  nextCursor = page.next_cursor;
  list.show(cases);
  list.select(selectedId);
  showCount();
}

function showCount() {
  /** @type {HTMLOutputElement} */ (element('case-count')).value = t('list.count', { count: cases.length });
  element('list-status').textContent = cases.length === 0 ? t('list.none') : '';
  element('more-cases').hidden = nextCursor === null;
}

async function refreshStatistics() {
  statistics = await api('/api/v1/statistics');
  showStatistics(element('stats'), statistics);
}

/** The register buildings to draw: those of the chosen job, else all. */
function buildingQuery() {
  const job = filters.query().get('job');
  return new URLSearchParams(job ? { job } : {});
}

async function applyFilters() {
  map.showCases(filters.query());
  map.showBuildings(buildingQuery());
  const job = filters.imageryJob();
  if (job !== imageryJob) {
    imageryJob = job;
    const shown = await readImagery(job);
    map.showImagery(shown);
    showSwipe(shown);
  }
  await loadCases();
}

/**
 * Selects case `id` in the list and on the map and opens it in the panel; `fly` brings it into view.
 * @param {number} id @param {boolean} fly
 */
async function selectCase(id, fly) {
  closeBuildingPanel();
  selectedId = id;
  list.select(id);
  const listed = cases.find((c) => c.id === id);
  map.select(id, fly ? listed?.outline : undefined);
  const detail = await api(`/api/v1/cases/${id}`);
  if (selectedId !== id) return;
  if (fly && !listed) map.select(id, detail.outline);
  panel.hidden = false;
  actions.show(id, detail.state, user);
  await showCaseDetail(panel, detail);
}

function closePanel() {
  panel.hidden = true;
  selectedId = null;
  list.select(null);
  map.select(null);
}

/** Selects register building `id` on the map and opens its measurements in the building panel. @param {number} id */
async function selectBuilding(id) {
  closePanel();
  selectedBuildingId = id;
  map.selectBuilding(id);
  const detail = await api(`/api/v1/buildings/${id}`);
  if (selectedBuildingId !== id) return;
  buildingPanel.hidden = false;
  showBuildingDetail(buildingPanel, detail, (caseId) => void selectCase(caseId, true));
}

function closeBuildingPanel() {
  buildingPanel.hidden = true;
  selectedBuildingId = null;
  map.selectBuilding(null);
}

/** After an action on case `id`: the list, the map, the statistics and the panel show its new state. @param {number} id */
async function afterAction(id) {
  map.showCases(filters.query());
  await Promise.all([loadCases(), refreshStatistics()]);
  if (selectedId === id) await selectCase(id, false);
}

/** The page's settings from `/web/config.json` (a basemap, if any). */
async function readConfig() {
  const response = await fetch('/web/config.json');
  return response.ok ? response.json() : {};
}

/** The TileJSON of job `id`'s imagery; null without a job, or when its rasters cannot be served. @param {number | null} id */
async function readImagery(id) {
  const imagery = id === null ? null : await api(`/api/v1/jobs/${id}/tiles`).catch(() => null);
  element('map-status').textContent = imagery ? '' : t('map.no_imagery');
  return imagery;
}

/** The view to open on: the imagery's extent, else the listed cases'. @param {import('./map.js').Imagery | null} shown */
function viewOf(shown) {
  if (shown?.bounds) return outlineBounds({ coordinates: [[[[shown.bounds[0], shown.bounds[1]], [shown.bounds[2], shown.bounds[3]]]]] });
  if (cases.length === 0) return undefined;
  return outlineBounds({ coordinates: cases.flatMap((c) => c.outline.coordinates) });
}

/** The divider only where the job has a before flight to compare. @param {import('./map.js').Imagery | null} shown */
function showSwipe(shown) {
  element('swipe').hidden = !shown?.layers.some((layer) => layer.id === 'before');
}
