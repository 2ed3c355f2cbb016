/**
 * The job queue on pg-boss, in the project's PostgreSQL (a schema of its own beside zhiwei's:
 * `<schema>_queue`). A queued detect runs as three kinds of queue job, each taken by any
 * `zhiwei worker` (see `steps.ts`):
 * - plan (`zhiwei-plan`, data `{ jobId, batchRows }`): the global steps, the plan stored on the
 *   job's row, its strip batches inserted and one batch job sent per batch;
 * - batch (`zhiwei-batch`, data `{ jobId, batch, from, to }`): the fusion segments [from, to) of
 *   the grid, their fused strips stored on the batch's row; the last batch done sends the finish;
 * - finish (`zhiwei-finish`, data `{ jobId }`): the strips in order through the vectorizer, then
 *   evidence, outputs, overlay and cases, once per job.
 * A queued survey is one job (`zhiwei-survey`, data `{ jobId }`). A queue job that failed all its
 * tries goes to `zhiwei-failed`, whose handler marks the zhiwei job failed.
 * The API: `openQueue(db)` (refuses the embedded database), `submitDetect`/`submitSurvey` for a
 * job row already inserted as queued, `startWorker` (`worker.ts`) to take jobs, `queue.close()`.
 * A batch that a killed worker held comes back after its expiry, `ZHIWEI_BATCH_EXPIRY_S` seconds
 * (default 600; pg-boss 10 has no heartbeat): set it above the longest batch's time. The plan,
 * finish and survey steps expire after `ZHIWEI_STEP_EXPIRY_S` (default 3600). Each is read where a
 * step is sent, so set them for the command that queues jobs and for every worker.
 */
import PgBoss from 'pg-boss';
import { databaseUrl } from '../config.js';
import type { Database } from '../db/connect.js';
import { BadInputError } from '../errors.js';

/** The queues and what their jobs carry. */
export const queueNames = Object.freeze({
  plan: 'zhiwei-plan',
  batch: 'zhiwei-batch',
  finish: 'zhiwei-finish',
  survey: 'zhiwei-survey',
  failed: 'zhiwei-failed',
});

/** Data of a plan job. */
export interface PlanData {
  jobId: number;
  /** Grid rows per strip batch, about (rounded to whole fusion segments). */
  batchRows: number;
}

/** Data of a batch job: fusion segments [from, to) of the job's plan. */
export interface BatchData {
  jobId: number;
  batch: number;
  from: number;
  to: number;
}

/** Data of a finish or survey job. */
export interface JobData {
  jobId: number;
}

/** An open queue. */
export interface Queue {
  boss: PgBoss;
  db: Database;
  /** Seconds after which a batch a worker took and did not finish goes back to the queue. */
  batchExpirySeconds: number;
  /** The same for the plan, finish and survey steps. */
  stepExpirySeconds: number;
  close(): Promise<void>;
}

/** Grid rows per strip batch unless told otherwise. */
export const defaultBatchRows = 1024;
/** Tries of a queue job after its first. */
const retryLimit = 3;

/** The batch expiry from `ZHIWEI_BATCH_EXPIRY_S` (default 600 s). */
export function batchExpirySeconds(): number {
  return expirySetting('ZHIWEI_BATCH_EXPIRY_S', 600);
}

/** The expiry of the plan, finish and survey steps, which each run once per job, from `ZHIWEI_STEP_EXPIRY_S` (default an hour). */
export function stepExpirySeconds(): number {
  return expirySetting('ZHIWEI_STEP_EXPIRY_S', 3600);
}

function expirySetting(name: string, seconds: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return seconds;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new BadInputError(`${name} "${text}" is not a whole number of seconds`);
  return value;
}

/** The error when the database is the embedded one: queues need a PostgreSQL server. */
export function queueNeedsServer(what: string): BadInputError {
  return new BadInputError(
    `${what} needs a PostgreSQL server: the embedded database is one process's, and queue workers run in many`,
    'set DATABASE_URL to a PostgreSQL server with PostGIS (postgres://user:password@host:5432/db) for this command and every worker',
  );
}

