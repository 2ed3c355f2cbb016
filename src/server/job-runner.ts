/**
 * The service's job runner, by backend:
 * - on a PostgreSQL server (`DATABASE_URL`), a submitted job goes onto the pg-boss queue
 *   (`queue/`) and the service runs a worker on it in its own process, like `zhiwei worker`: any
 *   number of services and workers share one database, and a job whose service stopped or
 *   crashed is carried on by the others (a step cut off by a crash runs again once it expires);
 * - on the embedded database, the in-process queue of `pipeline/run/job-queue.ts` (one process).
 * Either way the job's row shows its state and progress as the API serves them.
 */
import type { Database } from '../db/connect.js';
import type { JobKind } from '../db/jobs.js';
import { startJobQueue } from '../pipeline/run/job-queue.js';
import { openQueue, submitDetect, submitSurvey } from '../queue/index.js';
import { startWorker } from '../queue/worker.js';

/** What the runner needs. */
export interface JobRunnerOptions {
  /** The evidence store (`<data dir>/evidence`). */
  evidenceDir: string;
  /** Told of failures of the runner and of jobs that failed inside the service. */
  onError: (err: unknown, message: string) => void;
  /** Told one line per queue step the service ran (server backend). */
  log: (line: string) => void;
}

/** A running job runner. */
export interface JobRunner {
  /** Runs job `id`, inserted as queued. */
  submitted(job: { id: number; kind: JobKind }): Promise<void>;
  /**
   * Stops taking jobs. The in-process queue interrupts its job and puts it back in the queue;
   * the queue's worker lets the step running end (its job goes on elsewhere or on the next start).
   */
  stop(): Promise<void>;
}

/** Starts the runner for the database's backend. */
export async function startJobRunner(db: Database, options: JobRunnerOptions): Promise<JobRunner> {
  if (db.backend === 'embedded') {
    const queue = startJobQueue(db, options);
    return { submitted: async () => queue.wake(), stop: () => queue.stop() };
  }
  const queue = await openQueue(db, "the service's job runner", (err) => options.onError(err, 'the job queue met a database error; retrying'));
  try {
    const worker = await startWorker(queue, {
      evidenceDir: options.evidenceDir,
      log: options.log,
      onError: (err) => options.onError(err, 'job progress was not recorded'),
    });
    return {
      submitted: ({ id, kind }) => (kind === 'survey' ? submitSurvey(queue, id) : submitDetect(queue, id)),
      stop: () => worker.stop(queue.batchExpirySeconds * 1000),
    };
  } catch (err) {
    await queue.close();
    throw err;
  }
}
