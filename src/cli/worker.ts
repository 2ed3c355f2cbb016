/**
 * `zhiwei worker`: takes queued detect and survey jobs (their plan, strip batches and finish) from
 * the queue in the project's PostgreSQL until SIGINT or SIGTERM; any number of workers on any
 * hosts share the work. The first signal stops taking jobs and lets the steps running end (up to
 * the batch expiry); a second one exits at once, and pg-boss hands the cut-off steps to another
 * worker once they expire.
 */
import type { Command } from 'commander';
import { databaseUrl, evidenceDir } from '../config.js';
import { openQueue, queueNeedsServer } from '../queue/index.js';
import { startWorker } from '../queue/worker.js';
import { withDatabase } from './database.js';
import { parsePositiveInteger } from './options.js';

/** Registers `zhiwei worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take queued jobs (detect --queue, survey --queue) from the PostgreSQL queue until stopped: one line per step')
    .option('--concurrency <n>', 'steps of each kind run at once', parsePositiveInteger, 1)
    .option('--threads <n>', "model threads per batch (default: the job's --threads, or all cores)", parsePositiveInteger)
    .action(worker);
}

async function worker(flags: { concurrency: number; threads?: number }): Promise<void> {
  if (databaseUrl() === null) throw queueNeedsServer('zhiwei worker');
  await withDatabase(async (db) => {
    const queue = await openQueue(db, 'zhiwei worker', (err) => process.stderr.write(`worker: database error, retrying: ${err.message}\n`));
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const running = await startWorker(queue, {
      concurrency: flags.concurrency,
      threads: flags.threads,
      evidenceDir: evidenceDir(),
      log,
      onError: (err) => process.stderr.write(`worker: ${(err as Error).message}\n`),
    });
    log(`worker ${process.pid}: taking jobs from ${db.location} (schema ${db.schema}), ${flags.concurrency} of each kind at once; Ctrl-C stops`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const now = () => {
      process.stderr.write('worker: stopped at once; the steps cut off run again elsewhere once they expire\n');
      process.exit(130);
    };
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    log(`worker ${process.pid}: ${signal}, letting the steps running end (another signal stops at once)`);
    await running.stop(queue.batchExpirySeconds * 1000);
    log(`worker ${process.pid}: stopped`);
  });
}
