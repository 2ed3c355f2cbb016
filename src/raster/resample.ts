/**
 * Window reading shared by every `RasterSource`: clip the window to the raster, fill what lies
 * outside, and resample (nearest or bilinear, with `sample`) to the requested output size,
 * optionally from an overview level. A source only has to supply the pixels of windows lying
 * inside the raster.
 */
import { sample, type SampleSource } from './sample.js';
import type {
  PixelWindow,
  RasterData,
  RasterInfo,
  ReadOptions,
  SampleArray,
  SampleType,
} from './types.js';

/** Size of one resolution level of a raster; level 0 is full resolution, then overviews. */
export interface LevelSize {
  width: number;
  height: number;
}

/**
 * Returns the pixels of `window` (inside the level's extent) for `bands`, pixel-interleaved,
 * as an array of the raster's sample type.
 */
export type LevelReader = (
  level: number,
  window: PixelWindow,
  bands: number[],
) => Promise<SampleArray>;

/** A window in (possibly fractional) pixel coordinates of one level. */
interface LevelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Allocates a typed array of `length` samples of `type`. */
export function allocateSamples(type: SampleType, length: number): SampleArray {
  switch (type) {
    case 'uint8': return new Uint8Array(length);
    case 'uint16': return new Uint16Array(length);
    case 'int16': return new Int16Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'int32': return new Int32Array(length);
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
  }
}

