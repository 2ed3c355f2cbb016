/**
 * Scale-out on the CI PostgreSQL: the bundled 1024 px scene (5 rows of model tiles) run once in
 * this process and once by `zhiwei detect --queue` in 5 strip batches taken by 3 `zhiwei worker`
 * processes, one of them killed (SIGKILL) while every worker holds a batch. The killed worker's
 * batch comes back after its expiry and another worker does it; the job ends with exactly the
 * candidates, cases and output files of the single-process run, none twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../cli/detect.js';
import { openDatabase, type Database } from '../db/connect.js';
import { BadInputError } from '../errors.js';
import { resolveDetectJob, runDetectJob, type JobSpec } from '../pipeline/run/detect-job.js';
import { runCli } from '../test-support/cli.js';
import { cliDatabase, openTestDatabase, type CliDatabase } from '../test-support/database.js';
import { quietProgress } from '../test-support/progress.js';

const scene = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));
const bin = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Seconds until a killed worker's batch is handed out again: above a batch's time on a busy CI machine. */
const expirySeconds = 15;

/** The candidates of a database's only job, as comparable rows (ids and evidence paths left out). */
async function candidates(db: Database): Promise<Record<string, unknown>[]> {
  const { rows } = await db.knex.raw(
    `SELECT local_id, change_kind, area_m2, height_change_m, height_change_max_m, height_after_m, confidence, reason, violation, suspect, decision,
            permit_no, permit_share, permitted_height_m, grid_id, zones, priority, floors, ST_AsText(geom) AS geom
       FROM candidates ORDER BY local_id`,
  );
  return rows;
}

/** The cases, as comparable rows. */
async function cases(db: Database): Promise<Record<string, unknown>[]> {
  const { rows } = await db.knex.raw(
    `SELECT state, violation, change_kind, priority, grid_id, zones, permit_no, area_m2, height_change_m, height_after_m, event_count,
            to_char(flight_date, 'YYYY-MM-DD') AS flight_date, ST_AsText(geom) AS geom
       FROM cases ORDER BY area_m2, ST_AsText(geom)`,
  );
  return rows;
}

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A `zhiwei worker` with one model thread, ready once it says it takes jobs. */
async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', tsx, bin, 'worker', '--threads', '1'], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(() => output.includes('taking jobs') || child.exitCode !== null, 60_000);
  if (!output.includes('taking jobs')) throw new Error(`the worker did not start: ${output}`);
  return { child, output: () => output, exited };
}

