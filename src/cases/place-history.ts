/**
 * One place, one file (一户一档): everything ever found where a case stands, across flights and
 * jobs: every candidate whose outline overlaps the case's (whether or not it became a suspect),
 * every other case there, each with its state and evidence files, and the register buildings
 * there with what each survey measured of them.
 */
import type { Knex } from 'knex';
import { dateText } from './read.js';
import { overlapArea } from '../db/overlap.js';

/** An evidence file as the history lists it. */
export interface PlaceEvidence {
  kind: string;
  name: string;
  sha256: string;
  mediaType: string;
}

/** A change found at the place by one job. */
export interface PlaceCandidate {
  id: number;
  jobId: number;
  flightDate: string | null;
  model: string | null;
  changeKind: string;
  areaM2: number;
  heightChangeM: number | null;
  suspect: boolean | null;
  violation: string | null;
  /** The overlay's decision as it stored it (English). */
  decision: string | null;
  /** The decision as a key of the pages' vocabulary (`decision.<key>`) and its values, for a page to say in its language; null when unknown. */
  decisionKey: string | null;
  decisionValues: Record<string, string>;
  caseId: number | null;
  caseState: string | null;
  evidence: PlaceEvidence[];
}

/** Another case at the place. */
export interface PlaceCase {
  id: number;
  state: string;
  violation: string;
  changeKind: string;
  flightDate: string | null;
  evidence: PlaceEvidence[];
}

/** What one survey measured of a register building. */
export interface BuildingObservation {
  jobId: number;
  flightDate: string | null;
  areaM2: number;
  roofHeightM: number | null;
  floors: number | null;
  rooftopStructures: number;
  legality: string;
  violation: string;
  permitNo: string | null;
}

/** A register building at the place: its current state and its observations, oldest flight first. */
export interface PlaceBuilding {
  id: number;
  legality: string;
  violation: string;
  permitNo: string | null;
  caseId: number | null;
  observations: BuildingObservation[];
}

/** The history of the place where case `caseId` stands. */
export interface PlaceHistory {
  candidates: PlaceCandidate[];
  cases: PlaceCase[];
  buildings: PlaceBuilding[];
}

/**
 * Candidates, other cases and register buildings overlapping case `caseId` (sharing area, not
 * only an edge; a building also when a candidate of the case names it), oldest flight first; with
 * `grids` (an officer's), only those in these grids.
 */
export async function placeHistory(knex: Knex, caseId: number, grids: string[] | null): Promise<PlaceHistory> {
  const overlaps = (alias: string) => `ST_Intersects(${alias}.geom, here.geom) AND ${overlapArea(`${alias}.geom`, 'here.geom')} > 0`;
  const inGrids = (alias: string) => (grids === null ? '' : grids.length === 0 ? ' AND false' : ` AND ${alias}.grid_id IN (${grids.map(() => '?').join(', ')})`);
  const candidates = await knex.raw(
    `SELECT s.id, s.job_id, j.after_date, j.model, s.change_kind, s.area_m2, s.height_change_m, s.suspect, s.violation, s.decision, s.case_id, k.state AS case_state
     FROM cases here JOIN candidates s ON ${overlaps('s')} JOIN jobs j ON j.id = s.job_id LEFT JOIN cases k ON k.id = s.case_id
     WHERE here.id = ?${inGrids('s')} ORDER BY j.after_date, s.id`,
    [caseId, ...(grids ?? [])],
  );
  const cases = await knex.raw(
    `SELECT k.id, k.state, k.violation, k.change_kind, k.flight_date FROM cases here JOIN cases k ON k.id <> here.id AND ${overlaps('k')}
     WHERE here.id = ?${inGrids('k')} ORDER BY k.flight_date, k.id`,
    [caseId, ...(grids ?? [])],
  );
  const buildings = await knex.raw(
    `SELECT b.id, b.legality, b.violation, b.permit_no, b.case_id FROM cases here JOIN buildings b
       ON (${overlaps('b')}) OR b.id IN (SELECT building_id FROM candidates WHERE case_id = here.id)
     WHERE here.id = ?${inGrids('b')} ORDER BY b.id`,
    [caseId, ...(grids ?? [])],
  );
  const observations = await knex('building_observations')
    .whereIn('building_id', buildings.rows.map((r: { id: string }) => Number(r.id)))
    .orderBy(['flight_date', 'job_id']);
  const candidateIds = candidates.rows.map((r: { id: string }) => Number(r.id));
  const caseIds = cases.rows.map((r: { id: string }) => Number(r.id));
  const evidence = await knex('evidence')
    .whereIn('candidate_id', candidateIds)
    .orWhere((q) => q.whereIn('case_id', caseIds).whereNull('candidate_id'))
    .orderBy('id');
  const files = (rows: Record<string, unknown>[]) => rows.map((e) => ({ kind: String(e.kind), name: String(e.name), sha256: String(e.sha256), mediaType: String(e.media_type) }));
  return {
    candidates: candidates.rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id), jobId: Number(r.job_id), flightDate: dateText(r.after_date), model: (r.model as string | null) ?? null, changeKind: String(r.change_kind),
      areaM2: Number(r.area_m2), heightChangeM: r.height_change_m === null ? null : Number(r.height_change_m), suspect: (r.suspect as boolean | null) ?? null,
      violation: (r.violation as string | null) ?? null, decision: (r.decision as string | null) ?? null, ...decisionWords(r.decision as string | null),
      caseId: r.case_id === null ? null : Number(r.case_id), caseState: (r.case_state as string | null) ?? null,
      evidence: files(evidence.filter((e) => Number(e.candidate_id) === Number(r.id))),
    })),
    cases: cases.rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id), state: String(r.state), violation: String(r.violation), changeKind: String(r.change_kind), flightDate: dateText(r.flight_date),
      evidence: files(evidence.filter((e) => Number(e.case_id) === Number(r.id) && e.candidate_id === null)),
    })),
    buildings: buildings.rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id), legality: String(r.legality), violation: String(r.violation), permitNo: (r.permit_no as string | null) ?? null,
      caseId: r.case_id === null ? null : Number(r.case_id),
      observations: observations.filter((o) => Number(o.building_id) === Number(r.id)).map((o) => ({
        jobId: Number(o.job_id), flightDate: dateText(o.flight_date), areaM2: Number(o.area_m2), roofHeightM: o.roof_height_m === null ? null : Number(o.roof_height_m),
        floors: o.floors === null ? null : Number(o.floors), rooftopStructures: Number(o.rooftop_structures), legality: String(o.legality),
        violation: String(o.violation), permitNo: (o.permit_no as string | null) ?? null,
      })),
    })),
  };
}

