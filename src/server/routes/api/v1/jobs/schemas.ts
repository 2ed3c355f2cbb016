/**
 * Request and response schemas of the job routes (TypeBox), and the shape of a job in responses.
 */
import { Type, type Static } from 'typebox';
import { JOB_STATES, type JobRecord } from '../../../../../db/jobs.js';
import { defaultThresholds } from '../../../../../pipeline/thresholds.js';
import { Nullable, oneOf } from '../schemas.js';

const Path = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description }));
const FlightDate = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 30, description }));

/** A detect job: the keys of `zhiwei detect`'s job spec, paths as the service's machine sees them. */
export const JobSubmissionBody = Type.Object(
  {
    'before-ortho': Path('orthophoto of the earlier flight (GeoTIFF/COG): absolute path or http(s) URL'),
    'after-ortho': Path('orthophoto of the new flight'),
    'before-dsm': Path('DSM of the earlier flight (float32 heights, nodata)'),
    'after-dsm': Path('DSM of the new flight'),
    'before-dtm': Path('bare-ground DTM (optional; estimated from the DSM otherwise)'),
    plans: Path('approved plans to import before the run (GeoJSON, zipped Shapefile)'),
    grids: Path('responsibility grids to import before the run'),
    zones: Path('zones to import before the run'),
    'before-date': FlightDate('date of the earlier flight, YYYY-MM-DD'),
    'after-date': FlightDate('date of the new flight, YYYY-MM-DD: plans valid on it count (needed where there are plans)'),
    out: Path('output folder (replaced when the run succeeds); default <data dir>/jobs/<id>'),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'change model in models/ or path to an .onnx (default zhiwei-cd-v1)' })),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'model threads (default: all cores)' })),
    'min-height-change': Type.Optional(Type.Number({ minimum: 0, description: `least height change of a change, m (default ${defaultThresholds.minHeightChangeM})` })),
    'min-area': Type.Optional(Type.Number({ minimum: 0, description: `least area of a change, m² (default ${defaultThresholds.minAreaM2})` })),
  },
  { additionalProperties: false },
);

/** `:id` of a job. */
export const JobParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/** Paging of the job list. */
export const JobListQuery = Type.Object({
  state: Type.Optional(oneOf(JOB_STATES)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
});

/** A job as the API shows it. */
export const Job = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  state: oneOf(JOB_STATES),
  submitted_by: Nullable(Type.String({ description: 'null for jobs run by zhiwei detect' })),
  before_date: Nullable(Type.String()),
  after_date: Nullable(Type.String()),
  model: Nullable(Type.String()),
  out_dir: Nullable(Type.String()),
  created_at: Type.String(),
  started_at: Nullable(Type.String()),
  finished_at: Nullable(Type.String()),
  progress: Nullable(
    Type.Object({
      stage: Type.String({ description: 'the stage running: height offset, detect, evidence...' }),
      done: Type.Number(),
      total: Type.Number(),
      unit: Type.String(),
      updated_at: Type.String(),
    }),
  ),
  summary: Nullable(Type.Unknown({ description: 'summary.json of the run: candidates by kind, stage times, and suspects by violation and grid, cases created and updated' })),
  error: Nullable(Type.String({ description: 'why the job failed' })),
  links: Type.Object({ self: Type.String(), suspects: Type.String({ description: 'the cases this job found or updated' }) }),
});

/** A page of jobs. */
export const JobList = Type.Object({ jobs: Type.Array(Job), next_offset: Nullable(Type.Integer()) });

/** A job for the response. */
export function jobView(job: JobRecord): Static<typeof Job> {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  const { progress } = job;
  return {
    id: job.id, kind: job.kind, state: job.state, submitted_by: job.submittedBy, before_date: job.beforeDate, after_date: job.afterDate, model: job.model,
    out_dir: job.outDir, created_at: job.createdAt.toISOString(), started_at: iso(job.startedAt), finished_at: iso(job.finishedAt),
    progress: progress && { stage: progress.stage, done: progress.done, total: progress.total, unit: progress.unit, updated_at: progress.updatedAt },
    summary: job.summary, error: job.error,
    links: { self: `/api/v1/jobs/${job.id}`, suspects: `/api/v1/cases?job=${job.id}` },
  };
}
