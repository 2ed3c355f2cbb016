/**
 * Peak memory of `zhiwei detect` (orthophotos + DSMs) on a 4096 px and a 16384 px generated scene
 * (0.1 m; 2048² and 8192² px on the 0.2 m analysis grid), each run in its own process so that its
 * peak RSS is its own, and their ratio. Scenes are kept in bench/out/ (the 16384 px one takes
 * about 20 minutes to generate on 2 cores).
 *
 *   npm run build && npx tsx bench/detect-memory.ts [--sizes 4096,16384]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as DetectJob from '../src/pipeline/run/detect-job.js';
import { defaultThresholds } from '../src/pipeline/thresholds.js';
import { generateScene } from '../src/synth/index.js';
import { builtPath } from './built.js';
import { cliEnv, cliNodeFlags } from './cli-flags.js';

const { values: args } = parseArgs({ options: { scene: { type: 'string' }, sizes: { type: 'string', default: '4096,16384' } } });
// --sizes 4096: the small scene only (a quick run, as `npm run bench` makes: the large one takes 20 minutes to generate)
const scenes = [
  { size: 4096, seed: 4001, dir: fileURLToPath(new URL('out/throughput-scene', import.meta.url)) },
  { size: 16384, seed: 4002, dir: fileURLToPath(new URL('out/mem-16384', import.meta.url)) },
].filter(({ size }) => args.sizes.split(',').includes(String(size)));

if (args.scene) {
  // child: one detect run as the command runs it (built.js), then its peak RSS
  const { runDetectJob } = (await import(builtPath('pipeline/run/detect-job.js'))) as typeof DetectJob;
  const scene = args.scene;
  const started = performance.now();
  const summary = await runDetectJob(
    { layers: [], job: {
      beforeOrtho: join(scene, 'before/ortho.tif'),
      afterOrtho: join(scene, 'after/ortho.tif'),
      beforeDsm: join(scene, 'before/dsm.tif'),
      afterDsm: join(scene, 'after/dsm.tif'),
      out: join(scene, 'detect-memory'),
      model: 'zhiwei-cd-v1',
      thresholds: defaultThresholds,
    } },
    null,
    { progress: () => ({ tick() {}, done() {} }), evidenceDir: '', naming: 'flags' },
  );
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ peak_rss_mib: Math.round(peakMiB), seconds: Math.round((performance.now() - started) / 1000), tiles: summary.tiles.inferred, candidates: summary.candidates }));
} else {
  const results = [];
  for (const { size, seed, dir } of scenes) {
    if (!existsSync(join(dir, 'truth.geojson'))) await generateScene({ outDir: dir, seed, size, gsd: 0.1 });
    const line = execFileSync(process.execPath, [...cliNodeFlags, '--import', 'tsx', fileURLToPath(import.meta.url), '--scene', dir], {
      encoding: 'utf8',
      env: { ...process.env, ...cliEnv },
    });
    const result = { scene_px: size, ...JSON.parse(line.trim().split('\n').at(-1)!) };
    results.push(result);
    console.log(JSON.stringify({ bench: 'detect-memory', ...result }));
  }
  if (results.length === 2) console.log(JSON.stringify({ bench: 'detect-memory', ratio_16384_to_4096: Number((results[1].peak_rss_mib / results[0].peak_rss_mib).toFixed(3)) }));
}
