/**
 * Tile plan (DESIGN.md section 4): tiles of the model's size with overlap over the analysis grid,
 * each responsible for its non-overlapping core, and the tiles with no data in an epoch dropped.
 */
import type { PixelWindow, RasterSource } from '../raster/types.js';
import type { IngestInputs } from './ingest.js';
import { readAligned } from './read-align.js';
import type { AnalysisGrid } from './types.js';

/** One tile of the plan. */
export interface Tile {
  column: number;
  row: number;
  /** What the model sees: tile-sized, in grid pixels; it may extend past the grid's edges. */
  window: PixelWindow;
  /** What this tile's results are kept for: the middle of the window, clipped to the grid. Cores partition the grid. */
  core: PixelWindow;
}

/** Options of `planTiles`: the model manifest's `tile_size` and `overlap`. */
export interface TilePlanOptions {
  tileSize: number;
  overlap: number;
}

/** Grid pixels per pixel of the low-resolution read that decides whether a tile has data. */
const probeFactor = 8;

/**
 * Tiles in row-major order. Tile (column, row) has the core starting at (column, row) x stride,
 * stride = tileSize - overlap, and its window reaches floor(overlap / 2) px before the core.
 */
export function planTiles(grid: AnalysisGrid, options: TilePlanOptions): Tile[] {
  const { tileSize, overlap } = options;
  if (!Number.isInteger(tileSize) || !Number.isInteger(overlap) || overlap < 0 || tileSize <= overlap) {
    throw new RangeError(`tile size ${tileSize} and overlap ${overlap} need integers with 0 <= overlap < tile size`);
  }
  const stride = tileSize - overlap;
  const before = Math.floor(overlap / 2);
  const tiles: Tile[] = [];
  const rows = Math.ceil(grid.height / stride);
  const columns = Math.ceil(grid.width / stride);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x = column * stride;
      const y = row * stride;
      tiles.push({
        column,
        row,
        window: { x: x - before, y: y - before, width: tileSize, height: tileSize },
        core: { x, y, width: Math.min(stride, grid.width - x), height: Math.min(stride, grid.height - y) },
      });
    }
  }
  return tiles;
}

/**
 * Drops the tiles whose core (plus one probe pixel around it) has no data in the before or the
 * after epoch, judged on a read at 1/8 of the grid's resolution. An epoch has data where any of
 * its orthophoto or DSM has; the DTM does not count.
 */
export async function skipEmptyTiles(tiles: Tile[], grid: AnalysisGrid, sources: IngestInputs): Promise<Tile[]> {
  const probeGrid: AnalysisGrid = {
    ...grid,
    geoTransform: [grid.geoTransform[0], grid.geoTransform[1] * probeFactor, 0, grid.geoTransform[3], 0, grid.geoTransform[5] * probeFactor],
    width: Math.ceil(grid.width / probeFactor),
    height: Math.ceil(grid.height / probeFactor),
  };
  const before = [sources.beforeOrtho, sources.beforeDsm].filter((s): s is RasterSource => s !== undefined);
  const after = [sources.afterOrtho, sources.afterDsm].filter((s): s is RasterSource => s !== undefined);
  const kept: Tile[] = [];
  for (const tile of tiles) {
    const x0 = Math.floor(tile.core.x / probeFactor) - 1;
    const y0 = Math.floor(tile.core.y / probeFactor) - 1;
    const x1 = Math.ceil((tile.core.x + tile.core.width) / probeFactor) + 1;
    const y1 = Math.ceil((tile.core.y + tile.core.height) / probeFactor) + 1;
    const probe = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    if ((await epochHasData(before, probeGrid, probe)) && (await epochHasData(after, probeGrid, probe))) kept.push(tile);
  }
  return kept;
}

/** True when any of `sources` has data somewhere in `window` of `grid`. */
async function epochHasData(sources: RasterSource[], grid: AnalysisGrid, window: PixelWindow): Promise<boolean> {
  for (const source of sources) {
    const { valid } = await readAligned(source, grid, window, { resample: 'nearest', bands: [0] });
    if (valid.includes(1)) return true;
  }
  return false;
}
