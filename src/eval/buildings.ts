/**
 * Scores a survey's buildings against the standing buildings of the truth: one-to-one matches by
 * footprint IoU (0.5 by default, greedy, best first), recall and precision, the footprint IoU,
 * roof height, floors and roof form of the matches, and, where the survey judged them against
 * plans, whether the matched suspects have the right violation and how many legal buildings it
 * flagged. Overall, and per building use and roof form of the truth; and why buildings were
 * missed (merged with a neighbour, split, outline off, not found) and survey buildings matched
 * nothing (a piece of a building, several buildings, no building).
 */
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import type { PolygonRings } from '../geo/geojson.js';
import { polygonsArea, polygonsBounds } from '../geo/measure.js';
import { intersectionOverUnion, matchByIou, median, ratio } from './objects.js';

/** A building of the truth or of a survey, in a projected CRS. */
export interface EvalBuilding {
  polygons: PolygonRings[];
  /** Median roof height above ground (m). */
  roofHeightM: number | null;
  floors: number | null;
  roofForm: string | null;
  /** `legal` or `suspect`; null when not judged against plans. */
  legality: string | null;
  violation: string | null;
  /** Truth only: what the building is used as, and whether it is not scored (below what a survey looks for, or cut by the scene's edge). */
  use?: string;
  unscored?: boolean;
}

/** Scores of a group of truth buildings (a use, a roof form). */
export interface BuildingGroupScores {
  truth: number;
  found: number;
  recall: number | null;
  medianIou: number | null;
  medianHeightErrorM: number | null;
  floorsRight: number | null;
  /** Why the buildings not found were missed, counted. */
  missed: Record<MissReason, number>;
}

/**
 * Why a truth building was not matched: the survey drew it with a neighbour as one building
 * (`merged`), in pieces (`split`), as one outline too far off (`outline_off`: IoU under the
 * threshold), or not at all (`not_found`).
 */
export type MissReason = 'merged' | 'split' | 'outline_off' | 'not_found';

/**
 * Why a survey building matched nothing: it is a piece of a building (`part_of_a_building`), it
 * spans several (`several_buildings`), or it stands where no building is (`no_building`: a tree,
 * a wall, a vehicle, something below the thresholds).
 */
export type FalseReason = 'part_of_a_building' | 'several_buildings' | 'no_building';

/** How the survey judged the matched buildings against plans. */
export interface BuildingViolationScores {
  /** Matched buildings the survey made suspects, and those whose violation type is the true one. */
  suspectsMatched: number;
  violationCorrect: number;
  violationAccuracy: number | null;
  /** Matched buildings illegal in truth, and those the survey made suspects. */
  illegalMatched: number;
  illegalFlagged: number;
  illegalRecall: number | null;
  /** Matched buildings legal in truth, and those the survey made suspects. */
  legalMatched: number;
  legalFlagged: number;
  legalFlaggedShare: number | null;
  /** "truth → survey" violation pairs of matched suspects that disagree, counted. */
  confusions: Record<string, number>;
}

/** The report of `zhiwei eval --buildings`. */
export interface BuildingEvalReport {
  truth: number;
  predicted: number;
  matched: number;
  recall: number | null;
  precision: number | null;
  medianIou: number | null;
  /** Median |survey − truth| median roof height (m) over matches. */
  medianHeightErrorM: number | null;
  /** Share of matches with the floors right, and with the roof form right. */
  floorsRight: number | null;
  roofFormRight: number | null;
  byUse: Record<string, BuildingGroupScores>;
  byRoofForm: Record<string, BuildingGroupScores>;
  /** Survey buildings that matched nothing, by why. */
  falseBuildings: Record<FalseReason, number>;
  /** Present when the survey's buildings carry a legality. */
  violations?: BuildingViolationScores;
}

interface Measured extends EvalBuilding {
  area: number;
}

interface Match {
  truth: Measured;
  pred: Measured;
  iou: number;
}

/**
 * Scores survey buildings against truth. Truth buildings marked unscored are not scored, and a
 * survey building matching one does not count either way.
 */
export function evaluateBuildings(truth: EvalBuilding[], predicted: EvalBuilding[], minIou = 0.5): BuildingEvalReport {
  const truths: Measured[] = truth.map((b) => ({ ...b, area: polygonsArea(b.polygons) }));
  const preds: Measured[] = predicted.map((b) => ({ ...b, area: polygonsArea(b.polygons) }));
  const matchOfPred = matchByIou(truths, preds, minIou);
  const matches: Match[] = [];
  let predictedScored = 0;
  preds.forEach((pred, p) => {
    const t = matchOfPred.get(p);
    if (t !== undefined && truths[t].unscored) return;
    predictedScored += 1;
    if (t !== undefined) matches.push({ truth: truths[t], pred, iou: intersectionOverUnion(truths[t], pred) });
  });
  const scored = truths.filter((t) => !t.unscored);
  const overlaps = overlapAreas(truths, preds);
  const matchedTruths = new Set(matches.map((m) => m.truth));
  const missReasons = new Map(scored.filter((t) => !matchedTruths.has(t)).map((t) => [t, missReason(t, overlaps)]));
  const falseBuildings: Record<FalseReason, number> = { part_of_a_building: 0, several_buildings: 0, no_building: 0 };
  preds.forEach((pred, p) => {
    if (!matchOfPred.has(p)) falseBuildings[falseReason(pred, overlaps)] += 1;
  });
  return {
    truth: scored.length,
    predicted: predictedScored,
    matched: matches.length,
    recall: ratio(matches.length, scored.length),
    precision: ratio(matches.length, predictedScored),
    ...matchScores(matches),
    roofFormRight: shareOf(matches.filter((m) => m.pred.roofForm !== null), (m) => m.pred.roofForm === m.truth.roofForm),
    byUse: groupScores(scored, matches, missReasons, (b) => b.use ?? 'unknown'),
    byRoofForm: groupScores(scored, matches, missReasons, (b) => b.roofForm ?? 'unknown'),
    falseBuildings,
    ...(preds.some((p) => p.legality !== null) ? { violations: violationScores(matches) } : {}),
  };
}

