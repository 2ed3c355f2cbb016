/**
 * Read + align (DESIGN.md section 4): the pixels of one window of the analysis grid, taken from a
 * raster in any CRS and GSD. Only the source window under it is read; a source much finer than the
 * grid is block-averaged first so that it does not alias; nodata stays nodata.
 */
import { averageBlocks, type SourceImage } from './block-means.js';
import { allocateSamples } from './resample.js';
import { sampleMasked, sampleMaskedRow, type MaskedSource } from './sample.js';
import { affineBounds, boundsOf, footprint, gridToSourcePixels, rowCoordinates, sourceLattice } from './source-positions.js';
import type { PixelWindow, RasterData, RasterInfo, RasterSource } from './types.js';
import type { AnalysisGrid } from './types.js';

/** Options of `readAligned`. */
export interface ReadAlignedOptions {
  /** `bilinear` for imagery and heights, `nearest` for classes and masks. */
  resample: 'nearest' | 'bilinear';
  /** Source bands to return (0-based); defaults to all. */
  bands?: number[];
}

/** Pixels of a grid window, with a mask of which have data. */
export interface AlignedRaster extends RasterData {
  /** 1 where the pixel has data, 0 where it is nodata (outside the source, nodata, alpha 0). */
  valid: Uint8Array;
}

/**
 * The pixels of `window` of `grid` from `source`, pixel-interleaved with the source's sample type;
 * pixels without data are the source's nodata value (0 when it has none, so alpha 0 in RGBA) and
 * 0 in the `valid` mask.
 */
export async function readAligned(
  source: RasterSource,
  grid: AnalysisGrid,
  window: PixelWindow,
  options: ReadAlignedOptions,
): Promise<AlignedRaster> {
  return (await readAlignedWindows(source, grid, [window], options))[0];
}

/**
 * Grid pixels of windows read together (read + align of a row of model tiles, overlapping each
 * other by a fifth) as `readAligned` reads them one at a time, to the last bit: each window is
 * sampled at its own positions (see `sourceLattice`), from the raster's origin, but the source
 * pixels under windows side by side are decoded and block-averaged once (blocks lie on multiples
 * of their size in the source, so a block's mean is the same in any read).
 */
export async function readAlignedWindows(
  source: RasterSource,
  grid: AnalysisGrid,
  windows: PixelWindow[],
  options: ReadAlignedOptions,
): Promise<AlignedRaster[]> {
  const { info } = source;
  const bands = options.bands ?? Array.from({ length: info.bandCount }, (_, i) => i);
  // The alpha band of an RGBA orthophoto marks nodata, so it is read even when not asked for.
  const alpha = info.bandCount === 4 && info.sampleType === 'uint8' ? 3 : null;
  const readBands = alpha === null || bands.includes(alpha) ? bands : [...bands, alpha];
  const alphaIndex = alpha === null ? null : readBands.indexOf(alpha);
  const fill = info.nodata ?? 0;
  const results = windows.map((window): AlignedRaster => {
    const data = allocateSamples(info.sampleType, window.width * window.height * bands.length);
    if (fill !== 0) data.fill(fill);
    return { width: window.width, height: window.height, bandCount: bands.length, data, valid: new Uint8Array(window.width * window.height) };
  });
  const offset = pixelOffset(source, grid);
  if (offset !== null) {
    // The source grid is the analysis grid shifted by whole pixels: its pixels are the answer.
    for (const group of readGroups(windows.map((window, n) => ({ n, bounds: windowBounds(window, offset), block: 1 })))) {
      const image = averageBlocks(await readSource(source, union(group), 1, 1, readBands, 0), 1, info, alphaIndex, bands.length);
      for (const { n } of group) copyWindow(image, windowBounds(windows[n], offset), bands.length, results[n]);
    }
    return results;
  }
  const project = gridToSourcePixels(source, grid);
  const sizes = blockSizes(footprint(project, grid));
  // a read at full resolution may be larger than the positions need (its values are the same),
  // so within one CRS a box from the window's corners does
  const affine = sizes.q === 1 && info.proj4 === grid.crs;
  const centres = affine ? blockCentres(info, grid, sizes.block) : null;
  const reads = windows.flatMap((window, n) => {
    const lattice = sourceLattice(project, window);
    const bounds = affine ? affineBounds(lattice, info) : boundsOf(lattice, info);
    return bounds === null ? [] : [{ n, lattice, bounds, ...sizes }];
  });
  // a reduced read's resampling depends on its window, so those windows are read one at a time
  const groups = [...readGroups(reads.filter(({ q }) => q === 1)), ...reads.filter(({ q }) => q > 1).map((read) => [read])];
  for (const group of groups) {
    const { q, k, block } = group[0];
    // averaged after the await, not in an async helper: the means array is shared by every read
    // (block-means.ts), so no other read may resume between averaging and sampling
    const image = averageBlocks(await readSource(source, union(group), q, k, readBands, block), k, info, alphaIndex, bands.length);
    for (const { n, lattice, bounds } of group) {
      const view = imageWindow(image, bounds, block, q === 1 ? info : null);
      const { width, height, data, valid } = results[n];
      const n0 = bands.length;
      for (let j = 0; j < height; j++) {
        // the validity pass has ruled out nodata values, so the mask alone says which pixels have data
        const at = { bandCount: n0, values: data.subarray(j * width * n0, (j + 1) * width * n0), valid: valid.subarray(j * width, (j + 1) * width) };
        if (centres) sampleMaskedRow(view, centres.column + windows[n].x, centres.row + windows[n].y + j, centres.fraction, at, options.resample);
        else sampleMasked(view, rowCoordinates(lattice, j), at, options.resample);
      }
      fillWithoutData(results[n], fill);
    }
  }
  return results;
}