/** The part of `window` inside a `width` x `height` raster, or null when they do not overlap. */
export function intersectWindow(window: PixelWindow, width: number, height: number): PixelWindow | null {
  const x0 = Math.max(window.x, 0);
  const y0 = Math.max(window.y, 0);
  const x1 = Math.min(window.x + window.width, width);
  const y1 = Math.min(window.y + window.height, height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Reads a window of any size and position through `read`, which only ever sees windows inside
 * one level's extent. `levels[0]` must be the raster's own size.
 */
export async function readWindowFrom(
  info: RasterInfo,
  levels: LevelSize[],
  read: LevelReader,
  window: PixelWindow,
  options: ReadOptions = {},
): Promise<RasterData> {
  checkWindow(window);
  const bands = options.bands ?? Array.from({ length: info.bandCount }, (_, i) => i);
  checkBands(bands, info.bandCount);
  const outWidth = options.outWidth ?? window.width;
  const outHeight = options.outHeight ?? window.height;
  checkSize(outWidth, outHeight);
  const fill = options.fillValue ?? info.nodata ?? 0;
  const sameSize = outWidth === window.width && outHeight === window.height;
  if (sameSize && window.x >= 0 && window.y >= 0 && window.x + window.width <= info.width && window.y + window.height <= info.height) {
    // Inside the raster at full resolution: the reader's pixels are the answer.
    return { width: outWidth, height: outHeight, bandCount: bands.length, data: await read(0, window, bands) };
  }
  const out = allocateSamples(info.sampleType, outWidth * outHeight * bands.length);
  if (fill !== 0) out.fill(fill);
  const result: RasterData = { width: outWidth, height: outHeight, bandCount: bands.length, data: out };

  if (sameSize) {
    const inside = intersectWindow(window, info.width, info.height);
    if (inside) pasteWindow(await read(0, inside, bands), inside, out, window, bands.length);
    return result;
  }
  const level = pickLevel(levels, window.width / outWidth, window.height / outHeight);
  const sx = levels[level].width / info.width;
  const sy = levels[level].height / info.height;
  const src: LevelWindow = { x: window.x * sx, y: window.y * sy, width: window.width * sx, height: window.height * sy };
  const resample = options.resample ?? 'nearest';
  const region = sourceRegion(src, outWidth, outHeight, resample === 'bilinear', levels[level]);
  if (!region) return result;
  const pixels = await read(level, region, bands);
  const nodata = info.nodata === null ? Number.NaN : castToType(info.nodata, info.sampleType);
  const source: SampleSource = {
    width: region.width, height: region.height, bandCount: bands.length, values: pixels,
    x0: region.x, y0: region.y, block: 1, nodata, valid: null,
  };
  resampleInto(source, src, result, resample);
  return result;
}

/** Copies `pixels` (covering `inside`) into `out` (covering `window`), both pixel-interleaved. */
function pasteWindow(pixels: SampleArray, inside: PixelWindow, out: SampleArray, window: PixelWindow, bandCount: number): void {
  const rowLength = inside.width * bandCount;
  for (let row = 0; row < inside.height; row++) {
    const from = row * rowLength;
    const to = ((inside.y - window.y + row) * window.width + (inside.x - window.x)) * bandCount;
    out.set(pixels.subarray(from, from + rowLength), to);
  }
}

/** The coarsest level whose downsampling factor does not exceed the requested one. */
function pickLevel(levels: LevelSize[], factorX: number, factorY: number): number {
  const wanted = Math.min(factorX, factorY);
  let best = 0;
  for (let i = 1; i < levels.length; i++) {
    const factor = Math.min(levels[0].width / levels[i].width, levels[0].height / levels[i].height);
    // A little slack so that an overview of factor 2.0004 (odd sizes) still serves a 2x read.
    if (factor <= wanted * 1.01 && factor > levels[0].width / levels[best].width) best = i;
  }
  return best;
}

/** Integer window of source pixels that the output pixel centres need, clipped to the level. */
function sourceRegion(src: LevelWindow, outWidth: number, outHeight: number, bilinear: boolean, level: LevelSize): PixelWindow | null {
  // Same arithmetic as resampleInto, so that every centre it samples lies inside the region.
  const shift = bilinear ? 0.5 : 0;
  const extra = bilinear ? 1 : 0;
  const stepX = src.width / outWidth;
  const stepY = src.height / outHeight;
  const x0 = Math.floor(src.x + 0.5 * stepX - shift);
  const x1 = Math.floor(src.x + (outWidth - 0.5) * stepX - shift) + extra;
  const y0 = Math.floor(src.y + 0.5 * stepY - shift);
  const y1 = Math.floor(src.y + (outHeight - 0.5) * stepY - shift) + extra;
  return intersectWindow({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, level.width, level.height);
}

/**
 * Samples `source` (a region of the level) at the centres of the output pixels covering `src`, a
 * row at a time, so that the positions take a row's memory rather than the window's. Output
 * pixels whose centre falls outside the region keep the fill value; those without data hold the
 * nodata value (or NaN), so the sampler's `valid` is not kept.
 */
function resampleInto(source: SampleSource, src: LevelWindow, out: RasterData, resample: 'nearest' | 'bilinear'): void {
  const stepX = src.width / out.width;
  const stepY = src.height / out.height;
  const x = new Float64Array(out.width);
  const y = new Float64Array(out.width);
  for (let i = 0; i < out.width; i++) x[i] = src.x + (i + 0.5) * stepX;
  const valid = new Uint8Array(out.width);
  const rowLength = out.width * out.bandCount;
  for (let j = 0; j < out.height; j++) {
    y.fill(src.y + (j + 0.5) * stepY);
    const values = out.data.subarray(j * rowLength, (j + 1) * rowLength);
    sample(source, { x, y }, { bandCount: out.bandCount, values, valid }, resample);
  }
}

/** The value `n` becomes when stored in an array of `type` (so comparisons with samples work). */
function castToType(n: number, type: SampleType): number {
  const array = allocateSamples(type, 1);
  array[0] = n;
  return array[0];
}

function checkWindow(window: PixelWindow): void {
  const { x, y, width, height } = window;
  if (![x, y, width, height].every(Number.isInteger) || width < 1 || height < 1) {
    throw new RangeError(`invalid window ${JSON.stringify(window)}: need integers and a positive size`);
  }
}

function checkBands(bands: number[], bandCount: number): void {
  for (const band of bands) {
    if (!Number.isInteger(band) || band < 0 || band >= bandCount) {
      throw new RangeError(`band ${band} does not exist: the raster has ${bandCount} band(s), numbered from 0`);
    }
  }
  if (bands.length === 0) throw new RangeError('bands is empty: name at least one band');
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid output size ${width}x${height}: need positive integers`);
  }
}
