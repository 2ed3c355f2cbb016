/**
 * Following a queued job from the CLI (`detect --queue`, `survey --queue`): its row's progress as
 * the usual progress bars or lines, until it succeeds (its summary) or fails.
 */
import { findJob } from '../db/jobs.js';
import type { Database } from '../db/connect.js';
import { ZhiweiError } from '../errors.js';
import { startStage, type StageProgress } from './progress.js';

/** How often the job's row is read. */
const pollMs = 500;

/** Waits for job `id` to end, showing its progress; returns its summary, or throws its error. */
export async function followJob(db: Database, id: number): Promise<Record<string, unknown>> {
  let bar: StageProgress | null = null;
  let shown = { stage: '', total: -1, done: 0 };
  for (;;) {
    const record = await findJob(db.knex, id);
    if (!record) throw new ZhiweiError('not_found', `job ${id} is gone from the database`);
    const { progress } = record;
    if (progress && (progress.stage !== shown.stage || progress.total !== shown.total)) {
      bar?.done();
      bar = startStage(progress.stage, progress.total, progress.unit);
      shown = { stage: progress.stage, total: progress.total, done: 0 };
    }
    if (progress && bar && progress.done > shown.done) {
      bar.tick(progress.done - shown.done);
      shown.done = progress.done;
    }
    if (record.state === 'succeeded' || record.state === 'failed') {
      bar?.done();
      if (record.state === 'failed') throw new ZhiweiError('internal', `job ${id} failed: ${record.error}`, "the workers' output has the details");
      return record.summary ?? {};
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
