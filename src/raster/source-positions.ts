/**
 * Where the analysis grid's pixel centres fall in a source raster (read + align's positions):
 * points of a lattice every `latticeStep` grid pixels from a window's corner mapped exactly
 * (through proj4 when the CRSs differ) and interpolated bilinearly in between.
 */
import { BadInputError } from '../errors.js';
import { crsTransform } from '../geo/crs.js';
import { mapToPixels } from '../geo/geotransform.js';
import type { SamplePositions } from './sample.js';
import type { AnalysisGrid, PixelWindow, RasterInfo, RasterSource } from './types.js';

/** Turns grid pixel coordinates (continuous, corner-based) into source pixel coordinates, in place. */
export type Projection = (cols: Float64Array, rows: Float64Array) => void;

/** The projection from `grid` to `source` (through proj4 when their CRSs differ). */
export function gridToSourcePixels(source: RasterSource, grid: AnalysisGrid): Projection {
  const { proj4, geoTransform } = source.info;
  if (proj4 === null) {
    throw new BadInputError(`${source.name} has an unknown CRS`, 'pass a proj string, or reproject it with gdalwarp -t_srs EPSG:4549');
  }
  const toSourceMap = proj4 === grid.crs ? null : crsTransform(grid.crs, proj4);
  const gt = grid.geoTransform;
  return (cols, rows) => {
    for (let k = 0; k < cols.length; k++) {
      const point: [number, number] = [gt[0] + cols[k] * gt[1] + rows[k] * gt[2], gt[3] + cols[k] * gt[4] + rows[k] * gt[5]];
      [cols[k], rows[k]] = toSourceMap ? toSourceMap(point) : point;
    }
    mapToPixels(geoTransform, cols, rows);
  };
}

/**
 * Grid pixels between the points transformed exactly. The lattice starts at a window's corner, so
 * windows whose corners lie a multiple of this apart (model tiles, and the rows `alignedRows`
 * aligns for them) give a pixel the same position, to the last bit.
 */
export const latticeStep = 16;

/**
 * The source coordinates of a window's grid pixels, a row at a time: points every `latticeStep`
 * pixels mapped exactly, and one row's coordinates (continuous pixel coordinates; NaN where unmapped).
 */
export interface SourceLattice {
  window: PixelWindow;
  columns: number;
  lx: Float64Array;
  ly: Float64Array;
  x: Float64Array;
  y: Float64Array;
}

/**
 * Source coordinates of a window's pixel centres: points every `latticeStep` pixels are mapped
 * exactly (through proj4 when the CRSs differ) and interpolated bilinearly in between, a row at a
 * time (`rowCoordinates`). Projections are smooth at this scale, so the error is far below a
 * millimetre; within one CRS the map is affine and the interpolation exact, with no rounding onto
 * the source grid.
 */
export function sourceLattice(project: Projection, window: PixelWindow): SourceLattice {
  const columns = Math.ceil(window.width / latticeStep) + 1;
  const rows = Math.ceil(window.height / latticeStep) + 1;
  const lx = new Float64Array(columns * rows);
  const ly = new Float64Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      lx[r * columns + c] = window.x + c * latticeStep;
      ly[r * columns + c] = window.y + r * latticeStep;
    }
  }
  project(lx, ly);
  return { window, columns, lx, ly, x: new Float64Array(window.width), y: new Float64Array(window.width) };
}

/** The source coordinates of row `j` of the lattice's window, in the lattice's row arrays (overwritten by the next row). */
export function rowCoordinates(lattice: SourceLattice, j: number): SamplePositions {
  const { window, columns, lx, ly, x, y } = lattice;
  const r = Math.floor((j + 0.5) / latticeStep);
  const ty = (j + 0.5) / latticeStep - r;
  for (let i = 0; i < window.width; i++) {
    const c = Math.floor((i + 0.5) / latticeStep);
    const tx = (i + 0.5) / latticeStep - c;
    const a = r * columns + c;
    const b = a + columns;
    const top = lx[a] * (1 - tx) + lx[a + 1] * tx;
    const bottom = lx[b] * (1 - tx) + lx[b + 1] * tx;
    x[i] = top * (1 - ty) + bottom * ty;
    const topY = ly[a] * (1 - tx) + ly[a + 1] * tx;
    const bottomY = ly[b] * (1 - tx) + ly[b + 1] * tx;
    y[i] = topY * (1 - ty) + bottomY * ty;
  }
  return { x, y };
}

/** Bounding box of the window's source coordinates inside the source raster, or null when none fall in it. */
export function boundsOf(lattice: SourceLattice, info: RasterInfo): [number, number, number, number] | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let j = 0; j < lattice.window.height; j++) {
    const coords = rowCoordinates(lattice, j);
    for (let p = 0; p < coords.x.length; p++) {
      const x = coords.x[p];
      const y = coords.y[p];
      if (!(x >= 0 && y >= 0 && x < info.width && y < info.height)) continue;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return minX === Infinity ? null : [minX, minY, maxX, maxY];
}

/**
 * A box holding the window's source coordinates inside the source raster (or null when none can
 * fall in it) from its first and last rows alone, for a map within one CRS: affine, so its
 * extremes are at the window's corners (give or take a last bit, which the box allows for).
 */
export function affineBounds(lattice: SourceLattice, info: RasterInfo): [number, number, number, number] | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const j of [0, lattice.window.height - 1]) {
    const { x, y } = rowCoordinates(lattice, j);
    for (const p of [0, x.length - 1]) {
      minX = Math.min(minX, x[p]);
      maxX = Math.max(maxX, x[p]);
      minY = Math.min(minY, y[p]);
      maxY = Math.max(maxY, y[p]);
    }
  }
  const slack = 1e-6;
  if (!(maxX + slack >= 0 && maxY + slack >= 0 && minX - slack < info.width && minY - slack < info.height)) return null;
  return [Math.max(minX - slack, 0), Math.max(minY - slack, 0), Math.min(maxX + slack, info.width), Math.min(maxY + slack, info.height)];
}

/** How many source pixels one grid pixel spans, at the grid's centre (the smaller axis): one figure for every window. */
export function footprint(project: Projection, grid: AnalysisGrid): number {
  const col = grid.width / 2;
  const row = grid.height / 2;
  const x = Float64Array.of(col, col + 1, col);
  const y = Float64Array.of(row, row, row + 1);
  project(x, y);
  return Math.min(Math.hypot(x[1] - x[0], y[1] - y[0]), Math.hypot(x[2] - x[0], y[2] - y[0]));
}
