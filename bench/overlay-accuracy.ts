/**
 * Accuracy of the plan overlay on 10 held-out generated scenes (seeds 3001-3010, 2048 px at 0.1 m,
 * the scenes of bench/detect-accuracy.ts): `zhiwei detect` with the scene's plans, grids and zones
 * into a fresh embedded database each, scored with `zhiwei eval` for changes of at least 10 m² and
 * 2 m. Prints one JSON line per scene, then a pooled line: the share of matched suspects whose
 * violation type is right, the share of truth violations found as suspects, and the share of
 * permitted new buildings flagged.
 *
 *   npx tsx bench/overlay-accuracy.ts [--scenes 10] [--rebuild]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { scenes: { type: 'string', default: '10' }, rebuild: { type: 'boolean', default: false } } });
const scenes = fileURLToPath(new URL('out/detect-scenes', import.meta.url));
const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const zhiwei = (cliArgs: string[], env: Record<string, string> = {}) =>
  execFileSync(process.execPath, ['--import', 'tsx', bin, ...cliArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
// --scenes N: the first N scenes only (a quick run, as `npm run bench` makes)
const seeds = Array.from({ length: Number(args.scenes) }, (_, i) => 3001 + i);

if (args.rebuild) rmSync(scenes, { recursive: true, force: true });
const pooled = { suspectsMatched: 0, violationCorrect: 0, truthViolations: 0, truthViolationsFound: 0, permittedNew: 0, permittedNewFlagged: 0, confusions: {} as Record<string, number> };
for (const seed of seeds) {
  const scene = join(scenes, String(seed));
  if (!existsSync(join(scene, 'truth.geojson'))) zhiwei(['synth', '--out', scene, '--seed', String(seed), '--size', '2048']);
  const flights = JSON.parse(readFileSync(join(scene, 'scene.json'), 'utf8')).flights;
  const dataDir = join(scene, 'overlay-data');
  rmSync(dataDir, { recursive: true, force: true });
  const out = join(scene, 'detect-overlay');
  const inputs = ['before-ortho', 'after-ortho', 'before-dsm', 'after-dsm'].flatMap((key) => [`--${key}`, join(scene, key.split('-')[0], `${key.split('-')[1]}.tif`)]);
  const layers = ['plans', 'grids', 'zones'].flatMap((layer) => [`--${layer}`, join(scene, `${layer}.geojson`)]);
  const started = performance.now();
  zhiwei(
    ['detect', ...inputs, ...layers, '--before-date', flights.before.date.slice(0, 10), '--after-date', flights.after.date.slice(0, 10), '--out', out],
    { ZHIWEI_DATA_DIR: dataDir, DATABASE_URL: '' },
  );
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(zhiwei(['eval', '--truth', join(scene, 'truth.geojson'), '--pred', join(out, 'candidates.geojson'), '--min-area', '10', '--min-height', '2', '--json']));
  const v = report.violations;
  for (const key of ['suspectsMatched', 'violationCorrect', 'truthViolations', 'truthViolationsFound', 'permittedNew', 'permittedNewFlagged'] as const) pooled[key] += v[key];
  for (const [pair, count] of Object.entries(v.confusions as Record<string, number>)) pooled.confusions[pair] = (pooled.confusions[pair] ?? 0) + count;
  console.log(JSON.stringify({ bench: 'overlay-accuracy', seed, detect_s: Math.round(seconds * 10) / 10, recall: report.recall, precision: report.precision, ...v }));
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    bench: 'overlay-accuracy',
    seeds: `3001-${seeds.at(-1)}`,
    ...pooled,
    violation_accuracy: pooled.violationCorrect / pooled.suspectsMatched,
    violation_recall: pooled.truthViolationsFound / pooled.truthViolations,
    permitted_new_flagged: pooled.permittedNewFlagged / pooled.permittedNew,
  }),
);
