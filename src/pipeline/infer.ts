/**
 * Infer (DESIGN.md section 4): tiles of both orthophotos through the change model in batches, and
 * their probabilities blended into full-width rows where tiles overlap, so that seams do not
 * show. Rows are handed on as soon as no later tile can touch them, which bounds memory to about
 * two rows of tiles.
 */
import { blendWeights } from '../model/sliding-window.js';
import { comparable, toModelInput } from '../model/preprocess.js';
import type { ChangeModel } from '../model/types.js';
import { alignedRows, type AlignedRows } from '../raster/read-rows.js';
import type { AlignedRaster } from '../raster/read-aligned.js';
import type { RasterSource } from '../raster/types.js';
import type { Tile } from './tile-plan.js';
import { excessGreen } from './vegetation.js';
import type { AnalysisGrid } from '../raster/types.js';

/** What the tiles say of each grid pixel: the model's change probability, and the after orthophoto's excess green. */
export interface TileValues {
  probability: Float32Array;
  greenness: Float32Array;
}

/** Weighted sums of tile values per grid row, for the rows still open. */
export interface ProbabilityRows {
  /** Adds one tile's values (tileSize² each) over its window. */
  add(tile: Tile, values: TileValues): void;
  /** Blended values of rows [y0, y1) (NaN where no tile ran), which are then forgotten. */
  take(y0: number, y1: number): TileValues;
}

/** Open rows of blended probability and greenness for a grid `width` px wide. */
export function probabilityRows(width: number, tileSize: number, overlap: number): ProbabilityRows {
  const weights = blendWeights(tileSize, overlap);
  const rows = new Map<number, { probability: Float32Array; greenness: Float32Array; weight: Float32Array }>();
  return {
    add(tile, values) {
      const { x: x0, y: y0 } = tile.window;
      for (let ty = 0; ty < tileSize; ty++) {
        const y = y0 + ty;
        if (y < 0) continue;
        let row = rows.get(y);
        if (!row) rows.set(y, (row = { probability: new Float32Array(width), greenness: new Float32Array(width), weight: new Float32Array(width) }));
        for (let tx = Math.max(0, -x0); tx < tileSize && x0 + tx < width; tx++) {
          const w = weights[ty * tileSize + tx];
          const k = ty * tileSize + tx;
          row.probability[x0 + tx] += w * values.probability[k];
          row.greenness[x0 + tx] += w * values.greenness[k];
          row.weight[x0 + tx] += w;
        }
      }
    },
    take(y0, y1) {
      const probability = new Float32Array((y1 - y0) * width).fill(Number.NaN);
      const greenness = new Float32Array((y1 - y0) * width).fill(Number.NaN);
      for (let y = y0; y < y1; y++) {
        const row = rows.get(y);
        rows.delete(y);
        if (!row) continue;
        for (let x = 0; x < width; x++) {
          if (!(row.weight[x] > 0)) continue;
          probability[(y - y0) * width + x] = row.probability[x] / row.weight[x];
          greenness[(y - y0) * width + x] = row.greenness[x] / row.weight[x];
        }
      }
      return { probability, greenness };
    },
  };
}

/** Time spent reading and inferring, for the summary. */
export interface InferTimings {
  readMs: number;
  inferMs: number;
}

/** The two orthophotos' readers of model tiles, each on its own grid, and the memory of model inputs. */
export interface TileReaders {
  before: AlignedRows;
  after: AlignedRows;
  /**
   * Both epochs' model inputs of a batch, kept from batch to batch (one per batch in flight): a
   * fresh array's page faults cost more than filling it.
   */
  inputs: Float32Array[];
  /** The first batch of the next call's tiles, read right after the last batch before it. */
  ahead?: { first: Tile; batch: Promise<ReadBatch> };
}

/** A batch of tiles read: those with data in both orthophotos, and their model inputs in `memory`. */
interface ReadBatch {
  withData: { tile: Tile; before: AlignedRaster; after: AlignedRaster }[];
  before: Float32Array;
  after: Float32Array;
  memory: Float32Array;
}

/**
 * Readers of `tiles` (read top to bottom) from each orthophoto, on its own grid (the before
 * epoch's shifted by the co-registration): each grid pixel is aligned once, however many tiles
 * hold it.
 */
export function tileReaders(orthophotos: { before: RasterSource; after: RasterSource }, grids: { before: AnalysisGrid; after: AnalysisGrid }, tiles: Tile[]): TileReaders {
  // tiles start as far left of the grid as above it (`planTiles`): the first tile's corner in
  // both, whichever rows of tiles are read
  const x0 = tiles.reduce((min, { window }) => Math.min(min, window.x), Infinity);
  const x1 = tiles.reduce((max, { window }) => Math.max(max, window.x + window.width), -Infinity);
  const span = { x0, x1, y0: x0 };
  const read = { resample: 'bilinear' as const, bands: [0, 1, 2] };
  return { before: alignedRows(orthophotos.before, grids.before, span, read), after: alignedRows(orthophotos.after, grids.after, span, read), inputs: [] };
}

