/**
 * What a worker does with each kind of queue job (see `index.ts`). Every step first reads its
 * job's row and does nothing for a job no longer running, so a step sent twice or retried after
 * its work was committed changes nothing:
 * - plan stores its plan and batches once (`storePlan`), then sends the batches not yet done;
 * - a batch overwrites its own row (`storeBatch`; or gives itself up on bad input), and the batch
 *   that sees all batches ended sends the finish;
 * - the finish emits the cases and marks the job succeeded in one transaction (the overlay's).
 * Each returns the line the worker prints.
 */
import type { Database } from '../db/connect.js';
import {
  findJob, finishJob, giveUpBatch, listBatches, readBatchStrip, readPlan, recordProgress, startJob, storeBatch, storePlan,
  type BatchCount, type BatchRecord, type JobRecord,
} from '../db/jobs.js';
import { ZhiweiError } from '../errors.js';
import { detectOutputFolder } from '../pipeline/outputs/index.js';
import { detectRasterRoles, openRasters, prepareDetectJob, type ResolvedDetectJob } from '../pipeline/run/detect-job.js';
import { findJobModel, loadJobModel, type DetectJob, type MissingRows } from '../pipeline/run/run-detect.js';
import { fusionSegments, planDetect, type DetectPlan } from '../pipeline/run/plan-detect.js';
import { fusedStrips } from '../pipeline/run/fused-strips.js';
import { finishDetect } from '../pipeline/run/finish-detect.js';
import { runSurveyJob, type ResolvedSurveyJob } from '../pipeline/run/survey-job.js';
import type { ChangeStrip, ProgressFactory } from '../pipeline/types.js';
import type { IngestInputs } from '../pipeline/ingest.js';
import { freshFolder } from '../files.js';
import { stripBatches } from './batches.js';
import { queueNames, type BatchData, type JobData, type PlanData, type Queue } from './index.js';
import { planFromJson, planToJson } from './plan-json.js';
import { rowProgress } from './progress.js';
import { copyStrip, decodeStrips, encodeStrips } from './strips.js';

/** What the steps need from the worker running them. */
export interface StepOptions {
  /** The evidence store (`<data dir>/evidence`), shared by the workers. */
  evidenceDir: string;
  /** Model threads (the job's own, or all cores, otherwise). */
  threads?: number;
  /** Told of failures that do not stop the step (a progress write). */
  onError: (err: unknown) => void;
}

/** The global steps of a queued detect, its plan and batches stored, and the batches sent. */
export async function planStep(queue: Queue, data: PlanData, options: StepOptions): Promise<string> {
  const { db } = queue;
  const record = await runningJob(db, data.jobId, true);
  if (!record) return `job ${data.jobId}: no longer queued or running, nothing to plan`;
  const resolved = resolvedJob<ResolvedDetectJob>(record, options);
  let stored = await readPlan(db.knex, record.id);
  if (!stored) {
    await prepareDetectJob(resolved, db, { naming: 'fields' });
    const progress = rowProgress(db, record.id, options.onError);
    const plan = await withRasters(resolved.job, async (sources) => {
      // planning needs the model's manifest, not its session
      const found = await findJobModel(resolved.job, sources);
      return planDetect(resolved.job, sources, found?.manifest ?? null, progress.factory);
    });
    await progress.flushed();
    stored = planToJson(plan);
    // a try that stored them first wins: its plan is the one its batches were cut from
    if (!(await storePlan(db.knex, record.id, stored, stripBatches(fusionSegments(plan), data.batchRows)))) stored = (await readPlan(db.knex, record.id))!;
  }
  const plan = planFromJson(stored);
  const batches = stripBatches(fusionSegments(plan), data.batchRows);
  const ended = new Set((await listBatches(db.knex, record.id)).filter((b) => b.state === 'done' || b.state === 'given_up').map((b) => b.batch));
  await recordBatchProgress(db, record.id, { ended: ended.size, total: batches.length });
  const waiting = batches.filter(({ batch }) => !ended.has(batch));
  const batchJobs = waiting.map(({ batch, from, to }) => {
    const batchData: BatchData = { jobId: record.id, batch, from, to };
    return { name: queueNames.batch, data: batchData, expireInSeconds: queue.batchExpirySeconds };
  });
  // one statement for all of them
  if (batchJobs.length > 0) await queue.boss.insert(batchJobs);
  if (waiting.length === 0) await sendFinish(queue, record.id);
  return `job ${record.id}: planned ${plan.grid.width} × ${plan.grid.height} px in ${batches.length} batches (${plan.mode} mode)`;
}

/**
 * One strip batch: its fusion segments fused and their strips stored; the last batch to end sends
 * the finish. A batch that fails on bad input (a tile that does not decode) is given up at once,
 * its rows left blank, rather than tried again; any other failure is thrown for pg-boss to retry.
 */
