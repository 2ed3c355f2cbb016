/**
 * Checks a job submitted through the API before it is queued, so that what can be known up front
 * is refused at once (400 naming the field) rather than failing the job later: the keys those of
 * its kind, paths absolute (or http(s) URLs) and readable by the service, a detect's rasters in
 * before/after pairs, the spec valid for `resolveDetectJob` (or `resolveSurveyJob`), and the
 * after flight date given where plans will judge the candidates.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Database } from '../../../../../db/connect.js';
import { BadInputError } from '../../../../../errors.js';
import type { JobKind } from '../../../../../db/jobs.js';
import { hasPlans, jobSpecKeys, needAfterDate, pathKeys, resolveDetectJob, type JobSpecKey, type ResolvedDetectJob } from '../../../../../pipeline/run/detect-job.js';
import { resolveSurveyJob, surveyPathKeys, surveySpecKeys, type ResolvedSurveyJob, type SurveySpecKey } from '../../../../../pipeline/run/survey-job.js';

/** The submission's fields are its kind and the job spec keys of that kind. */
export type JobSubmission = { kind?: JobKind } & Partial<Record<JobSpecKey | SurveySpecKey, string | number>>;

/** A validated submission: a detect job or a survey job, and the layers to import first. */
export type CheckedSubmission = ({ kind: 'detect' } & ResolvedDetectJob) | ({ kind: 'survey' } & ResolvedSurveyJob);

/** Validates a submission whose output folder defaults to `<jobsDir>/<id>`; nothing is written. */
export async function checkSubmission(db: Database, submission: JobSubmission, out: { id: number; jobsDir: string }): Promise<CheckedSubmission> {
  const { kind = 'detect', ...fields } = submission;
  const keys: readonly string[] = kind === 'survey' ? surveySpecKeys : jobSpecKeys;
  for (const key of Object.keys(fields)) {
    if (!keys.includes(key)) throw fieldError(key, `not a key of a ${kind} job`, `a ${kind} job takes ${keys.join(', ')}`);
  }
  for (const key of kind === 'survey' ? surveyPathKeys : pathKeys) {
    const value = fields[key as JobSpecKey];
    if (typeof value !== 'string' || /^https?:\/\//i.test(value)) continue;
    if (!isAbsolute(value)) throw fieldError(key, `"${value}" is not an absolute path: give paths as the service's machine sees them (or an http(s) URL)`);
    if (key !== 'out') await readable(key, value);
  }
  if (kind === 'detect') checkPairs(fields);
  const spec = { ...fields, out: typeof fields.out === 'string' ? fields.out : join(out.jobsDir, String(out.id)) };
  await writableParent(spec.out);
  try {
    if (kind === 'survey') return { kind, ...resolveSurveyJob(spec, 'fields') };
    const resolved = resolveDetectJob(spec, 'fields');
    if (!resolved.job.afterDate && (await hasPlans(db))) throw needAfterDate('fields');
    return { kind, ...resolved };
  } catch (err) {
    throw err instanceof BadInputError && err.field ? new BadInputError(err.message, err.hint, `body.${err.field}`) : err;
  }
}

/** A bad field of the request body. */
function fieldError(key: string, message: string, hint?: string): BadInputError {
  return new BadInputError(`${key}: ${message}`, hint, `body.${key}`);
}

async function readable(key: string, path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw fieldError(key, `${path} does not exist or is not a file on the service's machine`);
  await access(path, constants.R_OK).catch(() => {
    throw fieldError(key, `${path} is not readable by the service`);
  });
}

/** The output folder's parent must be a folder the service can write to (it may not exist yet). */
async function writableParent(out: string): Promise<void> {
  let parent = dirname(out);
  while (!(await stat(parent).catch(() => null))) parent = dirname(parent);
  await access(parent, constants.W_OK).catch(() => {
    throw fieldError('out', `${parent} is not writable by the service`);
  });
}

/** A detect's rasters come in before/after pairs, at least one pair; a DTM serves DSMs only. */
function checkPairs(submission: JobSubmission): void {
  const pair = (before: JobSpecKey, after: JobSpecKey) => {
    if ((submission[before] === undefined) === (submission[after] === undefined)) return submission[before] !== undefined;
    const missing = submission[before] === undefined ? before : after;
    throw fieldError(missing, `needed with ${missing === before ? after : before}`);
  };
  const orthos = pair('before-ortho', 'after-ortho');
  const dsms = pair('before-dsm', 'after-dsm');
  if (submission['before-dtm'] !== undefined && !dsms) throw fieldError('before-dsm', 'needed with before-dtm (a DTM only serves heights)');
  if (!orthos && !dsms) throw fieldError('after-dsm', 'no rasters given', 'give before-ortho and after-ortho, before-dsm and after-dsm, or all four');
}
