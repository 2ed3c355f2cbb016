/**
 * Case transitions (DESIGN.md section 7): each state a case can move into has one action name
 * (the sub-route `POST /cases/:id/<action>`) and the roles that may take it; where it may come
 * from is read off the lifecycle. A transition runs in one transaction: the case is locked, the
 * move checked, the event appended (with any field photos' SHA-256), the state updated.
 */
import type { Knex } from 'knex';
import type { Role } from '../db/users.js';
import { BadInputError, ConflictError } from '../errors.js';
import { appendCaseEvent, type CaseEvent } from './events.js';
import type { StoredFile } from './evidence-store.js';
import { toCaseEvent } from './read.js';
import { caseLifecycle, CASE_STATES, type CaseState } from './states.js';

/** States a case can be moved into by someone (every state but the first). */
export type TargetState = Exclude<CaseState, 'detected'>;

/** The action that moves a case into each state, and who may take it (an admin may take any). */
export const caseActions = Object.freeze({
  triaged: { action: 'triage', roles: ['reviewer'] },
  dismissed: { action: 'dismiss', roles: ['reviewer'] },
  dispatched: { action: 'dispatch', roles: ['reviewer'] },
  verified_illegal: { action: 'verify-illegal', roles: ['officer'] },
  verified_legal: { action: 'verify-legal', roles: ['officer'] },
  false_positive: { action: 'false-positive', roles: ['officer'] },
  disposing: { action: 'start-disposal', roles: ['supervisor'] },
  reinspected: { action: 'reinspect', roles: ['officer'] },
  closed: { action: 'close', roles: ['supervisor'] },
} as const satisfies Record<TargetState, { action: string; roles: readonly Role[] }>);

/** One action, with the state it leads to, the states it may start from and its roles (an admin's besides). */
export interface CaseAction {
  action: string;
  to: TargetState;
  from: CaseState[];
  roles: Role[];
}

/** Every action, in lifecycle order. */
export const CASE_ACTIONS: readonly CaseAction[] = Object.freeze(
  (Object.keys(caseActions) as TargetState[]).map((to) => ({
    action: caseActions[to].action,
    to,
    from: CASE_STATES.filter((from) => (caseLifecycle[from] as readonly string[]).includes(to)),
    roles: [...caseActions[to].roles] as Role[],
  })),
);

/** What the person in the field or at the desk records with a transition. */
export interface TransitionInput {
  actor: string;
  /** The actor's role: a refusal lists only the next states it may move the case to (all when not given). */
  role?: Role;
  lon?: number | null;
  lat?: number | null;
  note?: string | null;
  /** Field photos, in the evidence store once the transaction commits. */
  photos?: StoredFile[];
  /**
   * The client's id for this submission: a retry of one that was recorded by the same user with
   * the same action returns the recorded event instead of a conflict (the field page retries
   * submissions made while offline); sent again with other content it is refused.
   */
  submissionId?: string;
  /** When the device recorded it, if it was sent later. */
  recordedAt?: Date;
}

/**
 * Moves a case by `action` inside `trx`; ConflictError (listing the states allowed from here)
 * when the lifecycle does not allow it. The photos get an evidence row each, named by the event.
 * A submission already recorded returns its event and changes nothing; SubmissionReused when
 * its content differs.
 */
