/**
 * The `jobs` table for jobs submitted to the service: queued → running → succeeded | failed,
 * with progress while running. A job runs once claimed; jobs are claimed oldest first.
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
