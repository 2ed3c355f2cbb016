/**
 * Peak memory of `zhiwei detect` (orthophotos + DSMs) on a 4096 px and a 16384 px generated scene
 * (0.1 m; 2048² and 8192² px on the 0.2 m analysis grid), each run in its own process as the
 * command runs it (`detectAsCommand`, built.js) so that its peak RSS is its own, and their ratio.
 * Scenes are kept in bench/out/ (the 16384 px one takes about 20 minutes to generate on 2 cores).
 *
 *   npm run build && npx tsx bench/detect-memory.ts [--sizes 4096,16384]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateScene } from '../src/synth/index.js';
import { detectAsCommand } from './built.js';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '4096,16384' } } });
// --sizes 4096: the small scene only (a quick run, as `npm run bench` makes: the large one takes 20 minutes to generate)
const scenes = [
  { size: 4096, seed: 4001, dir: fileURLToPath(new URL('out/throughput-scene', import.meta.url)) },
  { size: 16384, seed: 4002, dir: fileURLToPath(new URL('out/mem-16384', import.meta.url)) },
].filter(({ size }) => args.sizes.split(',').includes(String(size)));

const results = [];
for (const { size, seed, dir } of scenes) {
  if (!existsSync(join(dir, 'truth.geojson'))) await generateScene({ outDir: dir, seed, size, gsd: 0.1 });
  const { seconds, peak_rss_mib: peak, summary } = detectAsCommand({
    beforeOrtho: join(dir, 'before/ortho.tif'),
    afterOrtho: join(dir, 'after/ortho.tif'),
    beforeDsm: join(dir, 'before/dsm.tif'),
    afterDsm: join(dir, 'after/dsm.tif'),
    out: join(dir, 'detect-memory'),
  });
  const result = { scene_px: size, peak_rss_mib: Math.round(peak), seconds: Math.round(seconds), tiles: summary.tiles.inferred, candidates: summary.candidates };
  results.push(result);
  console.log(JSON.stringify({ bench: 'detect-memory', ...result }));
}
if (results.length === 2) console.log(JSON.stringify({ bench: 'detect-memory', ratio_16384_to_4096: Number((results[1].peak_rss_mib / results[0].peak_rss_mib).toFixed(3)) }));
