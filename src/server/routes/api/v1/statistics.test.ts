import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendCaseEvent } from '../../../../cases/events.js';
import type { CaseState } from '../../../../cases/states.js';
import { candidate } from '../../../../test-support/candidates.js';
import { openTestService, type TestService } from '../../../../test-support/service.js';
import { testBackends } from '../../../../test-support/database.js';

const day = 86_400_000;

describe.each(testBackends())('statistics on the %s backend', (backend) => {
  let service: TestService;
  let cases: Map<string, number>;
  const walk = async (id: number, steps: [keyof TestService['auth'], string][]) => {
    for (const [user, action] of steps) {
      const response = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/${action}`, headers: service.auth[user], payload: {} });
      expect(response.statusCode, `${action} ${id}`).toBe(200);
    }
  };
  /** Writes a case's record with events `days` apart from `start` days ago, as if it had happened then. */
  const backdate = async (id: number, startDaysAgo: number, states: [CaseState, number][]) => {
    const start = Date.now() - startDaysAgo * day;
    await service.db.knex.transaction(async (trx) => {
      await trx('cases').where({ id }).update({ detected_at: new Date(start) });
      let from: CaseState = 'detected';
      for (const [to, atDay] of states) {
        await appendCaseEvent(trx, id, { kind: to, fromState: from, toState: to, actor: 'admin', at: new Date(start + atDay * day) });
        from = to;
      }
      await trx('cases').where({ id }).update({ state: from });
    });
  };

  beforeAll(async () => {
    service = await openTestService(backend);
    cases = await service.detect('2024-06-01', [
      candidate('closed', 'new_building', [10, 10, 20, 20], 9),
      candidate('fp', 'ground_structure', [40, 10, 45, 15], 3),
      candidate('legal', 'rooftop_addition', [250, 10, 260, 20], 4),
      candidate('disposing', 'new_building', [280, 10, 290, 20], 8),
      candidate('late', 'new_building', [60, 60, 70, 70], 8),
    ]);
    // a case found ten days ago and not triaged since
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 10 * day);
    try {
      cases.set('waiting', (await service.detect('2024-05-20', [candidate('waiting', 'new_building', [100, 100, 110, 110], 8)])).get('waiting')!);
    } finally {
      vi.useRealTimers();
    }
    const toVerdict: [keyof TestService['auth'], string][] = [['reviewer', 'triage'], ['reviewer', 'dispatch']];
    await walk(cases.get('closed')!, [...toVerdict, ['officer', 'verify-illegal'], ['supervisor', 'start-disposal'], ['officer', 'reinspect'], ['supervisor', 'close']]);
    await walk(cases.get('fp')!, [...toVerdict, ['officer', 'false-positive']]);
    await walk(cases.get('legal')!, [...toVerdict, ['officer2', 'verify-legal']]);
    await walk(cases.get('disposing')!, [...toVerdict, ['officer2', 'verify-illegal'], ['supervisor', 'start-disposal']]);
    // triaged 5 days after detection (2 allowed), closed 40 days after it
    await backdate(cases.get('late')!, 60, [['triaged', 5], ['dispatched', 5.5], ['verified_illegal', 6], ['disposing', 7], ['reinspected', 30], ['closed', 40]]);
  });
  afterAll(() => service?.close());

  it('counts cases by state, violation, grid and zone, and sums the area found and demolished', async () => {
    const stats = (await service.app.inject({ url: '/api/v1/statistics', headers: service.auth.supervisor })).json();
    expect(stats.counts.by_state).toEqual({ closed: 2, detected: 1, disposing: 1, false_positive: 1, verified_legal: 1 });
    expect(stats.counts.by_grid).toEqual({ 'WG-01': 4, 'WG-02': 2 });
    expect(stats.counts.by_violation).toEqual({ no_permit: 6 });
    expect(stats.counts.by_zone).toEqual({ 'HZ-1': 1 });
    expect(stats.area_m2).toEqual({ found: 100 + 25 + 100 + 100 + 100 + 100, demolished: 200 });
  });

  it('gives closure, on-time closure and median days to close, per grid and overall', async () => {
    const { closure } = (await service.app.inject({ url: '/api/v1/statistics', headers: service.auth.analyst })).json();
    expect(closure.overall).toMatchObject({ confirmed: 3, closed: 2, closed_on_time: 1, on_time_rate: 0.5 });
    expect(closure.overall.closure_rate).toBeCloseTo(2 / 3);
    expect(closure.overall.median_days_to_close).toBeCloseTo(20, 0);
    expect(closure.by_grid['WG-01']).toMatchObject({ confirmed: 2, closed: 2, closure_rate: 1, closed_on_time: 1 });
    expect(closure.by_grid['WG-02']).toMatchObject({ confirmed: 1, closed: 0, closure_rate: 0, on_time_rate: null, median_days_to_close: null });
  });

  it('measures field precision from verdicts per grid, violation, change kind and model', async () => {
    const precision = (await service.app.inject({ url: '/api/v1/statistics', headers: service.auth.reviewer })).json().field_precision;
    expect(precision.overall).toEqual({ verified_illegal: 3, verified_legal: 1, false_positive: 1, precision: 0.6 });
    expect(precision.by_grid['WG-01']).toMatchObject({ verified_illegal: 2, false_positive: 1 });
    expect(precision.by_grid['WG-02'].precision).toBe(0.5);
    expect(precision.by_change_kind).toMatchObject({ ground_structure: { precision: 0 }, rooftop_addition: { precision: 0 }, new_building: { precision: 1 } });
    expect(precision.by_violation.no_permit.precision).toBe(0.6);
    expect(precision.by_model['tiny-cd'].precision).toBe(0.6);
  });

  it('flags a case past its stage deadline as overdue and keeps statistics from officers', async () => {
    const waiting = (await service.app.inject({ url: `/api/v1/cases/${cases.get('waiting')}`, headers: service.auth.officer })).json();
    expect(waiting).toMatchObject({ state: 'detected', overdue: true });
    const listed = (await service.app.inject({ url: '/api/v1/cases?state=detected', headers: service.auth.reviewer })).json();
    expect(listed.cases.map((c: { overdue: boolean }) => c.overdue)).toEqual([true]);
    // the one detected ten days ago (2 allowed); the case in disposal since today has 30 days
    expect((await service.app.inject({ url: '/api/v1/statistics', headers: service.auth.reviewer })).json().counts.overdue_by_state).toEqual({ detected: 1 });
    expect((await service.app.inject({ url: '/api/v1/statistics', headers: service.auth.officer })).statusCode).toBe(403);
  });
});
