/**
 * The vertical offset between two photogrammetric DSMs. Flights routinely differ by 0.1-1 m, plus
 * a gentle tilt; fitted on stable ground (where little changed) it is removed before heights are
 * compared, and its residual spread says how far height changes can be trusted.
 */

/** Height difference (after − before, m) at a map position. */
export interface HeightSample {
  x: number;
  y: number;
  dh: number;
}

/** dh ≈ offset + tiltX · (x − centreX) + tiltY · (y − centreY) on stable ground. */
export interface VerticalOffset {
  offset: number;
  tiltX: number;
  tiltY: number;
  centreX: number;
  centreY: number;
  /** Robust spread (1.4826 × median absolute deviation, m) of stable-ground residuals. */
  spread: number;
  /** Samples accepted as stable ground. */
  stableSamples: number;
}

/**
 * Fits the offset plane by iteratively reweighted least squares: each round keeps the samples
 * within 3 spreads (at least 0.3 m) of the current plane, so buildings that rose or fell and
 * trees that grew drop out. Needs at least 10 samples.
 */
export function estimateVerticalOffset(samples: HeightSample[], rounds = 6): VerticalOffset {
  if (samples.length < 10) throw new RangeError(`${samples.length} height samples are too few to estimate the DSM offset`);
  const centreX = samples.reduce((sum, s) => sum + s.x, 0) / samples.length;
  const centreY = samples.reduce((sum, s) => sum + s.y, 0) / samples.length;
  let plane = { offset: median(samples.map((s) => s.dh)), tiltX: 0, tiltY: 0 };
  let stable = samples;
  let spread = Infinity;
  for (let round = 0; round < rounds; round++) {
    const residuals = samples.map((s) => s.dh - predict(plane, s, centreX, centreY));
    spread = 1.4826 * median(residuals.map(Math.abs));
    const limit = Math.max(3 * spread, 0.3);
    const kept = samples.filter((_, i) => Math.abs(residuals[i]) <= limit);
    if (kept.length < 10) break;
    stable = kept;
    plane = fitPlane(stable, centreX, centreY) ?? plane;
  }
  const residuals = stable.map((s) => Math.abs(s.dh - predict(plane, s, centreX, centreY)));
  spread = 1.4826 * median(residuals);
  return { ...plane, centreX, centreY, spread, stableSamples: stable.length };
}

/** The fitted offset at a map position. */
export function offsetAt(fit: VerticalOffset, x: number, y: number): number {
  return predict(fit, { x, y }, fit.centreX, fit.centreY);
}

function predict(plane: { offset: number; tiltX: number; tiltY: number }, s: { x: number; y: number }, cx: number, cy: number): number {
  return plane.offset + plane.tiltX * (s.x - cx) + plane.tiltY * (s.y - cy);
}

/** Least-squares plane through the samples (normal equations, 3 × 3); null when degenerate. */
function fitPlane(samples: HeightSample[], cx: number, cy: number): { offset: number; tiltX: number; tiltY: number } | null {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, sz = 0, sxz = 0, syz = 0;
  for (const s of samples) {
    const x = s.x - cx;
    const y = s.y - cy;
    n++;
    sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
    sz += s.dh; sxz += x * s.dh; syz += y * s.dh;
  }
  const solution = solve3([[n, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]], [sz, sxz, syz]);
  return solution && { offset: solution[0], tiltX: solution[1], tiltY: solution[2] };
}

/** Cramer's rule for a 3 × 3 system. */
function solve3(m: number[][], b: number[]): [number, number, number] | null {
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (Math.abs(d) < 1e-12) return null;
  const column = (k: number) => m.map((row, i) => row.map((v, j) => (j === k ? b[i] : v)));
  return [det(column(0)) / d, det(column(1)) / d, det(column(2)) / d];
}

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
