/**
 * Change-model accuracy on real imagery: scores the model on each LEVIR-CD layout folder given
 * (bench/README.md says how to lay out the LEVIR-CD and FOTBCD samples) with
 * `zhiwei eval-cd --per-tile`, and prints a JSON line per tile and per folder (pixel precision,
 * recall, F1, IoU). With --gsd (the folders' ground sample distance, m) each folder is scored
 * twice: the tiles as they are, and resampled to the model's GSD (eval-cd --gsd).
 *
 *   npx tsx bench/eval-real.ts DIR... [--model zhiwei-cd-v1] [--gsd 0.5]
 */
import { execFileSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args, positionals: dirs } = parseArgs({
  options: { model: { type: 'string', default: 'zhiwei-cd-v1' }, gsd: { type: 'string' } },
  allowPositionals: true,
});
if (dirs.length === 0) throw new Error('usage: npx tsx bench/eval-real.ts DIR... [--model NAME] [--gsd M]');
const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const zhiwei = (...cliArgs: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', bin, ...cliArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const round = (x: number, digits: number) => Number(x.toFixed(digits));
const scores = (line: Record<string, number>) =>
  ({ precision: round(line.precision, 3), recall: round(line.recall, 3), f1: round(line.f1, 3), iou: round(line.iou, 3) });

for (const dir of dirs) {
  for (const gsd of args.gsd === undefined ? [undefined] : [undefined, args.gsd]) {
    const lines = zhiwei('eval-cd', resolve(dir), '--model', args.model, '--per-tile', ...(gsd ? ['--gsd', gsd] : []))
      .trim().split('\n').map((line) => JSON.parse(line));
    const folder = lines.pop();
    const common = {
      bench: 'eval-real', folder: basename(resolve(dir)), model: folder.model,
      input: gsd ? `resampled from ${gsd} m to the model's ${folder.model_gsd_m} m` : 'native',
    };
    for (const tile of lines) {
      const { label_changed_px, predicted_changed_px } = tile;
      process.stdout.write(`${JSON.stringify({ ...common, unit: 'tile', tile: tile.name, ...scores(tile), label_changed_px, predicted_changed_px })}\n`);
    }
    process.stdout.write(`${JSON.stringify({ ...common, unit: 'folder', tiles: folder.images, ...scores(folder), mpx_per_s: round(folder.mpx_per_s, 2) })}\n`);
  }
}
