/**
 * Request and response schemas of the job routes (TypeBox), and the shape of a job in responses.
 */
import { Type, type Static } from 'typebox';
import { JOB_KINDS, JOB_STATES, type JobRecord } from '../../../../../db/jobs.js';
import { defaultSurveyThresholds } from '../../../../../pipeline/survey/building.js';
import { defaultThresholds } from '../../../../../pipeline/thresholds.js';
import { Nullable, oneOf } from '../schemas.js';

const Path = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description }));
const FlightDate = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 30, description }));

/**
 * A job: its kind, and the keys of `zhiwei detect`'s job spec (kind detect, the default) or of
 * `zhiwei survey`'s (kind survey), paths as the service's machine sees them. Which keys a kind
 * takes is checked on submission (`submit.ts`).
 */
export const JobSubmissionBody = Type.Object(
  {
    kind: Type.Optional(oneOf(JOB_KINDS)),
    'before-ortho': Path('detect: orthophoto of the earlier flight (GeoTIFF/COG): absolute path or http(s) URL'),
    'after-ortho': Path('detect: orthophoto of the new flight'),
    'before-dsm': Path('detect: DSM of the earlier flight (float32 heights, nodata)'),
    'after-dsm': Path('detect: DSM of the new flight'),
    'before-dtm': Path('detect: bare-ground DTM (optional; estimated from the DSM otherwise)'),
    ortho: Path("survey: the flight's orthophoto (optional: its greenness guards against trees)"),
    dsm: Path("survey: the flight's DSM (needed)"),
    dtm: Path('survey: bare-ground DTM (optional; estimated from the DSM otherwise)'),
    plans: Path('approved plans to import before the run (GeoJSON, zipped Shapefile)'),
    grids: Path('responsibility grids to import before the run'),
    zones: Path('zones to import before the run'),
    'before-date': FlightDate('detect: date of the earlier flight, YYYY-MM-DD'),
    'after-date': FlightDate('detect: date of the new flight, YYYY-MM-DD: plans valid on it count (needed where there are plans)'),
    date: FlightDate('survey: date of the flight, YYYY-MM-DD: plans valid on it count (needed)'),
    out: Path('output folder (replaced when the run succeeds); default <data dir>/jobs/<id>'),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'detect: change model in models/ or path to an .onnx (default zhiwei-cd-v1)' })),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'detect: model threads (default: all cores)' })),
    'min-height-change': Type.Optional(Type.Number({ minimum: 0, description: `detect: least height change of a change, m (default ${defaultThresholds.minHeightChangeM})` })),
    'min-area': Type.Optional(
      Type.Number({ minimum: 0, description: `least area, m², of a change (detect, default ${defaultThresholds.minAreaM2}) or of a building (survey, default ${defaultSurveyThresholds.minAreaM2})` }),
    ),
    'min-height': Type.Optional(Type.Number({ exclusiveMinimum: 0, description: `survey: least roof height above ground of a building, m (default ${defaultSurveyThresholds.minHeightM})` })),
    'storey-height': Type.Optional(Type.Number({ exclusiveMinimum: 0, description: `survey: height of one storey for floors, m (default ${defaultSurveyThresholds.storeyHeightM})` })),
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
  kind: oneOf(JOB_KINDS),
  state: oneOf(JOB_STATES),
  submitted_by: Nullable(Type.String({ description: 'null for jobs run by zhiwei detect or zhiwei survey' })),
  before_date: Nullable(Type.String()),
  after_date: Nullable(Type.String({ description: "a detect's after flight date, a survey's flight date" })),
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
  summary: Nullable(
    Type.Unknown({ description: 'summary.json of the run: candidates by kind (a survey: buildings), stage times, and suspects by violation and grid, cases created and updated' }),
  ),
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
