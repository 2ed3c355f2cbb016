/**
 * Reads the cases an export shows: by optional filters, with their outlines in WGS84 and in the
 * project CRS, and for dossiers their events and evidence files. Small on purpose; the service's
 * case queries may take it over.
 */
import type { Knex } from 'knex';
import type { CaseEvent } from '../cases/events.js';
import { evidencePath } from '../cases/evidence-store.js';
import type { CaseDossier, CaseRecord, EvidenceFile } from '../cases/record.js';
import type { CaseState } from '../cases/states.js';
import { BadInputError } from '../errors.js';
import type { Violation } from '../pipeline/types.js';

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
  const query = knex('cases')
    .select(
      'id', 'state', 'violation', 'change_kind', 'priority', 'grid_id', 'zones', 'permit_no', 'area_m2', 'height_change_m', 'height_after_m',
      'detected_at', 'updated_at',
      knex.raw(`to_char(flight_date, 'YYYY-MM-DD') AS flight_date`),
      knex.raw('ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(geom, 4326)), 8) AS outline'),
      knex.raw('ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 3) AS project_outline'),
      knex.raw('ST_SRID(geom) AS srid'),
    )
    .orderBy('id');
  if (selection.state) query.where({ state: selection.state });
  if (selection.violation) query.where({ violation: selection.violation });
  if (selection.gridId) query.where({ grid_id: selection.gridId });
  if (selection.jobId !== undefined) query.whereIn('id', knex('candidates').where({ job_id: selection.jobId }).whereNotNull('case_id').select('case_id'));
  if (selection.ids) query.whereIn('id', selection.ids);
  return (await query).map(caseRecord);
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
    events: events.filter((e) => Number(e.case_id) === record.id).map(caseEvent),
    evidence: evidence.filter((e) => Number(e.case_id) === record.id).map((e): EvidenceFile => ({
      kind: e.kind, name: e.name, sha256: e.sha256, mediaType: e.media_type, path: evidencePath(evidenceRoot, e.sha256),
    })),
  }));
}

function caseRecord(row: Record<string, any>): CaseRecord {
  return {
    id: Number(row.id), state: row.state, violation: row.violation, changeKind: row.change_kind, priority: Number(row.priority),
    gridId: row.grid_id, zones: row.zones, permitNo: row.permit_no, areaM2: Number(row.area_m2),
    heightChangeM: numberOrNull(row.height_change_m), heightAfterM: numberOrNull(row.height_after_m), flightDate: row.flight_date,
    detectedAt: new Date(row.detected_at), updatedAt: new Date(row.updated_at),
    outline: JSON.parse(row.outline).coordinates,
    projectOutline: { epsg: Number(row.srid), coordinates: JSON.parse(row.project_outline).coordinates },
  };
}

function caseEvent(row: Record<string, any>): CaseEvent {
  return {
    id: Number(row.id), caseId: Number(row.case_id), seq: Number(row.seq), kind: row.kind, fromState: row.from_state, toState: row.to_state,
    actor: row.actor, at: new Date(row.at), lon: numberOrNull(row.lon), lat: numberOrNull(row.lat), note: row.note, data: row.data,
    prevHash: row.prev_hash, hash: row.hash,
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
