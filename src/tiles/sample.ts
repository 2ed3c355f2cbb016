/**
 * One raster's values at the pixel centres of a Web Mercator tile: the tile's footprint on the
 * raster is read as ONE window, from the coarsest level that still has the resolution the tile
 * needs, and sampled bilinearly (with `sample`) at each pixel's position.
 */
import { mapToPixels, type GeoTransform } from '../geo/geotransform.js';
import { TILE_SIZE } from '../geo/web-mercator.js';
import { sample } from '../raster/sample.js';
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

/** Raster pixel coordinates of every position. */
function toPixels({ x, y }: TilePositions, gt: GeoTransform): PixelPositions {
  const columns = x.slice();
  const rows = y.slice();
  mapToPixels(gt, columns, rows);
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
 * Bilinear samples of the buffer at each position on the raster. Positions are clamped to the
 * centres of the buffer's edge pixels on the raster, so that past them the edge repeats. Each
 * band's nodata is left out of its blend, so that heights never mix with -9999; a band nodata at
 * the nearest buffer pixel keeps it, and a pixel whose nearest buffer pixel is nodata in every
 * band is nodata.
 */
function sampleBuffer(buffer: ReadBuffer, { columns, rows }: PixelPositions, factor: number, info: RasterInfo): TileSamples {
  const { data, x0, y0, step } = buffer;
  const { bandCount } = data;
  const scale = factor * step;
  // In place, raster pixels become buffer pixels (NaN off the raster, where nothing is sampled).
  for (let k = 0; k < columns.length; k++) {
    const on = columns[k] >= 0 && columns[k] < info.width && rows[k] >= 0 && rows[k] < info.height;
    columns[k] = on ? Math.min(buffer.columns - 0.5, Math.max(0.5, (columns[k] - x0 * factor) / scale)) : Number.NaN;
    rows[k] = on ? Math.min(buffer.rows - 0.5, Math.max(0.5, (rows[k] - y0 * factor) / scale)) : Number.NaN;
  }
  // the data's own type holds nodata as this value (-3.4e38 in float32 is not the double -3.4e38)
  const nodata = info.nodata === null ? Number.NaN : data.data instanceof Float32Array ? Math.fround(info.nodata) : info.nodata;
  const source = { width: data.width, height: data.height, bandCount, values: data.data, x0: 0, y0: 0, block: 1, nodata, valid: null };
  const values = new Float32Array(columns.length * bandCount);
  const valid = new Uint8Array(columns.length);
  sample(source, { x: columns, y: rows }, { bandCount, values, valid }, 'bilinear');
  let validCount = 0;
  for (let k = 0; k < valid.length; k++) {
    if (valid[k]) validCount++;
    else for (let b = 0; b < bandCount; b++) values[k * bandCount + b] = Number.NaN;
  }
  return { bandCount, values, valid, validCount };
}
