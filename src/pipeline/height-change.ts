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
 * has no data (NaN) are NaN. In a working array.
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
  const change = workingArray('robust change', width * height);
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
 * Into `out` when given (not `values`), else into a new array. Both passes run along rows, which
 * are contiguous in memory: the column pass takes the maximum of whole rows at a time.
 */
export function neighbourhoodMax(values: Float32Array, width: number, height: number, radius: number, out: Float32Array = new Float32Array(values.length)): Float32Array {
  const rows = workingArray('neighbourhoodMax rows', values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let max = -Infinity;
      const last = Math.min(width - 1, x + radius);
      for (let k = Math.max(0, x - radius); k <= last; k++) {
        const v = values[row + k];
        if (v > max) max = v;
      }
      rows[row + x] = max;
    }
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = Math.max(0, y - radius) * width;
    for (let x = 0; x < width; x++) out[row + x] = rows[first + x];
    const last = Math.min(height - 1, y + radius);
    for (let k = Math.max(0, y - radius) + 1; k <= last; k++) {
      const from = k * width;
      for (let x = 0; x < width; x++) {
        const v = rows[from + x];
        if (v > out[row + x]) out[row + x] = v;
      }
    }
    for (let x = 0; x < width; x++) if (out[row + x] === -Infinity) out[row + x] = Number.NaN;
  }
  return out;
}

/**
 * Arrays kept from call to call by name: fusion makes a dozen strip-sized arrays per strip, and
 * fresh ones cost more in page faults and garbage collection than the work on them. Their
 * contents are whatever the last user left. Each `keptArrays()` is its own set.
 */
export type KeptArrays = <T extends Float32Array | Float64Array | Uint8Array>(name: string, length: number, type: new (length: number) => T) => T;

export function keptArrays(): KeptArrays {
  const kept = new Map<string, Float32Array | Float64Array | Uint8Array>();
  return <T extends Float32Array | Float64Array | Uint8Array>(name: string, length: number, type: new (length: number) => T): T => {
    let array = kept.get(name);
    if (!(array instanceof type) || array.length < length) kept.set(name, (array = new type(length)));
    return array.subarray(0, length) as T;
  };
}

const working = keptArrays();

/**
 * The working array `name`, `length` long, for values that never leave the function using them
 * (nothing may await between filling and reading it).
 */
export function workingArray(name: string, length: number): Float32Array {
  return working(name, length, Float32Array);
}