/**
 * A batch of tiles as planned, less those without data (the model's results depend, in their last
 * bits, on how tiles are batched: a batch is the same whatever else a run reads), with its model
 * inputs.
 */
async function readBatch(readers: TileReaders, manifest: ChangeModel['manifest'], batch: Tile[], batchSize: number): Promise<ReadBatch> {
  const plane = manifest.tile_size ** 2;
  // asked for at once, so that a batch read after this one is read after it (readers read in the order asked)
  const read = (reader: AlignedRows) => Promise.all(batch.map(({ window }) => reader.read(window)));
  const [befores, afters] = await Promise.all([read(readers.before), read(readers.after)]);
  const withData = batch.flatMap((tile, i) => (befores[i].valid.includes(1) && afters[i].valid.includes(1) ? [{ tile, before: befores[i], after: afters[i] }] : []));
  const length = withData.length * 3 * plane;
  const memory = readers.inputs.pop() ?? new Float32Array(2 * batchSize * 3 * plane);
  const before = toModelInput(withData.map(({ before, after }) => comparable(before.data as Uint8Array, after.data as Uint8Array, manifest)), manifest, 3, memory.subarray(0, length));
  const after = toModelInput(withData.map(({ after }) => after.data as Uint8Array), manifest, 3, memory.subarray(length, 2 * length));
  return { withData, before, after, memory };
}

/**
 * Runs the model over tiles (one row of tiles, say) in batches, adding each tile's probabilities
 * to `rows`, and returns how many tiles it ran. The next batch is read and prepared while the
 * model runs, and after the last, the first batch of `following` (the next call's tiles, none at
 * the end of a run), which the next call then finds read. A tile with no data in either
 * orthophoto is not run; pixels without data get probability 0.
 */
export async function inferTiles(
  model: ChangeModel,
  readers: TileReaders,
  tiles: Tile[],
  rows: ProbabilityRows,
  timings: InferTimings,
  following: Tile[] = [],
  batchSize = 8,
): Promise<number> {
  const { manifest } = model;
  const plane = manifest.tile_size ** 2;
  const batches = Array.from({ length: Math.ceil(tiles.length / batchSize) }, (_, k) => tiles.slice(k * batchSize, (k + 1) * batchSize));
  const ahead = readers.ahead;
  readers.ahead = undefined;
  if (batches.length === 0) return 0;
  // the first batch of `following` is read right after the last of these, so that it is ready
  // when the next call starts, whatever the main thread does meanwhile
  const readAhead = () => {
    if (following.length === 0) return;
    readers.ahead = { first: following[0], batch: readBatch(readers, manifest, following.slice(0, batchSize), batchSize) };
    // awaited by the next call; should this run stop first, its failure is not the one reported
    readers.ahead.batch.catch(() => {});
  };
  let next = ahead?.first === tiles[0] ? ahead.batch : readBatch(readers, manifest, batches[0], batchSize);
  if (batches.length === 1) readAhead();
  let ran = 0;
  for (let k = 0; k < batches.length; k++) {
    let started = performance.now();
    const { withData, before, after, memory } = await next;
    timings.readMs += performance.now() - started;
    if (k + 1 < batches.length) {
      next = readBatch(readers, manifest, batches[k + 1], batchSize);
      if (k + 2 === batches.length) readAhead();
    }
    if (withData.length === 0) {
      readers.inputs.push(memory);
      continue;
    }
    started = performance.now();
    const probability = await model.run(before, after, withData.length);
    readers.inputs.push(memory);
    timings.inferMs += performance.now() - started;
    for (const [n, { tile, before, after }] of withData.entries()) rows.add(tile, tileValues(probability.subarray(n * plane, (n + 1) * plane), before, after));
    ran += withData.length;
  }
  return ran;
}

/**
 * A tile's values as they are blended: its `probability` (changed in place) and the after
 * orthophoto's greenness, both 0 where either orthophoto has no data.
 */
function tileValues(probability: Float32Array, before: AlignedRaster, after: AlignedRaster): TileValues {
  for (let i = 0; i < probability.length; i++) if (!before.valid[i] || !after.valid[i]) probability[i] = 0;
  // pixels without data are not green: they blend as 0, as their probability does
  const greenness = excessGreen(after.data, after.valid);
  for (let i = 0; i < greenness.length; i++) if (greenness[i] !== greenness[i]) greenness[i] = 0;
  return { probability, greenness };
}