function matchScores(matches: Match[]): { medianIou: number | null; medianHeightErrorM: number | null; floorsRight: number | null } {
  const heights = matches.filter((m) => m.truth.roofHeightM !== null && m.pred.roofHeightM !== null);
  return {
    medianIou: median(matches.map((m) => m.iou)),
    medianHeightErrorM: median(heights.map((m) => Math.abs(m.pred.roofHeightM! - m.truth.roofHeightM!))),
    floorsRight: shareOf(matches.filter((m) => m.pred.floors !== null), (m) => m.pred.floors === m.truth.floors),
  };
}

function groupScores(truths: Measured[], matches: Match[], missReasons: Map<Measured, MissReason>, key: (b: Measured) => string): Record<string, BuildingGroupScores> {
  const keys = [...new Set(truths.map(key))].sort();
  return Object.fromEntries(
    keys.map((k) => {
      const ofKey = matches.filter((m) => key(m.truth) === k);
      const count = truths.filter((t) => key(t) === k).length;
      const missed: Record<MissReason, number> = { merged: 0, split: 0, outline_off: 0, not_found: 0 };
      for (const [t, reason] of missReasons) if (key(t) === k) missed[reason] += 1;
      return [k, { truth: count, found: ofKey.length, recall: ratio(ofKey.length, count), ...matchScores(ofKey), missed }];
    }),
  );
}

/** Shared area of each truth and survey building that overlap. */
interface Overlaps {
  ofTruth: Map<Measured, { other: Measured; area: number }[]>;
  ofPred: Map<Measured, { other: Measured; area: number }[]>;
}

function overlapAreas(truths: Measured[], preds: Measured[]): Overlaps {
  const overlaps: Overlaps = { ofTruth: new Map(truths.map((t) => [t, []])), ofPred: new Map(preds.map((p) => [p, []])) };
  if (truths.length === 0 || preds.length === 0) return overlaps;
  const index = new Flatbush(truths.length);
  for (const t of truths) index.add(...polygonsBounds(t.polygons));
  index.finish();
  for (const pred of preds) {
    for (const i of index.search(...polygonsBounds(pred.polygons))) {
      const area = polygonsArea(polygonClipping.intersection(truths[i].polygons, pred.polygons) as PolygonRings[]);
      if (area <= 0) continue;
      overlaps.ofTruth.get(truths[i])!.push({ other: pred, area });
      overlaps.ofPred.get(pred)!.push({ other: truths[i], area });
    }
  }
  return overlaps;
}

/** A building counts as drawn (in part) by an outline covering at least this share of it. */
const partShare = 0.2;

function missReason(truth: Measured, overlaps: Overlaps): MissReason {
  const covers = overlaps.ofTruth.get(truth)!.filter((o) => o.area >= partShare * truth.area);
  const best = covers.reduce<{ other: Measured; area: number } | null>((a, b) => (a && a.area >= b.area ? a : b), null);
  if (!best) return 'not_found';
  const neighbours = overlaps.ofPred.get(best.other)!.filter((o) => o.other !== truth && o.area >= partShare * o.other.area);
  if (neighbours.length > 0) return 'merged';
  return covers.length > 1 ? 'split' : 'outline_off';
}

function falseReason(pred: Measured, overlaps: Overlaps): FalseReason {
  const on = overlaps.ofPred.get(pred)!.filter((o) => !o.other.unscored);
  if (on.filter((o) => o.area >= partShare * o.other.area).length > 1) return 'several_buildings';
  return on.some((o) => o.area >= 0.5 * pred.area) ? 'part_of_a_building' : 'no_building';
}

function violationScores(matches: Match[]): BuildingViolationScores {
  const suspects = matches.filter((m) => m.pred.legality === 'suspect');
  const confusions: Record<string, number> = {};
  for (const { truth, pred } of suspects) {
    const pair = `${truth.violation} → ${pred.violation}`;
    if (truth.violation !== pred.violation) confusions[pair] = (confusions[pair] ?? 0) + 1;
  }
  const illegal = matches.filter((m) => m.truth.legality === 'suspect');
  const legal = matches.filter((m) => m.truth.legality === 'legal');
  const violationCorrect = suspects.filter((m) => m.truth.violation === m.pred.violation).length;
  const illegalFlagged = illegal.filter((m) => m.pred.legality === 'suspect').length;
  const legalFlagged = legal.filter((m) => m.pred.legality === 'suspect').length;
  return {
    suspectsMatched: suspects.length,
    violationCorrect,
    violationAccuracy: ratio(violationCorrect, suspects.length),
    illegalMatched: illegal.length,
    illegalFlagged,
    illegalRecall: ratio(illegalFlagged, illegal.length),
    legalMatched: legal.length,
    legalFlagged,
    legalFlaggedShare: ratio(legalFlagged, legal.length),
    confusions,
  };
}

function shareOf<T>(items: T[], right: (item: T) => boolean): number | null {
  return ratio(items.filter(right).length, items.length);
}
