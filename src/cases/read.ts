/**
 * Reading cases from the database as `CaseRecord`s (outline in WGS84 and in the project CRS),
 * with the clock of their current stage, and a whole dossier (events and evidence files).
 * A scope limits what an officer sees to the grids assigned to them.
 */
import type { Knex } from 'knex';
import { projectEpsg } from '../db/project-crs.js';
import { NotFoundError } from '../errors.js';
import { bboxCondition, type Wgs84Bbox } from '../geo/bbox.js';
import { toWgs84, type CoordinateTransform } from '../geo/crs.js';
import { transformPolygons, type PolygonRings } from '../geo/geojson.js';
import { stageClock, type StageClock, type StageDeadlines } from './deadlines.js';
import type { CaseEvent } from './events.js';
import { evidencePath } from './evidence-store.js';
import type { CaseDossier, CaseRecord, EvidenceFile } from './record.js';

/** Which cases a reader may see: every case, or only those in the given grids (an officer's). */
export type CaseScope = { grids: string[] | null };

/** A case with where it stands against its stage's deadline. */
export interface CaseWithClock {
  record: CaseRecord;
  clock: StageClock;
  /** The job that first found it. */
  firstJobId: number;
}

/** SQL (on alias `c`) for when a case entered its current state: its last move there, else its detection. */
export const stateSinceSql = `coalesce((SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_state = c.state
    AND e.from_state IS DISTINCT FROM e.to_state), c.detected_at)`;

/** Columns read for a case: the row, its outline as GeoJSON (rings as RFC 7946 wants) and when it entered its current state. */
export const caseColumns = `c.*, ST_AsGeoJSON(ST_ForcePolygonCCW(c.geom)) AS geojson, ${stateSinceSql} AS state_since`;

/** SQL condition (on alias `c`) and bindings that keep a query inside the scope. */
export function scopeCondition(scope: CaseScope): [string, Knex.RawBinding[]] {
  return scope.grids === null ? ['true', []] : ['c.grid_id = ANY(?::text[])', [scope.grids]];
}

/**
 * SQL conditions (on alias `c`) and their bindings, starting with the scope's: `add` one more,
 * `bbox` the selection's WGS84 box; `conditions` and `bindings` are the list so far.
 */
export function scopedConditions(scope: CaseScope, epsg: number) {
  const [scopeSql, scopeBindings] = scopeCondition(scope);
  const conditions = [scopeSql];
  const bindings: Knex.RawBinding[] = [...scopeBindings];
  const add = (sql: string, ...values: Knex.RawBinding[]) => {
    conditions.push(sql);
    bindings.push(...values);
  };
  const bbox = (box: Wgs84Bbox) => {
    const [sql, envelope] = bboxCondition('c.geom', box, epsg);
    add(sql, ...envelope);
  };
  return { conditions, bindings, add, bbox };
}

/** Turns rows read with `caseColumns` into records, given the project CRS. */
export function toCasesWithClock(rows: Record<string, unknown>[], epsg: number, deadlines: StageDeadlines, now = new Date()): CaseWithClock[] {
  const transform = toWgs84(epsg);
  return rows.map((row) => {
    const record = toCaseRecord(row, epsg, transform);
    return { record, clock: stageClock(record.state, new Date(row.state_since as string), deadlines, now), firstJobId: Number(row.first_job_id) };
  });
}

/** One case in scope; NotFoundError when there is none (or it is outside the scope). */
export async function readCase(knex: Knex, id: number, scope: CaseScope, deadlines: StageDeadlines): Promise<CaseWithClock> {
  const [where, bindings] = scopeCondition(scope);
  const result = await knex.raw(`SELECT ${caseColumns} FROM cases c WHERE c.id = ? AND ${where}`, [id, ...bindings]);
  if (result.rows.length === 0) throw new NotFoundError(`no case ${id}`);
  return toCasesWithClock(result.rows, (await projectEpsg(knex)) ?? 4326, deadlines)[0];
}

/** Whether case `id` exists, whoever may see it. */
export async function caseExists(knex: Knex, id: number): Promise<boolean> {
  return (await knex('cases').where({ id }).first('id')) !== undefined;
}

