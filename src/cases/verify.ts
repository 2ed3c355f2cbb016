/**
 * Checking that the record of a case is untouched. The chain: every event's hash is recomputed
 * from its fields, its link to the one before checked, and its end compared with the head the
 * case row keeps (so events deleted from the end show). The case row: its state must be the one
 * the chain leads to, and each move must start from where the chain left the case; its grid and
 * outline must be those its last detection recorded. The files: every evidence file of the case
 * (chips, re-inspection evidence, field photos, and the photos an event names) is hashed again on
 * disk. Every break found is named by its kind, with the event or file where it is.
 */
import { readFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import { eventHash, outlineSha256Sql, PLACING_KINDS, type CaseEvent } from './events.js';
import { evidencePath, sha256Of } from './evidence-store.js';
import { readCaseEvents } from './read.js';
import type { CaseState } from './states.js';

/** The kinds of break, each a way the record was tampered with. */
export const BREAK_KINDS = Object.freeze([
  'event_missing', 'link_broken', 'event_changed', 'chain_cut', 'head_changed',
  'state_changed', 'grid_changed', 'outline_changed', 'evidence_missing', 'evidence_changed',
] as const);

/** A kind of break. */
export type BreakKind = (typeof BREAK_KINDS)[number];

/** One break in the record of a case: its kind, where it is (an event's sequence number or a file), and why. */
export interface ChainBreak {
  kind: BreakKind;
  event?: number;
  evidence?: { name: string; sha256: string };
  reason: string;
}

/** What the check found. */
export interface ChainVerification {
  caseId: number;
  ok: boolean;
  events: number;
  files: number;
  /** The head the case row keeps: the hash of its newest event and that event's sequence number. */
  head: { hash: string | null; eventCount: number };
  /** Every break found, chain first, then the case row, then the files; empty when the record is whole. */
  breaks: ChainBreak[];
}

interface CaseRow {
  state: CaseState;
  grid_id: string | null;
  outline_sha256: string;
  head_hash: string | null;
  event_count: number;
}

/** Recomputes the chain, the case row and the files of case `caseId` (which must exist). */
export async function verifyCaseChain(knex: Knex, caseId: number, evidenceDir: string): Promise<ChainVerification> {
  const row: CaseRow = (await knex.raw(`SELECT state, grid_id, head_hash, event_count, ${outlineSha256Sql} AS outline_sha256 FROM cases WHERE id = ?`, [caseId])).rows[0];
  const events = await readCaseEvents(knex, caseId);
  const files = await filesToCheck(knex, caseId, events.flatMap((e) => photosOf(e.data).map((p) => ({ name: `photo of event ${e.seq}`, sha256: p }))));
  // a chain cut at its end no longer says where the case stands: the cut is the break to report
  const cut = (events.at(-1)?.seq ?? 0) < Number(row.event_count);
  const rowBreaks = cut ? [] : [...stateBreaks(events, row), ...(await placementBreaks(knex, events, row))];
  const breaks = [...chainBreaks(events), ...headBreaks(events, row), ...rowBreaks, ...(await fileBreaks(files, evidenceDir))];
  return { caseId, ok: breaks.length === 0, events: events.length, files: files.length, head: { hash: row.head_hash, eventCount: Number(row.event_count) }, breaks };
}

/** Each event's sequence number, link and hash; one break per event at most. */
function chainBreaks(events: CaseEvent[]): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  for (const [index, event] of events.entries()) {
    const before = index === 0 ? null : events[index - 1];
    const at = (kind: BreakKind, reason: string) => breaks.push({ kind, event: event.seq, reason });
    if (event.seq !== (before?.seq ?? 0) + 1) at('event_missing', `sequence number ${event.seq} follows ${before?.seq ?? 'the start'}: an event is missing before it`);
    else if (event.prevHash !== (before?.hash ?? null)) at('link_broken', "its link to the event before does not match that event's hash");
    else if (eventHash(event) !== event.hash) at('event_changed', 'its hash does not match its contents: the event was changed after it was written');
  }
  return breaks;
}

/** The chain's end against the head the case row keeps. */
function headBreaks(events: CaseEvent[], row: CaseRow): ChainBreak[] {
  const last = events.at(-1);
  const [lastSeq, count] = [last?.seq ?? 0, Number(row.event_count)];
  if (lastSeq < count) {
    return [{ kind: 'chain_cut', event: lastSeq + 1, reason: `the case's head is event ${count} but its chain ends at ${lastSeq === 0 ? 'no event' : `event ${lastSeq}`}: events were deleted from its end` }];
  }
  if (lastSeq > count) return [{ kind: 'head_changed', event: lastSeq, reason: `the chain ends at event ${lastSeq} but the case's head was set back to event ${count}` }];
  if ((last?.hash ?? null) !== row.head_hash) return [{ kind: 'head_changed', event: lastSeq, reason: `event ${lastSeq} is not the one the case's head names (${row.head_hash}): it was replaced` }];
  return [];
}

