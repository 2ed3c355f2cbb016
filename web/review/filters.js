// @ts-check
/**
 * The filter form: state, violation and change kind (checkboxes), grid and zone (lists filled from
 * the API), least priority, flight dates and job. Its query string drives both the case list and
 * the case tiles, which take the same parameters.
 */
import { t } from '../shared/i18n.js';
import { CASE_STATES, CHANGE_KINDS, VIOLATIONS } from '../shared/lifecycle.js';
import { api } from '../shared/session.js';

/** The values the API takes. */
const choices = { state: CASE_STATES, violation: VIOLATIONS, change_kind: CHANGE_KINDS };
const labelKeys = { state: 'state.', violation: 'violation.', change_kind: 'kind.' };

/**
 * A job as `GET /api/v1/jobs` lists it: a detect job between two flights, or a survey of one.
 * @typedef {{ id: number, kind: string, state: string, before_date: string | null, after_date: string | null }} Job
 */

/**
 * Fills the filter form and calls `onChange` whenever it changes. Resolves with the form's query
 * and the job whose imagery to show: the chosen one, or the newest that succeeded.
 * @param {HTMLFormElement} form @param {() => void} onChange
 */
export async function setUpFilters(form, onChange) {
  for (const [name, values] of Object.entries(choices)) {
    const fieldset = /** @type {HTMLFieldSetElement} */ (form.querySelector(`#filter-${name}`));
    for (const value of values) {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', name, value });
      const text = document.createElement('span');
      text.dataset.i18n = `${labelKeys[/** @type {keyof typeof labelKeys} */ (name)]}${value}`;
      text.textContent = t(text.dataset.i18n);
      label.append(box, ' ', text);
      fieldset.append(label);
    }
  }
  const [grids, zones, jobs] = await Promise.all([
    api('/api/v1/grids?limit=1000'),
    api('/api/v1/zones?limit=1000'),
    api('/api/v1/jobs?state=succeeded&limit=100'),
  ]);
  const options = (/** @type {string} */ id, /** @type {[string, string][]} */ entries) => {
    const select = /** @type {HTMLSelectElement} */ (form.querySelector(id));
    select.replaceChildren(...entries.map(([value, text]) => new Option(text, value)));
  };
  options('#filter-grid', grids.grids.map((/** @type {any} */ g) => [g.grid_id, [g.grid_id, g.community].filter(Boolean).join(' ')]));
  options('#filter-zone', zones.zones.map((/** @type {any} */ z) => [z.zone_id, [z.zone_id, z.name].filter(Boolean).join(' ')]));
  /** @type {Job[]} */
  const flightJobs = jobs.jobs;
  const jobSelect = /** @type {HTMLSelectElement} */ (form.querySelector('#filter-job'));
  const labelJobs = () => {
    const chosen = jobSelect.value;
    const jobOption = (/** @type {Job} */ job) =>
      new Option(
        job.kind === 'survey' ? t('filter.survey_option', { date: job.after_date ?? '–' }) : t('filter.job_option', { id: job.id, before: job.before_date ?? '–', after: job.after_date ?? '–' }),
        String(job.id),
      );
    jobSelect.replaceChildren(new Option(t('filter.all_jobs'), ''), ...flightJobs.map(jobOption));
    jobSelect.value = chosen;
  };
  labelJobs();
  document.addEventListener('zhiwei:language', labelJobs);
  form.addEventListener('change', onChange);
  form.addEventListener('submit', (event) => event.preventDefault());
  // the reset event comes before the fields are cleared
  form.addEventListener('reset', () => setTimeout(onChange));
  return {
    /** The filters as query parameters of the case list and the case tiles. */
    query() {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value !== '') params.append(name, String(value));
      return params;
    },
    /** The job whose imagery to show (null when no job succeeded yet). */
    imageryJob() {
      return jobSelect.value ? Number(jobSelect.value) : (flightJobs[0]?.id ?? null);
    },
  };
}
