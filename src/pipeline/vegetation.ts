/**
 * What tells vegetation from built structures without training: a roof is a plane (flat or
 * pitched) wherever one looks at it a metre wide, a tree crown is not, and photogrammetry
 * reconstructs a crown differently on every flight; leaves are green. Both are measured per pixel
 * here and summed over regions by the vectorizer; classify.ts decides.
 */
import { keptArrays } from './height-change.js';

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
 * grow with the window. Into `out` when given, else into a new array.
 */
export function planeResidual(surface: Float32Array, width: number, height: number, radius: number, out: Float32Array = new Float32Array(width * height)): Float32Array {
  // Window sums of z, z², x·z, y·z and missing pixels, where Σ u·z over a window centred at x
  // (u the offset from the centre) is Σ x'·z − x·Σ z. Each row's sums along the row go into a ring
  // of the 2r+1 rows a column window spans; running column sums, updated a whole row at a time
  // (rows are contiguous in memory, columns are not), give the window sums of one row after another.
  const side = 2 * radius + 1;
  const count = side * side;
  // Σ u² over the window (the same for v)
  const uu = side * ((radius * (radius + 1) * (2 * radius + 1)) / 3);
  const quantities = 5;
  const rowLength = quantities * width;
  // every ring row is written before it is read
  const ring = working('plane residual ring', side * rowLength, Float64Array);
  const columns = working('plane residual columns', rowLength, Float64Array).fill(0);
  out.fill(Number.NaN);
  const rowSums = (y: number) => {
    const at = (y % side) * rowLength;
    windowSumsAlongRow(surface, y, width, radius, ring.subarray(at, at + rowLength));
    return at;
  };
  for (let y = 0; y < Math.min(radius, height); y++) addRow(columns, ring, rowSums(y));
  const [z, zz, xz, yz, missing] = [0, 1, 2, 3, 4].map((q) => q * width);
  for (let y = 0; y < height; y++) {
    if (y + radius < height) addRow(columns, ring, rowSums(y + radius));
    if (y >= radius && y < height - radius) {
      for (let x = radius, i = y * width + radius; x < width - radius; x++, i++) {
        if (columns[missing + x] > 0) continue;
        const sz = columns[z + x];
        const mean = sz / count;
        const b = (columns[xz + x] - x * sz) / uu;
        const c = (columns[yz + x] - y * sz) / uu;
        const residual = columns[zz + x] - count * mean * mean - b * b * uu - c * c * uu;
        out[i] = Math.sqrt(Math.max(0, residual) / count);
      }
    }
    if (y - radius >= 0) {
      const at = ((y - radius) % side) * rowLength;
      for (let q = 0; q < rowLength; q++) columns[q] -= ring[at + q];
    }
  }
  return out;
}

/**
 * `planeResidual` at one pixel (x, y): for fusion, which needs it only at the few pixels that
 * changed. Sums taken directly over the window, heights relative to the centre's, so the result
 * can differ from `planeResidual`'s running sums in the last digits.
 */
export function planeResidualAt(surface: Float32Array, width: number, height: number, x: number, y: number, radius: number): number {
  if (x < radius || y < radius || x >= width - radius || y >= height - radius) return Number.NaN;
  const centre = surface[y * width + x];
  let z = 0, zz = 0, uz = 0, vz = 0;
  for (let v = -radius; v <= radius; v++) {
    for (let u = -radius, k = (y + v) * width + x - radius; u <= radius; u++, k++) {
      const h = surface[k] - centre;
      if (h !== h) return Number.NaN;
      z += h;
      zz += h * h;
      uz += u * h;
      vz += v * h;
    }
  }
  const side = 2 * radius + 1;
  const count = side * side;
  const uu = side * ((radius * (radius + 1) * (2 * radius + 1)) / 3);
  const mean = z / count;
  const b = uz / uu;
  const c = vz / uu;
  return Math.sqrt(Math.max(0, zz - count * mean * mean - b * b * uu - c * c * uu) / count);
}

/** Memory planeResidual keeps from call to call (filled and read within one call). */
const working = keptArrays();

function addRow(columns: Float64Array, ring: Float64Array, at: number): void {
  for (let q = 0; q < columns.length; q++) columns[q] += ring[at + q];
}

/**
 * Sums of z, z², x·z, y·z and missing pixels (NaN, which count 0 in the others) over the
 * (2r+1)-pixel window along row `y` around each pixel (cut at the edges), into `sums` (five rows).
 */
function windowSumsAlongRow(surface: Float32Array, y: number, width: number, radius: number, sums: Float64Array): void {
  const row = y * width;
  let z = 0, zz = 0, xz = 0, yz = 0, missing = 0;
  for (let x = 0; x < Math.min(radius, width); x++) {
    const v = surface[row + x];
    if (v !== v) missing++;
    else {
      z += v;
      zz += v * v;
      xz += x * v;
      yz += y * v;
    }
  }
  for (let x = 0; x < width; x++) {
    const entering = x + radius;
    if (entering < width) {
      const v = surface[row + entering];
      if (v !== v) missing++;
      else {
        z += v;
        zz += v * v;
        xz += entering * v;
        yz += y * v;
      }
    }
    sums[x] = z;
    sums[width + x] = zz;
    sums[2 * width + x] = xz;
    sums[3 * width + x] = yz;
    sums[4 * width + x] = missing;
    const leaving = x - radius;
    if (leaving >= 0) {
      const v = surface[row + leaving];
      if (v !== v) missing--;
      else {
        z -= v;
        zz -= v * v;
        xz -= leaving * v;
        yz -= y * v;
      }
    }
  }
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
