/**
 * Change-model throughput on 256x256 tile pairs: onnxruntime-node at batch 1/4/8 with 1 and 2
 * intra-op threads, then PyTorch CPU on the same architecture (training/bench_torch.py, needs
 * /usr/bin/python3 with torch; skipped with a note otherwise). Configurations are measured in
 * interleaved rounds so that load from other processes spreads over all of them; each JSON line
 * gives the median tiles/s over the rounds and the range.
 *
 *   npx tsx bench/model-throughput.ts [--model zhiwei-cd-v1] [--seconds 3] [--rounds 3] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadChangeModel } from '../src/model/onnx-change-model.js';
import type { ChangeModel } from '../src/model/types.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'zhiwei-cd-v1' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const batches = [1, 4, 8];
const threadCounts = [1, 2];

/** Tiles per second of `model` on random tile pairs of `batch`, over at least `seconds`. */
async function measure(model: ChangeModel, batch: number): Promise<number> {
  const size = model.manifest.tile_size;
  const before = Float32Array.from({ length: batch * 3 * size * size }, () => Math.random() * 4 - 2);
  const after = before.map((v, i) => (i % 7 === 0 ? -v : v));
  await model.run(before, after, batch);
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await model.run(before, after, batch);
    runs++;
  }
  return (runs * batch) / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits: number) => Number(x.toFixed(digits));

const models = new Map<number, ChangeModel>();
for (const threads of threadCounts) models.set(threads, await loadChangeModel(args.model, { threads }));
const size = models.get(1)!.manifest.tile_size;
const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const threads of threadCounts) {
    for (const batch of batches) {
      const key = `${threads}/${batch}`;
      results.set(key, [...(results.get(key) ?? []), await measure(models.get(threads)!, batch)]);
    }
  }
}
for (const model of models.values()) await model.close();
for (const [key, tilesPerS] of results) {
  const [threads, batch] = key.split('/').map(Number);
  const tps = median(tilesPerS);
  console.log(JSON.stringify({
    runtime: 'onnxruntime-node', model: args.model, threads, batch, tile: size,
    tiles_per_s: round(tps, 2), mpx_per_s: round((tps * size * size) / 1e6, 3),
    tiles_per_s_range: [round(Math.min(...tilesPerS), 2), round(Math.max(...tilesPerS), 2)],
  }));
}

if (!args['no-torch']) {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'training', 'bench_torch.py');
  for (const threads of threadCounts) {
    const torch = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--tile', String(size), '--seconds', String(seconds)], { stdio: ['ignore', 'inherit', 'pipe'] });
    if (torch.status !== 0) {
      console.log(JSON.stringify({ runtime: 'pytorch', skipped: `training/bench_torch.py failed: ${torch.stderr.toString().trim().split('\n').at(-1)}` }));
      break;
    }
  }
}
