/**
 * Reads the cases an export shows: by optional filters, as the service reads them
 * (`cases/read.ts`), and for dossiers their events and evidence files, all cases at once.
 */
import type { Knex } from 'knex';
import { evidencePath } from '../cases/evidence-store.js';
import { caseColumns, toCaseEvent, toCaseRecords } from '../cases/read.js';
import type { CaseDossier, CaseRecord, EvidenceFile } from '../cases/record.js';
import type { CaseState } from '../cases/states.js';
import { projectEpsg } from '../db/project-crs.js';
import { BadInputError } from '../errors.js';
import type { Violation } from '../vocabulary.js';

/** Which cases to read; every field given must match (ids: any of them). */
export interface CaseSelection {
  state?: CaseState;
  violation?: Violation;
  gridId?: string;
  /** Cases the detect job found (created, updated or reopened). */
  jobId?: number;
  ids?: number[];
}

/** The selected cases, by id. */
export async function readCases(knex: Knex, selection: CaseSelection = {}): Promise<CaseRecord[]> {
  const query = knex('cases as c').select(knex.raw(caseColumns)).orderBy('c.id');
  if (selection.state) query.where('c.state', selection.state);
  if (selection.violation) query.where('c.violation', selection.violation);
  if (selection.gridId) query.where('c.grid_id', selection.gridId);
  if (selection.jobId !== undefined) query.whereIn('c.id', knex('candidates').where({ job_id: selection.jobId }).whereNotNull('case_id').select('case_id'));
  if (selection.ids) query.whereIn('c.id', selection.ids);
  return toCaseRecords(await query, (await projectEpsg(knex)) ?? 4326);
}

/** Refuses an empty selection, and cases asked for by id that are not among those found. */
export function refuseIncomplete(found: number[], selection: CaseSelection): void {
  const missing = (selection.ids ?? []).filter((id) => !found.includes(id));
  const filters = describeSelection(selection, false);
  if (missing.length > 0) throw new BadInputError(`case${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not found${filters ? ` among cases ${filters}` : ''}`);
  if (found.length === 0) throw new BadInputError(`no cases ${describeSelection(selection, true) || 'in the database'}; nothing written`);
}

/** The filters in words ("with state closed, in grid WG-1"). */
export function describeSelection(selection: CaseSelection, withIds: boolean): string {
  const parts = [
    selection.state && `with state ${selection.state}`,
    selection.violation && `with violation ${selection.violation}`,
    selection.gridId && `in grid ${selection.gridId}`,
    selection.jobId !== undefined && `found by job ${selection.jobId}`,
    withIds && selection.ids && `among ids ${selection.ids.join(', ')}`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** The dossiers of `records`: their events (in order) and evidence files in the store at `evidenceRoot`. */
export async function readDossiers(knex: Knex, records: CaseRecord[], evidenceRoot: string): Promise<CaseDossier[]> {
  const ids = records.map((r) => r.id);
  const [events, evidence] = await Promise.all([
    knex('case_events').whereIn('case_id', ids).orderBy(['case_id', 'seq']),
    knex('evidence').whereIn('case_id', ids).orderBy('id').select('case_id', 'kind', 'name', 'sha256', 'media_type'),
  ]);
  return records.map((record) => ({
    record,
    events: events.filter((e) => Number(e.case_id) === record.id).map(toCaseEvent),
    evidence: evidence.filter((e) => Number(e.case_id) === record.id).map((e): EvidenceFile => ({
      kind: e.kind, name: e.name, sha256: e.sha256, mediaType: e.media_type, path: evidencePath(evidenceRoot, e.sha256),
    })),
  }));
}
