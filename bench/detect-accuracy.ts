/**
 * Object-level accuracy of `zhiwei detect` on 10 held-out generated scenes (seeds 3001-3010,
 * 2048 px at 0.1 m; the model never saw them), scored with `zhiwei eval` for changes of at least
 * 10 m² and 2 m. Prints one JSON line per scene and mode, then one pooled line per mode: recall
 * and precision from the summed counts, and the medians of the scenes' median area and height
 * errors. Prefab steel sheds (8-13 m², 2.4-3 m, some with a van or truck parked beside) are
 * scored apart at any size: how many of them each mode finds. Scenes are kept in
 * bench/out/detect-scenes; --rebuild writes them again.
 *
 *   npx tsx bench/detect-accuracy.ts [--modes ortho_dsm,dsm] [--scenes 10] [--rebuild]
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectRasters, zhiweiIn } from './scene-runs.js';

const { values: args } = parseArgs({
  options: { modes: { type: 'string', default: 'ortho_dsm,dsm' }, scenes: { type: 'string', default: '10' }, rebuild: { type: 'boolean', default: false } },
});
const scenes = fileURLToPath(new URL('out/detect-scenes', import.meta.url));
const zhiwei = zhiweiIn(scenes);
// --scenes N: the first N scenes only (a quick run, as `npm run bench` makes)
const seeds = Array.from({ length: Number(args.scenes) }, (_, i) => 3001 + i);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? null;

if (args.rebuild) rmSync(scenes, { recursive: true, force: true });
for (const mode of args.modes.split(',')) {
  const pooled = { truth: 0, predicted: 0, matched: 0, areaErrors: [] as number[], heightErrors: [] as number[], missed: {} as Record<string, number>, sheds: 0, shedsFound: 0 };
  for (const seed of seeds) {
    const scene = join(scenes, String(seed));
    if (!existsSync(join(scene, 'truth.geojson'))) zhiwei('synth', '--out', scene, '--seed', String(seed), '--size', '2048');
    const out = join(scene, `detect-${mode}`);
    const rasters = detectRasters(scene, mode);
    zhiwei('detect', ...rasters, '--out', out);
    const report = JSON.parse(
      zhiwei('eval', '--truth', join(scene, 'truth.geojson'), '--pred', join(out, 'candidates.geojson'), '--min-area', '10', '--min-height', '2', '--json'),
    );
    pooled.truth += report.truth;
    pooled.predicted += report.predicted;
    pooled.matched += report.matched;
    if (report.medianAreaError !== null) pooled.areaErrors.push(report.medianAreaError);
    if (report.medianHeightErrorM !== null) pooled.heightErrors.push(report.medianHeightErrorM);
    for (const [kind, scores] of Object.entries(report.byKind as Record<string, { truth: number; truthFound: number }>)) {
      pooled.missed[kind] = (pooled.missed[kind] ?? 0) + scores.truth - scores.truthFound;
    }
    const sheds = shedTruth(scene);
    const shedReport = JSON.parse(zhiwei('eval', '--truth', sheds, '--pred', join(out, 'candidates.geojson'), '--json'));
    pooled.sheds += shedReport.truth;
    pooled.shedsFound += shedReport.matched;
    console.log(JSON.stringify({ bench: 'detect-accuracy', mode, seed, ...report, byKind: undefined, sheds: shedReport.truth, sheds_found: shedReport.matched }));
  }
  console.log(
    JSON.stringify({
      bench: 'detect-accuracy',
      mode,
      seeds: `3001-${seeds.at(-1)}`,
      truth: pooled.truth,
      predicted: pooled.predicted,
      matched: pooled.matched,
      recall: pooled.matched / pooled.truth,
      precision: pooled.matched / pooled.predicted,
      median_area_error: median(pooled.areaErrors),
      median_height_error_m: median(pooled.heightErrors),
      missed_by_kind: pooled.missed,
      prefab_sheds: pooled.sheds,
      prefab_shed_recall: pooled.sheds > 0 ? pooled.shedsFound / pooled.sheds : null,
    }),
  );
}

/** A truth file of the scene's prefab steel sheds alone (its notes name them). */
function shedTruth(scene: string): string {
  const truth = JSON.parse(readFileSync(join(scene, 'truth.geojson'), 'utf8')) as { features: { properties: { note?: string } }[] };
  const path = join(scene, 'truth-sheds.geojson');
  writeFileSync(path, JSON.stringify({ ...truth, features: truth.features.filter((f) => /prefab steel shed/.test(f.properties.note ?? '')) }));
  return path;
}