/**
 * Opens pg-boss on the database's server and schema, creating its queues where missing;
 * `what` names the command for the embedded database's refusal. Errors pg-boss meets on its own
 * (a dropped connection, which it recovers from) go to `onError`.
 */
export async function openQueue(db: Database, what: string, onError: (err: Error) => void = () => {}): Promise<Queue> {
  const url = databaseUrl();
  if (db.backend === 'embedded' || url === null) throw queueNeedsServer(what);
  const expiry = batchExpirySeconds();
  const stepExpiry = stepExpirySeconds();
  const boss = new PgBoss({
    connectionString: url,
    schema: `${db.schema}_queue`,
    application_name: 'zhiwei-queue',
    // expired steps are found by pg-boss's maintenance: look a few times per expiry
    maintenanceIntervalSeconds: Math.min(120, Math.max(1, Math.floor(Math.min(expiry, stepExpiry) / 4))),
  });
  boss.on('error', onError);
  survivePgBossCompletions(onError);
  await boss.start();
  try {
    await createQueues(db, boss);
  } catch (err) {
    await boss.stop({ graceful: false });
    throw err;
  }
  return { boss, db, batchExpirySeconds: expiry, stepExpirySeconds: stepExpiry, close: () => boss.stop({ graceful: false }) };
}

/**
 * pg-boss 10 records a step's end without awaiting it (`manager.js`: `this.complete(...)` in its
 * work loop), so a connection dropped at that moment (a database restart) rejects unhandled and
 * Node ends the process. Such a step comes back after its expiry, and steps are idempotent, so a
 * dropped connection is told to `onError` and the process goes on; any other unhandled rejection
 * still ends it, as it would without this.
 */
let survivingCompletions = false;
function survivePgBossCompletions(onError: (err: Error) => void): void {
  if (survivingCompletions) return;
  survivingCompletions = true;
  process.on('unhandledRejection', (reason) => {
    if (!isDroppedConnection(reason)) throw reason;
    onError(reason as Error);
  });
}

/** A PostgreSQL error of the connection classes (57P: shutdown, 08: connection), or a socket gone. */
function isDroppedConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('57P') || code.startsWith('08') || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(code))) return true;
  return err instanceof Error && /Connection terminated|Connection ended/.test(err.message);
}

/**
 * Creates the queues where missing. Processes starting together would deadlock in pg-boss's
 * `create_queue`: a transaction-level advisory lock, held while pg-boss creates them on its own
 * connections, lets one process at a time in.
 */
async function createQueues(db: Database, boss: PgBoss): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`${db.schema}_queue`]);
    // expiries are given with each job sent, from the sender's settings
    await boss.createQueue(queueNames.failed, { name: queueNames.failed, retryLimit: 0 });
    const step = { retryLimit, retryDelay: 1, deadLetter: queueNames.failed };
    await boss.createQueue(queueNames.plan, { name: queueNames.plan, ...step });
    await boss.createQueue(queueNames.batch, { name: queueNames.batch, ...step });
    // one finish waiting per job at most (the last two batches may both see all ended after a retry)
    await boss.createQueue(queueNames.finish, { name: queueNames.finish, ...step, policy: 'short' });
    await boss.createQueue(queueNames.survey, { name: queueNames.survey, ...step });
  });
}

/** Sends a queued detect's plan step (its row inserted as queued). */
export async function submitDetect(queue: Queue, jobId: number, batchRows = defaultBatchRows): Promise<void> {
  const data: PlanData = { jobId, batchRows };
  await queue.boss.send(queueNames.plan, data, { expireInSeconds: queue.stepExpirySeconds });
}

/** Sends a queued survey (its row inserted as queued). */
export async function submitSurvey(queue: Queue, jobId: number): Promise<void> {
  const data: JobData = { jobId };
  await queue.boss.send(queueNames.survey, data, { expireInSeconds: queue.stepExpirySeconds });
}
