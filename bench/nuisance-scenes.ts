/**
 * Scenes with no built change (`zhiwei synth --no-changes`: tree crowns reconstructed differently
 * by each flight, vans and trucks that moved, another season and camera), seeds 6001-6005, 2048 px
 * at 0.1 m: every candidate `zhiwei detect` finds on them is a false one. Prints one JSON line per
 * scene and mode (candidates by kind, regions rejected as vegetation or vehicles), then one pooled
 * line per mode. Scenes are kept in bench/out/nuisance-scenes; --rebuild writes them again.
 *
 *   npx tsx bench/nuisance-scenes.ts [--modes ortho_dsm,dsm] [--scenes 5] [--rebuild]
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectRasters, zhiweiIn } from './scene-runs.js';

const { values: args } = parseArgs({
  options: { modes: { type: 'string', default: 'ortho_dsm,dsm' }, scenes: { type: 'string', default: '5' }, rebuild: { type: 'boolean', default: false } },
});
const scenes = fileURLToPath(new URL('out/nuisance-scenes', import.meta.url));
const zhiwei = zhiweiIn(scenes);
// --scenes N: the first N scenes only (a quick run, as `npm run bench` makes)
const seeds = [6001, 6002, 6003, 6004, 6005].slice(0, Number(args.scenes));

if (args.rebuild) rmSync(scenes, { recursive: true, force: true });
for (const mode of args.modes.split(',')) {
  const pooled = { candidates: 0, vegetation: 0, vehicles: 0 };
  for (const seed of seeds) {
    const scene = join(scenes, String(seed));
    if (!existsSync(join(scene, 'truth.geojson'))) zhiwei('synth', '--out', scene, '--seed', String(seed), '--size', '2048', '--no-changes');
    const out = join(scene, `detect-${mode}`);
    const rasters = detectRasters(scene, mode);
    zhiwei('detect', ...rasters, '--out', out);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { candidates: number; byKind: Record<string, number>; rejected: Record<string, number> };
    const count = (word: string) => Object.entries(summary.rejected).filter(([reason]) => reason.includes(word)).reduce((sum, [, n]) => sum + n, 0);
    const line = { bench: 'nuisance-scenes', mode, seed, candidates: summary.candidates, by_kind: summary.byKind, rejected_vegetation: count('vegetation'), rejected_vehicles: count('vehicle') };
    pooled.candidates += line.candidates;
    pooled.vegetation += line.rejected_vegetation;
    pooled.vehicles += line.rejected_vehicles;
    console.log(JSON.stringify(line));
  }
  console.log(JSON.stringify({ bench: 'nuisance-scenes', mode, seeds: `6001-${seeds.at(-1)}`, false_candidates: pooled.candidates, rejected_vegetation: pooled.vegetation, rejected_vehicles: pooled.vehicles, unit: 'regions', better: 'lower false_candidates' }));
}
