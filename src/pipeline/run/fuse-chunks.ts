/**
 * Fusion of a segment of grid rows: both DSMs read over its rows (with the fusion margin), the
 * offset and ground beside them, and the model's blended rows fused a few rows at a time.
 */
import type { AnalysisGrid, PixelWindow } from '../../raster/types.js';
import { fusionMargin, type FusionRule, type StripRasters } from '../fuse.js';
import { fuseOnWorker } from '../fuse-worker.js';
import { keptArrays, type KeptArrays } from '../height-change.js';
import type { GroundSurface } from '../ground.js';
import type { TileValues } from '../infer.js';
import type { IngestInputs } from '../ingest.js';
import { readHeights } from '../../raster/read-rows.js';
import type { ChangeStrip } from '../types.js';
import type { VerticalOffset } from '../../geo/vertical-offset.js';
import type { StageTimer } from './stage-timer.js';

/** What fusing any rows of a run needs. */
export interface StripContext {
  sources: IngestInputs;
  grid: AnalysisGrid;
  /** The grid the before epoch is read on: the analysis grid moved by the co-registration shift. */
  beforeGrid: AnalysisGrid;
  offset: VerticalOffset | null;
  ground: GroundSurface | null;
  rule: FusionRule;
  time: StageTimer;
}

/** Rows fused at once: fusion's working arrays grow with a strip's width times its rows. */
const fuseRows = 64;

/** Memory kept from segment to segment for each run's rows: the offset and ground of a segment. */
const kept = new WeakMap<StripContext, KeptArrays>();

function keptMemory(strips: StripContext): KeptArrays {
  let memory = kept.get(strips);
  if (!memory) kept.set(strips, (memory = keptArrays()));
  return memory;
}

/**
 * Heights of rows [y0, y1) (with a margin for misregistration), then the fused strips a few rows
 * at a time, fused on the fusion thread (`fuse-worker.ts`). A strip's arrays are handed to a later
 * strip once the next is asked for: keep a copy of what must outlive the next step of the
 * iteration (the vectorizer and change rasters copy what they keep).
 */
export async function* fuseChunks(strips: StripContext, y0: number, y1: number, tiles: TileValues | undefined): AsyncGenerator<ChangeStrip> {
  const { sources, grid, beforeGrid, offset, ground, rule, time } = strips;
  const margin = fusionMargin(rule);
  const { width } = grid;
  const memory = keptMemory(strips);
  const window: PixelWindow = { x: 0, y: y0 - margin, width, height: y1 - y0 + 2 * margin };
  const heights: Partial<Record<'dsmBefore' | 'dsmAfter' | 'offset' | 'ground', Float32Array>> =
    sources.beforeDsm && sources.afterDsm && offset
      ? await time('height change', async () => {
          // both DSMs at once: libvips decodes one off the main thread while the other is resampled
          const [dsmBefore, dsmAfter] = await Promise.all([readHeights(sources.beforeDsm!, beforeGrid, window), readHeights(sources.afterDsm!, grid, window)]);
          const size = window.width * window.height;
          return {
            dsmBefore, dsmAfter,
            offset: offsetRaster(offset, grid, window, memory('offset', size, Float32Array)),
            ground: ground?.groundAt(window, memory('ground', size, Float32Array)),
          };
        })
      : {};
  const parts: StripRasters[] = [];
  for (let a = y0; a < y1; a += fuseRows) {
    const b = Math.min(y1, a + fuseRows);
    // rows [a - margin, b + margin) of the arrays read for [y0 - margin, y1 + margin)
    const rows = (values: Float32Array | undefined) => values?.subarray((a - y0) * width, (b - y0 + 2 * margin) * width);
    const part = {
      y0: a, width, height: b - a, margin,
      probability: tiles?.probability.subarray((a - y0) * width, (b - y0) * width),
      greenness: tiles?.greenness.subarray((a - y0) * width, (b - y0) * width),
      dsmBefore: rows(heights.dsmBefore), dsmAfter: rows(heights.dsmAfter), offset: rows(heights.offset), ground: rows(heights.ground),
    };
    parts.push(part);
  }
  // all the segment's strips go to the fusion thread at once: it fuses the next while this thread
  // hands on the last and reads the next row of tiles
  const fused = parts.map((part) => fuseOnWorker(part, rule));
  for (const strip of fused) strip.catch(() => {});
  for (const next of fused) {
    const { strip, release } = await time('fuse', () => next);
    try {
      yield strip;
    } finally {
      release();
    }
  }
}

/**
 * The fitted vertical offset of the after DSM at every pixel of a grid window, into `out`. The
 * plane's terms are added in `offsetAt`'s order, the column's part computed once per column.
 */
function offsetRaster(offset: VerticalOffset, grid: AnalysisGrid, window: PixelWindow, out: Float32Array): Float32Array {
  const [originX, gsd, , originY] = grid.geoTransform;
  const columns = new Float64Array(window.width);
  for (let column = 0; column < window.width; column++) {
    columns[column] = offset.offset + offset.tiltX * (originX + (window.x + column + 0.5) * gsd - offset.centreX);
  }
  for (let row = 0; row < window.height; row++) {
    const y = originY - (window.y + row + 0.5) * gsd;
    const rowPart = offset.tiltY * (y - offset.centreY);
    for (let column = 0; column < window.width; column++) out[row * window.width + column] = columns[column] + rowPart;
  }
  return out;
}
