/**
 * The `jobs` table for jobs submitted to the service or the queue: queued → running → succeeded |
 * failed, with progress while running. A job runs once claimed; jobs are claimed oldest first.
 * A queued detect (`src/queue/`) also keeps its plan on its row and its strip batches in
 * `job_batches`.
 */
import type { Knex } from 'knex';

/** The states of a job. */
export const JOB_STATES = Object.freeze(['queued', 'running', 'succeeded', 'failed'] as const);

/** One job state. */
export type JobState = (typeof JOB_STATES)[number];

/** The kinds of a job: changes between two flights, or one flight's buildings against the plans. */
export const JOB_KINDS = Object.freeze(['detect', 'survey'] as const);

/** One job kind. */
export type JobKind = (typeof JOB_KINDS)[number];

/** Where a running job is. */
export interface JobProgress {
  stage: string;
  done: number;
  total: number;
  unit: string;
  updatedAt: string;
}

/** A job as stored. */
export interface JobRecord {
  id: number;
  kind: JobKind;
  state: JobState;
  spec: Record<string, unknown>;
  submittedBy: string | null;
  beforeDate: string | null;
  afterDate: string | null;
  model: string | null;
  outDir: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  progress: JobProgress | null;
  summary: Record<string, unknown> | null;
  error: string | null;
}

const columns = [
  'id', 'kind', 'state', 'spec', 'submitted_by', 'model', 'out_dir', 'created_at', 'started_at', 'finished_at', 'progress', 'summary', 'error',
] as const;

/** The id the next job will have (taken now, so that its output folder can be named after it). */
export async function nextJobId(knex: Knex): Promise<number> {
  const { rows } = await knex.raw(`SELECT nextval(pg_get_serial_sequence('jobs', 'id')) AS id`);
  return Number(rows[0].id);
}

/** Queues a job under the id from `nextJobId`. */
export async function insertQueuedJob(
  knex: Knex,
  job: {
    id: number; kind: JobKind; spec: Record<string, unknown>; submittedBy: string; beforeDate: string | null; afterDate: string | null; model: string | null; outDir: string;
  },
): Promise<void> {
  await knex('jobs').insert({
    id: job.id, kind: job.kind, state: 'queued', spec: JSON.stringify(job.spec), submitted_by: job.submittedBy, before_date: job.beforeDate, after_date: job.afterDate,
    model: job.model, out_dir: job.outDir,
  });
}

/** Marks the oldest queued job running and returns it; null when none is queued. */
export async function claimNextJob(knex: Knex): Promise<JobRecord | null> {
  const { rows } = await knex.raw(
    `UPDATE jobs SET state = 'running', started_at = now(), progress = NULL
      WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id`,
  );
  return rows.length === 0 ? null : findJob(knex, Number(rows[0].id));
}

/** Records a running job's progress. */
export async function recordProgress(knex: Knex, id: number, progress: JobProgress): Promise<void> {
  await knex('jobs').where({ id, state: 'running' }).update({ progress: JSON.stringify(progress) });
}

/** Ends a running job: succeeded with its summary, or failed with its error. */
export async function finishJob(knex: Knex, id: number, end: { summary: Record<string, unknown> } | { error: string }): Promise<void> {
  const fields = 'summary' in end ? { state: 'succeeded', summary: JSON.stringify(end.summary) } : { state: 'failed', error: end.error };
  await knex('jobs').where({ id, state: 'running' }).update({ ...fields, finished_at: knex.fn.now() });
}

/** Puts a running job back in the queue (its run was interrupted cleanly). */
export async function requeueJob(knex: Knex, id: number): Promise<void> {
  await knex('jobs').where({ id, state: 'running' }).update({ state: 'queued', started_at: null, progress: null });
}

/** Fails every job left running, with `error`; returns their ids. */
export async function failRunningJobs(knex: Knex, error: string): Promise<number[]> {
  const rows = await knex('jobs').where({ state: 'running' }).update({ state: 'failed', error, finished_at: knex.fn.now() }).returning('id');
  return rows.map((row: { id: number | string }) => Number(row.id));
}

/** One job, or null. */
export async function findJob(knex: Knex, id: number): Promise<JobRecord | null> {
  const row = await selectJobs(knex).where({ id }).first();
  return row ? jobRecord(row) : null;
}

/** A page of jobs, newest first. */
export async function listJobs(knex: Knex, page: { limit: number; offset: number; state?: JobState }): Promise<JobRecord[]> {
  const query = selectJobs(knex).orderBy('id', 'desc').limit(page.limit).offset(page.offset);
  if (page.state) query.where({ state: page.state });
  return (await query).map(jobRecord);
}

function selectJobs(knex: Knex) {
  return knex('jobs').select(
    ...columns,
    knex.raw(`to_char(before_date, 'YYYY-MM-DD') AS before_date`),
    knex.raw(`to_char(after_date, 'YYYY-MM-DD') AS after_date`),
  );
}

