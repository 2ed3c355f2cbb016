/**
 * A worker: takes plan, batch, finish and survey jobs from the queue (`concurrency` of each at
 * once) and runs their steps (`steps.ts`), printing one line per step. A step that fails with a
 * zhiwei error (bad input: a missing raster, a corrupt file) fails its job at once, since a
 * retry would fail the same way (a batch gives up only its rows: `batchStep`); any other failure
 * is retried by pg-boss (`retryLimit`), and a
 * queue job out of tries reaches `zhiwei-failed`, whose handler fails the zhiwei job. A worker
 * killed mid-step leaves its queue job active until its expiry, when pg-boss hands it out again.
 */
import type PgBoss from 'pg-boss';
import { findJob, finishJob, listBatches, recordBatchError, recordStepError } from '../db/jobs.js';
import { ZhiweiError } from '../errors.js';
import { queueNames, type BatchData, type JobData, type Queue } from './index.js';
import { batchStep, finishStep, planStep, surveyStep, type StepOptions } from './steps.js';

/** How a worker runs. */
export interface WorkerOptions extends StepOptions {
  /** Jobs of each kind run at once (default 1). */
  concurrency?: number;
  /** Told one line per step handled. */
  log: (line: string) => void;
}

/** A running worker. */
export interface Worker {
  /** Takes no more jobs and waits up to `timeoutMs` for the steps running, then stops. */
  stop(timeoutMs: number): Promise<void>;
}

type Step = (queue: Queue, data: never, options: StepOptions) => Promise<string>;

/** Starts taking jobs. */
export async function startWorker(queue: Queue, options: WorkerOptions): Promise<Worker> {
  const steps: [string, Step][] = [
    [queueNames.plan, planStep],
    [queueNames.batch, batchStep],
    [queueNames.finish, finishStep],
    [queueNames.survey, surveyStep],
  ];
  for (let n = 0; n < (options.concurrency ?? 1); n++) {
    for (const [name, step] of steps) {
      await queue.boss.work(name, { batchSize: 1, pollingIntervalSeconds: 1 }, ([job]) => runStep(queue, name, step, job, options));
    }
    await queue.boss.work(queueNames.failed, { batchSize: 1, pollingIntervalSeconds: 1 }, ([job]) => failJob(queue, job, options));
  }
  return { stop: (timeoutMs) => queue.boss.stop({ graceful: true, wait: true, timeout: timeoutMs }) };
}

/** One step, its line printed; its error recorded where the job's row shows it. */
async function runStep(queue: Queue, name: string, step: Step, job: PgBoss.Job<unknown>, options: WorkerOptions): Promise<void> {
  const data = job.data as JobData & Partial<BatchData>;
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const line = await step(queue, data as never, options);
    options.log(`${line} (${seconds()})`);
  } catch (err) {
    const message = err instanceof ZhiweiError ? [err.message, err.hint].filter(Boolean).join('; ') : (err as Error).message;
    const what = `job ${data.jobId}${data.batch === undefined ? '' : ` batch ${data.batch}`} (${name})`;
    if (err instanceof ZhiweiError) {
      // bad input fails the same way on every try: the job fails now
      await finishJob(queue.db.knex, data.jobId, { error: message });
      options.log(`${what}: failed, job failed: ${message} (${seconds()})`);
      return;
    }
    if (data.batch === undefined) await recordStepError(queue.db.knex, data.jobId, message);
    else await recordBatchError(queue.db.knex, data.jobId, data.batch, message);
    options.log(`${what}: failed, to be retried: ${message} (${seconds()})`);
    throw err;
  }
}

/** A queue job out of tries: its zhiwei job fails with the last error recorded. */
async function failJob(queue: Queue, job: PgBoss.Job<unknown>, options: WorkerOptions): Promise<void> {
  const data = job.data as JobData & Partial<BatchData>;
  const { knex } = queue.db;
  const record = await findJob(knex, data.jobId);
  if (record?.state !== 'running') return;
  const batch = data.batch === undefined ? undefined : (await listBatches(knex, data.jobId)).find((b) => b.batch === data.batch);
  const last = batch ? batch.error : record.error;
  const where = batch ? `batch ${batch.batch} (rows ${batch.y0}-${batch.y1})` : 'a step';
  const error = `${where} failed on every try${last ? `: ${last}` : ' (its workers stopped before it ended)'}`;
  await finishJob(knex, data.jobId, { error });
  options.log(`job ${data.jobId}: failed: ${error}`);
}
