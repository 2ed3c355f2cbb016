/**
 * Deadlines per stage (DESIGN.md section 7): how many days a case may stay in each state that
 * still needs someone to act. A case past its stage's deadline is overdue; a closed case is closed
 * on time when no stage of its record ran past its deadline.
 */
import { stageDeadlinesSetting } from '../config.js';
import { BadInputError } from '../errors.js';
import { OPEN_STATES, type CaseState } from './states.js';

/** Days allowed in each open state. */
export type StageDeadlines = Partial<Record<CaseState, number>>;

/** Defaults: triage in 2 days, dispatch in 1, a field verdict in 7, disposal starts in 7 and takes 30, closure in 7. */
export const defaultStageDeadlines: StageDeadlines = Object.freeze({
  detected: 2,
  triaged: 1,
  dispatched: 7,
  verified_illegal: 7,
  disposing: 30,
  reinspected: 7,
});

/** Where a case stands against its current stage's deadline. */
export interface StageClock {
  /** When the case entered its current state. */
  stateSince: Date;
  /** When the current stage must be finished; null for a state with no deadline. */
  dueAt: Date | null;
  overdue: boolean;
}

const dayMs = 86_400_000;

/** The defaults with `ZHIWEI_DEADLINES` (`state=days,...`) laid over them. */
export function stageDeadlines(setting: string | null = stageDeadlinesSetting()): StageDeadlines {
  const deadlines: StageDeadlines = { ...defaultStageDeadlines };
  for (const part of (setting ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [state, days] = part.split('=').map((s) => s.trim());
    if (!(OPEN_STATES as string[]).includes(state)) throw new BadInputError(`ZHIWEI_DEADLINES: "${state}" is not a state with a deadline (${OPEN_STATES.join(', ')})`);
    const value = Number(days);
    if (!(value > 0)) throw new BadInputError(`ZHIWEI_DEADLINES: days for "${state}" must be a positive number, not "${days}"`);
    deadlines[state as CaseState] = value;
  }
  return deadlines;
}

/** The clock of a case in `state` since `stateSince`, at `now`. */
export function stageClock(state: CaseState, stateSince: Date, deadlines: StageDeadlines, now = new Date()): StageClock {
  const days = deadlines[state];
  const dueAt = days === undefined ? null : new Date(stateSince.getTime() + days * dayMs);
  return { stateSince, dueAt, overdue: dueAt !== null && now > dueAt };
}