/** The part of `image` that a read of `bounds` alone gives (with its margin of one block, cut at the raster's `edge` when given). */
function imageWindow(image: SourceImage, bounds: number[], block: number, edge: RasterInfo | null): MaskedSource {
  const [x0, y0, x1, y1] = sourceWindow(bounds, block, block, edge);
  const first = ((y0 - image.y0) / block) * image.width + (x0 - image.x0) / block;
  return { ...image, x0, y0, width: (x1 - x0) / block, height: (y1 - y0) / block, first, stride: image.width };
}

/** Grid pixels of a group read at once, at most this many on a side: its source pixels and their means are held together. */
const widestGroup = 2048;

/**
 * Windows in groups read at once: those of the same block size whose bounds (source pixels),
 * together, span at most `widestGroup` grid pixels on a side.
 */
function* readGroups<T extends { bounds: number[]; block: number }>(reads: T[]): Generator<T[]> {
  let group: T[] = [];
  for (const read of reads) {
    const joined = [...group, read];
    const [x0, y0, x1, y1] = union(joined);
    if (group.length > 0 && (read.block !== group[0].block || Math.max(x1 - x0, y1 - y0) > widestGroup * read.block)) {
      yield group;
      group = [read];
    } else {
      group = joined;
    }
  }
  if (group.length > 0) yield group;
}

/** Bounding box of the reads' bounds. */
function union(reads: { bounds: number[] }[]): [number, number, number, number] {
  return [
    Math.min(...reads.map(({ bounds }) => bounds[0])),
    Math.min(...reads.map(({ bounds }) => bounds[1])),
    Math.max(...reads.map(({ bounds }) => bounds[2])),
    Math.max(...reads.map(({ bounds }) => bounds[3])),
  ];
}

/** The source pixels of a grid window shifted by whole pixels, as bounds (first and last pixel). */
function windowBounds(window: PixelWindow, offset: [number, number]): [number, number, number, number] {
  const x = window.x + offset[0];
  const y = window.y + offset[1];
  return [x, y, x + window.width - 1, y + window.height - 1];
}

/** Copies the bands asked for of the pixels with data under `bounds` from an image read at full resolution. */
function copyWindow(image: SourceImage, bounds: number[], bandCount: number, out: AlignedRaster): void {
  const { width, height, data, valid } = out;
  const m = image.bandCount;
  for (let row = 0; row < height; row++) {
    const from = (bounds[1] - image.y0 + row) * image.width + (bounds[0] - image.x0);
    for (let column = 0, p = row * width, q = from; column < width; column++, p++, q++) {
      if (!image.valid[q]) continue;
      valid[p] = 1;
      for (let b = 0; b < bandCount; b++) data[p * bandCount + b] = image.values[q * m + b];
    }
  }
}

/**
 * Where grid pixel (0, 0)'s centre lies in the source, in blocks from its origin (whole column and
 * row, and the fractions), when every grid pixel is one whole block (`block` source pixels on a
 * side, both north-up): grid pixel (i, j) then lies (i, j) blocks further. Null otherwise. A
 * millionth of a block off a whole number is floating-point noise in the origins, not a shift.
 */
function blockCentres(info: RasterInfo, grid: AnalysisGrid, block: number): { column: number; row: number; fraction: [number, number] } | null {
  const gt = info.geoTransform;
  const g = grid.geoTransform;
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.abs(b);
  if (gt[2] !== 0 || gt[4] !== 0 || g[2] !== 0 || g[4] !== 0 || !same(gt[1] * block, g[1]) || !same(gt[5] * block, g[5])) return null;
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-6 ? Math.round(v) : v);
  const x = snap((g[0] - gt[0]) / (gt[1] * block)) + 0.5;
  const y = snap((g[3] - gt[3]) / (gt[5] * block)) + 0.5;
  return { column: Math.floor(x), row: Math.floor(y), fraction: [x - Math.floor(x), y - Math.floor(y)] };
}

