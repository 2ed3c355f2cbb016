/**
 * A detect job from its spec (the keys of `zhiwei detect`'s flags and job files, and of the body
 * of `POST /api/v1/jobs`) to its run: the spec is validated into a `DetectJob` and the layers to
 * import first; the run imports them, and overlays the candidates on plans when the database
 * has any. The CLI and the service call these same functions (DESIGN.md section 9).
 */
import type { Database } from '../../db/connect.js';
import { BadInputError } from '../../errors.js';
import { importLayer, type ImportReport } from '../../plans/import.js';
import type { LayerName } from '../../db/layers.js';
import { parseDate } from '../../plans/layers.js';
import { runDetect, type DetectJob, type DetectSummary } from './run-detect.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import type { RasterSource } from '../../raster/types.js';
import { checkReplaceable } from '../../files.js';
import { detectOutputFolder } from '../outputs/index.js';
import type { IngestInputs } from '../ingest.js';
import { defaultThresholds } from '../thresholds.js';
import type { ProgressFactory } from '../types.js';

/** Spec keys naming rasters. */
export const rasterKeys = ['before-ortho', 'after-ortho', 'before-dsm', 'after-dsm', 'before-dtm'] as const;
/** Spec keys naming layers imported before the run. */
export const layerSpecKeys = ['plans', 'grids', 'zones'] as const;
/** Spec keys that are paths (files or folders). */
export const pathKeys: readonly string[] = [...rasterKeys, ...layerSpecKeys, 'out'];
/** Every key of a job spec. */
export const jobSpecKeys = [...rasterKeys, ...layerSpecKeys, 'before-date', 'after-date', 'out', 'model', 'threads', 'min-height-change', 'min-area'] as const;

/** One key of a job spec. */
export type JobSpecKey = (typeof jobSpecKeys)[number];
/** A job spec with its paths absolute (or URLs) and its output folder decided. */
export type JobSpec = Partial<Record<JobSpecKey, string | number>> & { out: string };
/** How messages name a spec key: as a CLI flag (`--after-date`) or as a field of a request body. */
export type SpecNaming = 'flags' | 'fields';

/** A layer file to import before the run. */
export interface LayerFile {
  layer: LayerName;
  file: string;
}

/** A validated job and the layers to import before it runs. */
export interface ResolvedDetectJob {
  job: DetectJob;
  layers: LayerFile[];
}

/** How a run reports and where it records its results. */
export interface DetectRunOptions {
  progress: ProgressFactory;
  /** The evidence store (`<data dir>/evidence`). */
  evidenceDir: string;
  naming: SpecNaming;
  /** The queued `jobs` row the run fills (service jobs); without one the overlay inserts a row. */
  jobId?: number;
  /** Told what each layer import did. */
  onImport?: (report: ImportReport) => void;
  /** Lets the job's layer imports move stored rows by kilometres (`--allow-move`). */
  allowMove?: boolean;
  /** Told when the database holds no plans, so the run finds candidates only. */
  onNoPlans?: () => void;
}

