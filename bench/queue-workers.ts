/**
 * Throughput of 1, 2 and 4 `zhiwei worker` processes (one model thread each) on one queued detect
 * of the 4096 px scene of detect-throughput (bench/out/throughput-scene; 2048 x 2048 px on the
 * analysis grid, in strip batches of `--batch-rows`), each count on a fresh schema of the
 * PostgreSQL server of DATABASE_URL. One JSON line per worker count: the job's wall time from
 * submission to success (`job_s`), batches/s and tiles/s over it, its speed-up over the first
 * count's; the plan, mean batch and finish steps' wall seconds as the workers print them and
 * their CPU seconds (`*_cpu_s`, the worker process's between two of its lines: steadier than wall
 * time on a shared machine), all the workers' CPU seconds; and per batch the database's time
 * (`db_write_ms`: its strips written in one UPDATE, rolled back; `db_read_ms`: read back, as the
 * finish step does; timed from this process) and the strips' size. Without a server:
 * `{"skipped": "needs DATABASE_URL"}`.
 *
 *   npm run build && DATABASE_URL=postgres://... npx tsx bench/queue-workers.ts [--workers 1,2,4] [--batch-rows 256]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../src/db/connect.js';
import { findJob, insertQueuedJob, nextJobId, readBatchStrip } from '../src/db/jobs.js';
import { resolveDetectJob, type JobSpec } from '../src/pipeline/run/detect-job.js';
import { openQueue, submitDetect } from '../src/queue/index.js';
import { generateScene } from '../src/synth/index.js';
import { builtPath } from './built.js';
import { cliEnv, cliNodeFlags } from './cli-flags.js';

const { values: args } = parseArgs({ options: { workers: { type: 'string', default: '1,2,4' }, 'batch-rows': { type: 'string', default: '256' } } });
if (!process.env.DATABASE_URL) {
  console.log(JSON.stringify({ bench: 'queue-workers', skipped: 'needs DATABASE_URL' }));
  process.exit(0);
}
const counts = args.workers.split(',').map(Number);
const batchRows = Number(args['batch-rows']);
const scene = fileURLToPath(new URL('out/throughput-scene', import.meta.url));
if (!existsSync(join(scene, 'truth.geojson'))) await generateScene({ outDir: scene, seed: 4001, size: 4096, gsd: 0.1 });
// the command as built (built.js)
const bin = builtPath('cli/bin.js');
/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const ticksPerS = 100;

interface Worker {
  child: ChildProcess;
  output: () => string;
  /** The lines it printed, each with the CPU seconds its process used since the line before. */
  steps: { line: string; cpuS: number }[];
  exited: Promise<unknown>;
}

/** A `zhiwei worker --threads 1` with the command's Node flags and environment, ready once it says it takes jobs. */
async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, [...cliNodeFlags, bin, 'worker', '--threads', '1'], { env: { ...process.env, ...cliEnv, ...env } });
  let output = '';
  const steps: Worker['steps'] = [];
  let pending = '';
  let cpuBefore = 0;
  // a worker runs one step of a job at a time and prints its line when it ends: the CPU used
  // between two lines is that step's (and the little the polling costs)
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    const cpu = cpuSecondsOf(child.pid!);
    for (const line of lines) steps.push({ line, cpuS: cpu - cpuBefore });
    cpuBefore = cpu;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await until(async () => output.includes('taking jobs') || child.exitCode !== null, 120_000);
  if (!output.includes('taking jobs')) throw new Error(`a worker did not start: ${output}`);
  return { child, output: () => output, steps, exited };
}

async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await done()); await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (Date.now() > end) throw new Error(`not done after ${timeoutMs} ms`);
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerS;
}

