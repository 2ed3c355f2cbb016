/**
 * `npm run bench`: runs every bench of this folder (with tsx and the CLI's Node flags, one after another) and turns what
 * each prints into one JSON line per figure, `{ bench, name, value, unit, better }`, on stdout and
 * in bench/results/latest.jsonl (written whole when the run ends). A bench that needs what this
 * machine lacks (a PostgreSQL server, chromium, GDAL, real data) or that fails gives one line
 * `{ bench, skipped }` or `{ bench, failed }` instead. By default each bench runs in its quick mode
 * (fewer scenes, shorter timings; under 15 minutes in all on 2 cores); `--full` runs them as
 * their own defaults do, `--only a,b` runs the benches named. In the quick mode a bench still
 * running after 6 minutes is stopped (`failed`; the figures it printed stay).
 *
 *   npm run bench [-- --full] [-- --only detect-throughput,python-peer]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cliEnv, cliNodeFlags } from './cli-flags.js';
import { figuresOf } from './figures.js';

const { values: args } = parseArgs({ options: { full: { type: 'boolean', default: false }, only: { type: 'string' } } });
const hasTool = (name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** Longest a bench may run in the quick mode, so that `npm run bench` stays under 15 minutes. */
const quickLimitS = 360;

/** Modules of this folder that are not benches: what benches share, and a tool. */
const notBenches = new Set(['scene-runs', 'service-load', 'cut-panels']);

/**
 * What is known of the benches: the arguments of their quick mode, what they need (a reason to
 * skip, or null), and how their ratios and other figures the field name does not explain are
 * read. A bench not listed runs as it is, after these.
 */
const known = [
  { name: 'detect-throughput', quick: [], figures: { ratio: ['pipeline/model', 'higher'], times_limit: ['x', 'lower'], times_limit_cpu: ['x', 'lower'] } },
  { name: 'python-peer', quick: [], figures: { zhiwei_speedup: ['x', 'higher'] } },
  { name: 'model-throughput', quick: ['--seconds', '1', '--rounds', '1'] },
  { name: 'raster-read', quick: ['--windows', '20', '--passes', '1'], needs: () => (hasTool('gdal_translate') ? null : 'GDAL (gdal_translate) builds its inputs') },
  { name: 'ortho-tiles', quick: [], figures: { cached_to_cold: ['x', 'higher'] } },
  { name: 'detect-memory', quick: ['--sizes', '4096'], figures: { ratio_16384_to_4096: ['x', 'lower'] } },
  { name: 'detect-accuracy', quick: ['--scenes', '2'] },
  { name: 'nuisance-scenes', quick: ['--scenes', '1'], figures: { false_candidates: ['regions', 'lower'] } },
  { name: 'overlay-accuracy', quick: ['--scenes', '2'], figures: { permitted_new_flagged: ['ratio', 'lower'] } },
  { name: 'survey-accuracy', quick: ['--scenes', '2'], figures: { legal_flagged: ['ratio', 'lower'] } },
  { name: 'eval-cd', quick: ['--scenes', '3'] },
  { name: 'eval-real', quick: [], args: () => (process.env.ZHIWEI_BENCH_REAL_DATA ?? '').split(':').filter(Boolean), needs: () => (process.env.ZHIWEI_BENCH_REAL_DATA ? null : 'real labelled tiles: set ZHIWEI_BENCH_REAL_DATA to LEVIR-CD layout folders (colon-separated; bench/README.md says how to make them)') },
  { name: 'overlay-scale', quick: ['--plans', '20000'], figures: { growth_1k_to_10k: ['x', 'lower'] } },
  { name: 'webhooks', quick: ['--events', '1000', '--cases', '50'] },
  { name: 'mvt-tiles', quick: ['--cases', '20000', '--seconds', '3', '--samples', '5'] },
  { name: 'queue-workers', quick: [], figures: { speedup: ['x', 'higher'] }, needs: () => (process.env.DATABASE_URL ? null : 'a PostgreSQL server: set DATABASE_URL') },
  { name: 'case-list', quick: ['--cases', '20000', '--seconds', '3'], needs: () => (process.env.DATABASE_URL ? null : 'a PostgreSQL server: set DATABASE_URL') },
  { name: 'review-first-view', quick: ['--runs', '1'], needs: () => (hasTool('chromium') ? null : 'chromium') },
];

/** Runs one bench, passing each figure to `emit`; resolves to its exit code. */
function runBench(bench, emit) {
  const benchArgs = [...(bench.args?.() ?? []), ...(args.full ? [] : bench.quick)];
  const script = fileURLToPath(new URL(`${bench.name}.ts`, import.meta.url));
  // its own process group, so that a bench stopped for taking too long takes its children along
  const child = spawn(process.execPath, [...cliNodeFlags, '--import', 'tsx', script, ...benchArgs], {
    env: { ...process.env, ...cliEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const timer = args.full ? null : setTimeout(() => process.kill(-child.pid, 'SIGTERM'), quickLimitS * 1000);
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const text of lines) {
      let line = null;
      try {
        line = JSON.parse(text);
      } catch {
        // not a JSON line: the bench talking
      }
      if (line && typeof line === 'object') for (const figure of figuresOf(bench.name, line, bench.figures)) emit(figure);
      else if (text.trim()) process.stderr.write(`${bench.name}: ${text}\n`);
    }
  });
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    resolve(code ?? (signal === 'SIGTERM' && !args.full ? `${signal}: over the quick run's ${quickLimitS} s` : signal));
  }));
}

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const found = readdirSync(benchDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')).map((file) => file.slice(0, -3)).filter((name) => !notBenches.has(name));
const benches = [...known.filter((bench) => found.includes(bench.name)), ...found.filter((name) => !known.some((bench) => bench.name === name)).sort().map((name) => ({ name, quick: [] }))];
const chosen = args.only ? args.only.split(',') : benches.map((bench) => bench.name);
const unknown = chosen.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench/run.js: no bench named ${unknown.join(', ')}; the benches: ${benches.map((bench) => bench.name).join(', ')}\n`);
  process.exit(2);
}
const results = [];
const emit = (line) => {
  results.push(line);
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
let failures = 0;
const started = Date.now();
for (const bench of benches.filter((b) => chosen.includes(b.name))) {
  const missing = bench.needs?.();
  if (missing) {
    emit({ bench: bench.name, skipped: `needs ${missing}` });
    continue;
  }
  const benchStarted = Date.now();
  process.stderr.write(`bench/run.js: ${bench.name}${args.full ? '' : ' (quick)'}\n`);
  const code = await runBench(bench, emit);
  const seconds = Math.round((Date.now() - benchStarted) / 1000);
  if (code !== 0) {
    failures++;
    emit({ bench: bench.name, failed: `exited with ${code} after ${seconds} s` });
  } else {
    process.stderr.write(`bench/run.js: ${bench.name} took ${seconds} s\n`);
  }
}
process.stderr.write(`bench/run.js: ${chosen.length} benches in ${Math.round((Date.now() - started) / 1000)} s${failures ? `, ${failures} failed` : ''}\n`);

// written whole, so that an interrupted run leaves the previous results as they were
const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}latest.jsonl.partial`, results.map((line) => `${JSON.stringify(line)}\n`).join(''));
renameSync(`${resultsDir}latest.jsonl.partial`, `${resultsDir}latest.jsonl`);
process.exitCode = failures > 0 ? 1 : 0;
