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
import { DependencyMissingError, ZhiweiError } from '../errors.js';
import { startJobQueue } from '../pipeline/run/job-queue.js';
import { openQueue, submitDetect, submitSurvey, type Queue } from '../queue/index.js';
import { startWorker, type Worker } from '../queue/worker.js';

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
  /** Runs job `id`, inserted as queued (on a server, once the queue is open). */
  submitted(job: { id: number; kind: JobKind }): Promise<void>;
  /**
   * Stops taking jobs. The in-process queue interrupts its job and puts it back in the queue;
   * the queue's worker lets the step running end, waiting up to the batch expiry as `zhiwei worker`
   * does (the job's other steps go on elsewhere or on the next start).
   */
  stop(): Promise<void>;
}

/** How long the runner waits before trying the queue again after the database failed it. */
const retryMs = 5000;

/**
 * Starts the runner for the database's backend. On a server the queue opens in the background,
 * tried again every few seconds while the database does not answer, so that the service starts
 * (and answers 503) without its database; a submission waits for the queue.
 */
export function startJobRunner(db: Database, options: JobRunnerOptions): JobRunner {
  if (db.backend === 'embedded') {
    const queue = startJobQueue(db, options);
    return { submitted: async () => queue.wake(), stop: () => queue.stop() };
  }
  let stopping = false;
  let wakeRetry = () => {};
  const started = (async () => {
    while (!stopping) {
      try {
        return await startQueueWorker(db, options);
      } catch (err) {
        options.onError(err, 'the job queue could not start');
        // a setting refused (no DATABASE_URL) stays refused
        if (err instanceof ZhiweiError) return null;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return null;
  })();
  return {
    submitted: async ({ id, kind }) => {
      const running = await started;
      if (!running) throw new DependencyMissingError('the job queue is not running', "the service's log says why");
      await (kind === 'survey' ? submitSurvey(running.queue, id) : submitDetect(running.queue, id));
    },
    stop: async () => {
      stopping = true;
      wakeRetry();
      const running = await started;
      await running?.worker.stop(running.queue.batchExpirySeconds * 1000);
    },
  };
}

/** The queue opened and a worker taking its jobs in this process. */
async function startQueueWorker(db: Database, options: JobRunnerOptions): Promise<{ queue: Queue; worker: Worker }> {
  // the service's own database first: while it does not answer, pg-boss is not started at all
  await db.knex.raw('SELECT 1');
  const queue = await openQueue(db, "the service's job runner", (err) => options.onError(err, 'the job queue met a database error; retrying'));
  try {
    const worker = await startWorker(queue, {
      evidenceDir: options.evidenceDir,
      log: options.log,
      onError: (err) => options.onError(err, 'job progress was not recorded'),
    });
    return { queue, worker };
  } catch (err) {
    await queue.close();
    throw err;
  }
}
