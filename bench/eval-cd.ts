/**
 * Change-model accuracy on held-out generated scenes: writes the chips of 20 scenes whose seeds
 * are never trained on (2001-2020, 2048 px, as `zhiwei synth --chips`), then scores the shipped
 * model on them with `zhiwei eval-cd`, and prints its JSON line (pixel precision, recall, F1, IoU,
 * recall by change kind). Chips are kept in bench/out/heldout-chips; pass --rebuild to write them again.
 *
 *   npx tsx bench/eval-cd.ts [--model zhiwei-cd-v1] [--scenes 20] [--rebuild]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { model: { type: 'string', default: 'zhiwei-cd-v1' }, scenes: { type: 'string', default: '20' }, rebuild: { type: 'boolean', default: false } },
});
// --scenes N: the chips of the first N scenes only (a quick run, as `npm run bench` makes), in a folder of their own
const scenes = Number(args.scenes);
const lastSeed = 2000 + scenes;
const chips = fileURLToPath(new URL(scenes === 20 ? 'out/heldout-chips' : `out/heldout-chips-${scenes}`, import.meta.url));
const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const zhiwei = (...cliArgs: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', bin, ...cliArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

// Chips written before kind/ existed are written again.
if (args.rebuild || !existsSync(join(chips, 'kind'))) rmSync(chips, { recursive: true, force: true });
if (!existsSync(chips)) {
  for (let seed = 2001; seed <= lastSeed; seed++) zhiwei('synth', '--chips', chips, '--seed', String(seed), '--size', '2048');
}
const report = JSON.parse(zhiwei('eval-cd', chips, '--model', args.model));
process.stdout.write(`${JSON.stringify({ bench: 'eval-cd', seeds: `2001-${lastSeed}`, size_px: 2048, ...report })}\n`);
