/**
 * Block means for read + align: source pixels much finer than the analysis grid averaged over
 * k x k blocks of those with data (nodata, NaN and alpha 0 left out) before they are sampled, so
 * that they do not alias, with the mask of which blocks have data.
 */
import { allocateSamples } from './resample.js';
import type { RasterData, RasterInfo } from './types.js';

/** Source pixels at a (possibly reduced) resolution: each covers `block` x `block` native pixels from (x0, y0). */
export interface SourceImage {
  x0: number;
  y0: number;
  block: number;
  width: number;
  height: number;
  bandCount: number;
  values: ArrayLike<number>;
  valid: Uint8Array;
}

/** Sets `valid` where a pixel lies inside the raster and has data (not nodata in every band, not NaN, alpha > 0). */
function markValid(image: SourceImage, info: RasterInfo, alpha: number | null): void {
  const { x0, y0, block, width, height, bandCount, values, valid } = image;
  const nodata = info.nodata === null ? null : allocateSamples(info.sampleType, 1).fill(info.nodata)[0];
  for (let j = 0; j < height; j++) {
    const y = y0 + (j + 0.5) * block;
    if (y < 0 || y >= info.height) continue;
    for (let i = 0; i < width; i++) {
      const x = x0 + (i + 0.5) * block;
      if (x < 0 || x >= info.width) continue;
      const p = (j * width + i) * bandCount;
      if (alpha !== null && values[p + alpha] === 0) continue;
      let allNodata = nodata !== null;
      let nan = false;
      for (let b = 0; b < bandCount; b++) {
        const v = values[p + b];
        if (v !== nodata) allNodata = false;
        if (v !== v) nan = true;
      }
      if (!allNodata && !nan) valid[j * width + i] = 1;
    }
  }
}

/**
 * Block means are written into one array, kept from read to read: a fresh one for every row of
 * tiles costs more in page faults than the averaging itself. So an image of means is good until
 * the next one is made: `readAlignedWindows` samples each before it awaits anything.
 */
let meansScratch = new Float64Array(0);

/** The means array, `length` long (grown when it is shorter). */
function scratchMeans(length: number): Float64Array {
  if (meansScratch.length < length) meansScratch = new Float64Array(length);
  return meansScratch.subarray(0, length);
}

/**
 * The source pixels of `read` (each covering `block` native pixels from (x0, y0)) as a
 * `SourceImage` with its valid mask (see `markValid`), averaged over `k` x `k` blocks of their
 * pixels with data when k > 1; a block with fewer than half has no data. The blocks are summed
 * in one pass over the rows, pixels in the same order as block by block, so the means are too;
 * only the first `summed` bands' (the rest hold whatever the kept means array held).
 */
