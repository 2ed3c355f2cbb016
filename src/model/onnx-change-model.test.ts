import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadInputError, DependencyMissingError } from '../errors.js';
import { checkAgreement } from './agreement.js';
import { readManifest } from './manifest.js';
import { loadChangeModel, modelsDir, openOnnxChangeModel } from './onnx-change-model.js';
import { toModelInput } from './preprocess.js';

const testdata = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url));
const shipped = `${modelsDir}zhiwei-cd-v1`;

describe('loadChangeModel', () => {
  it('runs a batch of tile pairs and returns one probability per pixel', async () => {
    const model = await loadChangeModel(testdata('tiny-cd.onnx'), { threads: 1 });
    const tile = new Uint8Array(32 * 32 * 3).fill(90);
    const changed = tile.map((v, i) => (i % 3 === 0 ? 250 : v));
    const before = toModelInput([tile, tile, tile], model.manifest);
    const after = toModelInput([tile, changed, tile], model.manifest);
    const probability = await model.run(before, after, 3);
    await model.close();
    expect(probability.length).toBe(3 * 32 * 32);
    expect(probability.every((p) => p >= 0 && p <= 1)).toBe(true);
    // Identical epochs give identical outputs for tiles 0 and 2.
    expect(probability.subarray(0, 1024)).toEqual(probability.subarray(2048));
  });

  it('runs a batch on a worker thread: the event loop turns meanwhile, and the inputs stay usable', async () => {
    const model = await loadChangeModel(shipped, { threads: 1 });
    const size = model.manifest.tile_size;
    const tile = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 256);
    const input = toModelInput([tile, tile], model.manifest);
    let turns = 0;
    let running = true;
    const turn = (): void => {
      turns++;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    // on the main thread, onnxruntime-node's run would block the loop for the whole batch: a turn or two
    const probability = await model.run(input, input, 2);
    running = false;
    await model.close();
    expect(turns).toBeGreaterThan(10);
    expect(probability.length).toBe(2 * size * size);
    expect(input.length).toBe(2 * 3 * size * size);
  });

  it('says which file is missing and how to get a model', async () => {
    const load = loadChangeModel('no-such-model');
    await expect(load).rejects.toThrow(DependencyMissingError);
    await expect(load).rejects.toThrow(`change model no-such-model: ${modelsDir}no-such-model.onnx does not exist`);
  });

  it('resolves model names in models/ at the package root', () => {
    expect(existsSync(join(modelsDir, 'README.md'))).toBe(true);
    expect(existsSync(join(modelsDir, '..', 'package.json'))).toBe(true);
  });
});

describe('openOnnxChangeModel', () => {
  it('rejects a model with one input', async () => {
    const manifest = await readManifest(testdata('tiny-cd.json'));
    await expect(openOnnxChangeModel(testdata('one-input.onnx'), manifest)).rejects.toThrow(
      `${testdata('one-input.onnx')}: the model's inputs are "x", the manifest names "before", "after" (manifest tiny-cd)`,
    );
  });

  it('rejects a model whose inputs are named differently from the manifest', async () => {
    const manifest = await readManifest(testdata('tiny-cd.json'));
    const open = openOnnxChangeModel(testdata('renamed-inputs.onnx'), manifest);
    await expect(open).rejects.toThrow(BadInputError);
    await expect(open).rejects.toThrow(`the model's inputs are "x1", "x2", the manifest names "before", "after"`);
  });

  it('rejects a model whose tile size differs from the manifest', async () => {
    const manifest = { ...(await readManifest(testdata('tiny-cd.json'))), tile_size: 64 };
    await expect(openOnnxChangeModel(testdata('tiny-cd.onnx'), manifest)).rejects.toThrow(
      `"before" is float32 [batch, 3, 32, 32], expected float32 [batch, 3, 64, 64]`,
    );
  });

  it('rejects a file that is not an ONNX model', async () => {
    const manifest = await readManifest(testdata('tiny-cd.json'));
    await expect(openOnnxChangeModel(testdata('tiny-cd.json'), manifest)).rejects.toThrow(`${testdata('tiny-cd.json')}: onnxruntime cannot load it`);
  });

  it('rejects a batch whose length does not match the batch size', async () => {
    const model = await loadChangeModel(testdata('tiny-cd.onnx'), { threads: 1 });
    const tiles = new Float32Array(3 * 32 * 32);
    await expect(model.run(tiles, tiles, 2)).rejects.toThrow('expected 2 x 3 x 32 x 32 = 6144 values per epoch, got 3072 and 3072');
    await model.close();
  });
});

describe('ONNX/PyTorch agreement', () => {
  it('reproduces the PyTorch output recorded at export of the test model', async () => {
    const model = await loadChangeModel(testdata('tiny-cd.onnx'), { threads: 1 });
    const agreement = await checkAgreement(model, testdata('tiny-cd.agreement.json'));
    await model.close();
    expect(agreement.samples).toBe(16);
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(agreement.tolerance);
  });

  it.skipIf(!existsSync(`${shipped}.onnx`) && process.env.CI !== 'true')('reproduces the PyTorch output recorded at export of the shipped model', async () => {
    const model = await loadChangeModel('zhiwei-cd-v1');
    const agreement = await checkAgreement(model, `${shipped}.agreement.json`);
    await model.close();
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(agreement.tolerance);
  });
});
