/**
 * What tells vegetation from built structures without training: a roof is a plane (flat or
 * pitched) wherever one looks at it a metre wide, a tree crown is not, and photogrammetry
 * reconstructs a crown differently on every flight; leaves are green. Both are measured per pixel
 * here and summed over regions by the vectorizer; classify.ts decides.
 */

/**
 * Plane residual (m) from which a surface is rough: photogrammetric roofs stay near 0.05-0.1 m over
 * a metre, crowns reach 0.3-1 m.
 */
export const roughSurfaceM = 0.25;
/** Excess green from which a pixel is leafy (grass, crops and crowns 0.1-0.5; soil, roofs, asphalt below). */
export const leafyExcessGreen = 0.1;

/**
 * Residual of a plane fitted to the surface in a (2r+1)² window (m, root mean square): near 0 on
 * flat and pitched roofs and on ground, large on tree crowns and across building edges. NaN where
 * the window holds a pixel without data. Box sums over rows then columns, so the cost does not
 * grow with the window.
 */
export function planeResidual(surface: Float32Array, width: number, height: number, radius: number): Float32Array {
  // Window sums of z, z², u·z and v·z, where (u, v) is the pixel's offset from the window centre:
  // Σ u·z over a window centred at x is Σ x'·z − x·Σ z, from sums of x'·z.
  const n = width * height;
  const z = new Float64Array(n);
  const zz = new Float64Array(n);
  const xz = new Float64Array(n);
  const yz = new Float64Array(n);
  const missing = new Float64Array(n);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const v = surface[i];
      if (v !== v) {
        missing[i] = 1;
        continue;
      }
      z[i] = v;
      zz[i] = v * v;
      xz[i] = x * v;
      yz[i] = y * v;
    }
  }
  const sums = [z, zz, xz, yz, missing].map((values) => boxSum(values, width, height, radius));
  const [sz, szz, sxz, syz, sMissing] = sums;
  const side = 2 * radius + 1;
  const count = side * side;
  // Σ u² over the window (the same for v)
  const uu = side * ((radius * (radius + 1) * (2 * radius + 1)) / 3);
  const out = new Float32Array(n).fill(Number.NaN);
  for (let y = radius, i0 = radius * width; y < height - radius; y++, i0 += width) {
    for (let x = radius; x < width - radius; x++) {
      const i = i0 + x;
      if (sMissing[i] > 0) continue;
      const mean = sz[i] / count;
      const b = (sxz[i] - x * sz[i]) / uu;
      const c = (syz[i] - y * sz[i]) / uu;
      const residual = szz[i] - count * mean * mean - b * b * uu - c * c * uu;
      out[i] = Math.sqrt(Math.max(0, residual) / count);
    }
  }
  return out;
}

/** Sum over the (2r+1)² window around each pixel (windows cut at the edges); separable running sums. */
function boxSum(values: Float64Array, width: number, height: number, radius: number): Float64Array {
  const rows = new Float64Array(values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(radius, width); x++) sum += values[row + x];
    for (let x = 0; x < width; x++) {
      if (x + radius < width) sum += values[row + x + radius];
      rows[row + x] = sum;
      if (x - radius >= 0) sum -= values[row + x - radius];
    }
  }
  const out = new Float64Array(values.length);
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = 0; y < Math.min(radius, height); y++) sum += rows[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + radius < height) sum += rows[(y + radius) * width + x];
      out[y * width + x] = sum;
      if (y - radius >= 0) sum -= rows[(y - radius) * width + x];
    }
  }
  return out;
}

/**
 * Excess green of RGB pixels, (2G − R − B) / (R + G + B), −1 to 2: leaves score 0.1-0.5, roofs,
 * soil and asphalt near 0 or below. `rgb` is pixel-interleaved; NaN where `valid` is 0 or the
 * pixel is black.
 */
export function excessGreen(rgb: ArrayLike<number>, valid: Uint8Array): Float32Array {
  const out = new Float32Array(valid.length).fill(Number.NaN);
  for (let p = 0; p < valid.length; p++) {
    if (!valid[p]) continue;
    const r = rgb[3 * p];
    const g = rgb[3 * p + 1];
    const b = rgb[3 * p + 2];
    const sum = r + g + b;
    if (sum > 0) out[p] = (2 * g - r - b) / sum;
  }
  return out;
}