/** The events of a case, oldest first. */
export async function readCaseEvents(knex: Knex, caseId: number): Promise<CaseEvent[]> {
  return (await knex('case_events').where({ case_id: caseId }).orderBy('seq')).map(toCaseEvent);
}

/** A `case_events` row as a CaseEvent. */
export function toCaseEvent(row: Record<string, unknown>): CaseEvent {
  return {
    id: Number(row.id), caseId: Number(row.case_id), seq: Number(row.seq), kind: String(row.kind), fromState: row.from_state as CaseEvent['fromState'],
    toState: row.to_state as CaseEvent['toState'], actor: String(row.actor), at: new Date(row.at as string), lon: numberOrNull(row.lon), lat: numberOrNull(row.lat),
    note: (row.note as string | null) ?? null, data: row.data as Record<string, unknown>, prevHash: (row.prev_hash as string | null) ?? null, hash: String(row.hash),
  };
}

/** The evidence files of a case (detection chips, re-inspection evidence, field photos), oldest first. */
export async function readCaseEvidence(knex: Knex, caseId: number, evidenceDir: string): Promise<EvidenceFile[]> {
  const rows = await knex('evidence').where({ case_id: caseId }).orderBy('id');
  return rows.map((row) => ({ kind: row.kind, name: row.name, sha256: row.sha256, mediaType: row.media_type, path: evidencePath(evidenceDir, row.sha256) }));
}

/** The media type of evidence file `sha256` when it belongs to a case in scope (directly or through its candidate), else null. */
export async function readEvidenceMediaType(knex: Knex, sha256: string, scope: CaseScope): Promise<string | null> {
  const [where, bindings] = scopeCondition(scope);
  const result = await knex.raw(
    `SELECT e.media_type FROM evidence e LEFT JOIN candidates s ON s.id = e.candidate_id LEFT JOIN cases c ON c.id = coalesce(e.case_id, s.case_id)
     WHERE e.sha256 = ? AND ${where} LIMIT 1`,
    [sha256, ...bindings],
  );
  return result.rows[0]?.media_type ?? null;
}

/** Everything a dossier of the case shows. */
export async function readCaseDossier(knex: Knex, id: number, evidenceDir: string, scope: CaseScope = { grids: null }): Promise<CaseDossier> {
  const { record } = await readCase(knex, id, scope, {});
  return { record, events: await readCaseEvents(knex, id), evidence: await readCaseEvidence(knex, id, evidenceDir) };
}

/** Rows read with `caseColumns` as records, given the project CRS. */
export function toCaseRecords(rows: Record<string, unknown>[], epsg: number): CaseRecord[] {
  const transform = toWgs84(epsg);
  return rows.map((row) => toCaseRecord(row, epsg, transform));
}

function toCaseRecord(row: Record<string, unknown>, epsg: number, transform: CoordinateTransform): CaseRecord {
  const coordinates = (JSON.parse(row.geojson as string) as { coordinates: PolygonRings[] }).coordinates;
  return {
    id: Number(row.id), state: row.state as CaseRecord['state'], violation: row.violation as CaseRecord['violation'],
    changeKind: row.change_kind as CaseRecord['changeKind'], priority: Number(row.priority), gridId: (row.grid_id as string | null) ?? null,
    zones: (row.zones as string[]) ?? [], permitNo: (row.permit_no as string | null) ?? null, areaM2: Number(row.area_m2),
    heightChangeM: numberOrNull(row.height_change_m), heightAfterM: numberOrNull(row.height_after_m), flightDate: dateText(row.flight_date),
    detectedAt: new Date(row.detected_at as string), updatedAt: new Date(row.updated_at as string),
    outline: transformPolygons(coordinates, transform), projectOutline: { epsg, coordinates },
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A `date` column as YYYY-MM-DD, whichever way the driver hands it over. */
export function dateText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const local = new Date(value.getTime() - value.getTimezoneOffset() * 60_000);
    return local.toISOString().slice(0, 10);
  }
  return String(value).slice(0, 10);
}