export async function transitionCase(trx: Knex.Transaction, caseId: number, action: CaseAction, input: TransitionInput): Promise<CaseEvent> {
  const row = await trx('cases').where({ id: caseId }).forUpdate().first('state');
  const recorded = input.submissionId === undefined ? null : await submittedEvent(trx, caseId, action, input.actor, input.submissionId);
  if (recorded) {
    checkSameSubmission(recorded, input);
    return recorded;
  }
  const from = row.state as CaseState;
  checkTransition(caseId, from, action, input.role);
  const photos = input.photos ?? [];
  const data: Record<string, unknown> = {};
  if (photos.length > 0) data.photos = photos.map((p) => ({ sha256: p.sha256, media_type: p.mediaType, bytes: p.bytes }));
  if (input.submissionId !== undefined) data.submission_id = input.submissionId;
  if (input.recordedAt !== undefined) data.recorded_at = input.recordedAt.toISOString();
  const event = await appendCaseEvent(trx, caseId, {
    kind: action.to, fromState: from, toState: action.to, actor: input.actor, at: new Date(),
    lon: input.lon ?? null, lat: input.lat ?? null, note: input.note ?? null, data,
  });
  await trx('cases').where({ id: caseId }).update({ state: action.to, updated_at: trx.fn.now() });
  if (photos.length > 0) {
    await trx('evidence').insert(
      photos.map((p, i) => ({
        case_id: caseId, kind: 'photo', name: `event-${event.seq}-photo-${i + 1}${extensions[p.mediaType] ?? ''}`, sha256: p.sha256, media_type: p.mediaType, bytes: p.bytes,
      })),
    );
  }
  return event;
}

/** The event `actor` recorded with `action` for a client's submission to the case, or null: a key is another user's or another action's key. */
export async function submittedEvent(knex: Knex, caseId: number, action: CaseAction, actor: string, submissionId: string): Promise<CaseEvent | null> {
  const row = await knex('case_events').where({ case_id: caseId, kind: action.to, actor }).whereRaw("data->>'submission_id' = ?", [submissionId]).first();
  return row ? toCaseEvent(row) : null;
}

/** Throws SubmissionReused naming the first field in which `input` differs from the submission recorded as `recorded`. */
function checkSameSubmission(recorded: CaseEvent, input: TransitionInput): void {
  const data = recorded.data ?? {};
  const photos = (data.photos as { sha256: string }[] | undefined) ?? [];
  const fields: [string, unknown, unknown][] = [
    ['lon', recorded.lon ?? null, input.lon ?? null],
    ['lat', recorded.lat ?? null, input.lat ?? null],
    ['note', recorded.note ?? null, input.note ?? null],
    ['recorded_at', data.recorded_at ?? null, input.recordedAt?.toISOString() ?? null],
    ['photo', photos.map((p) => p.sha256).join(','), (input.photos ?? []).map((p) => p.sha256).join(',')],
  ];
  const differing = fields.find(([, before, now]) => before !== now);
  if (differing) {
    throw new SubmissionReused(
      `idempotency-key: ${input.submissionId} was sent with event ${recorded.seq}, whose ${differing[0]} differs from this request's`,
      'a retry sends the same content again; a new submission needs a new Idempotency-Key',
    );
  }
}

/** An Idempotency-Key sent again by the same user and action with other content (the service answers 422). */
export class SubmissionReused extends BadInputError {
  constructor(message: string, hint: string) {
    super(message, hint, 'idempotency-key');
  }
}

/**
 * Throws AllowedStatesConflict when the lifecycle does not allow `action` from `from`, listing the
 * next states `role` may move the case to (an admin any; all of them when no role is given).
 */
export function checkTransition(caseId: number, from: CaseState, action: CaseAction, role?: Role): void {
  const next = caseLifecycle[from] as readonly TargetState[];
  if (next.includes(action.to)) return;
  const yours = next.filter((to) => role === undefined || role === 'admin' || (caseActions[to].roles as readonly Role[]).includes(role));
  const hint = next.length === 0 ? 'the case is in a final state' : yours.length > 0 ? `allowed next states: ${yours.join(', ')}` : `its next states (${next.join(', ')}) are for other roles`;
  throw new AllowedStatesConflict(`case ${caseId} is ${from}: it cannot move to ${action.to}`, yours, hint);
}

/** A refused transition, with the states the case may move to instead. */
export class AllowedStatesConflict extends ConflictError {
  readonly allowed: CaseState[];
  constructor(message: string, allowed: CaseState[], hint: string) {
    super(message, hint);
    this.allowed = allowed;
  }
}

const extensions: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp' };
