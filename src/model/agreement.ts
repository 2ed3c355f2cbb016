/** Replays the ONNX/PyTorch agreement fixture written at export (`models/<name>.agreement.json`). */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { toModelInput } from './preprocess.js';
import type { ChangeModel } from './types.js';

/** What training/export.py records: one uint8 tile pair and PyTorch's probabilities on it. */
interface AgreementFixture {
  before_png: string;
  after_png: string;
  /** Probabilities at every `sample_stride`-th row and column, row-major. */
  sample_stride: number;
  samples: number[];
  mean: number;
  max: number;
  tolerance: number;
}

/** Largest absolute difference between onnxruntime's and PyTorch's probabilities, and the tolerance. */
export interface Agreement {
  maxAbsDiff: number;
  meanAbsDiff: number;
  tolerance: number;
  samples: number;
}

/** Runs the fixture's tile pair through `model` and compares with PyTorch's recorded output. */
export async function checkAgreement(model: ChangeModel, fixturePath: string): Promise<Agreement> {
  const fixture = JSON.parse(await readFile(fixturePath, 'utf8')) as AgreementFixture;
  const decode = async (png: string) => new Uint8Array(await sharp(Buffer.from(png, 'base64')).removeAlpha().raw().toBuffer());
  const [before, after] = await Promise.all([decode(fixture.before_png), decode(fixture.after_png)]);
  const { manifest } = model;
  const probability = await model.run(toModelInput([before], manifest), toModelInput([after], manifest), 1);
  const size = manifest.tile_size;
  const step = fixture.sample_stride;
  let maxAbsDiff = 0;
  let k = 0;
  for (let y = 0; y < size; y += step) {
    for (let x = 0; x < size; x += step) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(probability[y * size + x] - fixture.samples[k++]));
  }
  const mean = probability.reduce((s, v) => s + v, 0) / probability.length;
  const max = probability.reduce((m, v) => Math.max(m, v), 0);
  // mean and max cover the pixels between samples; both are recorded to 6 decimals.
  maxAbsDiff = Math.max(maxAbsDiff, Math.abs(mean - fixture.mean), Math.abs(max - fixture.max));
  return { maxAbsDiff, meanAbsDiff: Math.abs(mean - fixture.mean), tolerance: fixture.tolerance, samples: k };
}
