/**
 * One raster's values at the pixel centres of a Web Mercator tile: the tile's footprint on the
 * raster is read as ONE window, from the coarsest level that still has the resolution the tile
 * needs, and sampled bilinearly at each pixel's position.
 */
import { TILE_SIZE } from '../geo/web-mercator.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterData, RasterInfo, RasterSource } from '../raster/types.js';
import type { TilePositions } from './positions.js';

/** A raster as tiles read it: its full-resolution georeferencing, and the source to read at a given downsampling. */
export interface TileRaster {
  readonly info: RasterInfo;
  /**
   * The source to read when each tile pixel covers `scale` full-resolution pixels: the raster
   * itself, or a reduced copy with the same origin and a pixel size a multiple of the raster's.
   */
  levelFor(scale: number): Promise<RasterSource>;
}

/** A raster's values at the tile's pixel centres. */
export interface TileSamples {
  bandCount: number;
  /** Band values, pixel-interleaved, row by row; NaN where `valid` is 0. */
  values: Float32Array;
  /** 1 where the pixel centre lies on the raster and holds data. */
  valid: Uint8Array;
  /** Pixels with `valid` 1. */
  validCount: number;
}

/** Most output pixels along one side of the window read for one tile (bounds memory at any zoom). */
const MAX_READ = 1024;

/** Raster pixel coordinates (full resolution, fractional) of each tile pixel centre. */
interface PixelPositions {
  columns: Float64Array;
  rows: Float64Array;
}

/** Part of the raster under the tile (pixels, full resolution) and raster pixels per tile pixel. */
interface Footprint {
  minColumn: number;
  minRow: number;
  maxColumn: number;
  maxRow: number;
  scale: number;
}

/** A window read at `step` level pixels per buffer pixel, starting at level pixel (x0, y0). */
interface ReadBuffer {
  data: RasterData;
  x0: number;
  y0: number;
  step: number;
  /** Buffer columns and rows whose centres lie on the raster (the rest hold the fill value). */
  columns: number;
  rows: number;
}

/** Samples `bands` of the raster at the tile positions (in the raster's CRS); null when the tile misses the raster. */
export async function sampleTile(raster: TileRaster, positions: TilePositions, bands: number[]): Promise<TileSamples | null> {
  const { info } = raster;
  const pixels = toPixels(positions, info.geoTransform);
  const footprint = pixelFootprint(pixels, info);
  if (!footprint) return null;
  const level = await raster.levelFor(footprint.scale);
  const factor = level.info.geoTransform[1] / info.geoTransform[1];
  const buffer = await readFootprint(level, footprint, factor, bands);
  const samples = sampleBuffer(buffer, pixels, factor, info);
  return samples.validCount === 0 ? null : samples;
}

/** Inverts the geotransform at every position. */
function toPixels({ x, y }: TilePositions, [x0, a, b, y0, c, d]: GeoTransform): PixelPositions {
  const det = a * d - b * c;
  const columns = new Float64Array(x.length);
  const rows = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const dx = x[k] - x0;
    const dy = y[k] - y0;
    columns[k] = (d * dx - b * dy) / det;
    rows[k] = (a * dy - c * dx) / det;
  }
  return { columns, rows };
}

/** The bounding box of the positions clipped to the raster, or null when they miss it. */
function pixelFootprint({ columns, rows }: PixelPositions, info: RasterInfo): Footprint | null {
  let minColumn = Infinity, minRow = Infinity, maxColumn = -Infinity, maxRow = -Infinity;
  for (let k = 0; k < columns.length; k++) {
    if (!(columns[k] === columns[k] && rows[k] === rows[k])) continue; // NaN: outside the CRS
    if (columns[k] < minColumn) minColumn = columns[k];
    if (columns[k] > maxColumn) maxColumn = columns[k];
    if (rows[k] < minRow) minRow = rows[k];
    if (rows[k] > maxRow) maxRow = rows[k];
  }
  // the spans of pixel centres, so one pixel short of the tile width
  const scale = Math.min(maxColumn - minColumn, maxRow - minRow) / (TILE_SIZE - 1);
  const clipped = {
    minColumn: Math.max(minColumn, 0), minRow: Math.max(minRow, 0),
    maxColumn: Math.min(maxColumn, info.width), maxRow: Math.min(maxRow, info.height),
  };
  if (!(clipped.minColumn < clipped.maxColumn && clipped.minRow < clipped.maxRow)) return null;
  return { ...clipped, scale: Number.isFinite(scale) && scale > 0 ? scale : 1 };
}

/**
 * Reads the footprint (and a pixel of margin for bilinear neighbours) from `level`, reduced by a
 * power of two so that a file's internal overviews serve it; the window is aligned to that step.
 */
