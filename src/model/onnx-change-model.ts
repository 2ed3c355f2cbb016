/**
 * The ONNX change model: an onnxruntime-node session checked against its manifest, run on a worker
 * thread. onnxruntime-node's `run` is synchronous under its promise, so on the main thread it would
 * block the reading and resampling of the next tiles for as long as a batch runs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
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
  const { onnxPath, manifest } = await findChangeModel(nameOrPath);
  return openOnnxChangeModel(onnxPath, manifest, options);
}

/** A change model's `.onnx` file and its manifest, by name or path (see `loadChangeModel`), without opening it. */
export async function findChangeModel(nameOrPath: string): Promise<{ onnxPath: string; manifest: ModelManifest }> {
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
  return { onnxPath: `${base}.onnx`, manifest: await readManifest(`${base}.json`) };
}

/**
 * The worker holding the session: plain CommonJS evaluated as is, so that it runs the same from
 * src/ (tsx, vitest) and dist/. It answers each message `{ id, op }` with `{ id, ... }` or
 * `{ id, error }`; outputs are copied into a buffer of their own, which is transferred.
 */
const sessionWorker = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
let session = null;
const spare = [];
parentPort.on('message', async ({ id, op, feeds, dims, output }) => {
  try {
    if (op === 'open') {
      session = await ort.InferenceSession.create(workerData.path, workerData.options);
      const { inputNames, outputNames, inputMetadata, outputMetadata } = session;
      parentPort.postMessage({ id, session: { inputNames, outputNames, inputMetadata, outputMetadata } });
    } else if (op === 'run') {
      // onnxruntime takes no shared memory: the inputs are copied into arrays of this thread's,
      // kept for the next call (a fresh array's page faults cost more than the copy)
      const arrays = spare.pop() ?? {};
      const tensors = {};
      for (const name of Object.keys(feeds)) {
        const length = feeds[name].length;
        if (!(arrays[name]?.length >= length)) arrays[name] = new Float32Array(length);
        const input = arrays[name].subarray(0, length);
        input.set(feeds[name]);
        tensors[name] = new ort.Tensor('float32', input, dims);
      }
      let result;
      try {
        result = (await session.run(tensors))[output];
      } finally {
        spare.push(arrays);
      }
      const data = new Float32Array(result.data);
      parentPort.postMessage({ id, dims: result.dims, data }, [data.buffer]);
    } else {
      await session?.release();
      session = null;
      parentPort.postMessage({ id });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: err.message });
  }
});
`;

/** What the worker says of the session it opened. */
interface SessionDescription {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
}

/** A worker thread's session, one call at a time in order; the thread keeps the process alive only while a call is pending. */
class SessionThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (answer: Record<string, unknown>) => void; reject: (err: Error) => void }>();
  private nextId = 0;

  constructor(onnxPath: string, options: ort.InferenceSession.SessionOptions) {
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    this.worker = new Worker(sessionWorker, { eval: true, workerData: { ort: ortPath, path: onnxPath, options } });
    this.worker.unref();
    this.worker.on('message', (answer: { id: number; error?: string }) => {
      const call = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) this.worker.unref();
      if (answer.error !== undefined) call?.reject(new Error(answer.error));
      else call?.resolve(answer);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`the onnxruntime worker thread exited (code ${code})`)));
  }

  call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }
}

/** Opens `onnxPath` with onnxruntime-node on a worker thread and checks its inputs and output against `manifest`. */
export async function openOnnxChangeModel(onnxPath: string, manifest: ModelManifest, options: ModelOptions = {}): Promise<ChangeModel> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new BadInputError(`model threads must be a positive whole number, got ${threads}`);
  const thread = new SessionThread(onnxPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // A memory pattern (one block planned for a run's intermediates after watching the first)
    // costs a second cold run in fresh memory: batches of 8 on a new session took 480, 510, then
    // 120 ms with it; 140, then 110 ms without (2 threads, the 2-core machine).
    enableMemPattern: false,
    // Spinning worker threads halve throughput as soon as anything else (tile decoding, another
    // job) wants a core: 2 threads, batch 4 on 2 busy cores ran 18-26 tiles/s spinning, 24-48 not.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  let session: SessionDescription;
  try {
    session = (await thread.call({ op: 'open' })).session as SessionDescription;
  } catch (err) {
    await thread.close();
    throw new BadInputError(`${onnxPath}: onnxruntime cannot load it (${(err as Error).message})`);
  }
  try {
    checkSession(session, manifest, onnxPath);
  } catch (err) {
    await thread.close();
    throw err;
  }
  return new OnnxChangeModel(thread, manifest);
}

/** Throws a BadInputError naming the mismatch when the ONNX graph does not fit the manifest. */
function checkSession(session: SessionDescription, manifest: ModelManifest, onnxPath: string): void {
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

/** `ChangeModel` over one onnxruntime session on a worker thread. */
class OnnxChangeModel implements ChangeModel {
  /** Shared input memory of calls that have returned, for the next ones. */
  private readonly spare: SharedArrayBuffer[] = [];

  constructor(
    private readonly thread: SessionThread,
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
    // the inputs are copied into shared memory that the worker reads (the caller may use them
    // again): memory kept from batch to batch, where posting them would copy them into fresh
    // memory every time, whose page faults cost more than the copy
    const shared = this.sharedInputs(length);
    const feeds = { [inputs.before.name]: new Float32Array(shared, 0, length), [inputs.after.name]: new Float32Array(shared, length * 4, length) };
    feeds[inputs.before.name].set(before);
    feeds[inputs.after.name].set(after);
    let result: Record<string, unknown>;
    try {
      result = await this.thread.call({ op: 'run', feeds, dims, output: output.name });
    } finally {
      this.spare.push(shared);
    }
    const resultDims = result.dims as readonly number[];
    const expected = [batch, 1, size, size].join(', ');
    if (resultDims.join(', ') !== expected) {
      throw new BadInputError(`change model ${this.manifest.name}: output is [${resultDims.join(', ')}], expected [${expected}]`);
    }
    return result.data as Float32Array;
  }

  /** Shared memory for both inputs of a batch of `length` values each, one per call in flight. */
  private sharedInputs(length: number): SharedArrayBuffer {
    const spare = this.spare.pop();
    return spare && spare.byteLength >= length * 8 ? spare : new SharedArrayBuffer(length * 8);
  }

  async close(): Promise<void> {
    await this.thread.call({ op: 'release' });
    await this.thread.close();
  }
}
