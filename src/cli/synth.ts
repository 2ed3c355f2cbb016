/**
 * `zhiwei synth`: writes a synthetic pair of drone flights with known changes, for demos, tests
 * and training the change-detection model (`--chips`: LEVIR-CD-style training chips).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BadInputError } from '../errors.js';
import { writeChips } from '../synth/chips.js';
import { generateScene } from '../synth/index.js';
import { parseNumber, parsePositiveInteger, parseWholeNumber } from './options.js';
import { startStage } from './progress.js';

interface SynthOptions {
  out?: string;
  chips?: string;
  seed: number;
  size: number;
  gsd: number;
  chipGsd: number;
  chipSize: number;
  preview?: boolean;
  /** false with --no-changes: only the nuisances (crowns, vehicles, seasons) differ between the flights. */
  changes: boolean;
}

/** Registers the `synth` subcommand. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate a synthetic before/after scene (orthophotos, DSMs, DTM, plans, grids, zones, truth, standing buildings and their plans)')
    .option('--out <dir>', 'output folder of the scene')
    .option('--chips <dir>', 'write the scene as LEVIR-CD-style training chips (A/, B/, label/) into this folder')
    .requiredOption('--seed <n>', 'random seed (same seed, same files)', parseWholeNumber)
    .requiredOption('--size <px>', 'orthophoto width and height in pixels, a multiple of 256', parsePositiveInteger)
    .option('--gsd <m>', 'orthophoto ground sample distance in metres (DSM/DTM at twice this)', parseNumber, 0.1)
    .option('--chip-gsd <m>', 'ground sample distance of the chips (the model’s native GSD)', parseNumber, 0.2)
    .option('--chip-size <px>', 'chip width and height (the model’s tile size)', parsePositiveInteger, 256)
    .option('--preview', 'also write PNG previews under preview/')
    .option('--no-changes', 'no built change between the flights, only nuisances (tree crowns, vehicles, seasons): a scene that should give no candidate')
    .action(async (options: SynthOptions) => {
      if (!options.out && !options.chips) throw new BadInputError('synth needs --out DIR, --chips DIR or both');
      const started = Date.now();
      const sceneDir = options.out ?? (await mkdtemp(join(tmpdir(), 'zhiwei-synth-')));
      try {
        const { scene, files } = await generateScene({
          outDir: sceneDir,
          seed: options.seed,
          size: options.size,
          gsd: options.gsd,
          preview: options.preview ?? false,
          changes: options.changes,
          progress: startStage,
        });
        const byKind = new Map<string, number>();
        for (const change of scene.changes) byKind.set(change.changeKind, (byKind.get(change.changeKind) ?? 0) + 1);
        const lines = options.out ? [`wrote ${files.length} files to ${options.out}:`, ...files.map((file) => `  ${file}`)] : [];
        lines.push(
          `changes: ${scene.changes.length} (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')})`,
          `plans: ${scene.plans.length}, zones: ${scene.zones.length}, grids: ${scene.grids.length}`,
          `buildings: ${scene.buildings.length} standing, ${scene.buildings.filter((b) => !b.legal).length} illegal; building plans: ${scene.buildingPlans.length}`,
        );
        if (options.chips) {
          const { chips, withChange } = await writeChips({
            sceneDir,
            outDir: options.chips,
            prefix: `s${options.seed}`,
            gsd: options.chipGsd,
            tileSize: options.chipSize,
          });
          lines.push(`chips: ${chips} of ${options.chipSize} px at ${options.chipGsd} m (${withChange} with change) in ${options.chips}`);
        }
        lines.push(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        if (!options.out) await rm(sceneDir, { recursive: true, force: true });
      }
    });
}
