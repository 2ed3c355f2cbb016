// @ts-check
/**
 * The case panel: evidence chips (before, after, height change), measurements, the plan check
 * (violation, permit and what the permit allows), the history of the place across flights
 * (一户一档) and the case's event chain with shortened hashes.
 */
import { language, t } from '../shared/i18n.js';
import { api, imageUrl } from '../shared/session.js';

/**
 * A case as `GET /api/v1/cases/:id` describes it (the fields the panel shows).
 * @typedef {import('./list.js').CaseSummary & { height_change_m: number | null, height_after_m: number | null, zones: string[],
 *   permit_no: string | null, flight_date: string | null, due_at: string | null,
 *   evidence: { name: string, media_type: string, url: string }[],
 *   events: { seq: number, kind: string, to_state: string | null, actor: string, at: string, note: string | null, hash: string, prev_hash: string | null }[],
 *   place_history: { candidates: { flight_date: string | null, change_kind: string, area_m2: number, decision: string | null,
 *       decision_key: string | null, decision_values: Record<string, string>, case_id: number | null, case_state: string | null }[],
 *     cases: { id: number, state: string, flight_date: string | null }[],
 *     buildings: { id: number, observations: { flight_date: string | null, roof_height_m: number | null, floors: number | null,
 *       legality: string, violation: string }[] }[] } }} CaseDetail
 */

/** Fills the panel's parts with `detail`. @param {HTMLElement} panel @param {CaseDetail} detail */
export async function showCaseDetail(panel, detail) {
  const part = (/** @type {string} */ id) => /** @type {HTMLElement} */ (panel.querySelector(id));
  part('#case-title').textContent = t('panel.title', { id: detail.id });
  showEvidence(part('#case-evidence'), detail);
  fillList(part('#case-measures'), measures(detail));
  part('#case-history').replaceChildren(historyTable(detail), ...buildingsTable(detail));
  part('#case-events').replaceChildren(...detail.events.map(eventItem));
  fillList(part('#case-plan'), await planFields(detail));
}

/** @param {HTMLElement} list @param {[string, string][]} entries */
function fillList(list, entries) {
  list.replaceChildren(...entries.flatMap(([term, value]) => [Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value })]));
}

/** @param {number | null} value @param {string} unit @param {number} [digits] */
const amount = (value, unit, digits = 1) => (value === null ? '–' : `${value.toFixed(digits)} ${t(unit)}`);

/** @param {HTMLElement} chips @param {CaseDetail} detail */
function showEvidence(chips, detail) {
  const images = detail.evidence.filter((file) => file.media_type.startsWith('image/'));
  chips.replaceChildren(
    ...images.map((file) => {
      const key = `evidence.${file.name}`;
      const label = t(key) === key ? file.name : t(key);
      const figure = document.createElement('figure');
      const image = Object.assign(document.createElement('img'), { alt: label, width: 160, height: 160 });
      figure.append(image, Object.assign(document.createElement('figcaption'), { textContent: label }));
      imageUrl(file.url).then((url) => (image.src = url), () => (image.alt = `${label} ✕`));
      return figure;
    }),
  );
}

/** @param {CaseDetail} d @returns {[string, string][]} */
function measures(d) {
  return [
    [t('measure.state'), t(`state.${d.state}`)],
    [t('measure.priority'), d.priority.toFixed(1)],
    [t('measure.area'), amount(d.area_m2, 'unit.m2')],
    [t('measure.height_change'), amount(d.height_change_m, 'unit.m')],
    [t('measure.height_after'), amount(d.height_after_m, 'unit.m')],
    [t('measure.change_kind'), t(`kind.${d.change_kind}`)],
    [t('measure.grid'), d.grid_id ?? '–'],
    [t('measure.zones'), d.zones.join(', ') || '–'],
    [t('measure.flight_date'), d.flight_date ?? '–'],
    [t('measure.due_at'), d.due_at ? `${dateTime(d.due_at)}${d.overdue ? ` (${t('list.overdue')})` : ''}` : '–'],
  ];
}