/**
 * The decisions the overlay writes (src/pipeline/overlay/sql.ts, in English), each as a pattern
 * and the names of its values; place-history.test.ts holds this list to the SQL's texts.
 */
const decisionPatterns: readonly [key: string, pattern: RegExp, names: string[]][] = [
  ['demolition', /^demolition: evidence for re-inspection, not a new case$/, []],
  ['exempt_zone', /^in exempt zone (.+)$/, ['zone']],
  ['below_min_area', /^smaller than the zone minimum of (\S+) m²$/, ['area']],
  ['below_min_height', /^height change under the zone minimum of (\S+) m$/, ['height']],
  ['permit_expired', /^permit (.+) expired on (\S+)$/, ['permit', 'date']],
  ['permit_not_yet_valid', /^permit (.+) is valid only from (\S+)$/, ['permit', 'date']],
  ['no_plan', /^no valid plan covers it$/, []],
  ['outside_footprint', /^(\S+)% outside the permitted footprint \(permit (.+)\)$/, ['share', 'permit']],
  ['exceeds_floors', /^(\S+) floors, permit (.+) allows (\S+) floors$/, ['floors', 'permit', 'allowed']],
  ['exceeds_height', /^(\S+) m high, permit (.+) allows (\S+) m$/, ['height', 'permit', 'allowed']],
  ['within_no_height_limit', /^within permit (.+) \(no height limit given\)$/, ['permit']],
  ['within_height_not_measured', /^within permit (.+) \(height not measured\)$/, ['permit']],
  ['within_floors', /^within permit (.+): (\S+) floors, (\S+) floors allowed$/, ['permit', 'floors', 'allowed']],
  // written by the survey's overlay (src/pipeline/overlay/survey.ts), not by sql.ts
  ['part_of_building', /^on building (.+), itself a suspect: part of its case$/, ['building']],
  ['within', /^within permit (.+): (\S+) m high, (\S+) m allowed \(\+(\S+) m tolerance\)$/, ['permit', 'height', 'allowed', 'tolerance']],
];

/** A stored decision as a vocabulary key and its values (so the pages can say it in Chinese). */
export function decisionWords(decision: string | null): { decisionKey: string | null; decisionValues: Record<string, string> } {
  for (const [key, pattern, names] of decisionPatterns) {
    const match = decision === null ? null : pattern.exec(decision);
    if (match) return { decisionKey: key, decisionValues: Object.fromEntries(names.map((name, i) => [name, match[i + 1]])) };
  }
  return { decisionKey: null, decisionValues: {} };
}
