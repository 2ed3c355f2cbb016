/**
 * Tile plan (DESIGN.md section 4): tiles of the model's size with overlap over the analysis grid,
 * each responsible for its non-overlapping core. Tiles with no data in an epoch are found when
 * they are read (infer.ts), so the rasters are decoded once.
 */
import type { PixelWindow } from '../raster/types.js';
import type { AnalysisGrid } from '../raster/types.js';

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