/** Each move starts where the chain left the case, and the case is in the state the chain leads to. */
function stateBreaks(events: CaseEvent[], row: CaseRow): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let state: CaseState | null = null;
  let movedBy = 0;
  for (const [index, event] of events.entries()) {
    // after a missing event (a break of its own) the chain does not say where the case stood
    const afterGap = index > 0 && event.seq !== events[index - 1].seq + 1;
    if (!afterGap && event.fromState !== null && state !== null && event.fromState !== state) {
      breaks.push({ kind: 'state_changed', event: event.seq, reason: `it moved the case from ${event.fromState}, but event ${movedBy} had left it ${state}: the state was changed outside the chain` });
    }
    if (event.toState !== null) [state, movedBy] = [event.toState, event.seq];
  }
  if (state !== null && row.state !== state) {
    breaks.push({ kind: 'state_changed', reason: `the case is ${row.state}, but its chain leaves it ${state} (event ${movedBy}): the state was changed outside the chain` });
  }
  return breaks;
}

/**
 * The case's grid and outline against those its last detection recorded. Detections from before
 * the chain recorded them (migration 005) name their candidate, whose grid and outline the case took.
 */
async function placementBreaks(knex: Knex, events: CaseEvent[], row: CaseRow): Promise<ChainBreak[]> {
  const detection = [...events].reverse().find((e) => PLACING_KINDS.includes(e.kind));
  if (!detection) return [];
  const data = detection.data ?? {};
  let recorded = { grid_id: data.grid_id as string | null, outline_sha256: data.outline_sha256 as string, source: `event ${detection.seq}` };
  if (!('outline_sha256' in data)) {
    if (data.candidate_id === undefined) return [];
    const candidate = await knex.raw(`SELECT grid_id, ${outlineSha256Sql} AS outline_sha256 FROM candidates WHERE id = ?`, [Number(data.candidate_id)]);
    if (candidate.rows.length === 0) return [];
    recorded = { ...candidate.rows[0], source: `candidate ${data.candidate_id} (named by event ${detection.seq})` };
  }
  const breaks: ChainBreak[] = [];
  if (row.grid_id !== recorded.grid_id) {
    breaks.push({ kind: 'grid_changed', event: detection.seq, reason: `the case is in grid ${row.grid_id ?? 'none'}, but ${recorded.source} put it in ${recorded.grid_id ?? 'none'}: the grid was changed outside the chain` });
  }
  if (row.outline_sha256 !== recorded.outline_sha256) {
    breaks.push({ kind: 'outline_changed', event: detection.seq, reason: `the case's outline is not the one ${recorded.source} recorded: it was changed outside the chain` });
  }
  return breaks;
}

/** Each file missing from the store or no longer hashing to its name. */
async function fileBreaks(files: { name: string; sha256: string }[], evidenceDir: string): Promise<ChainBreak[]> {
  const breaks: ChainBreak[] = [];
  for (const file of files) {
    const content = await readFile(evidencePath(evidenceDir, file.sha256)).catch(() => null);
    if (content === null) breaks.push({ kind: 'evidence_missing', evidence: file, reason: 'the file is missing from the evidence store' });
    else if (sha256Of(content) !== file.sha256) breaks.push({ kind: 'evidence_changed', evidence: file, reason: 'the file on disk no longer has its recorded SHA-256: it was changed' });
  }
  return breaks;
}

/** The evidence rows of the case and the photos its events name, each file once. */
async function filesToCheck(knex: Knex, caseId: number, eventPhotos: { name: string; sha256: string }[]): Promise<{ name: string; sha256: string }[]> {
  const rows: { name: string; sha256: string }[] = await knex('evidence').where({ case_id: caseId }).orderBy('id').select('name', 'sha256');
  const seen = new Set<string>();
  return [...rows, ...eventPhotos].filter((file) => !seen.has(file.sha256) && seen.add(file.sha256));
}

function photosOf(data: Record<string, unknown> | undefined): string[] {
  const photos = data?.photos;
  return Array.isArray(photos) ? photos.map((p) => String((p as { sha256: unknown }).sha256)) : [];
}
