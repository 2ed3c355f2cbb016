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
  for (const part of ['A', 'B', 'label', 'half/A', 'half/B', 'half/label', 'kinds/A', 'kinds/B', 'kinds/label', 'kinds/kind']) {
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
  for (const [root, label] of [[dir, predicted], [join(dir, 'half'), half], [join(dir, 'kinds'), kindLabel]] as const) {
    await writeImage(join(root, 'A', 'pair.png'), raster(before));
    await writeImage(join(root, 'B', 'pair.png'), raster(after));
    await writeImage(join(root, 'label', 'pair.png'), raster(label, 1));
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