/** Whole-pixel offset of the grid's origin in the source, when both share CRS, pixel size and alignment. */
function pixelOffset(source: RasterSource, grid: AnalysisGrid): [number, number] | null {
  const gt = source.info.geoTransform;
  const g = grid.geoTransform;
  if (source.info.proj4 !== grid.crs || gt[1] !== g[1] || gt[5] !== g[5] || gt[2] !== 0 || gt[4] !== 0) return null;
  const x = (g[0] - gt[0]) / gt[1];
  const y = (g[3] - gt[3]) / gt[5];
  // A millionth of a pixel is floating-point noise in the origin, not a shift.
  const near = (v: number): boolean => Math.abs(v - Math.round(v)) < 1e-6;
  return near(x) && near(y) ? [Math.round(x), Math.round(y)] : null;
}

/**
 * Whether `source` is read reduced onto `grid` (8 or more of its pixels to a grid pixel, see
 * `blockSizes`): a reduced read's resampling depends on the window read, so such windows are read
 * one at a time, each alike in any run.
 */
export function readsReduced(source: RasterSource, grid: AnalysisGrid): boolean {
  return pixelOffset(source, grid) === null && blockSizes(footprint(gridToSourcePixels(source, grid), grid)).q > 1;
}

/**
 * Block sizes for a grid pixel spanning `factor` source pixels: the source is averaged over blocks
 * of about `factor` pixels when it is finer than the grid; beyond a factor of 8 the first
 * power-of-two step `q` is the source's own reduced read (its overviews, where the file has
 * them), the rest `k` a nodata-aware block mean.
 */
function blockSizes(factor: number): { q: number; k: number; block: number } {
  // The slack makes a factor of 3.9999999 count as 4; an unmappable centre reads at native resolution.
  const f = factor > 0 ? factor * (1 + 1e-6) : 1;
  const q = f >= 8 ? 2 ** Math.floor(Math.log2(f / 4)) : 1;
  const k = Math.max(1, Math.floor(f / q));
  return { q, k, block: q * k };
}

/**
 * Reads the source pixels under `bounds` with `margin` pixels around them (whole blocks: one block
 * for the bilinear neighbours when resampling, none for a copy), reduced by `q`, in blocks of
 * `q * k` for `averageBlocks`.
 */
async function readSource(
  source: RasterSource,
  bounds: number[],
  q: number,
  k: number,
  bands: number[],
  margin: number,
): Promise<RasterData & { x0: number; y0: number; block: number }> {
  // a reduced read's resampling depends on its window: it is not cut at the edge
  const edge = q === 1 && margin > 0 ? source.info : null;
  const [x0, y0, x1, y1] = sourceWindow(bounds, q * k, margin, edge);
  const window = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const reduced = q === 1 ? {} : { outWidth: window.width / q, outHeight: window.height / q, resample: 'bilinear' as const };
  return { ...(await source.readWindow(window, { bands, ...reduced })), x0, y0, block: q };
}

/**
 * The source pixels [x0, x1) x [y0, y1) read for `bounds` with `margin`, in whole blocks when
 * there is one. A read at full resolution (given the raster's `info`) stops at the raster's edge,
 * in whole blocks: the sampler leaves out a neighbour off the window as it leaves out one without
 * data, so the values are the same, and the read is not padded with pixels past the edge.
 */
function sourceWindow(bounds: number[], block: number, margin: number, edge: RasterInfo | null = null): [number, number, number, number] {
  // aligned so that blocks match the reduced read
  const x0 = Math.floor((bounds[0] - margin) / block) * block;
  const y0 = Math.floor((bounds[1] - margin) / block) * block;
  const x1 = margin === 0 ? bounds[2] + 1 : Math.ceil((bounds[2] + margin) / block) * block;
  const y1 = margin === 0 ? bounds[3] + 1 : Math.ceil((bounds[3] + margin) / block) * block;
  if (edge === null) return [x0, y0, x1, y1];
  return [Math.max(x0, 0), Math.max(y0, 0), Math.min(x1, Math.ceil(edge.width / block) * block), Math.min(y1, Math.ceil(edge.height / block) * block)];
}

/**
 * Sets the pixels without data to `fill`: the sampler gives one whose nearest source pixel has no
 * data that pixel's values (a transparent pixel's colour, say).
 */
function fillWithoutData(raster: AlignedRaster, fill: number): void {
  const { data, valid, bandCount } = raster;
  for (let p = 0; p < valid.length; p++) {
    if (!valid[p]) for (let b = 0; b < bandCount; b++) data[p * bandCount + b] = fill;
  }
}
