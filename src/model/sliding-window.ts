/**
 * Change probability for an image of any size: tiles of the model's size with the manifest's
 * overlap, run in batches, blended with weights that fall off towards each tile's edges so that
 * seams do not show.
 */
import { comparable, toModelInput } from './preprocess.js';
import type { ChangeModel } from './types.js';

/** Start offsets of tiles of `tile` px with `overlap` px shared, covering `length` px. */
export function tileOffsets(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = tile - overlap;
  const offsets: number[] = [];
  for (let offset = 0; offset + tile < length; offset += stride) offsets.push(offset);
  offsets.push(length - tile);
  return offsets;
}

/**
 * Blending weight of each pixel of a tile: 1 in the middle, ramping down to a small positive
 * value over `overlap` px at the edges (never 0, so image borders covered once still count).
 */
export function blendWeights(tile: number, overlap: number): Float32Array {
  const ramp = Math.max(1, overlap);
  const edge = new Float32Array(tile);
  for (let i = 0; i < tile; i++) edge[i] = Math.min(1, (Math.min(i, tile - 1 - i) + 0.5) / ramp);
  const weights = new Float32Array(tile * tile);
  for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) weights[y * tile + x] = edge[x] * edge[y];
  return weights;
}

/**
 * Runs the model over a before/after pair of pixel-interleaved uint8 RGB(A) images of the same
 * size and returns the blended change probability per pixel.
 */
export async function predictImage(
  model: ChangeModel,
  before: Uint8Array,
  after: Uint8Array,
  width: number,
  height: number,
  bands = 3,
  batchSize = 8,
): Promise<Float32Array> {
  const { tile_size: tile, overlap } = model.manifest;
  const weights = blendWeights(tile, overlap);
  const sum = new Float32Array(width * height);
  const weightSum = new Float32Array(width * height);
  const positions = tileOffsets(height, tile, overlap).flatMap((y) => tileOffsets(width, tile, overlap).map((x) => [x, y]));
  for (let start = 0; start < positions.length; start += batchSize) {
    const batch = positions.slice(start, start + batchSize);
    const afterTiles = batch.map(([x, y]) => cutTile(after, width, height, bands, x, y, tile));
    const beforeTiles = batch.map(([x, y], n) => comparable(cutTile(before, width, height, bands, x, y, tile), afterTiles[n], model.manifest, bands));
    const probability = await model.run(
      toModelInput(beforeTiles, model.manifest, bands),
      toModelInput(afterTiles, model.manifest, bands),
      batch.length,
    );
    batch.forEach(([x0, y0], n) => {
      const rows = Math.min(tile, height - y0);
      const columns = Math.min(tile, width - x0);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < columns; x++) {
          const w = weights[y * tile + x];
          const i = (y0 + y) * width + x0 + x;
          sum[i] += w * probability[n * tile * tile + y * tile + x];
          weightSum[i] += w;
        }
      }
    });
  }
  for (let i = 0; i < sum.length; i++) sum[i] /= weightSum[i];
  return sum;
}

/** A tile of the image at (x0, y0), padded by repeating the last row/column where the image is smaller. */
function cutTile(image: Uint8Array, width: number, height: number, bands: number, x0: number, y0: number, tile: number): Uint8Array {
  const out = new Uint8Array(tile * tile * bands);
  for (let y = 0; y < tile; y++) {
    const sourceRow = Math.min(y0 + y, height - 1);
    for (let x = 0; x < tile; x++) {
      const from = (sourceRow * width + Math.min(x0 + x, width - 1)) * bands;
      out.set(image.subarray(from, from + bands), (y * tile + x) * bands);
    }
  }
  return out;
}
