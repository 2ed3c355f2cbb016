/**
 * Horizontal co-registration of the two flights: the shift that best lays the before DSM onto the
 * after DSM. Flights are never perfectly co-registered (0.1-1 m); once the shift is known, the
 * before epoch is read shifted, and height edges of unchanged buildings no longer look like change.
 */
import type { RasterSource } from '../raster/types.js';
import { readHeights } from '../raster/read-rows.js';
import type { AnalysisGrid } from '../raster/types.js';

/** Shift (m, map axes) to add to a position on the after epoch to find the same ground on the before epoch. */
export interface EpochShift {
  dx: number;
  dy: number;
  /** Windows that agreed on the shift. */
  windows: number;
}

/** Windows (px) compared, on a 3 × 3 lattice over the grid. */
const windowSize = 192;
/** Search radius (grid px) of the shift. */
const searchPx = 6;
/** Windows flatter than this (m, standard deviation of heights) are skipped. */
const minReliefM = 1;
/**
 * Height differences count squared up to 3 m: a roof edge off by a pixel still weighs, a real
 * change (the same wherever the epochs are laid) cannot outweigh the edges.
 */
const capSquared = 9;

/**
 * Estimates the shift between the DSMs: in up to nine windows with relief, the whole-pixel shift
 * with the least squared height difference (each pixel's capped at 3 m, so that real changes do
 * not pull), refined to sub-pixel by a parabola; the median over the windows.
 */
export async function estimateShift(before: RasterSource, after: RasterSource, grid: AnalysisGrid, offset: (x: number, y: number) => number): Promise<EpochShift> {
  const gsd = grid.geoTransform[1];
  const shifts: [number, number][] = [];
  for (const fy of [0.2, 0.5, 0.8]) {
    for (const fx of [0.2, 0.5, 0.8]) {
      const size = Math.min(windowSize, grid.width - 2 * searchPx, grid.height - 2 * searchPx);
      if (size < 32) continue;
      const x = Math.round(fx * (grid.width - size));
      const y = Math.round(fy * (grid.height - size));
      const margin = searchPx;
      const outer = { x: x - margin, y: y - margin, width: size + 2 * margin, height: size + 2 * margin };
      const [b, a] = await Promise.all([readHeights(before, grid, outer), readHeights(after, grid, { x, y, width: size, height: size })]);
      const [originX, , , originY] = grid.geoTransform;
      const dz = offset(originX + (x + size / 2) * gsd, originY - (y + size / 2) * gsd);
      if (relief(a) < minReliefM) continue;
      const shift = bestShift(b, a, size, margin, dz);
      if (shift) shifts.push(shift);
    }
  }
  if (shifts.length === 0) return { dx: 0, dy: 0, windows: 0 };
  const median = (values: number[]) => [...values].sort((p, q) => p - q)[values.length >> 1];
  // pixel columns run east, rows run south
  return { dx: median(shifts.map(([sx]) => sx)) * gsd, dy: -median(shifts.map(([, sy]) => sy)) * gsd, windows: shifts.length };
}

/** Shifted grid: the same pixels, moved by the shift, for reading the before epoch. */
export function shiftedGrid(grid: AnalysisGrid, shift: EpochShift): AnalysisGrid {
  const [x0, w, r0, y0, r1, h] = grid.geoTransform;
  return { ...grid, geoTransform: [x0 + shift.dx, w, r0, y0 + shift.dy, r1, h] };
}

/**
 * The (column, row) shift in grid px, sub-pixel, that best matches `after` (size²) with `before`
 * (size + 2·margin)² sampled at (x + sx, y + sy); null without enough data.
 */
export function bestShift(before: Float32Array, after: Float32Array, size: number, margin: number, dz: number): [number, number] | null {
  const span = size + 2 * margin;
  const costs = new Float64Array((2 * margin + 1) ** 2).fill(Infinity);
  for (let sy = -margin; sy <= margin; sy++) {
    for (let sx = -margin; sx <= margin; sx++) {
      let sum = 0;
      let count = 0;
      for (let y = 0; y < size; y += 2) {
        for (let x = 0; x < size; x += 2) {
          const d = after[y * size + x] - dz - before[(y + margin + sy) * span + x + margin + sx];
          if (!Number.isFinite(d)) continue;
          sum += Math.min(d * d, capSquared);
          count++;
        }
      }
      if (count >= size) costs[(sy + margin) * (2 * margin + 1) + sx + margin] = sum / count;
    }
  }
  let best = -1;
  for (let k = 0; k < costs.length; k++) if (best < 0 || costs[k] < costs[best]) best = k;
  if (best < 0 || !Number.isFinite(costs[best])) return null;
  const n = 2 * margin + 1;
  const bx = best % n;
  const by = Math.floor(best / n);
  const refine = (left: number, mid: number, right: number) => {
    const curvature = left - 2 * mid + right;
    return Number.isFinite(curvature) && curvature > 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / curvature)) : 0;
  };
  const fx = bx > 0 && bx < n - 1 ? refine(costs[best - 1], costs[best], costs[best + 1]) : 0;
  const fy = by > 0 && by < n - 1 ? refine(costs[best - n], costs[best], costs[best + n]) : 0;
  return [bx - margin + fx, by - margin + fy];
}

/** Standard deviation of the finite heights: a flat window cannot tell shifts apart. */
function relief(heights: Float32Array): number {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const h of heights) {
    if (!Number.isFinite(h)) continue;
    n++;
    sum += h;
    sumSquares += h * h;
  }
  return n < 2 ? 0 : Math.sqrt(Math.max(0, sumSquares / n - (sum / n) ** 2));
}

