/**
 * Ground surface for height above ground (DESIGN.md section 4): held on a coarse grid (a few metres
 * per pixel) and upsampled on demand to any window of the analysis grid. Without a DTM the ground
 * is estimated from the before DSM by a grey-scale opening wider than any building, then smoothed.
 */
import type { PixelWindow } from '../raster/types.js';
import { neighbourhoodMax } from './height-change.js';

/** Ground height (m) for any window of the analysis grid. */
export interface GroundSurface {
  /** Ground heights of the window's pixels, row-major (into `out` when given); NaN where the ground is unknown. */
  groundAt(window: PixelWindow, out?: Float32Array): Float32Array;
  /** The coarse heights it upsamples (a queued detect stores them with its plan). */
  coarse: CoarseHeights;
}

/** Heights on a coarse grid sharing the analysis grid's origin and CRS; NaN where unknown. */
export interface CoarseHeights {
  width: number;
  height: number;
  values: Float32Array;
  /** Analysis-grid pixel size over coarse pixel size (0.1 m / 2 m = 0.05). */
  scale: number;
}

/**
 * Ground under a coarse DSM: erosion then dilation with a (2r+1)² square (`radius` px; wider
 * than half the largest building so roofs vanish, while gentle slopes pass within centimetres),
 * then a NaN-ignoring box mean of `smoothRadius` px to soften the opening's plateaus.
 */
export function estimateGround(dsm: Float32Array, width: number, height: number, radius: number, smoothRadius: number): Float32Array {
  const eroded = negate(neighbourhoodMax(negate(dsm), width, height, radius));
  const opened = neighbourhoodMax(eroded, width, height, radius);
  return boxMean(opened, width, height, smoothRadius);
}

/** A ground surface that bilinearly upsamples `coarse` to analysis-grid pixels (finite neighbours only). */
export function groundSurface(coarse: CoarseHeights): GroundSurface {
  const { width, height, values, scale } = coarse;
  return {
    coarse,
    groundAt(window, out = new Float32Array(window.width * window.height)) {
      // Pixel centres in coarse pixel coordinates, clamped so the edge pixels extend outwards;
      // a column's position is the same on every row.
      const columnX0 = new Int32Array(window.width);
      const columnTx = new Float64Array(window.width);
      for (let i = 0; i < window.width; i++) {
        const u = Math.min(Math.max((window.x + i + 0.5) * scale - 0.5, 0), width - 1);
        columnX0[i] = Math.min(Math.floor(u), Math.max(width - 2, 0));
        columnTx[i] = u - columnX0[i];
      }
      for (let j = 0; j < window.height; j++) {
        const v = Math.min(Math.max((window.y + j + 0.5) * scale - 0.5, 0), height - 1);
        const y0 = Math.min(Math.floor(v), Math.max(height - 2, 0));
        const ty = v - y0;
        const top = y0 * width;
        const bottom = top + width;
        for (let i = 0; i < window.width; i++) {
          const x0 = columnX0[i];
          const tx = columnTx[i];
          // the four neighbours row by row; a weight of 0 or a neighbour without a height adds nothing
          let sum = 0;
          let weight = 0;
          for (let k = 0; k < 4; k++) {
            const w = (k % 2 ? tx : 1 - tx) * (k < 2 ? 1 - ty : ty);
            if (w === 0) continue;
            const value = values[(k < 2 ? top : bottom) + x0 + (k % 2)];
            if (value !== value) continue;
            sum += w * value;
            weight += w;
          }
          out[j * window.width + i] = weight > 0 ? sum / weight : Number.NaN;
        }
      }
      return out;
    },
  };
}

/** Mean over a (2r+1)² square of the finite values (NaN where there are none); separable running sums. */
export function boxMean(values: Float32Array, width: number, height: number, radius: number): Float32Array {
  const rowSum = new Float64Array(values.length);
  const rowCount = new Float64Array(values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    slide(width, radius, (x) => values[row + x], (x, sum) => { rowSum[row + x] = sum; });
    slide(width, radius, (x) => (values[row + x] === values[row + x] ? 1 : 0), (x, count) => { rowCount[row + x] = count; });
  }
  const out = new Float32Array(values.length);
  const columnSum = new Float64Array(height);
  for (let x = 0; x < width; x++) {
    slide(height, radius, (y) => rowSum[y * width + x], (y, sum) => { columnSum[y] = sum; });
    slide(height, radius, (y) => rowCount[y * width + x], (y, count) => {
      out[y * width + x] = count > 0 ? columnSum[y] / count : Number.NaN;
    });
  }
  return out;
}

/** Running sum of the values within `radius` either side of every position of a line, NaN as 0. */
function slide(length: number, radius: number, at: (k: number) => number, emit: (k: number, sum: number) => void): void {
  let sum = 0;
  const add = (k: number, sign: number): void => {
    const v = at(k);
    if (v === v) sum += sign * v;
  };
  for (let k = 0; k < Math.min(radius, length); k++) add(k, 1);
  for (let k = 0; k < length; k++) {
    if (k + radius < length) add(k + radius, 1);
    if (k - radius - 1 >= 0) add(k - radius - 1, -1);
    emit(k, sum);
  }
}

function negate(values: Float32Array): Float32Array {
  return values.map((v) => -v);
}
