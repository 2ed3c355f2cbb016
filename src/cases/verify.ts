/**
 * Checking that the record of a case is untouched: every event's hash is recomputed from its
 * fields and its link to the one before checked, and every evidence file of the case (chips,
 * re-inspection evidence, field photos, and the photos an event names) is hashed again on disk.
 * The first broken link is named: the event by its sequence number, the file by name and SHA-256.
 */
import { readFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import { eventHash } from './events.js';
import { evidencePath, sha256Of } from './evidence-store.js';
import { readCaseEvents } from './read.js';

/** The first broken link of a case's record. */
export type BrokenLink =
  | { event: number; reason: string }
  | { evidence: { name: string; sha256: string }; reason: string };

/** What the check found. */
export interface ChainVerification {
  caseId: number;
  ok: boolean;
  events: number;
  files: number;
  /** The first broken link, or null when the record is whole. */
  broken: BrokenLink | null;
}

/** Recomputes the chain and the files of case `caseId` (which must exist). */
export async function verifyCaseChain(knex: Knex, caseId: number, evidenceDir: string): Promise<ChainVerification> {
  const events = await readCaseEvents(knex, caseId);
  const files = await filesToCheck(knex, caseId, events.flatMap((e) => photosOf(e.data).map((p) => ({ name: `photo of event ${e.seq}`, sha256: p }))));
  const result = (broken: BrokenLink | null): ChainVerification => ({ caseId, ok: broken === null, events: events.length, files: files.length, broken });
  let prevHash: string | null = null;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return result({ event: event.seq, reason: `sequence number ${event.seq} where ${index + 1} belongs: an event is missing` });
    if (event.prevHash !== prevHash) return result({ event: event.seq, reason: 'its link to the event before does not match that event\'s hash' });
    if (eventHash(event) !== event.hash) return result({ event: event.seq, reason: 'its hash does not match its contents: the event was changed after it was written' });
    prevHash = event.hash;
  }
  for (const file of files) {
    const content = await readFile(evidencePath(evidenceDir, file.sha256)).catch(() => null);
    if (content === null) return result({ evidence: file, reason: 'the file is missing from the evidence store' });
    if (sha256Of(content) !== file.sha256) return result({ evidence: file, reason: 'the file on disk no longer has its recorded SHA-256: it was changed' });
  }
  return result(null);
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
