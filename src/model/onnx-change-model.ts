/** The ONNX change model: an onnxruntime-node session checked against its manifest. */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { BadInputError, DependencyMissingError } from '../errors.js';
import { readManifest } from './manifest.js';
import type { ChangeModel, ModelManifest } from './types.js';

/** Folder of the shipped models, `models/` at the package root (from src/model/ and dist/model/ alike). */
export const modelsDir = fileURLToPath(new URL('../../models/', import.meta.url));

/** Session settings. */
export interface ModelOptions {
  /** Intra-op threads of onnxruntime; default: one per CPU core. */
  threads?: number;
}

/**
 * Loads a change model by name (`models/<name>.onnx` + `.json` at the package root) or by the path
 * of its `.onnx` or `.json` (the other file sits beside it).
 */
export async function loadChangeModel(nameOrPath: string, options: ModelOptions = {}): Promise<ChangeModel> {
  const isPath = /[\\/]/.test(nameOrPath) || /\.(onnx|json)$/.test(nameOrPath);
  const base = isPath ? nameOrPath.replace(/\.(onnx|json)$/, '') : `${modelsDir}${nameOrPath}`;
  for (const file of [`${base}.onnx`, `${base}.json`]) {
    if (!existsSync(file)) {
      throw new DependencyMissingError(
        `change model ${nameOrPath}: ${file} does not exist`,
        `put <name>.onnx and its manifest <name>.json in ${modelsDir}, or train one with training/train.py (see training/README.md)`,
      );
    }
  }
  return openOnnxChangeModel(`${base}.onnx`, await readManifest(`${base}.json`), options);
}

/** Opens `onnxPath` with onnxruntime-node and checks its inputs and output against `manifest`. */
export async function openOnnxChangeModel(onnxPath: string, manifest: ModelManifest, options: ModelOptions = {}): Promise<ChangeModel> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new BadInputError(`model threads must be a positive whole number, got ${threads}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Spinning worker threads halve throughput as soon as anything else (tile decoding, another
      // job) wants a core: 2 threads, batch 4 on 2 busy cores ran 18-26 tiles/s spinning, 24-48 not.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new BadInputError(`${onnxPath}: onnxruntime cannot load it (${(err as Error).message})`);
  }
  try {
    checkSession(session, manifest, onnxPath);
  } catch (err) {
    await session.release();
    throw err;
  }
  return new OnnxChangeModel(session, manifest);
}

/** Throws a BadInputError naming the mismatch when the ONNX graph does not fit the manifest. */
function checkSession(session: ort.InferenceSession, manifest: ModelManifest, onnxPath: string): void {
  const size = manifest.tile_size;
  const expectInputs = [manifest.inputs.before.name, manifest.inputs.after.name];
  const names = (list: readonly string[]) => list.map((n) => `"${n}"`).join(', ');
  const wrong = (what: string) => new BadInputError(`${onnxPath}: ${what} (manifest ${manifest.name})`, 'is the manifest beside the right .onnx?');
  if (session.inputNames.length !== 2 || !expectInputs.every((n) => session.inputNames.includes(n))) {
    throw wrong(`the model's inputs are ${names(session.inputNames)}, the manifest names ${names(expectInputs)}`);
  }
  if (session.outputNames.length !== 1 || session.outputNames[0] !== manifest.output.name) {
    throw wrong(`the model's outputs are ${names(session.outputNames)}, the manifest names "${manifest.output.name}"`);
  }
  const check = (meta: ort.InferenceSession.ValueMetadata, channels: number) => {
    const expected = `float32 [batch, ${channels}, ${size}, ${size}]`;
    // Symbolic dimensions (a dynamic batch, or dynamic height and width) fit any size.
    const fits = (dim: number | string | undefined, want: number) => typeof dim === 'string' || dim === want;
    const shape = meta.isTensor ? meta.shape : [];
    if (!meta.isTensor || meta.type !== 'float32' || shape.length !== 4 || !fits(shape[1], channels) || !fits(shape[2], size) || !fits(shape[3], size)) {
      const actual = meta.isTensor ? `${meta.type} [${meta.shape.join(', ')}]` : 'not a tensor';
      throw wrong(`"${meta.name}" is ${actual}, expected ${expected}`);
    }
  };
  session.inputMetadata.forEach((meta) => check(meta, 3));
  check(session.outputMetadata[0], 1);
}

/** `ChangeModel` over one onnxruntime session. */
class OnnxChangeModel implements ChangeModel {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: ModelManifest,
  ) {}

  async run(before: Float32Array, after: Float32Array, batch: number): Promise<Float32Array> {
    const size = this.manifest.tile_size;
    const dims = [batch, 3, size, size];
    const length = batch * 3 * size * size;
    if (before.length !== length || after.length !== length) {
      throw new RangeError(
        `change model input: expected ${batch} x 3 x ${size} x ${size} = ${length} values per epoch, got ${before.length} and ${after.length}`,
      );
    }
    const { inputs, output } = this.manifest;
    const result = await this.session.run({
      [inputs.before.name]: new ort.Tensor('float32', before, dims),
      [inputs.after.name]: new ort.Tensor('float32', after, dims),
    });
    const probability = result[output.name];
    const expected = [batch, 1, size, size].join(', ');
    if (probability.dims.join(', ') !== expected) {
      throw new BadInputError(`change model ${this.manifest.name}: output is [${probability.dims.join(', ')}], expected [${expected}]`);
    }
    return probability.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
