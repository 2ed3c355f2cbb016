/**
 * Faults of a queued detect on the CI PostgreSQL, the bundled 1024 px scene in 5 strip batches
 * taken by 2 `zhiwei worker` processes:
 * - the database restarting mid-job, as the workers see it: every connection of theirs terminated
 *   (`pg_terminate_backend`, by the application name their DATABASE_URL gives them) three times
 *   while batches run; the workers reconnect and the job ends with exactly the candidates and
 *   cases of a single-process run. (The shared CI server itself is not restarted: other test
 *   files use it at the same time.)
 * - a corrupt tile in one raster: the batches whose windows hit it are given up with the reason
 *   (no retries for a data error), the others done, and the job succeeds saying which rows and
 *   which map extent were not analysed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/connect.js';
import { findJob, insertQueuedJob, nextJobId, type JobRecord } from '../db/jobs.js';
import { prepareDetectJob, resolveDetectJob, runDetectJob, type JobSpec } from '../pipeline/run/detect-job.js';
import type { DetectSummary } from '../pipeline/run/run-detect.js';
import { cliDatabase, openTestDatabase, type CliDatabase } from '../test-support/database.js';
import { quietProgress } from '../test-support/progress.js';
import { openQueue, submitDetect, type Queue } from './index.js';

const scene = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));
const bin = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Grid rows per batch: the scene's 1024 rows in 5 batches. */
const batchRows = 224;

/** The candidates of job `id`, as comparable rows (ids and evidence paths left out). */
async function candidates(db: Database, id?: number): Promise<Record<string, unknown>[]> {
  const { rows } = await db.knex.raw(
    `SELECT local_id, change_kind, area_m2, height_change_m, height_after_m, confidence, reason, violation, suspect, decision,
            permit_no, grid_id, zones, priority, ST_AsText(geom) AS geom
       FROM candidates ${id === undefined ? '' : 'WHERE job_id = ?'} ORDER BY local_id`,
    id === undefined ? [] : [id],
  );
  return rows;
}

/** The cases, as comparable rows. */
async function cases(db: Database): Promise<Record<string, unknown>[]> {
  const { rows } = await db.knex.raw(
    `SELECT state, violation, change_kind, priority, grid_id, zones, permit_no, area_m2, height_change_m, event_count, ST_AsText(geom) AS geom
       FROM cases ORDER BY area_m2, ST_AsText(geom)`,
  );
  return rows;
}

async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await done()); await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (Date.now() > end) throw new Error(`not done after ${timeoutMs} ms`);
  }
}

interface Worker {
  child: ChildProcess;
  output: () => string;
}

/** A `zhiwei worker` with one model thread, ready once it says it takes jobs. */
async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', tsx, bin, 'worker', '--threads', '1'], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await until(async () => output.includes('taking jobs') || child.exitCode !== null, 60_000);
  if (!output.includes('taking jobs')) throw new Error(`the worker did not start: ${output}`);
  return { child, output: () => output };
}

/** A copy of the scene whose after orthophoto has the tile at tile row `row`, column 1, overwritten with zeros. */
async function sceneWithCorruptTile(dir: string, row: number): Promise<string> {
  const copy = join(dir, 'corrupt-scene');
  await cp(scene, copy, { recursive: true });
  const path = join(copy, 'after/ortho.tif');
  const image = await (await fromFile(path)).getImage();
  const across = Math.ceil(image.getWidth() / image.getTileWidth());
  const offsets = (await image.fileDirectory.loadValue('TileOffsets')) as ArrayLike<number>;
  const counts = (await image.fileDirectory.loadValue('TileByteCounts')) as ArrayLike<number>;
  const tile = row * across + 1;
  const file = await open(path, 'r+');
  try {
    await file.write(Buffer.alloc(counts[tile]), 0, counts[tile], offsets[tile]);
  } finally {
    await file.close();
  }
  return copy;
}

