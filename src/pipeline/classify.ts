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
}

/** A region's verdict: a candidate of some kind, or rejected; with the reason either way. */
export type Verdict = { kind: ChangeKind; reason: string } | { kind: null; reason: string };

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
const tallestVehicleM = 4.5;

/** Decides whether a region is a candidate and of which kind. */
export function classifyRegion(facts: RegionFacts, thresholds: DetectionThresholds): Verdict {
  const { areaM2, heightChangeM, heightBeforeM, heightAfterM, confidence, attachedShare } = facts;
  if (areaM2 < thresholds.minAreaM2) return { kind: null, reason: `smaller than ${thresholds.minAreaM2} m²` };
  const unconfirmable = heightChangeM !== null && (heightChangeM < 0 || (heightChangeM <= tallestVehicleM && attachedShare < attachedExtensionShare));
  if (unconfirmable && confidence !== null && confidence < thresholds.minConfidence && areaM2 < thresholds.confirmBelowM2) {
    return { kind: null, reason: `small height change the orthophotos do not show (confidence ${confidence.toFixed(2)}): a vehicle?` };
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
