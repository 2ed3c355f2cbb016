/**
 * What a survey does not take for a building, with the thresholds of the detect job's classify.ts:
 * tree crowns (rough, or green and off any plane) and vehicles (narrow, long, low, small). Judged
 * on each region found in the strips and again on each building split from one.
 */
import {
  crownPlaneResidualM,
  greenCrownShare,
  largestVehicleM2,
  roughCrownShare,
  roughGreenCrownShare,
  tallestVehicleM,
  vehicleElongation,
  widestVehicleM,
} from '../classify.js';
import type { AnalysisGrid } from '../../raster/types.js';
import { leafyExcessGreen, roughSurfaceM } from '../vegetation.js';
import { isInterior, type SurveySurface } from './surface.js';

/** The facts of a region or building the guard looks at; shares null without the raster. */
export interface GuardFacts {
  areaM2: number;
  /** Mean or median height above ground (m). */
  heightM: number;
  /** Share of the interior whose surface is rough, and of the pixels that are leafy green. */
  roughShare: number | null;
  greenShare: number | null;
  /** How far (m) the top stays from its best-fitting plane. */
  planeResidualM: number | null;
  /** Long and short side (m) of the rectangle with its area moments. */
  lengthM: number;
  widthM: number;
}

/** The rule the facts break (a rejection's reason without its numbers), or null. */
export function guardRule(facts: GuardFacts): string | null {
  const { roughShare, greenShare, planeResidualM } = facts;
  if (roughShare !== null && (roughShare >= roughCrownShare || (greenShare !== null && greenShare >= greenCrownShare && roughShare >= roughGreenCrownShare))) {
    return 'vegetation: a rough surface, a tree crown?';
  }
  // photogrammetry blurs some crowns into smooth domes: green and no plane (a green steel roof is one or two)
  if (greenShare !== null && greenShare >= greenCrownShare && planeResidualM !== null && planeResidualM >= crownPlaneResidualM) {
    return 'vegetation: green and off a plane, a tree crown?';
  }
  const { areaM2, heightM, lengthM, widthM } = facts;
  if (heightM <= tallestVehicleM && areaM2 <= largestVehicleM2 && widthM <= widestVehicleM && lengthM >= vehicleElongation * widthM) {
    return 'vehicle-sized: a van or truck?';
  }
  return null;
}

/** What the guard looks at, for one roof part of a window. */
export function partFacts(roof: Uint8Array, areaM2: number, heightM: number, surface: SurveySurface, grid: AnalysisGrid): GuardFacts {
  const { width, height } = surface.window;
  const gsd = grid.geoTransform[1];
  let green = 0, greenPixels = 0, rough = 0, roughPixels = 0;
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  const top: [number, number, number][] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (!roof[i]) continue;
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
      if (surface.greenness[i] === surface.greenness[i]) {
        greenPixels++;
        if (surface.greenness[i] >= leafyExcessGreen) green++;
      }
      if (!isInterior(roof, width, height, x, y)) continue;
      if (surface.roughness[i] === surface.roughness[i]) {
        roughPixels++;
        if (surface.roughness[i] >= roughSurfaceM) rough++;
      }
      if (surface.dsm[i] === surface.dsm[i]) top.push([x, y, surface.dsm[i]]);
    }
  }
  // sides of the rectangle with the part's second moments: L pixels have centres of variance (L² − 1) / 12
  const vx = sxx / n - (sx / n) ** 2;
  const vy = syy / n - (sy / n) ** 2;
  const cxy = sxy / n - (sx / n) * (sy / n);
  const spread = Math.sqrt(((vx - vy) / 2) ** 2 + cxy * cxy);
  const side = (variance: number) => Math.sqrt(Math.max(0, 12 * variance + 1)) * gsd;
  return {
    areaM2,
    heightM,
    roughShare: roughPixels > 0 ? rough / roughPixels : null,
    greenShare: greenPixels > 0 ? green / greenPixels : null,
    planeResidualM: top.length >= 10 ? planeResidual(top) : null,
    lengthM: side((vx + vy) / 2 + spread),
    widthM: side((vx + vy) / 2 - spread),
  };
}

/** Root mean square distance of the points (x, y in pixels, z in metres) from their least-squares plane. */
function planeResidual(points: [number, number, number][]): number {
  const n = points.length;
  let mx = 0, my = 0, mz = 0;
  for (const [x, y, z] of points) {
    mx += x / n;
    my += y / n;
    mz += z / n;
  }
  let xx = 0, yy = 0, xy = 0, xz = 0, yz = 0, zz = 0;
  for (const [x, y, z] of points) {
    xx += (x - mx) ** 2;
    yy += (y - my) ** 2;
    xy += (x - mx) * (y - my);
    xz += (x - mx) * (z - mz);
    yz += (y - my) * (z - mz);
    zz += (z - mz) ** 2;
  }
  const det = xx * yy - xy * xy;
  // variance the plane explains: [xz yz] · inverse([[xx xy] [xy yy]]) · [xz yz]ᵀ
  const explained = det > 1e-9 ? (yy * xz * xz - 2 * xy * xz * yz + xx * yz * yz) / det : 0;
  return Math.sqrt(Math.max(0, zz - explained) / n);
}