describe.skipIf(!process.env.DATABASE_URL)('faults of a queued detect', () => {
  let dir: string;
  let cli: CliDatabase;
  let single: Database;
  let queued: Database;
  let queue: Queue;
  const workers: Worker[] = [];
  /** The single-process run's summary. */
  let expected: DetectSummary;
  /** The workers' application name: their connections, and only theirs, are terminated. */
  const applicationName = `zhiwei-faults-${randomBytes(4).toString('hex')}`;
  const spec = async (root: string) => {
    const job = JSON.parse(await readFile(join(scene, 'job.json'), 'utf8')) as Record<string, string>;
    return Object.fromEntries(Object.entries(job).map(([key, value]) => [key, key.endsWith('-date') ? value : join(root, value)]));
  };
  /** Queues a detect of the scene under `root` as `zhiwei detect --queue` does; its job id. */
  const submit = async (root: string, out: string) => {
    const resolved = resolveDetectJob({ ...(await spec(root)), out, threads: 1 } as JobSpec, 'fields');
    await prepareDetectJob(resolved, queued, { naming: 'fields' });
    const { job } = resolved;
    const id = await nextJobId(queued.knex);
    await insertQueuedJob(queued.knex, { id, kind: 'detect', spec: { ...job, layers: [] }, submittedBy: 'faults test', beforeDate: job.beforeDate ?? null, afterDate: job.afterDate ?? null, model: job.model, outDir: out });
    await submitDetect(queue, id, batchRows);
    return id;
  };
  const ended = async (id: number): Promise<JobRecord> => {
    await until(async () => ['succeeded', 'failed'].includes((await findJob(queued.knex, id))!.state), 240_000).catch(async (err) => {
      const { rows } = await queued.knex.raw(`SELECT name, state, retry_count, data FROM ??.job ORDER BY created_on`, [`${queued.schema}_queue`]);
      const batches = await queued.knex('job_batches').where({ job_id: id }).select('batch', 'state', 'error');
      throw new Error(`${err.message}\nqueue: ${JSON.stringify(rows)}\nbatches: ${JSON.stringify(batches)}\n${workers.map((w) => w.output()).join('\n')}`);
    });
    return (await findJob(queued.knex, id))!;
  };
  const batchCount = async (id: number, state: string) =>
    Number((await queued.knex('job_batches').where({ job_id: id, state }).count({ n: '*' }))[0].n);
  const activeBatches = async () => {
    const { rows } = await queued.knex.raw(`SELECT count(*) AS n FROM ??.job WHERE name = 'zhiwei-batch' AND state = 'active'`, [`${queued.schema}_queue`]);
    return Number(rows[0].n);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-faults-'));
    cli = await cliDatabase('faults');
    single = await openTestDatabase('server');
    // migrated here, before the workers open it together
    queued = await openDatabase({ url: process.env.DATABASE_URL, schema: cli.env.ZHIWEI_DB_SCHEMA });
    queue = await openQueue(queued, 'the faults test');
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('application_name', applicationName);
    // a step whose end pg-boss could not record (its connection gone) comes back after 20 or 30 s
    const env = { ...cli.env, DATABASE_URL: url.href, ZHIWEI_BATCH_EXPIRY_S: '20', ZHIWEI_STEP_EXPIRY_S: '30' };
    // the single-process run while the workers start
    const alone = runDetectJob(resolveDetectJob({ ...(await spec(scene)), out: join(dir, 'alone'), threads: 1 } as JobSpec, 'fields'), single, {
      progress: quietProgress, evidenceDir: join(dir, 'evidence'), naming: 'fields',
    });
    workers.push(...(await Promise.all([0, 1].map(() => startWorker(env)))));
    expected = await alone;
  }, 180_000);
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await queue?.close();
    await queued?.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [`${cli.env.ZHIWEI_DB_SCHEMA}_queue`]);
    await queued?.close();
    await single?.close();
    await cli?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes with the candidates and cases of a single-process run though every worker connection is terminated three times mid-job', async () => {
    expect(expected.suspects).toBeGreaterThan(0);

    const id = await submit(scene, join(dir, 'restarted'));
    const terminateWorkers = async () => {
      const { rows } = await queued.knex.raw('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ?', [applicationName]);
      return Number(rows[0].n);
    };
    const terminated: number[] = [];
    // while batches run: once the plan (sent from this process, expiring after an hour) has
    // ended, once one batch is stored, once three are
    const planned = async () => {
      const { rows } = await queued.knex.raw(`SELECT count(*) AS n FROM ??.job WHERE name = 'zhiwei-plan' AND state = 'completed'`, [`${queued.schema}_queue`]);
      return Number(rows[0].n) > 0 && (await activeBatches()) > 0;
    };
    for (const ready of [planned, async () => (await batchCount(id, 'done')) >= 1, async () => (await batchCount(id, 'done')) >= 3]) {
      await until(ready, 120_000);
      terminated.push(await terminateWorkers());
    }
    const job = await ended(id);
    expect(job.error, workers.map((w) => w.output()).join('\n')).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(terminated.every((n) => n > 0), `connections terminated: ${terminated}`).toBe(true);
    expect(workers.map((worker) => worker.child.exitCode), workers.map((w) => w.output()).join('\n')).toEqual([null, null]);
    expect(await batchCount(id, 'done')).toBe(5);
    expect(await candidates(queued, id)).toEqual(await candidates(single));
    expect(await cases(queued)).toEqual(await cases(single));
  }, 300_000);

  it('gives up the batches a corrupt tile breaks, with the reason and no retries, and finishes the job saying which area is missing', async () => {
    const root = await sceneWithCorruptTile(dir, 2);
    const id = await submit(root, join(dir, 'corrupt'));
    const job = await ended(id);
    expect(job.error, workers.map((w) => w.output()).join('\n')).toBeNull();
    expect(job.state).toBe('succeeded');

    const batches = await queued.knex('job_batches').where({ job_id: id }).orderBy('batch').select('batch', 'y0', 'y1', 'state', 'error');
    const givenUp = batches.filter((batch) => batch.state === 'given_up');
    expect(givenUp.length).toBeGreaterThan(0);
    expect(batches.filter((batch) => batch.state === 'done').length).toBe(batches.length - givenUp.length);
    for (const batch of givenUp) expect(batch.error).toContain(join(root, 'after/ortho.tif'));
    // a data error is not retried
    const { rows: tries } = await queued.knex.raw(
      `SELECT (data->>'batch')::int AS batch, retry_count FROM ??.job WHERE name = 'zhiwei-batch' AND (data->>'jobId')::int = ?`,
      [`${queued.schema}_queue`, id],
    );
    for (const batch of givenUp) expect(tries.filter((t: { batch: number }) => t.batch === batch.batch).map((t: { retry_count: number }) => t.retry_count)).toEqual([0]);

    // the summary, as GET /api/v1/jobs/:id shows it, names the rows and map extent not analysed
    const summary = job.summary as { missing: { batch: number; rows: number[]; extent: number[]; reason: string }[]; warnings: string[]; candidates: number };
    expect(summary.missing.map(({ batch, rows }) => [batch, rows])).toEqual(givenUp.map((batch) => [batch.batch, [batch.y0, batch.y1]]));
    for (const missing of summary.missing) {
      expect(missing.extent).toHaveLength(4);
      expect(missing.extent[2]).toBeGreaterThan(missing.extent[0]);
      expect(missing.extent[3]).toBeGreaterThan(missing.extent[1]);
      expect(missing.reason).toContain('ortho.tif');
      expect(summary.warnings.some((warning) => warning.startsWith(`rows ${missing.rows[0]}-${missing.rows[1]} `) && warning.includes('were not analysed'))).toBe(true);
    }
    // the rest of the scene was analysed
    expect(summary.candidates).toBeGreaterThan(0);
  }, 300_000);
});
