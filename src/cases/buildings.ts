/**
 * Reading the building register (存量建筑台账) that surveys fill: the buildings as they stand now,
 * filtered by legality, violation, grid, the survey job that saw them and a WGS84 bounding box; one
 * building with its observations (one per survey), the rooftop structures its last survey found and
 * the cases found on it by any job. An officer sees the buildings of their grids only, as cases.
 */
import type { Knex } from 'knex';
import { projectEpsg } from '../db/project-crs.js';
import { NotFoundError } from '../errors.js';
import type { Wgs84Bbox } from '../geo/bbox.js';
import { toWgs84 } from '../geo/crs.js';
import { transformPolygons, type PolygonRings } from '../geo/geojson.js';
import { dateText, scopeCondition, scopedConditions, type CaseScope } from './read.js';

/** A building's legality in the register. */
export const LEGALITIES = Object.freeze(['legal', 'suspect'] as const);

/** One of `LEGALITIES`. */
export type Legality = (typeof LEGALITIES)[number];

/** Which buildings: every filter is optional. */
export interface BuildingSelection {
  legalities?: string[];
  violations?: string[];
  grids?: string[];
  /** Buildings the survey job observed. */
  jobId?: number;
  bbox?: Wgs84Bbox;
}

/** A building of the register, its outline in WGS84 and in the project CRS. */
export interface BuildingRecord {
  id: number;
  outline: PolygonRings[];
  projectOutline: { epsg: number; coordinates: PolygonRings[] };
  areaM2: number;
  roofHeightM: number | null;
  roofHeightMaxM: number | null;
  floors: number | null;
  roofForm: 'flat' | 'pitched' | null;
  rooftopStructures: number;
  legality: Legality;
  violation: string;
  permitNo: string | null;
  gridId: string | null;
  caseId: number | null;
  firstJobId: number;
  lastJobId: number;
  flightDate: string | null;
}

/** One survey's measurement of a building. */
export interface BuildingObservation {
  jobId: number;
  flightDate: string | null;
  areaM2: number;
  roofHeightM: number | null;
  roofHeightMaxM: number | null;
  floors: number | null;
  roofForm: 'flat' | 'pitched' | null;
  rooftopStructures: number;
  legality: Legality;
  violation: string;
  permitNo: string | null;
}

/** A structure on the building's roof, as its last survey judged it. */
export interface RooftopStructureRecord {
  candidateId: number;
  outline: PolygonRings[];
  areaM2: number;
  heightAboveRoofM: number | null;
  heightM: number | null;
  suspect: boolean | null;
  violation: string | null;
  caseId: number | null;
}

/** A case found on the building. */
export interface BuildingCase {
  id: number;
  state: string;
  violation: string;
  changeKind: string;
  flightDate: string | null;
}

/** A building with its history, its rooftop structures and its cases. */
export interface BuildingDetail {
  building: BuildingRecord;
  observations: BuildingObservation[];
  rooftopStructures: RooftopStructureRecord[];
  cases: BuildingCase[];
}

/** The columns read for a building (alias `c`): the row and its outline as GeoJSON, rings as RFC 7946 wants. */
const buildingColumns = 'c.*, ST_AsGeoJSON(ST_ForcePolygonCCW(c.geom)) AS geojson';

/** SQL conditions (on alias `c`) and their bindings for the selection inside the scope. */
export function buildingConditions(selection: BuildingSelection, scope: CaseScope, epsg: number): [string[], Knex.RawBinding[]] {
  const { conditions, bindings, add, bbox } = scopedConditions(scope, epsg);
  if (selection.legalities?.length) add('c.legality = ANY(?::text[])', selection.legalities);
  if (selection.violations?.length) add('c.violation = ANY(?::text[])', selection.violations);
  if (selection.grids?.length) add('c.grid_id = ANY(?::text[])', selection.grids);
  if (selection.jobId !== undefined) add('EXISTS (SELECT 1 FROM building_observations o WHERE o.building_id = c.id AND o.job_id = ?)', selection.jobId);
  if (selection.bbox) bbox(selection.bbox);
  return [conditions, bindings];
}

/** A page of the selected buildings in scope, oldest first, and how many there are in all. */
export async function listBuildings(
  knex: Knex, selection: BuildingSelection, scope: CaseScope, page: { limit: number; offset?: number },
): Promise<{ total: number; buildings: BuildingRecord[] }> {
  const epsg = await projectEpsg(knex);
  if (epsg === null) return { total: 0, buildings: [] };
  const [conditions, bindings] = buildingConditions(selection, scope, epsg);
  const where = conditions.join(' AND ');
  const [count, rows] = await Promise.all([
    knex.raw(`SELECT count(*) AS total FROM buildings c WHERE ${where}`, bindings),
    knex.raw(`SELECT ${buildingColumns} FROM buildings c WHERE ${where} ORDER BY c.id LIMIT ? OFFSET ?`, [...bindings, page.limit, page.offset ?? 0]),
  ]);
  return { total: Number(count.rows[0].total), buildings: toBuildingRecords(rows.rows, epsg) };
}