/** A spec key as a JavaScript name (`after-date` → `afterDate`), as commander and `DetectJob` spell it. */
export function camelCase(key: string): string {
  return key.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** The name of a spec key in messages. */
export function specKeyName(key: string, naming: SpecNaming): string {
  return naming === 'flags' ? `--${key}` : key;
}

/** Plans are judged on the after flight date: the error when it is missing. */
export function needAfterDate(naming: SpecNaming): BadInputError {
  const how = naming === 'flags' ? 'pass --after-date YYYY-MM-DD (or "after-date" in the job spec)' : 'give "after-date" (YYYY-MM-DD)';
  return new BadInputError(`the after flight date decides which plans are valid: ${how}`, undefined, 'after-date');
}

/**
 * The error when the job names no plans but the database holds some (from an earlier import or
 * run): which plans those are, and how to run without them.
 */
async function storedPlansNeedAfterDate(db: Database, naming: SpecNaming): Promise<BadInputError> {
  const [{ count }] = await db.knex('plans').count({ count: '*' });
  const files = (await db.knex('imports').where({ layer: 'plans' }).distinct('file_name').orderBy('file_name').limit(4)).map((row) => row.file_name as string);
  const from = files.length > 3 ? `${files.slice(0, 3).join(', ')}, ...` : files.join(', ');
  const hint =
    naming === 'flags'
      ? 'pass --after-date YYYY-MM-DD to judge the changes against them, or --candidates-only to find changes without them'
      : 'give "after-date" (YYYY-MM-DD) to judge the changes against them';
  return new BadInputError(`the database (${db.location}) holds ${count} approved plans (from ${from}); they are valid by date, so this run needs the after flight date`, hint, 'after-date');
}

/** Validates a spec into a detect job and the layers to import; layers need the after flight date. */
export function resolveDetectJob(spec: JobSpec, naming: SpecNaming): ResolvedDetectJob {
  const paths = Object.fromEntries(rasterKeys.map((key) => [camelCase(key), spec[key]]).filter(([, v]) => v !== undefined));
  const date = (key: 'before-date' | 'after-date') => {
    const given = spec[key];
    if (given === undefined) return {};
    try {
      return { [camelCase(key)]: parseDate(given, specKeyName(key, naming)) };
    } catch (err) {
      throw new BadInputError((err as Error).message, undefined, key);
    }
  };
  const layers = layerSpecKeys.flatMap((layer) => (spec[layer] === undefined ? [] : [{ layer, file: String(spec[layer]) }]));
  const job: DetectJob = {
    ...(paths as Partial<DetectJob>),
    ...date('before-date'),
    ...date('after-date'),
    out: spec.out,
    model: String(spec.model ?? 'zhiwei-cd-v1'),
    threads: spec.threads === undefined ? undefined : Number(spec.threads),
    thresholds: {
      ...defaultThresholds,
      minHeightChangeM: Number(spec['min-height-change'] ?? defaultThresholds.minHeightChangeM),
      minAreaM2: Number(spec['min-area'] ?? defaultThresholds.minAreaM2),
    },
  };
  if (layers.length > 0 && !job.afterDate) throw needAfterDate(naming);
  return { job, layers };
}

/**
 * Runs a resolved job. Without a database it finds candidates only; with one it imports the
 * job's layers first and, when the database holds plans, judges the candidates and emits cases.
 * A bad output folder is refused before anything is imported.
 */
export async function runDetectJob(resolved: ResolvedDetectJob, db: Database | null, options: DetectRunOptions): Promise<DetectSummary> {
  const { job } = resolved;
  await checkDetectOutput(job.out);
  const judging = await prepareDetectJob(resolved, db, options);
  const sources: IngestInputs = await openRasters(job, detectRasterRoles);
  try {
    const overlay = judging ? { db: db!, evidenceDir: options.evidenceDir, afterDate: job.afterDate!, jobId: options.jobId } : undefined;
    return await runDetect(job, sources, options.progress, overlay);
  } finally {
    await Promise.all(Object.values(sources).map((source) => source.close()));
  }
}

/** The rasters of a detect job, as `DetectJob` and `IngestInputs` name them. */
export const detectRasterRoles = ['beforeOrtho', 'afterOrtho', 'beforeDsm', 'afterDsm', 'beforeDtm'] as const;

/**
 * Imports the job's layers and says whether its candidates are to be judged (the database holds
 * plans); a judged job needs the after flight date. A queued detect calls it before it is queued
 * and again in its finish step.
 */
export async function prepareDetectJob(
  { job, layers }: ResolvedDetectJob,
  db: Database | null,
  options: Pick<DetectRunOptions, 'naming' | 'allowMove' | 'onImport' | 'onNoPlans'>,
): Promise<boolean> {
  if (db) await importLayers(db, layers, options);
  const judging = db !== null && (await hasPlans(db));
  if (db && !judging) options.onNoPlans?.();
  if (judging && !job.afterDate) throw layers.length > 0 ? needAfterDate(options.naming) : await storedPlansNeedAfterDate(db, options.naming);
  return judging;
}

/** Imports a job's layer files, one after another, telling `onImport` what each did. */
export async function importLayers(db: Database, layers: LayerFile[], options: Pick<DetectRunOptions, 'allowMove' | 'onImport'>): Promise<void> {
  for (const { layer, file } of layers) {
    const report = await importLayer(db, layer, file, { allowMove: options.allowMove });
    options.onImport?.(report);
  }
}

/**
 * Refuses an output folder a detect run cannot write or must not replace: a file, a folder holding
 * something other than an earlier detect output, or one in a folder that cannot be written.
 */
export async function checkDetectOutput(out: string): Promise<void> {
  await checkReplaceable(out, detectOutputFolder);
}

/**
 * Opens the rasters a job names under `roles` (a detect's or a survey's); a missing or unreadable
 * file fails with its name, closing those already open.
 */
export async function openRasters<Role extends string>(job: Partial<Record<Role, unknown>>, roles: readonly Role[]): Promise<Partial<Record<Role, RasterSource>>> {
  const sources: Partial<Record<Role, RasterSource>> = {};
  try {
    for (const role of roles) {
      const path = job[role];
      if (typeof path === 'string') sources[role] = await openGeoTiff(path);
    }
  } catch (err) {
    await Promise.all(Object.values<RasterSource | undefined>(sources).map((source) => source?.close()));
    throw err;
  }
  return sources;
}

/** True when the database holds approved plans. */
export async function hasPlans(db: Database): Promise<boolean> {
  return (await db.knex('plans').first('id')) !== undefined;
}