export async function batchStep(queue: Queue, data: BatchData, options: StepOptions): Promise<string> {
  const { db } = queue;
  const name = `job ${data.jobId} batch ${data.batch}`;
  const record = await runningJob(db, data.jobId, false);
  if (!record) return `${name}: the job is no longer running, batch skipped`;
  const stored = await readPlan(db.knex, record.id);
  if (!stored) throw new Error(`${name}: the job has no plan stored`);
  const batch = (await listBatches(db.knex, record.id)).find((b) => b.batch === data.batch);
  if (!batch) throw new Error(`${name}: no such batch`);
  if (batch.state === 'done' || batch.state === 'given_up') {
    // a try that ended the batch may have been cut off before it sent the finish
    const count = await countBatches(db, record.id);
    if (count.ended === count.total) await sendFinish(queue, record.id);
    return `${name}: ended already (${batch.state}; ${count.ended}/${count.total} batches ended)`;
  }
  const plan = planFromJson(stored);
  const { job } = resolvedJob<ResolvedDetectJob>(record, options);
  const stagesMs: Record<string, number> = {};
  const tally = { tilesInferred: 0 };
  const strips: ChangeStrip[] = [];
  let count: BatchCount;
  let line: string;
  try {
    await withRasters(job, async (sources) => {
      const model = await loadJobModel(job, sources);
      try {
        // copies: a strip's arrays are reused by the next strip
        for await (const strip of fusedStrips(plan, sources, model, data, { progress: quietProgress, stagesMs, tally })) strips.push(copyStrip(strip));
      } finally {
        await model?.close();
      }
    });
    const bytes = await encodeStrips(strips, { tilesInferred: tally.tilesInferred, stagesMs });
    count = await storeBatch(db.knex, record.id, data.batch, bytes);
    line = `${name}: rows ${batch.y0}-${batch.y1} fused, ${tally.tilesInferred} tiles, ${(bytes.length / 1e6).toFixed(1)} MB stored`;
  } catch (err) {
    if (!(err instanceof ZhiweiError)) throw err;
    const reason = [err.message, err.hint].filter(Boolean).join('; ');
    count = await giveUpBatch(db.knex, record.id, data.batch, reason);
    line = `${name}: rows ${batch.y0}-${batch.y1} given up, left blank: ${reason}`;
  }
  await recordBatchProgress(db, record.id, count);
  if (count.ended === count.total) await sendFinish(queue, record.id);
  return `${line} (${count.ended}/${count.total} batches ended)`;
}

/** The last step of a queued detect: the stored strips, in order, through `finishDetect`. */
export async function finishStep(queue: Queue, data: JobData, options: StepOptions): Promise<string> {
  const { db } = queue;
  const record = await runningJob(db, data.jobId, false);
  if (!record) return `job ${data.jobId}: no longer running, nothing to finish`;
  const stored = await readPlan(db.knex, record.id);
  if (!stored) throw new Error(`job ${record.id}: the job has no plan stored`);
  const plan = planFromJson(stored);
  const batches = await listBatches(db.knex, record.id);
  const waiting = batches.filter((batch) => batch.state !== 'done' && batch.state !== 'given_up');
  if (waiting.length > 0) throw new Error(`job ${record.id}: batches ${waiting.map((b) => b.batch).join(', ')} have not ended`);
  const resolved = resolvedJob<ResolvedDetectJob>(record, options);
  const { job } = resolved;
  const judging = await prepareDetectJob({ job, layers: [] }, db, { naming: 'fields' });
  const stagesMs = { ...plan.stagesMs };
  const tally = { tilesInferred: 0 };
  const progress = rowProgress(db, record.id, options.onError);
  const summary = await withRasters(job, async (sources) => {
    const output = await freshFolder(job.out, detectOutputFolder);
    try {
      const overlay = judging
        ? {
            db, evidenceDir: options.evidenceDir, afterDate: job.afterDate!, jobId: record.id,
            onJudged: (trx: Database, summary: Record<string, unknown>) => finishJob(trx.knex, record.id, { summary }),
          }
        : undefined;
      const missing = batches.filter((batch) => batch.state === 'given_up').map((batch) => missingRows(plan, batch));
      const run = { output, progress: progress.factory, stagesMs, tally, startedAt: (record.startedAt ?? record.createdAt).getTime(), missing };
      return await finishDetect(job, sources, plan, storedStrips(db, record.id, plan, batches, stagesMs, tally), run, overlay);
    } catch (err) {
      await output.remove();
      throw err;
    }
  });
  await progress.flushed();
  if (!judging) await finishJob(db.knex, record.id, { summary });
  return `job ${record.id}: ${summary.candidates} candidates written to ${job.out}${judging ? `, ${summary.suspects} suspects` : ''}`;
}

