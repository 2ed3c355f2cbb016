/**
 * Height change between two DSMs on the analysis grid, robust to sub-metre misregistration:
 * the edge of an unchanged building shifted by a few pixels between flights looks like a wall of
 * height change in a plain difference. A pixel counts as risen only if it stands above every
 * before height within the misregistration radius, and as fallen only if it lies below every
 * after height within it.
 */

/** Nodata marker in the height-change rasters. */
export const NO_HEIGHT = Number.NaN;

/** `tolerantChange`'s marks: the pixel rose or fell past the threshold despite misregistration. */
export const TOLERANT_RISE = 1;
export const TOLERANT_FALL = 2;

/**
 * Where the misregistration-tolerant height change passes `threshold` (m), into `out`:
 * `TOLERANT_RISE` where the pixel (after − offset) stands `threshold` or more above every before
 * height within `radius` px, `TOLERANT_FALL` where the before height lies `threshold` or more
 * below every after height (− offset) within it, else 0 (also where either DSM has no data, NaN).
 * `offset` is the fitted vertical offset of the after DSM at each pixel. Differences are taken as
 * float32, as the height change is stored.
 *
 * A pixel's own height is in its window, so only a pixel whose plain change passes the threshold
 * can pass it tolerantly: only there (a few pixels in a hundred) is the window looked at, and only
 * until a height in it falls short.
 */
export function tolerantChange(
  before: Float32Array,
  after: Float32Array,
  offset: Float32Array,
  width: number,
  height: number,
  radius: number,
  threshold: number,
  out: Uint8Array,
): Uint8Array {
  for (let y = 0, i = 0; y < height; y++) {
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    for (let x = 0; x < width; x++, i++) {
      const b = before[i];
      const o = offset[i];
      const a = after[i] - o;
      const plain = Math.fround(a - b);
      out[i] = 0;
      if (!(plain >= threshold || plain <= -threshold)) continue;
      const left = Math.max(0, x - radius);
      const right = Math.min(width - 1, x + radius);
      if (plain >= threshold) out[i] = standsAbove(before, a, threshold, width, left, right, top, bottom) ? TOLERANT_RISE : 0;
      else out[i] = liesBelow(after, o, b, threshold, width, left, right, top, bottom) ? TOLERANT_FALL : 0;
    }
  }
  return out;
}

/** Whether `a` stands `threshold` above every height of `before` in the window (NaN ignored). */
function standsAbove(before: Float32Array, a: number, threshold: number, width: number, left: number, right: number, top: number, bottom: number): boolean {
  for (let y = top; y <= bottom; y++) {
    for (let k = y * width + left, end = y * width + right; k <= end; k++) if (Math.fround(a - before[k]) < threshold) return false;
  }
  return true;
}

/** Whether `b` lies `threshold` below every height of `after` − `o` in the window (NaN ignored). */
function liesBelow(after: Float32Array, o: number, b: number, threshold: number, width: number, left: number, right: number, top: number, bottom: number): boolean {
  for (let y = top; y <= bottom; y++) {
    for (let k = y * width + left, end = y * width + right; k <= end; k++) if (Math.fround(after[k] - o - b) > -threshold) return false;
  }
  return true;
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
function workingArray(name: string, length: number): Float32Array {
  return working(name, length, Float32Array);
}
