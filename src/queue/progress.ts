/**
 * Progress of a step run by a worker, written to its job's row (each stage's start and end, and at
 * most one tick a second in between), where `zhiwei detect --queue` and the API read it.
 */
import type { Database } from '../db/connect.js';
import { recordProgress, type JobProgress } from '../db/jobs.js';
import type { ProgressFactory } from '../pipeline/types.js';

/** A progress factory writing to job `id`'s row, and a promise of its writes so far. */
export function rowProgress(db: Database, id: number, onError: (err: unknown) => void): { factory: ProgressFactory; flushed: () => Promise<void> } {
  let writes = Promise.resolve();
  let lastWrite = 0;
  const write = (progress: Omit<JobProgress, 'updatedAt'>, always: boolean) => {
    const now = Date.now();
    if (!always && now - lastWrite < 1000) return;
    lastWrite = now;
    const row = { ...progress, updatedAt: new Date(now).toISOString() };
    writes = writes.then(() => recordProgress(db.knex, id, row)).catch(onError);
  };
  const factory: ProgressFactory = (stage, total, unit) => {
    let done = 0;
    write({ stage, done, total, unit }, true);
    return {
      tick(units = 1) {
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
