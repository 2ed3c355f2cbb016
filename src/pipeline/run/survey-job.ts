/**
 * A survey job from its spec (the keys of `zhiwei survey`'s flags and job files, and of the body
 * of `POST /api/v1/jobs` with `"kind": "survey"`) to its run: the spec is validated into a
 * `SurveyJob` and the layers to import first; the run imports them and, when the database has
 * plans, judges the buildings and keeps them in the register. The CLI and the service call these
 * same functions, as for detect (`detect-job.ts`, whose helpers these share).
 */
import type { Database } from '../../db/connect.js';
import { BadInputError } from '../../errors.js';
import { parseDate } from '../../plans/layers.js';
import { checkReplaceable } from '../../files.js';
import type { FlightInputs } from '../ingest.js';
import { surveyOutputFolder } from '../outputs/survey.js';
import { defaultSurveyThresholds } from '../survey/building.js';
import { hasPlans, importLayers, layerSpecKeys, openRasters, specKeyName, type DetectRunOptions, type LayerFile, type SpecNaming } from './detect-job.js';
import { runSurvey, type SurveyJob, type SurveySummary } from './run-survey.js';

/** Spec keys naming the flight's rasters. */
export const surveyRasterKeys = ['ortho', 'dsm', 'dtm'] as const;
/** Spec keys that are paths (files or folders). */
export const surveyPathKeys: readonly string[] = [...surveyRasterKeys, ...layerSpecKeys, 'out'];
/** Every key of a survey job spec. */
export const surveySpecKeys = [...surveyRasterKeys, ...layerSpecKeys, 'date', 'out', 'min-height', 'min-area', 'storey-height'] as const;

/** One key of a survey job spec. */
export type SurveySpecKey = (typeof surveySpecKeys)[number];
/** A survey job spec with its paths absolute (or URLs) and its output folder decided. */
export type SurveySpec = Partial<Record<SurveySpecKey, string | number>> & { out: string };

/** A validated survey job and the layers to import before it runs. */
export interface ResolvedSurveyJob {
  job: SurveyJob;
  layers: LayerFile[];
}

/** The thresholds a spec may set: key, the `SurveyThresholds` field, and what it is. */
const thresholdKeys = [
  ['min-height', 'minHeightM', 'metres'],
  ['min-area', 'minAreaM2', 'square metres'],
  ['storey-height', 'storeyHeightM', 'metres'],
] as const;

/** Validates a spec into a survey job and the layers to import: the DSM and the flight date are needed. */
export function resolveSurveyJob(spec: SurveySpec, naming: SpecNaming): ResolvedSurveyJob {
  const how = (key: SurveySpecKey, value: string) => (naming === 'flags' ? `pass --${key} ${value} (or "${key}" in the job spec)` : `give "${key}" (${value})`);
  if (spec.dsm === undefined) throw new BadInputError('a survey finds buildings by their height, so it needs the flight\'s DSM', how('dsm', 'FILE'), 'dsm');
  if (spec.date === undefined) {
    throw new BadInputError('the flight date decides which plans are valid and dates the buildings in the register', how('date', 'YYYY-MM-DD'), 'date');
  }
  let date: string;
  try {
    date = parseDate(spec.date, specKeyName('date', naming));
  } catch (err) {
    throw new BadInputError((err as Error).message, undefined, 'date');
  }
  const thresholds = { ...defaultSurveyThresholds };
  for (const [key, field, unit] of thresholdKeys) {
    const given = spec[key];
    if (given === undefined) continue;
    const value = typeof given === 'number' ? given : Number(String(given).trim() || Number.NaN);
    if (!(Number.isFinite(value) && value > 0)) throw new BadInputError(`"${specKeyName(key, naming)}" = ${JSON.stringify(given)} is not a positive number of ${unit}`, undefined, key);
    thresholds[field] = value;
  }
  const rasters = Object.fromEntries(surveyRasterKeys.flatMap((key) => (spec[key] === undefined ? [] : [[key, String(spec[key])]])));
  const layers = layerSpecKeys.flatMap((layer) => (spec[layer] === undefined ? [] : [{ layer, file: String(spec[layer]) }]));
  return { job: { ...rasters, dsm: String(spec.dsm), date, out: spec.out, thresholds }, layers };
}

/**
 * Runs a resolved survey. Without a database it finds buildings only; with one it imports the
 * job's layers first and, when the database holds plans, judges the buildings, emits cases and
 * keeps the buildings in the register. A bad output folder is refused before anything is imported.
 */
export async function runSurveyJob({ job, layers }: ResolvedSurveyJob, db: Database | null, options: DetectRunOptions): Promise<SurveySummary> {
  await checkSurveyOutput(job.out);
  if (db) await importLayers(db, layers, options);
  const judging = db !== null && (await hasPlans(db));
  if (db && !judging) options.onNoPlans?.();
  const sources: FlightInputs = await openRasters(job, surveyRasterKeys);
  try {
    const overlay = judging ? { db, evidenceDir: options.evidenceDir, afterDate: job.date, jobId: options.jobId } : undefined;
    return await runSurvey(job, sources, options.progress, overlay);
  } finally {
    await Promise.all(Object.values(sources).map((source) => source.close()));
  }
}

/** Refuses an output folder a survey cannot write or must not replace (as `checkDetectOutput`). */
export async function checkSurveyOutput(out: string): Promise<void> {
  await checkReplaceable(out, surveyOutputFolder);
}