function jobRecord(row: Record<string, unknown>): JobRecord {
  const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : ((typeof value === 'string' ? JSON.parse(value) : value) as T));
  const date = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    id: Number(row.id), kind: row.kind as JobKind, state: row.state as JobState, spec: json(row.spec) ?? {}, submittedBy: row.submitted_by as string | null,
    beforeDate: row.before_date as string | null, afterDate: row.after_date as string | null, model: row.model as string | null, outDir: row.out_dir as string | null,
    createdAt: new Date(row.created_at as string), startedAt: date(row.started_at), finishedAt: date(row.finished_at),
    progress: json(row.progress), summary: json(row.summary), error: row.error as string | null,
  };
}

/** Marks a queued job running; false when it is neither queued nor running (it ended, or is gone). */
export async function startJob(knex: Knex, id: number): Promise<boolean> {
  await knex('jobs').where({ id, state: 'queued' }).update({ state: 'running', started_at: knex.fn.now(), progress: null });
  const row = await knex('jobs').where({ id }).first('state');
  return row?.state === 'running';
}

/**
 * Stores a queued detect's plan and inserts its strip batches, in one transaction; false (and
 * nothing written) when an earlier try of the plan step stored them already.
 */
export async function storePlan(knex: Knex, id: number, plan: Record<string, unknown>, batches: { y0: number; y1: number }[]): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const updated = await trx('jobs').where({ id }).whereNull('plan').update({ plan: JSON.stringify(plan) });
    if (updated === 0) return false;
    await trx('job_batches').insert(batches.map(({ y0, y1 }, batch) => ({ job_id: id, batch, y0, y1 })));
    return true;
  });
}

/** A queued detect's stored plan, or null before its plan step stored it. */
export async function readPlan(knex: Knex, id: number): Promise<Record<string, unknown> | null> {
  const row = await knex('jobs').where({ id }).first('plan');
  const plan = row?.plan ?? null;
  return typeof plan === 'string' ? JSON.parse(plan) : plan;
}

/** One strip batch of a queued detect: grid rows [y0, y1). */
export interface BatchRecord {
  batch: number;
  y0: number;
  y1: number;
  /**
   * queued until a worker stores its strips (done); failed when its last try failed and it may be
   * tried again; given_up when it failed on bad input (`error` says why for both).
   */
  state: 'queued' | 'done' | 'failed' | 'given_up';
  error: string | null;
}

/** The strip batches of a job, top to bottom. */
export async function listBatches(knex: Knex, id: number): Promise<BatchRecord[]> {
  const rows = await knex('job_batches').where({ job_id: id }).orderBy('batch').select('batch', 'y0', 'y1', 'state', 'error');
  return rows.map((row) => ({ batch: row.batch, y0: row.y0, y1: row.y1, state: row.state, error: row.error }));
}

/** Batches ended (done or given up) of all a job's batches. */
export interface BatchCount {
  ended: number;
  total: number;
}

/**
 * Stores a batch's strips in one UPDATE (a retry overwrites them) and counts the job's batches
 * ended. The job's row is locked first, so that of batches ending together exactly one sees them
 * all ended.
 */
export async function storeBatch(knex: Knex, id: number, batch: number, strip: Buffer): Promise<BatchCount> {
  return endBatch(knex, id, (trx) => trx('job_batches').where({ job_id: id, batch }).update({ strip, state: 'done', error: null, updated_at: trx.fn.now() }));
}

/** Gives a batch up (it failed on bad input: `reason`) unless it is done, and counts the job's batches ended, as `storeBatch`. */
export async function giveUpBatch(knex: Knex, id: number, batch: number, reason: string): Promise<BatchCount> {
  return endBatch(knex, id, (trx) =>
    trx('job_batches').where({ job_id: id, batch }).whereNot({ state: 'done' }).update({ state: 'given_up', error: reason, updated_at: trx.fn.now() }),
  );
}

async function endBatch(knex: Knex, id: number, update: (trx: Knex.Transaction) => Promise<unknown>): Promise<BatchCount> {
  return knex.transaction(async (trx) => {
    await trx('jobs').where({ id }).forUpdate().first('id');
    await update(trx);
    const [{ ended, total }] = await trx('job_batches')
      .where({ job_id: id })
      .select(trx.raw(`count(*) FILTER (WHERE state IN ('done', 'given_up')) AS ended`), trx.raw('count(*) AS total'));
    return { ended: Number(ended), total: Number(total) };
  });
}

/** Records why a try of a batch failed (a later try may still do it). */
export async function recordBatchError(knex: Knex, id: number, batch: number, error: string): Promise<void> {
  await knex('job_batches').where({ job_id: id, batch }).whereIn('state', ['queued', 'failed']).update({ state: 'failed', error, updated_at: knex.fn.now() });
}

/** The stored strips of a done batch. */
export async function readBatchStrip(knex: Knex, id: number, batch: number): Promise<Buffer> {
  const row = await knex('job_batches').where({ job_id: id, batch, state: 'done' }).first('strip');
  if (!row) throw new Error(`batch ${batch} of job ${id} has no strips stored`);
  return row.strip as Buffer;
}

/** Records why a try of a running job's step failed (a later try may still succeed). */
export async function recordStepError(knex: Knex, id: number, error: string): Promise<void> {
  await knex('jobs').where({ id, state: 'running' }).update({ error });
}
