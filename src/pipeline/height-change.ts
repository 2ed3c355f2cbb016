/**
 * Height change between two DSMs on the analysis grid, robust to sub-metre misregistration:
 * the edge of an unchanged building shifted by a few pixels between flights looks like a wall of
 * height change in a plain difference. A pixel counts as risen only if it stands above every
 * before height within the misregistration radius, and as fallen only if it lies below every
 * after height within it.
 */

/** Nodata marker in the height-change rasters. */
export const NO_HEIGHT = Number.NaN;

/**
 * Misregistration-tolerant height change (m): after − offset − (max of before within `radius`
 * px) where positive, (max of after within `radius`) − offset − before where negative, else 0.
 * `offset` is the fitted vertical offset of the after DSM at each pixel. Pixels where either DSM
 * has no data (NaN) are NaN.
 */
export function robustHeightChange(
  before: Float32Array,
  after: Float32Array,
  offset: Float32Array,
  width: number,
  height: number,
  radius: number,
): Float32Array {
  const beforeMax = neighbourhoodMax(before, width, height, radius, workingArray('robust before', before.length));
  const afterMax = neighbourhoodMax(after, width, height, radius, workingArray('robust after', after.length));
  const change = new Float32Array(width * height);
  for (let i = 0; i < change.length; i++) {
    const b = before[i];
    const a = after[i] - offset[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      change[i] = NO_HEIGHT;
      continue;
    }
    const rise = a - beforeMax[i];
    const fall = afterMax[i] - offset[i] - b;
    change[i] = rise > 0 ? rise : fall < 0 ? fall : 0;
  }
  return change;
}

/** Plain height change (m): after − offset − before, NaN where either has no data. */
export function heightDifference(before: Float32Array, after: Float32Array, offset: Float32Array): Float32Array {
  return Float32Array.from(before, (b, i) => after[i] - offset[i] - b);
}

/**
 * Maximum over a (2r+1)² square, ignoring NaN (NaN only where the whole square is NaN); separable.
 * Into `out` when given (not `values`), else into a new array.
 */
export function neighbourhoodMax(values: Float32Array, width: number, height: number, radius: number, out: Float32Array = new Float32Array(values.length)): Float32Array {
  const rows = workingArray('neighbourhoodMax rows', values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let max = -Infinity;
      for (let k = Math.max(0, x - radius); k <= Math.min(width - 1, x + radius); k++) {
        const v = values[row + k];
        if (v > max) max = v;
      }
      rows[row + x] = max;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let max = -Infinity;
      for (let k = Math.max(0, y - radius); k <= Math.min(height - 1, y + radius); k++) {
        const v = rows[k * width + x];
        if (v > max) max = v;
      }
      out[y * width + x] = max === -Infinity ? Number.NaN : max;
    }
  }
  return out;
}

/**
 * Working arrays kept from call to call by name, for values that never leave the function using
 * them: fusion makes a dozen strip-sized arrays per strip, and fresh ones cost more in page faults
 * than the work on them. Their contents are whatever the last user left.
 */
const working = new Map<string, Float32Array>();

/** The working array `name`, `length` long. */
export function workingArray(name: string, length: number): Float32Array {
  let array = working.get(name);
  if (!array || array.length < length) working.set(name, (array = new Float32Array(length)));
  return array.subarray(0, length);
}
