/**
 * The service's job queue on the embedded database (on a PostgreSQL server the service runs jobs
 * on the pg-boss queue instead: `server/job-runner.ts`): detect and survey jobs submitted through
 * the API run in the service process, one at a time, oldest first, through the same `runDetectJob` as `zhiwei detect` (and
 * `runSurveyJob` as `zhiwei survey`, for jobs of kind survey). The queue is the
 * `jobs` table, so queued jobs survive a restart and run when the service starts again.
 * - Stopping the service interrupts the running job at its next progress step: its outputs are
 *   swapped in whole and its overlay is one transaction that commits last, so at most its output
 *   folder is left (which the re-run replaces), and it goes back to the queue to run first on the
 *   next start.
 * - A job still `running` when the service starts was cut off by a crash; it is marked failed,
 *   not run again, so that a job that brings the process down cannot do so on every start.
 * The embedded database is one process's, so one service runs its jobs.
 */
import type { Database } from '../../db/connect.js';
import { claimNextJob, failRunningJobs, finishJob, recordProgress, requeueJob, type JobProgress, type JobRecord } from '../../db/jobs.js';
import { ZhiweiError } from '../../errors.js';
import { runDetectJob, type ResolvedDetectJob } from './detect-job.js';
import { runSurveyJob, type ResolvedSurveyJob } from './survey-job.js';
import type { ProgressFactory } from '../types.js';

/** What the queue needs. */
export interface JobQueueOptions {
  /** The evidence store (`<data dir>/evidence`). */
  evidenceDir: string;
  /** Told of failures of the queue itself and of jobs that failed inside the service. */
  onError: (err: unknown, message: string) => void;
  /** Least time between two progress writes of one job (default 1 s). */
  progressIntervalMs?: number;
}

/** A running queue. */
export interface JobQueue {
  /** Looks for queued jobs now (after a submission). */
  wake(): void;
  /** Interrupts the running job (back to the queue) and stops; settles when nothing runs. */
  stop(): Promise<void>;
}

/** Thrown at a progress step of a job whose queue is stopping. */
class JobInterrupted extends Error {}

/** How long the queue waits before looking again after the database failed it. */
const retryMs = 5000;

/** Starts the queue: fails jobs a crash left running, then runs the queued ones and every one submitted later. */
export function startJobQueue(db: Database, options: JobQueueOptions): JobQueue {
  let stopping = false;
  let woken = false;
  let endWait: (() => void) | null = null;
  const wake = () => {
    woken = true;
    endWait?.();
  };
  const loop = (async () => {
    const failed = await failRunningJobs(db.knex, 'the service stopped while this job ran; submit it again').catch((err) => {
      options.onError(err, 'jobs left running could not be marked failed');
      return [];
    });
    if (failed.length > 0) options.onError(new Error(`jobs ${failed.join(', ')}`), 'jobs left running by a stopped service were marked failed');
    while (!stopping) {
      woken = false;
      let job: JobRecord | null = null;
      let retry = false;
      try {
        job = await claimNextJob(db.knex);
        if (job) await runJob(db, job, options, () => stopping);
      } catch (err) {
        options.onError(err, 'the job queue failed');
        retry = true;
      }
      if (job || stopping || woken) continue;
      // idle until a submission wakes the queue (or, after a failure, until it tries again)
      await new Promise<void>((resolve) => {
        const timer = retry ? setTimeout(resolve, retryMs) : undefined;
        endWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      endWait = null;
    }
  })();
  return {
    wake,
    stop: async () => {
      stopping = true;
      wake();
      await loop;
    },
  };
}

/** Runs one claimed job and records how it ended. */
async function runJob(db: Database, record: JobRecord, options: JobQueueOptions, stopping: () => boolean): Promise<void> {
  const progress = progressRecorder(db, record.id, options, stopping);
  const run = { progress: progress.factory, evidenceDir: options.evidenceDir, naming: 'fields' as const, jobId: record.id };
  try {
    const summary = record.kind === 'survey' ? await runSurveyJob(resolved<ResolvedSurveyJob>(record), db, run) : await runDetectJob(resolved<ResolvedDetectJob>(record), db, run);
    await progress.flushed();
    await finishJob(db.knex, record.id, { summary });
  } catch (err) {
    await progress.flushed();
    if (err instanceof JobInterrupted) return requeueJob(db.knex, record.id);
    if (!(err instanceof ZhiweiError)) options.onError(err, `job ${record.id} failed`);
    const error = err instanceof ZhiweiError ? [err.message, err.hint].filter(Boolean).join('; ') : 'the job failed inside the service; the log has the details';
    await finishJob(db.knex, record.id, { error });
  }
}

/** The resolved job a row's spec holds: the job's fields and its `layers`. */
function resolved<T extends ResolvedDetectJob | ResolvedSurveyJob>(record: JobRecord): T {
  const { layers, ...job } = record.spec as Record<string, unknown>;
  return { job, layers } as unknown as T;
}

/**
 * Progress of a job written to its row (each stage's start and end, and at most one tick per
 * interval in between); a step after the queue began stopping interrupts the job.
 */
function progressRecorder(db: Database, id: number, options: JobQueueOptions, stopping: () => boolean) {
  const intervalMs = options.progressIntervalMs ?? 1000;
  let writes = Promise.resolve();
  let lastWrite = 0;
  const write = (progress: Omit<JobProgress, 'updatedAt'>, always: boolean) => {
    const now = Date.now();
    if (!always && now - lastWrite < intervalMs) return;
    lastWrite = now;
    const row = { ...progress, updatedAt: new Date(now).toISOString() };
    writes = writes.then(() => recordProgress(db.knex, id, row)).catch((err) => options.onError(err, `progress of job ${id} was not recorded`));
  };
  const step = () => {
    if (stopping()) throw new JobInterrupted(`job ${id} interrupted: the service is stopping`);
  };
  const factory: ProgressFactory = (stage, total, unit) => {
    step();
    let done = 0;
    write({ stage, done, total, unit }, true);
    return {
      tick(units = 1) {
        step();
        done += units;
        write({ stage, done, total, unit }, false);
      },
      done() {
        write({ stage, done, total, unit }, true);
      },
    };
  };
  return { factory, flushed: () => writes };
}
