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
