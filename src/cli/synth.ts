/**
 * `zhiwei synth`: writes a synthetic pair of drone flights with known changes, for demos, tests
 * and training the change-detection model.
 */
import type { Command } from 'commander';
import { BadInputError } from '../errors.js';
import { generateScene } from '../synth/index.js';
import { startStage } from './progress.js';

/** Registers the `synth` subcommand. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate a synthetic before/after scene (orthophotos, DSMs, DTM, plans, grids, zones, truth)')
    .requiredOption('--out <dir>', 'output folder')
    .requiredOption('--seed <n>', 'random seed (same seed, same files)', parseInteger('--seed'))
    .requiredOption('--size <px>', 'orthophoto width and height in pixels, a multiple of 256', parseInteger('--size'))
    .option('--gsd <m>', 'orthophoto ground sample distance in metres (DSM/DTM at twice this)', parseNumber('--gsd'), 0.1)
    .option('--preview', 'also write PNG previews under preview/')
    .action(async (options: { out: string; seed: number; size: number; gsd: number; preview?: boolean }) => {
      const started = Date.now();
      const { scene, files } = await generateScene({
        outDir: options.out,
        seed: options.seed,
        size: options.size,
        gsd: options.gsd,
        preview: options.preview ?? false,
        progress: startStage,
      });
      const byKind = new Map<string, number>();
      for (const change of scene.changes) byKind.set(change.changeKind, (byKind.get(change.changeKind) ?? 0) + 1);
      const lines = [
        `wrote ${files.length} files to ${options.out}:`,
        ...files.map((file) => `  ${file}`),
        `changes: ${scene.changes.length} (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')})`,
        `plans: ${scene.plans.length}, zones: ${scene.zones.length}, grids: ${scene.grids.length}`,
        `done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

function parseInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new BadInputError(`${flag} ${value} is not a whole number`);
    return Number(value);
  };
}

function parseNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new BadInputError(`${flag} ${value} is not a number`);
    return n;
  };
}
