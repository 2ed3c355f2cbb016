/**
 * The built `zhiwei` (dist/, from `npm run build`; `npm run bench` builds first): the benches that
 * time jobs run the code the command runs. Under tsx every module is compiled from TypeScript as
 * it loads, in each worker thread again: 0.35 s of a 5.5 s detect job, and 0.5 CPU s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv, cliNodeFlags } from './cli-flags.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time (ms) of the TypeScript files under `dir` that the build compiles. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = entry.name === 'test-support' ? newest : Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The path of `dist/<relative>`; throws when dist/ is missing or older than src/. */
export function builtPath(relative) {
  const bin = join(root, 'dist/cli/bin.js');
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource(join(root, 'src'))) {
    throw new Error('dist/ is missing or older than src/: run `npm run build` first (`npm run bench` does)');
  }
  return join(root, 'dist', relative);
}

/**
 * Runs `job` (the rasters, `out` and `threads` of a detect with the default thresholds) in a
 * process of its own as the command runs it (bench/detect-child.js): its wall and CPU seconds,
 * peak RSS and summary.
 *
 * @returns {{ seconds: number, cpu_s: number, peak_rss_mib: number, summary: { candidates: number, tiles: { inferred: number }, grid: { width: number, height: number }, stagesMs: Record<string, number> } }}
 */
export function detectAsCommand(job) {
  const child = spawnSync(process.execPath, [...cliNodeFlags, fileURLToPath(new URL('detect-child.js', import.meta.url)), JSON.stringify(job)], {
    encoding: 'utf8',
    env: { ...process.env, ...cliEnv },
  });
  if (child.status !== 0) throw new Error(`bench/detect-child.js failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}