/** Wall seconds (`(12.3 s)` at the end of their lines) and CPU seconds of the workers' steps of one kind. */
function stepTimes(workers: Worker[], step: RegExp): { wallS: number; cpuS: number }[] {
  return workers.flatMap((worker) => worker.steps)
    .filter(({ line }) => step.test(line))
    .map(({ line, cpuS }) => ({ wallS: Number(/\(([\d.]+) s\)$/.exec(line)?.[1]), cpuS }));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The database's time per batch: each batch's strips written back in one UPDATE (rolled back) and read, in ms. */
async function databaseMsPerBatch(db: Database, id: number, batches: number): Promise<{ write: number; read: number; bytes: number }> {
  let write = 0;
  let read = 0;
  let bytes = 0;
  for (let batch = 0; batch < batches; batch++) {
    let started = performance.now();
    const strip = await readBatchStrip(db.knex, id, batch);
    read += performance.now() - started;
    bytes += strip.length;
    started = performance.now();
    await db.knex.transaction(async (trx) => {
      await trx('job_batches').where({ job_id: id, batch }).update({ strip, updated_at: trx.fn.now() });
      await trx.rollback();
    }).catch(() => {});
    write += performance.now() - started;
  }
  return { write: write / batches, read: read / batches, bytes: bytes / batches };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
let single: number | null = null;
for (const count of counts) {
  const dir = await mkdtemp(join(tmpdir(), 'zhiwei-queue-bench-'));
  const schema = `bench_${process.pid}_${count}`;
  const env = { ZHIWEI_DATA_DIR: join(dir, 'data'), ZHIWEI_DB_SCHEMA: schema };
  // migrated here, before the workers open it together
  const db = await openDatabase({ url: process.env.DATABASE_URL, schema });
  const workers: Worker[] = [];
  try {
    workers.push(...(await Promise.all(Array.from({ length: count }, () => startWorker(env)))));
    const cpuBefore = workers.map(({ child }) => cpuSecondsOf(child.pid!));
    const resolved = resolveDetectJob({
      'before-ortho': join(scene, 'before/ortho.tif'), 'after-ortho': join(scene, 'after/ortho.tif'),
      'before-dsm': join(scene, 'before/dsm.tif'), 'after-dsm': join(scene, 'after/dsm.tif'),
      out: join(dir, 'out'), model: 'zhiwei-cd-v1', threads: 1,
    } as JobSpec, 'fields');
    const queue = await openQueue(db, 'the queue bench');
    const id = await nextJobId(db.knex);
    const { job } = resolved;
    await insertQueuedJob(db.knex, { id, kind: 'detect', spec: { ...job, layers: [] }, submittedBy: 'bench', beforeDate: null, afterDate: null, model: job.model, outDir: job.out });
    const started = performance.now();
    await submitDetect(queue, id, batchRows);
    await until(async () => ['succeeded', 'failed'].includes((await findJob(db.knex, id))!.state), 600_000);
    const seconds = (performance.now() - started) / 1000;
    await queue.close();
    const record = (await findJob(db.knex, id))!;
    if (record.state !== 'succeeded') throw new Error(`job failed: ${record.error}\n${workers.map((worker) => worker.output()).join('\n')}`);
    const workerCpuS = workers.reduce((sum, { child }, n) => sum + cpuSecondsOf(child.pid!) - cpuBefore[n], 0);
    const batches = await db.knex('job_batches').where({ job_id: id }).count({ n: '*' }).then(([row]) => Number(row.n));
    const tiles = (record.summary!.tiles as { inferred: number }).inferred;
    const plan = stepTimes(workers, /: planned /);
    const batchSteps = stepTimes(workers, /batch \d+: rows .* fused/);
    const finish = stepTimes(workers, /candidates written to/);
    const database = await databaseMsPerBatch(db, id, batches);
    single ??= seconds;
    console.log(JSON.stringify({
      bench: 'queue-workers',
      workers: `${count} × 1 thread`,
      scene_px: 4096,
      batch_rows: batchRows,
      batches,
      tiles,
      job_s: round(seconds),
      batches_per_s: round(batches / seconds, 3),
      tiles_per_s: round(tiles / seconds),
      speedup: round(single / seconds),
      plan_s: round(mean(plan.map((p) => p.wallS))),
      batch_mean_s: round(mean(batchSteps.map((b) => b.wallS))),
      finish_s: round(mean(finish.map((f) => f.wallS))),
      plan_cpu_s: round(mean(plan.map((p) => p.cpuS))),
      batch_cpu_s: round(mean(batchSteps.map((b) => b.cpuS))),
      finish_cpu_s: round(mean(finish.map((f) => f.cpuS))),
      worker_cpu_s: round(workerCpuS),
      // per batch
      db_write_ms: round(database.write, 1),
      db_read_ms: round(database.read, 1),
      batch_strips_bytes: Math.round(database.bytes),
    }));
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [`${schema}_queue`]);
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
