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
    for (let c = 0; c < 3; c++) {
      const base = (n * 3 + c) * plane;
      const scale = 1 / std[c];
      const offset = mean[c];
      for (let i = 0, j = c; i < plane; i++, j += bands) out[base + i] = (tile[j] - offset) * scale;
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
  const out = Uint8Array.from(before);
  for (let c = 0; c < 3; c++) {
    let n = 0, sumBefore = 0, sumAfter = 0, squaresBefore = 0, squaresAfter = 0;
    for (let p = 0; p < before.length; p += bands) {
      if (isEmpty(before, p) || isEmpty(after, p)) continue;
      const b = before[p + c];
      const a = after[p + c];
      n++;
      sumBefore += b;
      sumAfter += a;
      squaresBefore += b * b;
      squaresAfter += a * a;
    }
    if (n < 2) return out;
    const meanBefore = sumBefore / n;
    const meanAfter = sumAfter / n;
    const spreadBefore = Math.sqrt(Math.max(0, squaresBefore / n - meanBefore * meanBefore));
    const spreadAfter = Math.sqrt(Math.max(0, squaresAfter / n - meanAfter * meanAfter));
    // a flat tile (water, a roof filling it) keeps its own contrast rather than being blown up
    const gain = spreadBefore >= 1 ? spreadAfter / spreadBefore : 1;
    for (let p = 0; p < before.length; p += bands) {
      if (isEmpty(before, p)) continue;
      out[p + c] = Math.min(255, Math.max(0, Math.round((before[p + c] - meanBefore) * gain + meanAfter)));
    }
  }
  return out;
}

function isEmpty(tile: Uint8Array, p: number): boolean {
  return tile[p] === 0 && tile[p + 1] === 0 && tile[p + 2] === 0;
}