/** The violation and, where a permit covers the place, what it allows. @param {CaseDetail} d @returns {Promise<[string, string][]>} */
async function planFields(d) {
  const violation = /** @type {[string, string]} */ ([t('plan.violation'), t(`violation.${d.violation}`)]);
  if (!d.permit_no) return [violation, [t('plan.permit_no'), t('plan.none')]];
  const { plans } = await api(`/api/v1/plans?permit_no=${encodeURIComponent(d.permit_no)}&limit=1`);
  const plan = plans[0];
  // the permit of a case without one is a later one, not yet valid on the flight date: never its own
  if (d.violation === 'no_permit') {
    return [violation, [t('plan.permit_no'), t('plan.none')], [t('plan.later_permit'), t('plan.not_yet_valid', { permit: d.permit_no, from: plan?.valid_from ?? '…' })]];
  }
  const fields = /** @type {[string, string][]} */ ([violation, [t('plan.permit_no'), d.permit_no]]);
  if (!plan) return fields;
  return [
    ...fields,
    [t('plan.kind'), t(`permit_kind.${plan.kind}`)],
    [t('plan.permitted_height'), amount(plan.permitted_height_m, 'unit.m')],
    [t('plan.permitted_floors'), plan.permitted_floors === null ? '–' : String(plan.permitted_floors)],
    [t('plan.valid'), `${plan.valid_from ?? '…'} – ${plan.valid_to ?? '…'}`],
  ];
}

/** What was found at the place on each flight, and the other cases there. @param {CaseDetail} d */
function historyTable(d) {
  const table = document.createElement('table');
  const { candidates, cases } = d.place_history;
  if (candidates.length === 0 && cases.length === 0) {
    table.caption = Object.assign(document.createElement('caption'), { textContent: t('panel.no_history') });
    return table;
  }
  const head = table.createTHead().insertRow();
  for (const key of ['flight_date', 'change_kind', 'area', 'decision', 'case']) head.append(Object.assign(document.createElement('th'), { textContent: t(`history.${key}`) }));
  const body = table.createTBody();
  const caseCell = (/** @type {number | null} */ id, /** @type {string | null} */ state) => (id === null ? '–' : `#${id} ${state ? t(`state.${state}`) : ''}`);
  for (const c of candidates) {
    const cells = [c.flight_date ?? '–', t(`kind.${c.change_kind}`), amount(c.area_m2, 'unit.m2'), c.decision_key ? t(`decision.${c.decision_key}`, c.decision_values) : (c.decision ?? '–'), caseCell(c.case_id, c.case_state)];
    const tr = body.insertRow();
    for (const text of cells) tr.insertCell().textContent = text;
  }
  for (const other of cases.filter((k) => !candidates.some((c) => c.case_id === k.id))) {
    const tr = body.insertRow();
    for (const text of [other.flight_date ?? '–', '–', '–', '–', caseCell(other.id, other.state)]) tr.insertCell().textContent = text;
  }
  return table;
}

/** The register buildings at the place, each survey's observation a row; none without buildings. @param {CaseDetail} d */
function buildingsTable(d) {
  const { buildings } = d.place_history;
  if (buildings.length === 0) return [];
  const table = document.createElement('table');
  table.caption = Object.assign(document.createElement('caption'), { textContent: t('history.buildings') });
  const head = table.createTHead().insertRow();
  for (const key of ['flight_date', 'building', 'roof_height', 'floors', 'legality']) head.append(Object.assign(document.createElement('th'), { textContent: t(`history.${key}`) }));
  const body = table.createTBody();
  for (const building of buildings) {
    for (const o of building.observations) {
      const legality = o.legality === 'suspect' ? t('history.suspect_of', { violation: t(`violation.${o.violation}`) }) : t(`legality.${o.legality}`);
      const cells = [o.flight_date ?? '–', `#${building.id}`, amount(o.roof_height_m, 'unit.m'), o.floors === null ? '–' : String(o.floors), legality];
      const tr = body.insertRow();
      for (const text of cells) tr.insertCell().textContent = text;
    }
  }
  return [table];
}

/** @param {CaseDetail['events'][number]} event */
function eventItem(event) {
  const item = document.createElement('li');
  item.append(t('event.line', { seq: event.seq, kind: t(`case_event.${event.kind}`), actor: event.actor, at: dateTime(event.at) }));
  if (event.note) item.append(Object.assign(document.createElement('q'), { textContent: event.note }));
  const hash = Object.assign(document.createElement('code'), { textContent: t('event.hash', { hash: short(event.hash), prev: event.prev_hash ? short(event.prev_hash) : '–' }), title: event.hash });
  item.append(hash);
  return item;
}

/** A moment in the page's language, in the browser's time zone, which it names. @param {string} iso */
function dateTime(iso) {
  return new Date(iso).toLocaleString(language(), { timeZoneName: 'short' });
}

/** The first 10 hex digits of a SHA-256, enough to tell the links of one chain apart. @param {string} hash */
function short(hash) {
  return `${hash.slice(0, 10)}…`;
}
