/**
 * Reads the field verdicts that become training data (DESIGN.md section 7): for each case, its
 * latest verdict (verified illegal or false positive) from the event history, and the candidate
 * whose outline and detect job (raster paths in the job's spec) the chips are cut from.
 */
import type { Knex } from 'knex';
import type { PolygonRings } from '../geo/geojson.js';
import type { CaseState } from '../cases/states.js';

/** The two verdicts that label a chip: a positive, or a hard negative. */
export const TRAINING_VERDICTS = Object.freeze(['verified_illegal', 'false_positive'] as const);

/** A training verdict. */
export type TrainingVerdict = (typeof TRAINING_VERDICTS)[number];

/** A case with its verdict and the candidate its chips come from. */
export interface VerdictCase {
  id: number;
  state: CaseState;
  /** The latest verdict in the case's events (a case verified illegal stays positive when it moves on to disposal or closure); null without one. */
  verdict: TrainingVerdict | null;
  /** The candidate (and its detect job) the chips are cut from; null when the case has none. */
  candidate: {
    id: number;
    jobId: number;
    /** The job's spec as stored: `beforeOrtho`, `afterOrtho`, ... paths. */
    spec: Record<string, unknown>;
    /** Outline in the project CRS (a MultiPolygon's polygons). */
    polygons: PolygonRings[];
    epsg: number;
  } | null;
}

/**
 * The cases `ids`, by id, with their verdicts. The candidate is the case's latest one, or with
 * `jobId` the latest one that job linked to the case.
 */
export async function readVerdictCases(knex: Knex, ids: number[], jobId?: number): Promise<VerdictCase[]> {
  const candidate = jobId === undefined
    ? knex.raw('SELECT c.id, c.job_id, c.geom FROM candidates c WHERE c.id = k.last_candidate_id')
    : knex.raw('SELECT c.id, c.job_id, c.geom FROM candidates c WHERE c.case_id = k.id AND c.job_id = ? ORDER BY c.id DESC LIMIT 1', [jobId]);
  const rows = await knex({ k: 'cases' })
    .select(
      'k.id', 'k.state', 'v.to_state as verdict', 's.id as candidate_id', 's.job_id', 'j.spec',
      knex.raw('ST_AsGeoJSON(s.geom) AS outline'),
      knex.raw('ST_SRID(s.geom) AS srid'),
    )
    .joinRaw(
      `LEFT JOIN LATERAL (SELECT e.to_state FROM case_events e
         WHERE e.case_id = k.id AND e.to_state IN (?, ?) ORDER BY e.seq DESC LIMIT 1) v ON true`,
      [...TRAINING_VERDICTS],
    )
    .joinRaw(`LEFT JOIN LATERAL (${candidate.toQuery()}) s ON true`)
    .leftJoin({ j: 'jobs' }, 'j.id', 's.job_id')
    .whereIn('k.id', ids)
    .orderBy('k.id');
  return rows.map((row): VerdictCase => ({
    id: Number(row.id),
    state: row.state,
    verdict: row.verdict ?? null,
    candidate: row.candidate_id === null ? null : {
      id: Number(row.candidate_id),
      jobId: Number(row.job_id),
      spec: typeof row.spec === 'string' ? JSON.parse(row.spec) : row.spec,
      polygons: JSON.parse(row.outline).coordinates,
      epsg: Number(row.srid),
    },
  }));
}

