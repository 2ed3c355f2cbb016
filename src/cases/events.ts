/**
 * Case events (DESIGN.md section 7): append-only, each chained to the one before by hash, so that
 * the record of a case can be shown untouched, and each written with an outbox row in the same
 * transaction, so that webhooks deliver every event (`outbox` is read by the service). The case
 * row keeps the chain's head, which the database moves as each event is appended (migration 005).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { CaseState } from './states.js';

/** What happened to a case. */
export interface CaseEventInput {
  kind: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  /** Who did it: a user name, or `zhiwei detect` for the pipeline. */
  actor: string;
  at: Date;
  lon?: number | null;
  lat?: number | null;
  note?: string | null;
  data?: Record<string, unknown>;
}

/** A stored event. */
export interface CaseEvent extends CaseEventInput {
  id: number;
  caseId: number;
  seq: number;
  prevHash: string | null;
  hash: string;
}

/**
 * Event kinds that place a case: emission has just written its grid and outline from a candidate.
 * They record both (`grid_id`, `outline_sha256` in their data), so that a later edit of either shows.
 */
export const PLACING_KINDS: readonly string[] = Object.freeze(['detected', 'redetected', 'reopened']);

/** SQL (on table `cases`, or any with a `geom`) for the SHA-256 of the outline's WKB, in hex: the outline as the chain records it. */
export const outlineSha256Sql = `encode(sha256(ST_AsBinary(geom)), 'hex')`;

/**
 * Appends an event to a case inside `trx`. The case row is locked and the event follows its head
 * (`head_hash`, `event_count`), which the database then moves to it, so the chain stays linear.
 */
export async function appendCaseEvent(trx: Knex.Transaction, caseIdGiven: number | string, input: CaseEventInput): Promise<CaseEvent> {
  // node-postgres returns bigserial ids as text; the hash must see the number either way
  const caseId = Number(caseIdGiven);
  const head = await trx.raw(`SELECT head_hash, event_count, grid_id, ${outlineSha256Sql} AS outline_sha256 FROM cases WHERE id = ? FOR UPDATE`, [caseId]);
  const { head_hash: prevHash, event_count: count, grid_id: gridId, outline_sha256: outlineSha256 } = head.rows[0];
  const seq = Number(count) + 1;
  const data = PLACING_KINDS.includes(input.kind) ? { ...input.data, grid_id: gridId, outline_sha256: outlineSha256 } : (input.data ?? {});
  const event = { ...input, data, caseId, seq, prevHash: prevHash as string | null, hash: '' };
  event.hash = eventHash(event);
  const [{ id }] = await trx('case_events')
    .insert({
      case_id: caseId, seq, kind: input.kind, from_state: input.fromState, to_state: input.toState, actor: input.actor, at: input.at,
      lon: input.lon ?? null, lat: input.lat ?? null, note: input.note ?? null, data: JSON.stringify(data), prev_hash: prevHash, hash: event.hash,
    })
    .returning('id');
  const stored: CaseEvent = { ...event, id: Number(id) };
  await trx('outbox').insert({ case_id: caseId, event_id: stored.id, topic: `case.${input.kind}`, payload: JSON.stringify(eventPayload(stored)) });
  return stored;
}

/**
 * SHA-256 over the previous hash and the event's fields in a fixed order (timestamps as ISO text,
 * object keys sorted), so that the same event always hashes the same on either backend.
 */
export function eventHash(event: Omit<CaseEvent, 'id' | 'hash'>): string {
  const fields = [
    event.caseId, event.seq, event.kind, event.fromState, event.toState, event.actor, event.at.toISOString(),
    event.lon ?? null, event.lat ?? null, event.note ?? null, sortKeys(event.data ?? {}),
  ];
  return createHash('sha256').update(event.prevHash ?? '').update(JSON.stringify(fields)).digest('hex');
}

/** The event as a webhook receives it (delivery adds the case's head as it is when sent). */
function eventPayload(event: CaseEvent): Record<string, unknown> {
  return {
    case_id: event.caseId, seq: event.seq, kind: event.kind, from_state: event.fromState, to_state: event.toState, actor: event.actor,
    at: event.at.toISOString(), lon: event.lon ?? null, lat: event.lat ?? null, note: event.note ?? null, data: event.data ?? {}, hash: event.hash,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
