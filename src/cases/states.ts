/**
 * The case lifecycle (DESIGN.md section 7) as one frozen table: each state and the states it may
 * move to. Types, API schemas and checks derive from it.
 */

/** Each state and the states a case may move to from it. */
export const caseLifecycle = Object.freeze({
  detected: ['triaged', 'dismissed'],
  triaged: ['dispatched'],
  dispatched: ['verified_illegal', 'verified_legal', 'false_positive'],
  verified_illegal: ['disposing'],
  disposing: ['reinspected'],
  reinspected: ['closed'],
  dismissed: [],
  verified_legal: [],
  false_positive: [],
  closed: [],
} as const satisfies Record<string, readonly string[]>);

/** A case state. */
export type CaseState = keyof typeof caseLifecycle;

/** All states, in lifecycle order. */
export const CASE_STATES = Object.freeze(Object.keys(caseLifecycle) as CaseState[]);

/** States a case is still being worked on in: a demolition found there is re-inspection evidence. */
export const OPEN_STATES = Object.freeze(CASE_STATES.filter((state) => caseLifecycle[state].length > 0));
