/**
 * Classification of changed regions into the change kinds of DESIGN.md section 3, and the reason
 * each region is or is not a candidate.
 */
import type { DetectionThresholds } from './thresholds.js';
import type { ChangeKind } from '../vocabulary.js';

/** The measurements of a region that classification looks at. */
export interface RegionFacts {
  areaM2: number;
  /** Mean height change, height above ground before and after (m); null without heights. */
  heightChangeM: number | null;
  heightBeforeM: number | null;
  heightAfterM: number | null;
  /** Mean model probability; null in DSM-only runs. */
  confidence: number | null;
  /** Share of the region's outline that touched a building before (0-1). */
  attachedShare: number;
  /** Share of its interior whose surface on top is rough (0-1); null without heights or interior. */
  roughShare: number | null;
  /** Share of it that is leafy green in the after orthophoto (0-1); null without orthophotos. */
  greenShare: number | null;
  /** Long and short side (m) of the rectangle with its area moments. */
  lengthM: number;
  widthM: number;
  /** How far (m) its top surface stays from a plane; null without heights. */
  topPlaneResidualM: number | null;
}

/**
 * A region's verdict: a candidate of some kind, or rejected; with the reason either way. A
 * rejection also names its rule: the reason without this region's measurements, so that the
 * summary counts rejections by rule (with the thresholds it used).
 */
export type Verdict = { kind: ChangeKind; reason: string } | { kind: null; reason: string; rule: string };

/** A rejection for `reason` under `rule`. */
const rejected = (reason: string, rule = reason): Verdict => ({ kind: null, reason, rule });

/** Rooftop sheds are small; added floors cover a roof (m²). */
const largestRooftopShedM2 = 40;
/**
 * Ground sheds and enclosures stay under about 3.6 m and 75 m²; a one-floor building is 4 m or
 * more (measured means come out a little lower: DSM edges are soft).
 */
const tallestGroundStructureM = 3.5;
const largestGroundStructureM2 = 75;
/** A change whose outline touches an existing building this much is an extension of it. */
const attachedExtensionShare = 0.2;
/**
 * Vans, trucks and containers stand under this (m). A small change the orthophotos do not confirm
 * may be a vehicle that moved or a tree that lost its leaves: a fall always, a rise unless it is
 * taller than a vehicle or built against a building (a low extension, carved below the
 * confirmation area by the misregistration tolerance along its wall).
 */
export const tallestVehicleM = 4.5;
/**
 * A rise the DSM confirms from this area (m²) is a structure unless it is shaped like a vehicle:
 * the model's low probability alone does not drop it (the model misses real steel sheds). Soft
 * DSM edges carve a low shed's outline, so an 8 m² shed measures about 6 m².
 */
const smallestConfirmedRiseM2 = 6;
/**
 * Vans and trucks: at most this wide (m; 2.55 m is the legal limit, DSM edges add a little), at
 * least this many times longer than wide, at most this large (m²).
 */
export const widestVehicleM = 2.7;
export const vehicleElongation = 1.8;
export const largestVehicleM2 = 30;
/**
 * Vegetation: a region whose top surface is rough over this share of its interior is a tree crown
 * (reconstructed differently on each flight) unless the model sees it built, as is one that is
 * mostly green and somewhat rough (photogrammetry smooths some crowns); a green steel roof is
 * smooth and stays.
 */
export const roughCrownShare = 0.5;
export const greenCrownShare = 0.6;
export const roughGreenCrownShare = 0.2;
/**
 * Sheds on the ground (up to 40 m² and a vehicle's height) have a plane on top: one whose top
 * stays this far (m) from any plane, and that the model does not see built, is a crown. A surface
 * that fell from more than one and a half times its width over a small area stood narrow and tall:
 * a crown the after flight reconstructed lower or not at all (a free-standing structure that
 * slender is rare).
 */
export const crownPlaneResidualM = 0.4;
const crownSlenderness = 1.5;

