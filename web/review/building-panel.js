// @ts-check
/**
 * The building panel: a register building's measurements (footprint area, roof height, floors,
 * roof form, rooftop structures), its legality with the violation and permit, the cases found on
 * it (each opens in the case panel) and each survey's observation of it.
 */
import { t } from '../shared/i18n.js';

/**
 * A building as `GET /api/v1/buildings/:id` describes it (the fields the panel shows).
 * @typedef {{ id: number, area_m2: number, roof_height_m: number | null, roof_height_max_m: number | null, floors: number | null,
 *   roof_form: string | null, rooftop_structures: number, legality: string, violation: string, permit_no: string | null, grid_id: string | null,
 *   flight_date: string | null, outline: { coordinates: number[][][][] },
 *   cases: { id: number, state: string, violation: string, change_kind: string }[],
 *   observations: { flight_date: string | null, area_m2: number, roof_height_m: number | null, floors: number | null, legality: string, violation: string }[] }} BuildingDetail
 */

/** @param {number | null} value @param {string} unit @param {number} [digits] */
const amount = (value, unit, digits = 1) => (value === null ? '–' : `${value.toFixed(digits)} ${t(unit)}`);

/**
 * Fills the panel with `detail`; `onCase` is called with the id of a case clicked.
 * @param {HTMLElement} panel @param {BuildingDetail} detail @param {(id: number) => void} onCase
 */
export function showBuildingDetail(panel, detail, onCase) {
  const part = (/** @type {string} */ id) => /** @type {HTMLElement} */ (panel.querySelector(id));
  part('#building-title').textContent = t('building.title', { id: detail.id });
  part('#building-measures').replaceChildren(...terms(measures(detail)));
  part('#building-cases').replaceChildren(...caseItems(detail, onCase));
  part('#building-surveys').replaceChildren(surveyTable(detail));
}

/** @param {[string, string][]} entries */
function terms(entries) {
  return entries.flatMap(([term, value]) => [Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value })]);
}

/** @param {BuildingDetail} b @returns {[string, string][]} */
function measures(b) {
  // the permit of a building without one is a later one, never its own
  const permit = b.violation === 'no_permit' || !b.permit_no ? t('plan.none') : b.permit_no;
  return [
    [t('building.area'), amount(b.area_m2, 'unit.m2')],
    [t('building.roof_height'), amount(b.roof_height_m, 'unit.m')],
    [t('building.roof_height_max'), amount(b.roof_height_max_m, 'unit.m')],
    [t('building.floors'), b.floors === null ? '–' : String(b.floors)],
    [t('building.roof_form'), b.roof_form ? t(`roof_form.${b.roof_form}`) : '–'],
    [t('building.rooftop_structures'), String(b.rooftop_structures)],
    [t('building.legality'), t(`legality.${b.legality}`)],
    [t('plan.violation'), t(`violation.${b.violation}`)],
    [t('plan.permit_no'), permit],
    [t('measure.grid'), b.grid_id ?? '–'],
    [t('building.last_survey'), b.flight_date ?? '–'],
  ];
}

/** @param {BuildingDetail} b @param {(id: number) => void} onCase */
function caseItems(b, onCase) {
  if (b.cases.length === 0) return [Object.assign(document.createElement('li'), { textContent: t('building.no_cases') })];
  return b.cases.map((c) => {
    const item = document.createElement('li');
    const text = t('building.case', { id: c.id, violation: t(`violation.${c.violation}`), kind: t(`kind.${c.change_kind}`), state: t(`state.${c.state}`) });
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
    button.addEventListener('click', () => onCase(c.id));
    item.append(button);
    return item;
  });
}

/** Each survey's observation of the building, oldest first. @param {BuildingDetail} b */
function surveyTable(b) {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const key of ['flight_date', 'area', 'roof_height', 'floors', 'legality']) head.append(Object.assign(document.createElement('th'), { textContent: t(`history.${key}`) }));
  const body = table.createTBody();
  for (const o of b.observations) {
    const legality = o.legality === 'suspect' ? t('history.suspect_of', { violation: t(`violation.${o.violation}`) }) : t(`legality.${o.legality}`);
    const cells = [o.flight_date ?? '–', amount(o.area_m2, 'unit.m2'), amount(o.roof_height_m, 'unit.m'), o.floors === null ? '–' : String(o.floors), legality];
    const tr = body.insertRow();
    for (const text of cells) tr.insertCell().textContent = text;
  }
  return table;
}
