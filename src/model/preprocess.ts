/** Pixel tiles → model input tensors. */
import type { ModelManifest } from './types.js';

/**
 * Packs pixel-interleaved uint8 tiles (tile x tile pixels of `bands` bytes each, R, G, B first;
 * a fourth alpha band is skipped) into one normalized N x 3 x tile x tile float32 batch, written
 * into `into` when given (memory kept from batch to batch) and returned.
 */
export function toModelInput(tiles: readonly Uint8Array[], manifest: ModelManifest, bands = 3, into?: Float32Array): Float32Array {
  const size = manifest.tile_size;
  const plane = size * size;
  const { mean, std } = manifest.normalization;
  const out = into ?? new Float32Array(tiles.length * 3 * plane);
  if (out.length !== tiles.length * 3 * plane) throw new RangeError(`model input of ${out.length} values for ${tiles.length} tiles of ${size}x${size}x3`);
  tiles.forEach((tile, n) => {
    if (tile.length !== plane * bands) {
      throw new RangeError(`tile ${n} has ${tile.length} bytes, expected ${size}x${size}x${bands} = ${plane * bands}`);
    }
    // one pass over the pixels, writing the three planes
    const [red, green, blue] = [n * 3 * plane, (n * 3 + 1) * plane, (n * 3 + 2) * plane];
    const [r0, g0, b0] = mean;
    const [rScale, gScale, bScale] = [1 / std[0], 1 / std[1], 1 / std[2]];
    for (let i = 0, j = 0; i < plane; i++, j += bands) {
      out[red + i] = (tile[j] - r0) * rScale;
      out[green + i] = (tile[j + 1] - g0) * gScale;
      out[blue + i] = (tile[j + 2] - b0) * bScale;
    }
  });
  return out;
}

/** The before tile as the model's manifest asks for it beside `after` (its `radiometry`). */
export function comparable(before: Uint8Array, after: Uint8Array, manifest: ModelManifest, bands = 3): Uint8Array {
  return manifest.radiometry === 'before_matched_to_after' ? matchBeforeToAfter(before, after, bands) : before;
}

/**
 * The before tile with each channel given the mean and spread of the after tile's (the manifest's
 * `before_matched_to_after`), over the pixels with data in both; pure black counts as no data, as
 * the readers fill it. Alpha, when `bands` is 4, is copied.
 */
export function matchBeforeToAfter(before: Uint8Array, after: Uint8Array, bands = 3): Uint8Array {
  const out = before.slice();
  // one pass for the three channels' sums: integers, so exact in any order
  let n = 0, b0 = 0, b1 = 0, b2 = 0, a0 = 0, a1 = 0, a2 = 0, bb0 = 0, bb1 = 0, bb2 = 0, aa0 = 0, aa1 = 0, aa2 = 0;
  for (let p = 0; p < before.length; p += bands) {
    const r = before[p], g = before[p + 1], b = before[p + 2];
    const ar = after[p], ag = after[p + 1], ab = after[p + 2];
    if ((r | g | b) === 0 || (ar | ag | ab) === 0) continue;
    n++;
    b0 += r; b1 += g; b2 += b;
    a0 += ar; a1 += ag; a2 += ab;
    bb0 += r * r; bb1 += g * g; bb2 += b * b;
    aa0 += ar * ar; aa1 += ag * ag; aa2 += ab * ab;
  }
  if (n < 2) return out;
  const red = matchedValues(n, b0, bb0, a0, aa0);
  const green = matchedValues(n, b1, bb1, a1, aa1);
  const blue = matchedValues(n, b2, bb2, a2, aa2);
  for (let p = 0; p < before.length; p += bands) {
    const r = before[p], g = before[p + 1], b = before[p + 2];
    if ((r | g | b) === 0) continue;
    out[p] = red[r];
    out[p + 1] = green[g];
    out[p + 2] = blue[b];
  }
  return out;
}

/** Each value 0-255 of a channel given the after tile's mean and spread, from the channel's sums over `n` pixels. */
function matchedValues(n: number, sumBefore: number, squaresBefore: number, sumAfter: number, squaresAfter: number): Uint8Array {
  const meanBefore = sumBefore / n;
  const meanAfter = sumAfter / n;
  const spreadBefore = Math.sqrt(Math.max(0, squaresBefore / n - meanBefore * meanBefore));
  const spreadAfter = Math.sqrt(Math.max(0, squaresAfter / n - meanAfter * meanAfter));
  // a flat tile (water, a roof filling it) keeps its own contrast rather than being blown up
  const gain = spreadBefore >= 1 ? spreadAfter / spreadBefore : 1;
  return Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.max(0, Math.round((v - meanBefore) * gain + meanAfter))));
}
