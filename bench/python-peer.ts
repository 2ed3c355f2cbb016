/**
 * zhiwei detect beside the Python peer (`bench/python-peer.py`: rasterio, PyTorch, scipy) on the
 * same files and model, in one run: wall seconds and candidates of each, and zhiwei's speed-up.
 * The scene is `detect-throughput.ts`'s (4096 px at 0.1 m, seed 4001, bench/out/throughput-scene;
 * `--size 2048` for a quick run on a scene of its own). Both run orthophotos + DSMs with 2
 * threads and include loading the model; the peer's time excludes starting Python and importing
 * torch (its own clock), as zhiwei's excludes starting Node. The two run in turn `--rounds` times
 * and each is timed by its best run, so that a burst of load on a shared machine during one run
 * does not decide the comparison (its lines list every run's seconds, `runs_s`). Skipped, with a line
 * saying so, when /usr/bin/python3 lacks rasterio, torch or scipy (Debian: python3-rasterio
 * python3-torch python3-scipy).
 *
 *   npm run build && npx tsx bench/python-peer.ts [--size 4096] [--threads 2] [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateScene } from '../src/synth/index.js';
import { detectAsCommand } from './built.js';
import { cliEnv } from './cli-flags.js';

const python = '/usr/bin/python3';
const { values: args } = parseArgs({ options: { size: { type: 'string', default: '4096' }, threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
const size = Number(args.size);
const threads = Number(args.threads);
const rounds = Number(args.rounds);
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ bench: 'python-peer', scene_px: size, ...line })}\n`);

const check = spawnSync(python, ['-c', 'import rasterio, scipy, torch'], { encoding: 'utf8' });
if (check.status !== 0) {
  print({ skipped: `${python} cannot import rasterio, scipy and torch (apt-get install python3-rasterio python3-scipy python3-torch): ${check.stderr.trim().split('\n').at(-1)}` });
  process.exit(0);
}

const scene = fileURLToPath(new URL(size === 4096 ? 'out/throughput-scene' : `out/python-peer-scene-${size}`, import.meta.url));
if (!existsSync(join(scene, 'truth.geojson'))) await generateScene({ outDir: scene, seed: 4001, size, gsd: 0.1 });
const rasters = {
  beforeOrtho: join(scene, 'before/ortho.tif'),
  afterOrtho: join(scene, 'after/ortho.tif'),
  beforeDsm: join(scene, 'before/dsm.tif'),
  afterDsm: join(scene, 'after/dsm.tif'),
};

// the job in a process of its own, as the command runs it (built.js); timed by itself, not
// counting Node's start, as the peer times itself after Python's
const zhiweiRun = () => detectAsCommand({ ...rasters, out: join(scene, 'detect-peer'), threads });
const peerRun = () => {
  const peer = spawnSync(python, [
    fileURLToPath(new URL('python-peer.py', import.meta.url)),
    '--before-ortho', rasters.beforeOrtho, '--after-ortho', rasters.afterOrtho,
    '--before-dsm', rasters.beforeDsm, '--after-dsm', rasters.afterDsm,
    '--out', join(scene, 'python-peer.geojson'), '--threads', String(threads),
  ], { encoding: 'utf8', env: userEnv() });
  if (peer.status !== 0) throw new Error(`bench/python-peer.py failed: ${peer.stderr.trim()}`);
  return JSON.parse(peer.stdout.trim().split('\n').at(-1)!) as { candidates: number; seconds: number; steps_s: Record<string, number> };
};
const zhiweiRuns: ReturnType<typeof zhiweiRun>[] = [];
const peerRuns: ReturnType<typeof peerRun>[] = [];
for (let k = 0; k < rounds; k++) {
  zhiweiRuns.push(zhiweiRun());
  peerRuns.push(peerRun());
}
const best = <T extends { seconds: number }>(runs: T[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const zhiwei = best(zhiweiRuns);
const result = best(peerRuns);

print({ runner: 'zhiwei', threads, seconds: round(zhiwei.seconds), runs_s: zhiweiRuns.map(({ seconds }) => round(seconds)), candidates: zhiwei.summary.candidates });
print({ runner: 'python', threads, seconds: round(result.seconds), runs_s: peerRuns.map(({ seconds }) => round(seconds)), candidates: result.candidates, steps_s: result.steps_s });
print({ zhiwei_speedup: round(result.seconds / zhiwei.seconds), better: 'higher' });

/**
 * The environment less the variables zhiwei's command sets for itself (cli-flags.js): the peer
 * runs as a user starts a Python script. With glibc's huge pages it ran faster too (bench/README.md).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(cliEnv)) delete env[name];
  return env;
}

function round(value: number): number {
  return Number(value.toFixed(3));
}