export function averageBlocks(read: RasterData & { x0: number; y0: number; block: number }, k: number, info: RasterInfo, alpha: number | null, summed: number): SourceImage {
  const { x0, y0, block, bandCount: n, data: values } = read;
  if (k === 1) {
    const image = { x0, y0, block, width: read.width, height: read.height, bandCount: n, values, valid: new Uint8Array(read.width * read.height) };
    markValid(image, info, alpha);
    return image;
  }
  const nativeWidth = read.width;
  const width = read.width / k;
  const height = read.height / k;
  const means = scratchMeans(width * height * n);
  const valid = new Uint8Array(width * height);
  const nodata = info.nodata === null ? Number.NaN : allocateSamples(info.sampleType, 1).fill(info.nodata)[0];
  const checkNodata = info.nodata !== null;
  // integers are never NaN: without nodata, a pixel inside the raster has data unless its alpha is 0
  const checkValues = checkNodata || info.sampleType === 'float32' || info.sampleType === 'float64';
  // the native columns inside the raster, and each one's block
  const columnBlock = new Int32Array(nativeWidth);
  for (let i = 0; i < nativeWidth; i++) {
    const x = x0 + (i + 0.5) * block;
    columnBlock[i] = x >= 0 && x < info.width ? Math.floor(i / k) : -1;
  }
  // integers without nodata, every column inside the raster: a row of blocks inside it whose
  // alpha is nowhere 0 has data in every pixel
  const wholeColumns = !checkValues && columnBlock.every((I) => I >= 0);
  // sums and counts of one row of blocks
  const sums = new Float64Array(width * n);
  const counts = new Int32Array(width);
  for (let J = 0; J < height; J++) {
    const rowsInside = y0 + J * k * block >= 0 && y0 + (J + 1) * k * block <= info.height;
    if (wholeColumns && rowsInside && (alpha === null || opaque(values, J * k * nativeWidth, (J + 1) * k * nativeWidth, n, alpha))) {
      wholeBlocks(values, J, k, nativeWidth, n, summed, means, valid);
      continue;
    }
    sums.fill(0);
    counts.fill(0);
    for (let j = J * k; j < (J + 1) * k; j++) {
      const y = y0 + (j + 0.5) * block;
      if (y < 0 || y >= info.height) continue;
      const row = j * nativeWidth * n;
      if (!checkValues) {
        // integers without nodata (an RGB(A) orthophoto): alpha alone says which pixels have data
        for (let i = 0, p = row; i < nativeWidth; i++, p += n) {
          const I = columnBlock[i];
          if (I < 0 || (alpha !== null && values[p + alpha] === 0)) continue;
          counts[I]++;
          for (let b = 0, q = I * n; b < summed; b++, q++) sums[q] += values[p + b];
        }
        continue;
      }
      for (let i = 0, p = row; i < nativeWidth; i++, p += n) {
        const I = columnBlock[i];
        if (I < 0) continue;
        if (alpha !== null && values[p + alpha] === 0) continue;
        let allNodata = checkNodata;
        let nan = false;
        for (let b = 0; b < n; b++) {
          const v = values[p + b];
          if (v !== nodata) allNodata = false;
          if (v !== v) nan = true;
        }
        if (allNodata || nan) continue;
        counts[I]++;
        for (let b = 0, q = I * n; b < summed; b++, q++) sums[q] += values[p + b];
      }
    }
    for (let I = 0; I < width; I++) {
      const count = counts[I];
      if (count * 2 < k * k) {
        means.fill(0, (J * width + I) * n, (J * width + I + 1) * n);
        continue;
      }
      valid[J * width + I] = 1;
      for (let b = 0; b < summed; b++) means[(J * width + I) * n + b] = sums[I * n + b] / count;
    }
  }
  return { x0, y0, block: block * k, width, height, bandCount: n, values: means, valid };
}

/** Whether pixels [first, last) of an image with `n` bands have a nonzero alpha band. */
function opaque(values: ArrayLike<number>, first: number, last: number, n: number, alpha: number): boolean {
  for (let p = first * n + alpha; p < last * n; p += n) if (values[p] === 0) return false;
  return true;
}

/**
 * The means of row `J` of k x k blocks whose every pixel has data: sums of integers, so the same
 * in any order, and a tight loop without the general path's checks (half of read + align's time
 * on a 0.1 m orthophoto went to them).
 */
function wholeBlocks(values: ArrayLike<number>, J: number, k: number, nativeWidth: number, n: number, summed: number, means: Float64Array, valid: Uint8Array): void {
  const width = nativeWidth / k;
  if (k === 2) {
    // a 0.1 m orthophoto onto the 0.2 m grid: each block's four pixels added at once, in the same order
    for (let I = 0, out = J * width * n, p = 2 * J * nativeWidth * n, q = p + nativeWidth * n; I < width; I++, out += n, p += 2 * n, q += 2 * n) {
      for (let b = 0; b < summed; b++) means[out + b] = (values[p + b] + values[p + n + b] + values[q + b] + values[q + n + b]) / 4;
      valid[J * width + I] = 1;
    }
    return;
  }
  const area = k * k;
  for (let I = 0; I < width; I++) {
    const out = (J * width + I) * n;
    for (let b = 0; b < summed; b++) {
      let sum = 0;
      for (let j = J * k; j < (J + 1) * k; j++) {
        for (let i = I * k, p = (j * nativeWidth + i) * n + b; i < (I + 1) * k; i++, p += n) sum += values[p];
      }
      means[out + b] = sum / area;
    }
    valid[J * width + I] = 1;
  }
}