/** A queued survey, whole. */
export async function surveyStep(queue: Queue, data: JobData, options: StepOptions): Promise<string> {
  const { db } = queue;
  const record = await runningJob(db, data.jobId, true);
  if (!record) return `job ${data.jobId}: no longer queued or running, survey skipped`;
  if (await hasCandidates(db, record.id)) {
    // a try cut off after its overlay committed (which stores the summary on the row): done
    await finishJob(db.knex, record.id, { summary: record.summary ?? {} });
    return `job ${record.id}: its overlay was committed by an earlier try, marked succeeded`;
  }
  const progress = rowProgress(db, record.id, options.onError);
  const run = { progress: progress.factory, evidenceDir: options.evidenceDir, naming: 'fields' as const, jobId: record.id };
  const summary = await runSurveyJob(resolvedJob<ResolvedSurveyJob>(record, options), db, run);
  await progress.flushed();
  await finishJob(db.knex, record.id, { summary });
  return `job ${record.id}: ${summary.buildings} buildings written to ${resolvedJob<ResolvedSurveyJob>(record, options).job.out}`;
}

/** True when candidates of the job are stored: its overlay committed. */
async function hasCandidates(db: Database, id: number): Promise<boolean> {
  return (await db.knex('candidates').where({ job_id: id }).first('id')) !== undefined;
}

/** The job of a row that is running (`start`: or queued, which it then starts); null otherwise. */
async function runningJob(db: Database, id: number, start: boolean): Promise<JobRecord | null> {
  if (start && !(await startJob(db.knex, id))) return null;
  const record = await findJob(db.knex, id);
  return record?.state === 'running' ? record : null;
}

/** The resolved job a row's spec holds (its fields and `layers`), with the worker's model threads. */
function resolvedJob<T extends ResolvedDetectJob | ResolvedSurveyJob>(record: JobRecord, options: StepOptions): T {
  const { layers, ...job } = record.spec as Record<string, unknown>;
  return { job: options.threads ? { ...job, threads: options.threads } : job, layers: layers ?? [] } as unknown as T;
}

/** Runs `work` on the job's rasters, closing them however it ends. */
async function withRasters<T>(job: DetectJob, work: (sources: IngestInputs) => Promise<T>): Promise<T> {
  const sources: IngestInputs = await openRasters(job, detectRasterRoles);
  try {
    return await work(sources);
  } finally {
    await Promise.all(Object.values(sources).map((source) => source.close()));
  }
}

/**
 * The strips of the batches, in order, one batch in memory at a time; their tallies added to the
 * finish's. A batch given up gives blank strips: nothing changed, no heights, no probability.
 */
async function* storedStrips(
  db: Database, id: number, plan: DetectPlan, batches: BatchRecord[], stagesMs: Record<string, number>, tally: { tilesInferred: number },
): AsyncGenerator<ChangeStrip> {
  for (const batch of batches) {
    if (batch.state === 'given_up') {
      for (let y0 = batch.y0; y0 < batch.y1; y0 += blankRows) yield blankStrip(y0, plan.grid.width, Math.min(blankRows, batch.y1 - y0));
      continue;
    }
    const { strips, tally: counted } = await decodeStrips(await readBatchStrip(db.knex, id, batch.batch));
    tally.tilesInferred += counted.tilesInferred;
    for (const [stage, ms] of Object.entries(counted.stagesMs)) stagesMs[stage] = (stagesMs[stage] ?? 0) + ms;
    yield* strips;
  }
}

/** Rows per blank strip: a blank strip's arrays grow with the grid's width times its rows. */
const blankRows = 64;

function blankStrip(y0: number, width: number, height: number): ChangeStrip {
  const size = width * height;
  const nan = () => new Float32Array(size).fill(Number.NaN);
  return {
    y0, width, height, change: new Uint8Array(size), nearBuilding: new Uint8Array(size),
    heightChange: nan(), heightBefore: nan(), heightAfter: nan(), probability: nan(), roughness: nan(), topSurface: nan(), greenness: nan(),
  };
}

/** A given-up batch's rows, their extent in the grid's CRS and why. */
function missingRows(plan: DetectPlan, batch: BatchRecord): MissingRows {
  const [originX, gsd, , originY] = plan.grid.geoTransform;
  const mm = (value: number) => Math.round(value * 1000) / 1000;
  return {
    batch: batch.batch,
    rows: [batch.y0, batch.y1],
    extent: [mm(originX), mm(originY - batch.y1 * gsd), mm(originX + plan.grid.width * gsd), mm(originY - batch.y0 * gsd)],
    reason: batch.error ?? 'unknown',
  };
}

async function recordBatchProgress(db: Database, id: number, { ended, total }: BatchCount): Promise<void> {
  await recordProgress(db.knex, id, { stage: 'detect', done: ended, total, unit: 'batches', updatedAt: new Date().toISOString() });
}

async function countBatches(db: Database, id: number): Promise<BatchCount> {
  const batches = await listBatches(db.knex, id);
  return { ended: batches.filter((b) => b.state === 'done' || b.state === 'given_up').length, total: batches.length };
}

async function sendFinish(queue: Queue, id: number): Promise<void> {
  const data: JobData = { jobId: id };
  await queue.boss.send(queueNames.finish, data, { singletonKey: String(id), expireInSeconds: queue.stepExpirySeconds });
}

/** A batch reports progress through its job's batch count, not its tiles. */
const quietProgress: ProgressFactory = () => ({ tick() {}, done() {} });

