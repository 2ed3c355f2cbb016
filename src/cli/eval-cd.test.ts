import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChangeModel } from '../model/onnx-change-model.js';
import { predictImage } from '../model/sliding-window.js';
import { writeImage } from '../raster/image-file.js';
import { changeKindCode } from '../synth/chips.js';
import { runCli } from '../test-support/cli.js';

// The 32 px test model with random weights: its answers are whatever it predicts, so the labels
// are made from its own prediction, which gives the scores a known value.
const tinyModel = fileURLToPath(new URL('../model/testdata/tiny-cd.onnx', import.meta.url));
let dir: string;
let changedPixels: number;
let halfLabelled: number;
let missedByKind: number;
let foundByKind: number;
let medianProbability: number;

/** A 48 x 40 RGB image (not a multiple of the tile, so tiles overlap and pad) with a bright block. */
function image(seed: number, block: boolean): Uint8Array {
  const data = new Uint8Array(48 * 40 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 11) % 97 + 60;
  if (block) for (let y = 10; y < 26; y++) for (let x = 12; x < 30; x++) data.fill(240, (y * 48 + x) * 3, (y * 48 + x) * 3 + 3);
  return data;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-eval-cd-'));
  for (const part of ['A', 'B', 'label', 'half/A', 'half/B', 'half/label', 'kinds/A', 'kinds/B', 'kinds/label', 'kinds/kind', 'two/A', 'two/B', 'two/label']) {
    await mkdir(join(dir, part), { recursive: true });
  }
  const model = await loadChangeModel(tinyModel, { threads: 1 });
  const raster = (data: Uint8Array, bandCount = 3) => ({ width: 48, height: 40, bandCount, data });
  const before = image(1, false);
  const after = image(1, true);
  const probability = await predictImage(model, before, after, 48, 40);
  await model.close();
  const predicted = Uint8Array.from(probability, (p) => (p >= model.manifest.threshold ? 255 : 0));
  changedPixels = predicted.filter((v) => v).length;
  // the same pair labelled with only the top half of the predicted change
  const half = predicted.map((v, i) => (i < 20 * 48 ? v : 0));
  halfLabelled = half.filter((v) => v).length;
  // At the median probability as threshold, half the pixels are predicted: those labelled as new
  // buildings, plus every fifth of the others as added floors (all missed).
  medianProbability = [...probability].sort((a, b) => a - b)[probability.length >> 1];
  const kinds = probability.map((p, i) => (p >= medianProbability ? changeKindCode('new_building') : i % 5 === 0 ? changeKindCode('height_increase') : 0));
  missedByKind = kinds.filter((v) => v === changeKindCode('height_increase')).length;
  foundByKind = kinds.filter((v) => v === changeKindCode('new_building')).length;
  await writeImage(join(dir, 'kinds', 'kind', 'pair.png'), raster(Uint8Array.from(kinds), 1));
  const kindLabel = Uint8Array.from(kinds, (v) => (v ? 255 : 0));
  // two/ holds the pair twice: labelled with the prediction (pair.png) and with its top half (top.png)
  for (const [root, name, label] of [[dir, 'pair.png', predicted], [join(dir, 'half'), 'pair.png', half], [join(dir, 'kinds'), 'pair.png', kindLabel], [join(dir, 'two'), 'pair.png', predicted], [join(dir, 'two'), 'top.png', half]] as const) {
    await writeImage(join(root, 'A', name), raster(before));
    await writeImage(join(root, 'B', name), raster(after));
    await writeImage(join(root, 'label', name), raster(label, 1));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('zhiwei eval-cd', () => {
  it('scores 1 on labels equal to the prediction, and writes the predicted mask', async () => {
    const out = join(dir, 'pred');
    const { code, stdout } = await runCli(['eval-cd', dir, '--model', tinyModel, '--save-pred', out]);
    expect(code).toBe(0);
    expect(changedPixels).toBeGreaterThan(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ images: 1, precision: 1, recall: 1, f1: 1, iou: 1 });
    const written = await sharp(join(out, 'pair.png')).metadata();
    expect([written.width, written.height, written.channels]).toEqual([48, 40, 1]);
  });

  it('counts predicted change outside the label as false positives', async () => {
    const { code, stdout } = await runCli(['eval-cd', join(dir, 'half'), '--model', tinyModel]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.recall).toBe(1);
    expect(report.precision).toBeCloseTo(halfLabelled / changedPixels, 10);
    expect(report.iou).toBeCloseTo(halfLabelled / changedPixels, 10);
  });

  it('gives recall by change kind where the folder has kind/ masks', async () => {
    const { code, stdout } = await runCli(['eval-cd', join(dir, 'kinds'), '--model', tinyModel, '--threshold', String(medianProbability)]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(missedByKind).toBeGreaterThan(0);
    expect(report.recall_by_change_kind).toEqual({ new_building: 1, height_increase: 0 });
    expect(report.recall).toBeCloseTo(foundByKind / (foundByKind + missedByKind), 10);
    expect(report.precision).toBe(1);
    const plain = JSON.parse((await runCli(['eval-cd', dir, '--model', tinyModel])).stdout);
    expect(plain).not.toHaveProperty('recall_by_change_kind');
  });

  it('prints a line per pair before the folder line with --per-tile', async () => {
    const { code, stdout } = await runCli(['eval-cd', join(dir, 'two'), '--model', tinyModel, '--per-tile']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ name: 'pair.png', precision: 1, recall: 1, f1: 1, iou: 1, label_changed_px: changedPixels, predicted_changed_px: changedPixels });
    expect(lines[1]).toMatchObject({ name: 'top.png', recall: 1, label_changed_px: halfLabelled, predicted_changed_px: changedPixels });
    expect(lines[1].precision).toBeCloseTo(halfLabelled / changedPixels, 10);
    expect(lines[2]).toMatchObject({ images: 2, recall: 1 });
    expect(lines[2].precision).toBeCloseTo((changedPixels + halfLabelled) / (2 * changedPixels), 10);
    const plain = (await runCli(['eval-cd', join(dir, 'two'), '--model', tinyModel])).stdout;
    expect(plain.trim().split('\n')).toHaveLength(1);
  });

  it('skips a pair without a label with a warning naming it, and refuses a folder with no labelled pair', async () => {
    const partly = join(dir, 'partly');
    for (const part of ['A', 'B', 'label']) await mkdir(join(partly, part), { recursive: true });
    const raster = (data: Uint8Array, bandCount = 3) => ({ width: 48, height: 40, bandCount, data });
    for (const name of ['pair.png', 'unlabelled.png']) {
      await writeImage(join(partly, 'A', name), raster(image(1, false)));
      await writeImage(join(partly, 'B', name), raster(image(1, true)));
    }
    await writeImage(join(partly, 'label', 'pair.png'), raster(new Uint8Array(48 * 40), 1));
    const skipped = await runCli(['eval-cd', partly, '--model', tinyModel]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('unlabelled.png has no label');
    expect(skipped.stderr).not.toContain('pair.png');
    expect(JSON.parse(skipped.stdout)).toMatchObject({ images: 1, recall: 0 });
    await rm(join(partly, 'label', 'pair.png'));
    const none = await runCli(['eval-cd', partly, '--model', tinyModel]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no pair in A/ and B/ has a label');
  });

  it('resamples pairs to the model’s GSD with --gsd and scores the prediction at the label’s size', async () => {
    const out = join(dir, 'pred-gsd');
    const { code, stdout } = await runCli(['eval-cd', dir, '--model', tinyModel, '--gsd', '0.5', '--save-pred', out]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ images: 1, gsd_m: 0.5, model_gsd_m: 0.2 });
    const written = await sharp(join(out, 'pair.png')).metadata();
    expect([written.width, written.height]).toEqual([48, 40]);
    const same = JSON.parse((await runCli(['eval-cd', dir, '--model', tinyModel, '--gsd', '0.2'])).stdout);
    expect(same.f1).toBeGreaterThan(0.95);
  });

  it('rejects a folder without label/ with exit code 2 and the layout it expects', async () => {
    const empty = join(dir, 'no-labels');
    await mkdir(join(empty, 'A'), { recursive: true });
    await mkdir(join(empty, 'B'), { recursive: true });
    const { code, stderr } = await runCli(['eval-cd', empty, '--model', tinyModel]);
    expect(code).toBe(2);
    expect(stderr).toContain('no label/ folder');
    expect(stderr).toContain('LEVIR-CD layout');
  });
});