async function readFootprint(level: RasterSource, footprint: Footprint, factor: number, bands: number[]): Promise<ReadBuffer> {
  const { width, height } = level.info;
  const x0 = Math.max(0, Math.floor(footprint.minColumn / factor) - 1);
  const y0 = Math.max(0, Math.floor(footprint.minRow / factor) - 1);
  const x1 = Math.min(width, Math.ceil(footprint.maxColumn / factor) + 1);
  const y1 = Math.min(height, Math.ceil(footprint.maxRow / factor) + 1);
  let step = 2 ** Math.floor(Math.log2(Math.max(1, footprint.scale / factor)));
  while ((x1 - x0) / step > MAX_READ || (y1 - y0) / step > MAX_READ) step *= 2;
  const ax = Math.floor(x0 / step) * step;
  const ay = Math.floor(y0 / step) * step;
  const outWidth = Math.ceil((x1 - ax) / step);
  const outHeight = Math.ceil((y1 - ay) / step);
  // the window may pass the raster's right or bottom edge by less than a step
  const window = { x: ax, y: ay, width: outWidth * step, height: outHeight * step };
  const data = await level.readWindow(window, { outWidth, outHeight, resample: 'bilinear', bands });
  const inside = (size: number, start: number, out: number) => Math.max(1, Math.min(out, Math.ceil((size - start) / step - 0.5)));
  return { data, x0: ax, y0: ay, step, columns: inside(width, ax, outWidth), rows: inside(height, ay, outHeight) };
}

/**
 * Bilinear samples of the buffer at each position. A pixel whose nearest buffer pixel is nodata
 * in every band is nodata; otherwise nodata neighbours are left out of the blend, so that
 * heights never mix with -9999. Neighbours past the raster's edge repeat the edge.
 */
function sampleBuffer(buffer: ReadBuffer, { columns, rows }: PixelPositions, factor: number, info: RasterInfo): TileSamples {
  const { data, x0, y0, step, columns: width, rows: height } = buffer;
  const { bandCount } = data;
  const stride = data.width;
  // the data's own type holds nodata as this value (-3.4e38 in float32 is not the double -3.4e38)
  const nodata = info.nodata === null ? Number.NaN : data.data instanceof Float32Array ? Math.fround(info.nodata) : info.nodata;
  const missing = (v: number) => v !== v || v === nodata;
  const count = TILE_SIZE * TILE_SIZE;
  const values = new Float32Array(count * bandCount).fill(Number.NaN);
  const valid = new Uint8Array(count);
  let validCount = 0;
  const scale = factor * step;
  for (let k = 0; k < count; k++) {
    const column = columns[k];
    const row = rows[k];
    if (!(column >= 0 && column < info.width && row >= 0 && row < info.height)) continue;
    const u = Math.min(width - 0.5, Math.max(0.5, (column - x0 * factor) / scale)) - 0.5;
    const v = Math.min(height - 0.5, Math.max(0.5, (row - y0 * factor) / scale)) - 0.5;
    const ux = Math.floor(u);
    const vy = Math.floor(v);
    const tx = u - ux;
    const ty = v - vy;
    const nearest = ((ty < 0.5 ? vy : Math.min(vy + 1, height - 1)) * stride + (tx < 0.5 ? ux : Math.min(ux + 1, width - 1))) * bandCount;
    let empty = true;
    for (let b = 0; b < bandCount; b++) if (!missing(data.data[nearest + b])) empty = false;
    if (empty) continue;
    const right = (Math.min(ux + 1, width - 1) - ux) * bandCount;
    const below = (Math.min(vy + 1, height - 1) - vy) * stride * bandCount;
    const p = (vy * stride + ux) * bandCount;
    for (let b = 0; b < bandCount; b++) {
      const blended = blend(data.data, p + b, right, below, tx, ty, nodata);
      values[k * bandCount + b] = blended === blended ? blended : data.data[nearest + b];
    }
    valid[k] = 1;
    validCount++;
  }
  return { bandCount, values, valid, validCount };
}

/** Bilinear blend of the 2 × 2 neighbours from index `p`, leaving out NaN and `nodata` (NaN when all with weight are left out). */
function blend(data: ArrayLike<number>, p: number, right: number, below: number, tx: number, ty: number, nodata: number): number {
  const v00 = data[p];
  const v10 = data[p + right];
  const v01 = data[p + below];
  const v11 = data[p + below + right];
  const w00 = v00 === v00 && v00 !== nodata ? (1 - tx) * (1 - ty) : 0;
  const w10 = v10 === v10 && v10 !== nodata ? tx * (1 - ty) : 0;
  const w01 = v01 === v01 && v01 !== nodata ? (1 - tx) * ty : 0;
  const w11 = v11 === v11 && v11 !== nodata ? tx * ty : 0;
  const weight = w00 + w10 + w01 + w11;
  if (weight === 0) return Number.NaN;
  // a left-out value (NaN, nodata) has weight 0 but must not reach the sum
  return ((w00 && v00 * w00) + (w10 && v10 * w10) + (w01 && v01 * w01) + (w11 && v11 * w11)) / weight;
}
