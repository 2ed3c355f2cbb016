/**
 * Cast shadows from a height field in one pass: a "shadow surface" is carried away from the sun,
 * dropping by tan(elevation) per metre, and a pixel is shaded where that surface lies above it.
 */

/** The sun seen from the scene: azimuth clockwise from north and elevation, degrees. */
export interface SunPosition {
  readonly azimuth: number;
  readonly elevation: number;
}

/** The horizontal distance a shadow of an object `height` metres tall reaches, metres. */
export function shadowLength(height: number, sun: SunPosition): number {
  return height / Math.tan((sun.elevation * Math.PI) / 180);
}

/** The shadow amount (0 lit, 1 fully shaded) of every pixel of a row-major height field. */
export function castShadows(z: Float32Array, width: number, height: number, gsd: number, sun: SunPosition): Float32Array {
  const az = (sun.azimuth * Math.PI) / 180;
  // Towards the sun, in pixel axes (columns to the east, rows to the south).
  const dx = Math.sin(az);
  const dy = -Math.cos(az);
  const alongColumns = Math.abs(dx) >= Math.abs(dy);
  const surface = alongColumns ? sweep(z, width, height, dx, dy, gsd, sun) : transpose(sweep(transpose(z, width, height), height, width, dy, dx, gsd, sun), height, width);
  const shade = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const above = surface[i] - z[i] - 0.04;
    shade[i] = above <= 0 ? 0 : above >= 0.3 ? 1 : above / 0.3;
  }
  return shade;
}

/** Shadow surface for a sun whose direction is mostly along the columns (|dx| >= |dy|). */
function sweep(z: Float32Array, width: number, height: number, dx: number, dy: number, gsd: number, sun: SunPosition): Float32Array {
  const surface = Float32Array.from(z);
  const step = Math.sign(dx) || 1;
  const slope = dy / Math.abs(dx || 1);
  const drop = Math.tan((sun.elevation * Math.PI) / 180) * gsd * Math.hypot(1, slope);
  const first = step > 0 ? width - 2 : 1;
  // Every row takes from the same two neighbours of the previous line, with the same weights.
  const offset = Math.floor(slope);
  const f = slope - offset;
  for (let col = first; col >= 0 && col < width; col -= step) {
    const from = col + step;
    for (let row = 0; row < height; row++) {
      const r0 = row + offset;
      if (r0 < 0 || r0 + 1 >= height) continue;
      const carried = surface[r0 * width + from] * (1 - f) + surface[(r0 + 1) * width + from] * f - drop;
      const k = row * width + col;
      if (carried > surface[k]) surface[k] = carried;
    }
  }
  return surface;
}

function transpose(values: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) out[col * height + row] = values[row * width + col];
  return out;
}

/**
 * Sky light reaching each pixel (1 open, lower at the foot of walls and in narrow gaps between
 * houses), from how far the pixel lies below the mean surface around it.
 */
export function skyVisibility(z: Float32Array, width: number, height: number, radius: number): Float32Array {
  // Sums of whole centimetres are exact, so every block gets the same values whatever its extent.
  const integral = new Float64Array((width + 1) * (height + 1));
  for (let row = 0; row < height; row++) {
    let line = 0;
    for (let col = 0; col < width; col++) {
      line += Math.round(z[row * width + col] * 100);
      integral[(row + 1) * (width + 1) + col + 1] = integral[row * (width + 1) + col + 1] + line;
    }
  }
  const out = new Float32Array(z.length);
  for (let row = 0; row < height; row++) {
    const r0 = Math.max(0, row - radius);
    const r1 = Math.min(height, row + radius + 1);
    for (let col = 0; col < width; col++) {
      const c0 = Math.max(0, col - radius);
      const c1 = Math.min(width, col + radius + 1);
      const sum = integral[r1 * (width + 1) + c1] - integral[r0 * (width + 1) + c1] - integral[r1 * (width + 1) + c0] + integral[r0 * (width + 1) + c0];
      const below = (sum / ((r1 - r0) * (c1 - c0)) - Math.round(z[row * width + col] * 100)) / 100;
      out[row * width + col] = below <= 0 ? 1 : Math.max(0.3, 1 - below / 7);
    }
  }
  return out;
}
