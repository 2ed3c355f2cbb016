/** Pixel tiles → model input tensors. */
import type { ModelManifest } from './types.js';

/**
 * Packs pixel-interleaved uint8 tiles (tile x tile pixels of `bands` bytes each, R, G, B first;
 * a fourth alpha band is skipped) into one normalized N x 3 x tile x tile float32 batch.
 */
export function toModelInput(tiles: readonly Uint8Array[], manifest: ModelManifest, bands = 3): Float32Array {
  const size = manifest.tile_size;
  const plane = size * size;
  const { mean, std } = manifest.normalization;
  const out = new Float32Array(tiles.length * 3 * plane);
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
