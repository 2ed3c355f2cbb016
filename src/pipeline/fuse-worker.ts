/**
 * Fusion on a worker thread. `fuseStrip` is arithmetic on a strip's rasters alone, so it can run
 * beside the main thread, which meanwhile reads, aligns and prepares the next row of model tiles:
 * on the main thread the two took turns while a core stood idle. The same module is the worker's
 * code: loaded with `workerData.fusion`, it answers strips with their fusion.
 *
 * Rasters and fused strips pass through slots of shared memory kept from strip to strip (on this
 * machine a fresh array costs more in page faults than copying into a kept one).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fuseStrip, type FusionRule, type StripRasters } from './fuse.js';
import { keptArrays } from './height-change.js';
import type { ChangeStrip } from './types.js';

/** The rasters of `StripRasters` in a slot, in this order (those the strip has). */
const rasterNames = ['probability', 'greenness', 'dsmBefore', 'dsmAfter', 'offset', 'ground'] as const;
/** The arrays of a `ChangeStrip` in a slot, in this order (floats first: a float array starts on a multiple of 4 bytes). */
const stripArrays = [
  ['heightChange', Float32Array], ['heightBefore', Float32Array], ['heightAfter', Float32Array], ['probability', Float32Array],
  ['roughness', Float32Array], ['topSurface', Float32Array], ['greenness', Float32Array], ['change', Uint8Array], ['nearBuilding', Uint8Array],
] as const;
/** Bytes a fused strip takes per pixel. */
const stripBytesPerPixel = 2 + 7 * 4;

/** Where each raster lies in the input slot: [first float, length]. */
type Layout = Partial<Record<(typeof rasterNames)[number], [number, number]>>;

interface FuseRequest {
  id: number;
  input: SharedArrayBuffer;
  layout: Layout;
  output: SharedArrayBuffer;
  strip: { y0: number; width: number; height: number; margin: number };
  rule: FusionRule;
}

type FuseReply = { id: number; error?: string };

/** The arrays of a fused strip of `pixels` pixels laid out in `slot`. */
function stripViews(slot: SharedArrayBuffer, pixels: number): Pick<ChangeStrip, (typeof stripArrays)[number][0]> {
  let offset = 0;
  const views: Record<string, Uint8Array | Float32Array> = {};
  for (const [name, type] of stripArrays) {
    views[name] = type === Uint8Array ? new Uint8Array(slot, offset, pixels) : new Float32Array(slot, offset, pixels);
    offset += pixels * type.BYTES_PER_ELEMENT;
  }
  return views as unknown as Pick<ChangeStrip, (typeof stripArrays)[number][0]>;
}

if (!isMainThread && workerData?.fusion) {
  const memory = keptArrays();
  parentPort!.on('message', ({ id, input, layout, output, strip, rule }: FuseRequest) => {
    try {
      const rasters: StripRasters = { ...strip };
      for (const name of rasterNames) {
        const at = layout[name];
        if (at) rasters[name] = new Float32Array(input, at[0] * 4, at[1]);
      }
      const fused = fuseStrip(rasters, rule, memory);
      const views = stripViews(output, strip.width * strip.height);
      for (const [name] of stripArrays) views[name].set(fused[name]);
      parentPort!.postMessage({ id } satisfies FuseReply);
    } catch (err) {
      parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FuseReply);
    }
  });
}

/**
 * The worker of a TypeScript module (development and tests): Node 20 does not hand a parent's
 * module hooks (tsx) on to a worker. tsx is found from this module, not from the working folder.
 */
const tsWorker = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.url, workerData.url));
`;

/** tsx's ESM API (the CommonJS one cannot load ES modules), by its package's exports. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api'].import.default)).href;
}

let worker: Worker | null = null;
const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
let nextId = 0;
/** Slots not in use, taken by the next strips. */
const freeSlots: SharedArrayBuffer[] = [];

function takeSlot(bytes: number): SharedArrayBuffer {
  const index = freeSlots.findIndex((slot) => slot.byteLength >= bytes);
  return index >= 0 ? freeSlots.splice(index, 1)[0] : new SharedArrayBuffer(bytes);
}

function fusionWorker(): Worker {
  if (worker) return worker;
  const url = new URL(import.meta.url);
  const started = url.pathname.endsWith('.ts')
    ? new Worker(tsWorker, { eval: true, workerData: { fusion: true, url: url.href, tsx: tsxEsmApi() } })
    : new Worker(url, { workerData: { fusion: true } });
  started.on('message', ({ id, error }: FuseReply) => {
    const request = pending.get(id);
    pending.delete(id);
    // a worker waiting for strips does not keep the process alive; one fusing a strip does
    if (pending.size === 0) started.unref();
    if (error !== undefined) request?.reject(new Error(`fusion failed: ${error}`));
    else request?.resolve();
  });
  const fail = (err: Error) => {
    worker = null;
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the fusion thread exited (code ${code})`)));
  started.unref();
  return (worker = started);
}

/** A fused strip in a slot of shared memory: good until `release`, which hands the slot to a later strip. */
export interface SharedStrip {
  strip: ChangeStrip;
  release(): void;
}

/** `fuseStrip` on the fusion thread: the same strip, fused beside this thread's work. */
export async function fuseOnWorker(rasters: StripRasters, rule: FusionRule): Promise<SharedStrip> {
  const { y0, width, height, margin } = rasters;
  const layout: Layout = {};
  let floats = 0;
  for (const name of rasterNames) {
    const values = rasters[name];
    if (values) {
      layout[name] = [floats, values.length];
      floats += values.length;
    }
  }
  const input = takeSlot(floats * 4);
  for (const name of rasterNames) {
    const at = layout[name];
    if (at) new Float32Array(input, at[0] * 4, at[1]).set(rasters[name]!);
  }
  const output = takeSlot(width * height * stripBytesPerPixel);
  const thread = fusionWorker();
  const id = nextId++;
  try {
    await new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.ref();
      thread.postMessage({ id, input, layout, output, strip: { y0, width, height, margin }, rule } satisfies FuseRequest);
    });
  } catch (err) {
    freeSlots.push(output);
    throw err;
  } finally {
    freeSlots.push(input);
  }
  return { strip: { y0, width, height, ...stripViews(output, width * height) }, release: () => freeSlots.push(output) };
}
