// @ts-check
/**
 * The statistics strip: open cases by state (from `GET /api/v1/statistics`), the overdue cases
 * among those listed (the API counts no overdue cases, the case list marks each), and the field
 * precision: the share of field verdicts that confirmed a suspect.
 */
import { t } from '../shared/i18n.js';
import { OPEN_STATES } from '../shared/lifecycle.js';


/**
 * Fills `strip` (a `<dl>`).
 * @param {HTMLElement} strip
 * @param {{ counts: { by_state: Record<string, number> }, field_precision: { overall: { precision: number | null } } }} statistics
 * @param {number} overdueListed
 */
export function showStatistics(strip, statistics, overdueListed) {
  const { by_state: byState } = statistics.counts;
  const open = OPEN_STATES.filter((state) => byState[state] > 0);
  const total = open.reduce((sum, state) => sum + byState[state], 0);
  const precision = statistics.field_precision.overall.precision;
  /** @type {[string, string, boolean?][]} */
  const entries = [
    [t('stats.open'), String(total)],
    ...open.map((state) => /** @type {[string, string]} */ ([t(`state.${state}`), String(byState[state])])),
    [t('stats.overdue'), String(overdueListed), overdueListed > 0],
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
