/**
 * The overlay stage (DESIGN.md section 4): stores the job and its candidates in the project CRS,
 * judges them against plans, zones and grids in PostGIS, and emits the suspects as cases, all in
 * one transaction: a failure leaves the database as it was.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect.js';
import { overlayCandidates } from './sql.js';
import { ensureProjectEpsg, proposedProjectEpsg } from '../../db/project-crs.js';
import { emitCases, type EmitResult } from './emit.js';
import { crsTransform } from '../../geo/crs.js';
import { transformPolygons } from '../../geo/geojson.js';
import type { Candidate } from '../candidate.js';
import { recencyFactor, type OverlayRules } from './rules.js';
import type { Violation } from '../../vocabulary.js';
import type { AnalysisGrid } from '../../raster/types.js';

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
  const gridCrs = grid.epsg ?? grid.crs;
  const [cx, cy] = [grid.geoTransform[0] + (grid.width * grid.geoTransform[1]) / 2, grid.geoTransform[3] + (grid.height * grid.geoTransform[5]) / 2];
  // a grid always lies on the earth, so a CRS is always proposed
  const projectEpsg = await ensureProjectEpsg(db.knex, proposedProjectEpsg(gridCrs, [cx, cy]) as number);
  const toProject = crsTransform(gridCrs, projectEpsg);
  return db.knex.transaction(async (trx) => {
    const jobId = await recordJob(trx, job);
    for (let start = 0; start < candidates.length; start += 200) {
      const rows = candidates.slice(start, start + 200).map(({ candidate: c, evidence }) => ({
        job_id: jobId, local_id: c.id, change_kind: c.changeKind, area_m2: c.areaM2, height_change_m: c.heightChangeM,
        height_change_max_m: c.heightChangeMaxM, height_after_m: c.heightAfterM, confidence: c.confidence, reason: c.reason,
        evidence: JSON.stringify(evidence),
        geom: trx.raw(`ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(?), ${projectEpsg})), 3))`, [
          JSON.stringify({ type: 'MultiPolygon', coordinates: transformPolygons(c.polygons, toProject) }),
        ]),
      }));
      if (rows.length > 0) await trx('candidates').insert(rows);
    }
    await overlayCandidates(trx, { jobId, afterDate: job.afterDate, recency: recencyFactor(job.beforeDate, job.afterDate), rules: job.rules });
    const cases = await emitCases(trx, { jobId, afterDate: job.afterDate, ...dirs });
    const judged = await trx('candidates')
      .where({ job_id: jobId })
      .select('local_id', 'suspect', 'violation', 'decision', 'permit_no', 'grid_id', 'zones', 'priority', 'case_id');
    const verdicts = new Map<string, OverlayVerdict>(
      judged.map((r) => [
        r.local_id,
        {
          suspect: r.suspect, violation: r.violation, decision: r.decision, permitNo: r.permit_no, gridId: r.grid_id, zones: r.zones,
          priority: Number(r.priority), caseId: r.case_id === null ? null : Number(r.case_id),
        },
      ]),
    );
    return { jobId, projectEpsg, verdicts, cases };
  });
}

/** Inserts the job's row, or updates the submitted one (which must still be running). */
async function recordJob(trx: Knex.Transaction, job: OverlayJob): Promise<number> {
  const fields = { before_date: job.beforeDate, after_date: job.afterDate, model: job.model, summary: JSON.stringify(job.summary), out_dir: job.outDir };
  if (job.id === undefined) {
    const [{ id }] = await trx('jobs').insert({ ...fields, state: 'succeeded', spec: JSON.stringify(job.spec), finished_at: new Date() }).returning('id');
    return Number(id);
  }
  const updated = await trx('jobs').where({ id: job.id, state: 'running' }).update(fields);
  if (updated !== 1) throw new Error(`job ${job.id} is not running: its overlay is refused`);
  return job.id;
}
