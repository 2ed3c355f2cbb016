/**
 * Progress for runs in tests: one that says nothing, and one that stops a run part way through its
 * results stage, as a kill there would.
 */
import type { ProgressFactory } from '../pipeline/types.js';

/** Progress that reports nothing. */
export const quietProgress: ProgressFactory = () => ({ tick() {}, done() {} });

/** Progress that stops the run at the `step`th tick of its results stage, as a kill there would. */
export const cutOffAt = (step: number): ProgressFactory => (stage) => {
  let ticks = 0;
  return {
    tick() {
      if (stage === 'results' && ++ticks === step) throw new Error(`cut off at results step ${step}`);
    },
    done() {},
  };
};
