/**
 * The overlay stage (DESIGN.md section 4): stores the job and its candidates in the project CRS,
 * names the register building each stands on, judges them against plans, zones and grids in
 * PostGIS, and emits the suspects as cases, all in one transaction: a failure leaves the database
 * as it was. A survey's overlay (`survey.ts`) shares these steps.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect.js';
import { overlayCandidates } from './sql.js';
import { ensureProjectEpsg, proposedProjectEpsg } from '../../db/project-crs.js';
import { emitCases, type EmitResult } from './emit.js';
import { crsTransform } from '../../geo/crs.js';
import { transformPolygons } from '../../geo/geojson.js';
import type { Candidate } from '../candidate.js';
import { defaultOverlayRules, recencyFactor, type OverlayRules } from './rules.js';
import type { Violation } from '../../vocabulary.js';
import type { AnalysisGrid } from '../../raster/types.js';
import { overlapArea } from '../../db/overlap.js';

/** A candidate's verdict from the overlay. */
export interface OverlayVerdict {
  suspect: boolean;
  violation: Violation;
  decision: string;
  permitNo: string | null;
  gridId: string | null;
  zones: string[];
  priority: number;
  caseId: number | null;
  /** The register building it is (a survey's) or stands on or touches (a detect's); null where none. */
  buildingId: number | null;
}

/** The job as the database records it. */
export interface OverlayJob {
  /** A submitted job's row, updated (its state stays with the job runner); without one a finished job's row is inserted. */
  id?: number;
  spec: Record<string, unknown>;
  model: string | null;
  beforeDate: string | null;
  afterDate: string;
  outDir: string;
  summary: Record<string, unknown>;
  rules?: OverlayRules;
}

/** What the stage did. */
export interface OverlayResult {
  jobId: number;
  projectEpsg: number;
  verdicts: Map<string, OverlayVerdict>;
  cases: EmitResult;
}

/**
 * Stores and judges the candidates; `outputDir` holds their evidence chips (relative paths in
 * `evidence`), which are copied into the evidence store at `evidenceDir`.
 */
export async function overlayAndEmit(
  db: Database,
  job: OverlayJob,
  grid: AnalysisGrid,
  candidates: { candidate: Candidate; evidence: string[] }[],
  dirs: { outputDir: string; evidenceDir: string },
): Promise<OverlayResult> {
  const projectEpsg = await projectCrsFor(db, grid);
  return db.knex.transaction(async (trx) => {
    const jobId = await recordJob(trx, job, 'detect');
    await storeCandidates(trx, jobId, grid, projectEpsg, candidates);
    await linkBuildings(trx, jobId, (job.rules ?? defaultOverlayRules).footprintToleranceM);
    await overlayCandidates(trx, { jobId, afterDate: job.afterDate, recency: recencyFactor(job.beforeDate, job.afterDate), rules: job.rules });
    const cases = await emitCases(trx, { jobId, afterDate: job.afterDate, actor: 'zhiwei detect', ...dirs });
    return { jobId, projectEpsg, verdicts: await readVerdicts(trx, jobId), cases };
  });
}

/** The project CRS, set from the grid's when none is set yet. */
export async function projectCrsFor(db: Database, grid: AnalysisGrid): Promise<number> {
  const gridCrs = grid.epsg ?? grid.crs;
  const [cx, cy] = [grid.geoTransform[0] + (grid.width * grid.geoTransform[1]) / 2, grid.geoTransform[3] + (grid.height * grid.geoTransform[5]) / 2];
  // a grid always lies on the earth, so a CRS is always proposed
  return ensureProjectEpsg(db.knex, proposedProjectEpsg(gridCrs, [cx, cy]) as number);
}

/** A candidate to store: a survey's buildings also carry their floors. */
export type StoredCandidate = { candidate: Candidate & { floors?: number }; evidence: string[] };

/** Inserts the job's candidates in the project CRS, 200 rows a statement. */
export async function storeCandidates(trx: Knex.Transaction, jobId: number, grid: AnalysisGrid, projectEpsg: number, candidates: StoredCandidate[]): Promise<void> {
  const toProject = crsTransform(grid.epsg ?? grid.crs, projectEpsg);
  for (let start = 0; start < candidates.length; start += 200) {
    const rows = candidates.slice(start, start + 200).map(({ candidate: c, evidence }) => ({
      job_id: jobId, local_id: c.id, change_kind: c.changeKind, area_m2: c.areaM2, height_change_m: c.heightChangeM,
      height_change_max_m: c.heightChangeMaxM, height_after_m: c.heightAfterM, confidence: c.confidence, reason: c.reason, floors: c.floors ?? null,
      evidence: JSON.stringify(evidence),
      geom: trx.raw(`ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(?), ${projectEpsg})), 3))`, [
        JSON.stringify({ type: 'MultiPolygon', coordinates: transformPolygons(c.polygons, toProject) }),
      ]),
    }));
    if (rows.length > 0) await trx('candidates').insert(rows);
  }
}

/**
 * Names for each candidate of the job the register building it stands on or touches: the one it
 * overlaps most, else the nearest within `toleranceM` (the misregistration between flights).
 */
async function linkBuildings(trx: Knex.Transaction, jobId: number, toleranceM: number): Promise<void> {
  await trx.raw(
    `UPDATE candidates s SET building_id = (
       SELECT b.id FROM buildings b WHERE ST_DWithin(s.geom, b.geom, ?)
       ORDER BY ${overlapArea('s.geom', 'b.geom')} DESC, ST_Distance(s.geom, b.geom), b.id LIMIT 1)
     WHERE s.job_id = ?`,
    [toleranceM, jobId],
  );
}

/** The verdicts of the job's candidates, by their ids in the run. */
export async function readVerdicts(trx: Knex.Transaction, jobId: number): Promise<Map<string, OverlayVerdict>> {
  const judged = await trx('candidates')
    .where({ job_id: jobId })
    .select('local_id', 'suspect', 'violation', 'decision', 'permit_no', 'grid_id', 'zones', 'priority', 'case_id', 'building_id');
  return new Map(
    judged.map((r) => [
      r.local_id,
      {
        suspect: r.suspect, violation: r.violation, decision: r.decision, permitNo: r.permit_no, gridId: r.grid_id, zones: r.zones,
        priority: Number(r.priority), caseId: r.case_id === null ? null : Number(r.case_id), buildingId: r.building_id === null ? null : Number(r.building_id),
      },
    ]),
  );
}

/** Inserts the job's row, or updates the submitted one (which must still be running). */
export async function recordJob(trx: Knex.Transaction, job: OverlayJob, kind: 'detect' | 'survey'): Promise<number> {
  const fields = { kind, before_date: job.beforeDate, after_date: job.afterDate, model: job.model, summary: JSON.stringify(job.summary), out_dir: job.outDir };
  if (job.id === undefined) {
    const [{ id }] = await trx('jobs').insert({ ...fields, state: 'succeeded', spec: JSON.stringify(job.spec), finished_at: new Date() }).returning('id');
    return Number(id);
  }
  const updated = await trx('jobs').where({ id: job.id, state: 'running' }).update(fields);
  if (updated !== 1) throw new Error(`job ${job.id} is not running: its overlay is refused`);
  return job.id;
}
