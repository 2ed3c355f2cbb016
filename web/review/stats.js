// @ts-check
/**
 * The statistics strip, from `GET /api/v1/statistics`: open cases by state, the cases past their
 * stage's deadline, and the field precision: the share of field verdicts that confirmed a suspect.
 */
import { t } from '../shared/i18n.js';
import { OPEN_STATES } from '../shared/lifecycle.js';

/**
 * Fills `strip` (a `<dl>`).
 * @param {HTMLElement} strip
 * @param {{ counts: { by_state: Record<string, number>, overdue_by_state: Record<string, number> }, field_precision: { overall: { precision: number | null } } }} statistics
 */
export function showStatistics(strip, statistics) {
  const { by_state: byState, overdue_by_state: overdueByState } = statistics.counts;
  const overdue = Object.values(overdueByState).reduce((sum, n) => sum + n, 0);
  const open = OPEN_STATES.filter((state) => byState[state] > 0);
  const total = open.reduce((sum, state) => sum + byState[state], 0);
  const precision = statistics.field_precision.overall.precision;
  /** @type {[string, string, boolean?][]} */
  const entries = [
    [t('stats.open'), String(total)],
    ...open.map((state) => /** @type {[string, string]} */ ([t(`state.${state}`), String(byState[state])])),
    [t('stats.overdue'), String(overdue), overdue > 0],
    [t('stats.precision'), precision === null ? '–' : `${(precision * 100).toFixed(0)}%`],
  ];
  strip.replaceChildren(
    ...entries.map(([term, value, alert]) => {
      const group = document.createElement('div');
      if (alert) group.className = 'alert';
      group.append(Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value }));
      return group;
    }),
  );
}