/** Decides whether a region is a candidate and of which kind. */
export function classifyRegion(facts: RegionFacts, thresholds: DetectionThresholds): Verdict {
  const { areaM2, heightChangeM, heightBeforeM, heightAfterM, confidence, attachedShare } = facts;
  if (areaM2 < thresholds.minAreaM2) return rejected(`smaller than ${thresholds.minAreaM2} m²`);
  const vegetation = vegetationReason(facts, thresholds);
  if (vegetation) return vegetation;
  const vehicle = vehicleReason(facts, thresholds);
  if (vehicle) return vehicle;
  const unconfirmable = heightChangeM !== null && (heightChangeM < 0 || (heightChangeM <= tallestVehicleM && attachedShare < attachedExtensionShare));
  // demolitions are of whole buildings, so a fall needs the orthophotos' word up to twice the area a rise does
  const confirmBelowM2 = heightChangeM !== null && heightChangeM < 0 ? 2 * thresholds.confirmBelowM2 : thresholds.confirmBelowM2;
  if (unconfirmable && confidence !== null && confidence < thresholds.minConfidence && areaM2 < confirmBelowM2) {
    const under = `confidence under ${thresholds.minConfidence}`;
    if (heightChangeM < 0) return rejected(`small fall the orthophotos do not show (confidence ${confidence.toFixed(2)})`, `small fall the orthophotos do not show (${under})`);
    if (areaM2 < smallestConfirmedRiseM2) return rejected(`small rise the orthophotos do not show (confidence ${confidence.toFixed(2)})`, `small rise the orthophotos do not show (${under})`);
  }
  if (heightChangeM === null) return { kind: 'new_building', reason: 'changed in the orthophotos; no DSMs to tell the kind' };
  if (heightChangeM < 0) return { kind: 'demolition', reason: `surface fell ${(-heightChangeM).toFixed(1)} m` };
  const rise = `rose ${heightChangeM.toFixed(1)} m`;
  const before = heightBeforeM ?? 0;
  if (before >= thresholds.buildingHeightM) {
    return areaM2 > largestRooftopShedM2
      ? { kind: 'height_increase', reason: `roof ${rise} over ${areaM2.toFixed(0)} m²` }
      : { kind: 'rooftop_addition', reason: `structure on a roof ${before.toFixed(1)} m high, ${rise}` };
  }
  if (attachedShare >= attachedExtensionShare) {
    return { kind: 'extension', reason: `${rise} on open ground against an existing building` };
  }
  const after = heightAfterM ?? heightChangeM;
  if (after <= tallestGroundStructureM && areaM2 <= largestGroundStructureM2) {
    return { kind: 'ground_structure', reason: `low structure (${after.toFixed(1)} m) on open ground` };
  }
  return { kind: 'new_building', reason: `building of ${after.toFixed(1)} m on open ground` };
}

/** The rejection of a region that is vegetation rather than built, or null when it is not. */
function vegetationReason(facts: RegionFacts, thresholds: DetectionThresholds): Verdict | null {
  const { areaM2, heightChangeM, heightBeforeM, roughShare, greenShare, topPlaneResidualM, widthM } = facts;
  if (heightChangeM === null) return null;
  const green = greenShare === null ? '' : `, ${Math.round(greenShare * 100)}% green`;
  // a rough top the orthophotos show as built (a column frame, a site) is no crown; a green one is
  const unseen = facts.confidence === null || facts.confidence < thresholds.minConfidence;
  if (roughShare !== null && ((unseen && roughShare >= roughCrownShare) || (greenShare !== null && greenShare >= greenCrownShare && roughShare >= roughGreenCrownShare))) {
    return rejected(`vegetation: surface ${Math.round(roughShare * 100)}% rough${green}, a tree crown?`, 'vegetation: a rough surface, a tree crown?');
  }
  // on open ground only: a pitched roof added over part of a flat roof is no plane either
  const onGround = (heightBeforeM ?? 0) < thresholds.buildingHeightM;
  const shedSized = onGround && heightChangeM > 0 && heightChangeM <= tallestVehicleM && areaM2 <= largestRooftopShedM2;
  if (shedSized && unseen && topPlaneResidualM !== null && topPlaneResidualM >= crownPlaneResidualM) {
    return rejected(`vegetation: top ${topPlaneResidualM.toFixed(1)} m off a plane${green}, a tree crown?`, 'vegetation: a top off a plane, a tree crown?');
  }
  if (heightChangeM < 0 && areaM2 < thresholds.confirmBelowM2 && -heightChangeM >= crownSlenderness * widthM) {
    return rejected(`vegetation: a surface ${widthM.toFixed(1)} m wide fell ${(-heightChangeM).toFixed(1)} m, a tree crown?`, 'vegetation: a narrow surface fell further than its width, a tree crown?');
  }
  return null;
}

/**
 * The rejection of a region that is a vehicle that came or left rather than a structure, or null. By its shape, size
 * and height, unless the model sees a structure there: heights alone cannot tell a truck from a
 * narrow shed of its size, so without orthophotos such a rise is taken for a vehicle.
 */
function vehicleReason(facts: RegionFacts, thresholds: DetectionThresholds): Verdict | null {
  const { areaM2, heightChangeM, confidence, attachedShare, lengthM, widthM } = facts;
  if (heightChangeM === null || Math.abs(heightChangeM) > tallestVehicleM || areaM2 > largestVehicleM2 || !isVehicleShaped(facts)) return null;
  const size = `${lengthM.toFixed(1)} × ${widthM.toFixed(1)} m`;
  if (heightChangeM < 0) return areaM2 < thresholds.confirmBelowM2 ? rejected(`vehicle-sized surface (${size}) fell: a vehicle that left?`, 'vehicle-sized surface fell: a vehicle that left?') : null;
  if (attachedShare >= attachedExtensionShare || (confidence !== null && confidence >= thresholds.minConfidence)) return null;
  if (confidence === null) return rejected(`vehicle-sized rise (${size}): no orthophotos to tell it from a narrow shed`, 'vehicle-sized rise: no orthophotos to tell it from a narrow shed');
  return rejected(`vehicle-sized rise (${size}): the orthophotos do not show it as built (confidence ${confidence.toFixed(2)})`,
    `vehicle-sized rise: the orthophotos do not show it as built (confidence under ${thresholds.minConfidence})`);
}

/** True for the footprint of a van or truck: narrow and long. */
function isVehicleShaped({ lengthM, widthM }: RegionFacts): boolean {
  return widthM <= widestVehicleM && lengthM >= vehicleElongation * widthM;
}
