/**
 * What a survey does not take for a building: tree crowns (rough, or a pitched-looking top that
 * no roof faces fit) and vehicles (narrow, long, low, small), with the thresholds of the detect
 * job's classify.ts where they are shared. Judged on each region found in the strips (which has
 * no roof form yet: only the rough surface and vehicles there) and again on each building split
 * from one.
 */
import { greenCrownShare, largestVehicleM2, roughCrownShare, tallestVehicleM, vehicleElongation, widestVehicleM } from '../classify.js';
import type { AnalysisGrid } from '../../raster/types.js';
import { leafyExcessGreen, roughSurfaceM } from '../vegetation.js';
import type { RoofForm } from './building.js';
import { median } from './roofs.js';
import { isInterior, type SurveySurface } from './surface.js';

/** The facts of a region or building the guard looks at; shares null without the raster. */
export interface GuardFacts {
  areaM2: number;
  /** Mean or median height above ground (m). */
  heightM: number;
  /** Share of the interior whose surface is rough, and of the pixels that are leafy green. */
  roughShare: number | null;
  greenShare: number | null;
  /** Roof form and how far (m) the top stays from its faces' planes (`faceResidual`); null for a region. */
  roofForm: RoofForm | null;
  faceResidualM: number | null;
  /** Long and short side (m) of the rectangle with its area moments. */
  lengthM: number;
  widthM: number;
}

/**
 * Median distance (m) from its faces' planes from which a pitched-looking top is no roof: roof
 * faces are planes to the DSM's noise (a few centimetres), while a crown that photogrammetry
 * smoothed into a dome (too smooth over a metre to be rough) curves and keeps bumps of a few
 * decimetres under any plane.
 */
export const crownFaceResidualM = 0.08;
/**
 * Largest footprint (m²) taken for a crown on its shape alone, without leaves seen on the
 * orthophoto (a survey of a DSM alone, bare or autumn crowns): one tree's, about 6 m across.
 * Larger crowns, or trees grown together, are rough; a small house's complex roof is larger.
 */
export const largestSmoothCrownM2 = 30;

/** The rule the facts break (a rejection's reason without its numbers), or null. */
export function guardRule(facts: GuardFacts): string | null {
  const { roughShare, greenShare, roofForm, faceResidualM, areaM2 } = facts;
  if (roughShare !== null && roughShare >= roughCrownShare) return 'vegetation: a rough surface, a tree crown?';
  // a flat roof is one slab whatever stands on it; only a pitched-looking top needs its faces
  if (roofForm === 'pitched' && faceResidualM !== null && faceResidualM >= crownFaceResidualM) {
    if (greenShare !== null && greenShare >= greenCrownShare) return 'vegetation: green and no roof faces, a tree crown?';
    if (areaM2 <= largestSmoothCrownM2) return 'vegetation: small and no roof faces, a tree crown?';
  }
  const { heightM, lengthM, widthM } = facts;
  if (heightM <= tallestVehicleM && areaM2 <= largestVehicleM2 && widthM <= widestVehicleM && lengthM >= vehicleElongation * widthM) {
    return 'vehicle-sized: a van or truck?';
  }
  return null;
}

/** What the guard looks at, for one roof part of a window with its roof form. */
export function partFacts(roof: Uint8Array, areaM2: number, heightM: number, roofForm: RoofForm, surface: SurveySurface, grid: AnalysisGrid): GuardFacts {
  const { width, height } = surface.window;
  const gsd = grid.geoTransform[1];
  let green = 0, greenPixels = 0, rough = 0, roughPixels = 0;
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
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
    roofForm,
    faceResidualM: faceResidual(roof, surface),
    lengthM: side((vx + vy) / 2 + spread),
    widthM: side((vx + vy) / 2 - spread),
  };
}

/** Pixels (±) either side of a pixel for its slope: 0.4 m at 0.2 m, as the roughness window. */
const slopeStepPx = 2;

/**
 * Median distance (m) of the part's interior from the planes of its faces, or null for too few
 * pixels. Each pixel joins the face it slopes like: its downhill direction nearest one of four
 * directions at right angles, turned as the slopes of the whole top agree (roof faces face the
 * building's sides, so a gable or hip roof's pixels fall into its faces); each face is fitted with
 * a plane. A crown's slopes turn all round it, so its quarters are curved, and bumpy.
 */
export function faceResidual(part: Uint8Array, surface: SurveySurface): number | null {
  const { width, height } = surface.window;
  const { dsm } = surface;
  const d = slopeStepPx;
  const points: { x: number; y: number; z: number; downhill: number; slope: number }[] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      // interior pixels have the part's pixels 2 px away along the axes
      if (!part[i] || !isInterior(part, width, height, x, y)) continue;
      const gx = (dsm[i + d] - dsm[i - d]) / (2 * d);
      const gy = (dsm[i + d * width] - dsm[i - d * width]) / (2 * d);
      if (gx === gx && gy === gy && dsm[i] === dsm[i]) points.push({ x, y, z: dsm[i], downhill: Math.atan2(-gy, -gx), slope: Math.hypot(gx, gy) });
    }
  }
  if (points.length < minFacePixels) return null;
  // the directions' common turn: the mean of 4 × direction, weighted by slope (as regularise.ts's orientation)
  let c = 0, s = 0;
  for (const p of points) {
    c += p.slope * Math.cos(4 * p.downhill);
    s += p.slope * Math.sin(4 * p.downhill);
  }
  const turn = Math.atan2(s, c) / 4;
  const faces: [number, number, number][][] = [[], [], [], []];
  for (const p of points) faces[(((Math.round((p.downhill - turn) / (Math.PI / 2)) % 4) + 4) % 4)].push([p.x, p.y, p.z]);
  const distances: number[] = [];
  for (const face of faces) if (face.length >= 3) distances.push(...planeDistances(face));
  return median(distances);
}

/** Least pixels for a face fit: a metre square of roof. */
const minFacePixels = 25;

/** Distances (m) of the points (x, y in pixels, z in metres) from their least-squares plane. */
function planeDistances(points: [number, number, number][]): number[] {
  const n = points.length;
  let mx = 0, my = 0, mz = 0;
  for (const [x, y, z] of points) {
    mx += x / n;
    my += y / n;
    mz += z / n;
  }
  let xx = 0, yy = 0, xy = 0, xz = 0, yz = 0;
  for (const [x, y, z] of points) {
    xx += (x - mx) ** 2;
    yy += (y - my) ** 2;
    xy += (x - mx) * (y - my);
    xz += (x - mx) * (z - mz);
    yz += (y - my) * (z - mz);
  }
  // slopes of z = mz + a (x − mx) + b (y − my) from the normal equations; level when the points lie on a line
  const det = xx * yy - xy * xy;
  const a = det > 1e-9 ? (yy * xz - xy * yz) / det : 0;
  const b = det > 1e-9 ? (xx * yz - xy * xz) / det : 0;
  return points.map(([x, y, z]) => Math.abs(z - mz - a * (x - mx) - b * (y - my)));
}