async function until(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!process.env.DATABASE_URL)('a detect job on 3 workers, one killed mid-batch', () => {
  let dir: string;
  let cli: CliDatabase;
  let single: Database;
  let queued: Database;
  const workers: Worker[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-workers-'));
    cli = await cliDatabase('workers');
    single = await openTestDatabase('server');
    // migrated here, before the workers and the CLI open it together
    queued = await openDatabase({ url: process.env.DATABASE_URL, schema: cli.env.ZHIWEI_DB_SCHEMA });
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await queued?.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [`${cli.env.ZHIWEI_DB_SCHEMA}_queue`]);
    await queued?.close();
    await single?.close();
    await cli?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the candidates, cases and outputs of a single-process run', async () => {
    const job = JSON.parse(await readFile(join(scene, 'job.json'), 'utf8')) as Record<string, string>;
    const spec = Object.fromEntries(Object.entries(job).map(([key, value]) => [key, key.endsWith('-date') ? value : join(scene, value)]));
    const env = { ...cli.env, ZHIWEI_BATCH_EXPIRY_S: String(expirySeconds) };
    // they start while the single-process run runs
    const starting = Promise.all([0, 1, 2].map(async () => workers.push(await startWorker(env))));
    const alone = join(dir, 'alone');
    const resolved = resolveDetectJob({ ...spec, out: alone, threads: 1 } as JobSpec, 'fields');
    const expected = await runDetectJob(resolved, single, { progress: quietProgress, evidenceDir: join(dir, 'evidence'), naming: 'fields' });
    expect(expected.suspects).toBeGreaterThan(0);

    await starting;
    const out = join(dir, 'queued');
    const run = runCli(['detect', '--job', join(scene, 'job.json'), '--out', out, '--queue', '--batch-rows', '224', '--threads', '1'], undefined, env);
    const queue = `${cli.env.ZHIWEI_DB_SCHEMA}_queue`;
    const activeBatches = async () => {
      const { rows } = await queued.knex.raw(`SELECT count(*) AS n FROM ??.job WHERE name = 'zhiwei-batch' AND state = 'active'`, [queue]).catch(() => ({ rows: [{ n: 0 }] }));
      return Number(rows[0].n);
    };
    // each worker takes one batch at a time: with 3 active, the one killed holds one
    await until(async () => (await activeBatches()) === 3, 120_000);
    workers[0].child.kill('SIGKILL');
    const { code, stdout, stderr } = await run;
    expect(stderr).not.toContain('zhiwei:');
    expect(code).toBe(0);
    expect(stdout).toContain(`${expected.candidates} candidates (ortho_dsm mode) written to ${out}`);
    expect(stdout).toContain(`${expected.suspects} suspects`);

    // the killed worker's batch was handed out again, and no batch was stored twice
    const { rows: retried } = await queued.knex.raw(`SELECT max(retry_count) AS n FROM ??.job WHERE name = 'zhiwei-batch'`, [queue]);
    expect(Number(retried[0].n)).toBeGreaterThanOrEqual(1);
    const batches = await queued.knex('job_batches').orderBy('batch').select('batch', 'y0', 'y1', 'state');
    expect(batches.map((b) => [b.batch, b.y0, b.y1, b.state])).toEqual([[0, 0, 208, 'done'], [1, 208, 432, 'done'], [2, 432, 656, 'done'], [3, 656, 880, 'done'], [4, 880, 1024, 'done']]);
    const jobs = await queued.knex('jobs').select('state', 'kind');
    expect(jobs).toEqual([{ state: 'succeeded', kind: 'detect' }]);

    expect(await candidates(queued)).toEqual(await candidates(single));
    expect(await cases(queued)).toEqual(await cases(single));
    for (const file of ['candidates.geojson', 'suspects.geojson', 'height-change.tif', 'change-probability.tif']) {
      expect((await readFile(join(out, file))).equals(await readFile(join(alone, file))), file).toBe(true);
    }

    // the workers left stop on SIGTERM once their steps end
    for (const worker of workers.slice(1)) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((worker) => worker.exited))).toEqual([0, 0]);
    expect(workers.map((worker) => worker.output()).join('')).toMatch(/job \d+: planned 1024 × 1024 px in 5 batches/);
  }, 300_000);
});

describe('the embedded database', () => {
  it('refuses zhiwei worker and detect --queue, naming DATABASE_URL', async () => {
    const [worker] = await Promise.all([
      runCli(['worker'], undefined, { DATABASE_URL: '' }),
      (async () => {
        const url = process.env.DATABASE_URL;
        delete process.env.DATABASE_URL;
        const dir = await mkdtemp(join(tmpdir(), 'zhiwei-queue-embedded-'));
        try {
          const refused = await detect({ job: join(scene, 'job.json'), out: join(dir, 'out'), queue: true }).catch((err) => err);
          expect(refused).toBeInstanceOf(BadInputError);
          expect(refused.message).toBe("detect --queue needs a PostgreSQL server: the embedded database is one process's, and queue workers run in many");
          expect(refused.hint).toMatch(/^set DATABASE_URL to a PostgreSQL server/);
        } finally {
          if (url !== undefined) process.env.DATABASE_URL = url;
          await rm(dir, { recursive: true, force: true });
        }
      })(),
    ]);
    expect(worker.stderr).toContain("zhiwei: zhiwei worker needs a PostgreSQL server: the embedded database is one process's, and queue workers run in many");
    expect(worker.stderr).toContain('hint: set DATABASE_URL to a PostgreSQL server');
    expect(worker.code).toBe(2);
  });
});