/** Every selected building, oldest first (for an export: the whole register when nothing is selected). */
export async function readBuildings(knex: Knex, selection: BuildingSelection): Promise<BuildingRecord[]> {
  const epsg = await projectEpsg(knex);
  if (epsg === null) return [];
  const [conditions, bindings] = buildingConditions(selection, { grids: null }, epsg);
  const result = await knex.raw(`SELECT ${buildingColumns} FROM buildings c WHERE ${conditions.join(' AND ')} ORDER BY c.id`, bindings);
  return toBuildingRecords(result.rows, epsg);
}

/** Building `id` in scope with its history; NotFoundError when there is none (or it is outside the scope). */
export async function readBuilding(knex: Knex, id: number, scope: CaseScope): Promise<BuildingDetail> {
  const epsg = (await projectEpsg(knex)) ?? 4326;
  const [where, bindings] = scopeCondition(scope);
  const found = await knex.raw(`SELECT ${buildingColumns} FROM buildings c WHERE c.id = ? AND ${where}`, [id, ...bindings]);
  if (found.rows.length === 0) throw new NotFoundError(`no building ${id}`);
  const building = toBuildingRecords(found.rows, epsg)[0];
  const [observations, structures, cases] = await Promise.all([
    knex.raw('SELECT o.* FROM building_observations o WHERE o.building_id = ? ORDER BY o.flight_date, o.job_id', [id]),
    knex.raw(
      `SELECT s.id, s.area_m2, s.height_change_m, s.height_after_m, s.suspect, s.violation, s.case_id, ST_AsGeoJSON(ST_ForcePolygonCCW(s.geom)) AS geojson
       FROM candidates s WHERE s.building_id = ? AND s.job_id = ? AND s.change_kind = 'rooftop_addition' ORDER BY s.id`,
      [id, building.lastJobId],
    ),
    // the cases of its candidates, of any job; an officer's only in their grids
    knex.raw(
      `SELECT c.id, c.state, c.violation, c.change_kind, c.flight_date FROM cases c
       WHERE c.id IN (SELECT s.case_id FROM candidates s WHERE s.building_id = ? AND s.case_id IS NOT NULL) AND ${where} ORDER BY c.flight_date, c.id`,
      [id, ...bindings],
    ),
  ]);
  const transform = toWgs84(epsg);
  return {
    building,
    observations: observations.rows.map((row: Record<string, unknown>) => ({
      jobId: Number(row.job_id), flightDate: dateText(row.flight_date), ...measurements(row),
      legality: row.legality as Legality, violation: String(row.violation), permitNo: (row.permit_no as string | null) ?? null,
    })),
    rooftopStructures: structures.rows.map((row: Record<string, unknown>) => ({
      candidateId: Number(row.id), outline: transformPolygons(geoJsonPolygons(row), transform), areaM2: Number(row.area_m2),
      heightAboveRoofM: numberOrNull(row.height_change_m), heightM: numberOrNull(row.height_after_m), suspect: (row.suspect as boolean | null) ?? null,
      violation: (row.violation as string | null) ?? null, caseId: numberOrNull(row.case_id),
    })),
    cases: cases.rows.map((row: Record<string, unknown>) => ({
      id: Number(row.id), state: String(row.state), violation: String(row.violation), changeKind: String(row.change_kind), flightDate: dateText(row.flight_date),
    })),
  };
}

/** Rows read with `buildingColumns` as records, given the project CRS. */
function toBuildingRecords(rows: Record<string, unknown>[], epsg: number): BuildingRecord[] {
  const transform = toWgs84(epsg);
  return rows.map((row) => {
    const coordinates = geoJsonPolygons(row);
    return {
      id: Number(row.id), outline: transformPolygons(coordinates, transform), projectOutline: { epsg, coordinates }, ...measurements(row),
      legality: row.legality as Legality, violation: String(row.violation), permitNo: (row.permit_no as string | null) ?? null,
      gridId: (row.grid_id as string | null) ?? null, caseId: numberOrNull(row.case_id), firstJobId: Number(row.first_job_id), lastJobId: Number(row.last_job_id),
      flightDate: dateText(row.flight_date),
    };
  });
}

/** The measurements a building row and an observation row share. */
function measurements(row: Record<string, unknown>) {
  return {
    areaM2: Number(row.area_m2), roofHeightM: numberOrNull(row.roof_height_m), roofHeightMaxM: numberOrNull(row.roof_height_max_m),
    floors: numberOrNull(row.floors), roofForm: (row.roof_form as 'flat' | 'pitched' | null) ?? null, rooftopStructures: Number(row.rooftop_structures),
  };
}

function geoJsonPolygons(row: Record<string, unknown>): PolygonRings[] {
  return (JSON.parse(row.geojson as string) as { coordinates: PolygonRings[] }).coordinates;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
