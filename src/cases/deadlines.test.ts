import { describe, expect, it } from 'vitest';
import { defaultStageDeadlines, stageClock, stageDeadlines } from './deadlines.js';

describe('stage deadlines', () => {
  it('lays ZHIWEI_DEADLINES over the defaults', () => {
    expect(stageDeadlines(null)).toEqual(defaultStageDeadlines);
    expect(stageDeadlines('detected=1, disposing=60')).toMatchObject({ detected: 1, disposing: 60, dispatched: 7 });
  });

  it('refuses a state without a deadline and days that are not positive, naming them', () => {
    expect(() => stageDeadlines('closed=3')).toThrow(/"closed" is not a state with a deadline/);
    expect(() => stageDeadlines('detected=soon')).toThrow(/days for "detected" must be a positive number, not "soon"/);
    expect(() => stageDeadlines('detected=-1')).toThrow(/positive/);
  });

  it('is overdue past the deadline of the current stage, and never in a final state', () => {
    const since = new Date('2024-06-01T00:00:00Z');
    expect(stageClock('detected', since, defaultStageDeadlines, new Date('2024-06-02T23:59:59Z'))).toMatchObject({ overdue: false, dueAt: new Date('2024-06-03T00:00:00Z') });
    expect(stageClock('detected', since, defaultStageDeadlines, new Date('2024-06-03T00:00:01Z')).overdue).toBe(true);
    expect(stageClock('closed', since, defaultStageDeadlines, new Date('2030-01-01'))).toEqual({ stateSince: since, dueAt: null, overdue: false });
  });
});
