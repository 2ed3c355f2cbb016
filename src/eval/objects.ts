/**
 * Object-level evaluation of detected changes against truth: one-to-one matches by polygon IoU,
 * precision and recall overall and per change kind, and the area and height errors of matches.
 */
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import type { PolygonRings } from '../geo/geojson.js';
import { polygonsArea, polygonsBounds } from '../geo/measure.js';

/** A change polygon in a projected CRS, with what was found or is true about it. */
export interface ChangeObject {
  polygons: PolygonRings[];
  changeKind: string;
  /** Mean height change (m); null where no heights were measured (ortho-only runs). */
  heightChange: number | null;
  /** Violation type (truth, and predictions judged against plans). */
  violation?: string;
  /** Whether the overlay made the prediction a suspect; undefined when it was not judged. */
  suspect?: boolean;
}

/** Which objects count and when two match. */
export interface ObjectEvalOptions {
  /** Intersection over union needed for a match; 0.3 by default. */
  minIou?: number;
  /** Truth changes smaller than this (m²) are not scored. */
  minArea?: number;
  /** Truth changes whose |height change| is below this (m) are not scored. */
  minHeightChange?: number;
}

/** Counts for one change kind: recall from truth of that kind, precision from predictions of it. */
export interface KindScores {
  truth: number;
  truthFound: number;
  recall: number | null;
  predicted: number;
  predictedMatched: number;
  precision: number | null;
}

/** The evaluation report. */
export interface ObjectEvalReport {
  truth: number;
  predicted: number;
  matched: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Share of matches whose predicted change kind is the true one. */
  kindAccuracy: number | null;
  /** Median of |predicted area − true area| / true area over matches. */
  medianAreaError: number | null;
  /** Median of |predicted − true| mean height change (m) over matches with heights. */
  medianHeightErrorM: number | null;
  byKind: Record<string, KindScores>;
  /** Scores of the plan overlay, when the predictions were judged (they carry `suspect`). */
  violations?: ViolationScores;
}

/** How well the overlay judged the matched changes. */
export interface ViolationScores {
  /** Matched suspects, and those whose violation type is the true one. */
  suspectsMatched: number;
  violationCorrect: number;
  violationAccuracy: number | null;
  /** Truth violations (scored, violation other than none), and those found as suspects. */
  truthViolations: number;
  truthViolationsFound: number;
  violationRecall: number | null;
  /** Permitted new buildings (truth new_building, violation none) and those flagged as suspects. */
  permittedNew: number;
  permittedNewFlagged: number;
  permittedNewFlaggedShare: number | null;
  /** "truth → predicted" violation pairs of matched suspects that disagree, counted. */
  confusions: Record<string, number>;
}

interface Measured extends ChangeObject {
  area: number;
  scored: boolean;
}

/**
 * Evaluates predictions against truth. A truth change is scored when it meets the area and height
 * thresholds; a prediction counts when it matches a scored truth or meets the thresholds itself,
 * so that finding a below-threshold change is neither rewarded nor punished.
 */
export function evaluateObjects(truth: ChangeObject[], predicted: ChangeObject[], options: ObjectEvalOptions = {}): ObjectEvalReport {
  const { minIou = 0.3, minArea = 0, minHeightChange = 0 } = options;
  const meetsThresholds = (o: ChangeObject, area: number) =>
    area >= minArea && (o.heightChange === null || Math.abs(o.heightChange) >= minHeightChange);
  const truths: Measured[] = truth.map((o) => ({ ...o, area: polygonsArea(o.polygons), scored: false }));
  truths.forEach((t) => (t.scored = meetsThresholds(t, t.area)));
  const preds: Measured[] = predicted.map((o) => ({ ...o, area: polygonsArea(o.polygons), scored: false }));

  const matchOfPred = matchByIou(truths, preds, minIou);
  const matches: [Measured, Measured][] = [];
  preds.forEach((pred, p) => {
    const t = matchOfPred.get(p);
    pred.scored = t === undefined ? meetsThresholds(pred, pred.area) : truths[t].scored;
    if (t !== undefined && truths[t].scored) matches.push([truths[t], pred]);
  });

  const scoredTruth = truths.filter((t) => t.scored);
  const scoredPreds = preds.filter((p) => p.scored);
  const precision = ratio(matches.length, scoredPreds.length);
  const recall = ratio(matches.length, scoredTruth.length);
  return {
    truth: scoredTruth.length,
    predicted: scoredPreds.length,
    matched: matches.length,
    precision,
    recall,
    f1: precision === null || recall === null || precision + recall === 0 ? null : (2 * precision * recall) / (precision + recall),
    kindAccuracy: ratio(matches.filter(([t, p]) => t.changeKind === p.changeKind).length, matches.length),
    medianAreaError: median(matches.map(([t, p]) => Math.abs(p.area - t.area) / t.area)),
    medianHeightErrorM: median(
      matches.filter(([t, p]) => t.heightChange !== null && p.heightChange !== null).map(([t, p]) => Math.abs(p.heightChange! - t.heightChange!)),
    ),
    byKind: scoresByKind(scoredTruth, scoredPreds, matches),
    ...(preds.some((p) => p.suspect !== undefined) ? { violations: violationScores(scoredTruth, matches) } : {}),
  };
}

/** Overlay scores over scored truth and the matches (a truth change not matched was not found). */
function violationScores(truths: Measured[], matches: [Measured, Measured][]): ViolationScores {
  const suspects = matches.filter(([, p]) => p.suspect);
  const confusions: Record<string, number> = {};
  for (const [t, p] of suspects) {
    if (t.violation !== p.violation) confusions[`${t.violation} → ${p.violation}`] = (confusions[`${t.violation} → ${p.violation}`] ?? 0) + 1;
  }
  const isViolation = (t: Measured) => t.violation !== undefined && t.violation !== 'none';
  const isPermittedNew = (t: Measured) => t.changeKind === 'new_building' && t.violation === 'none';
  const violationCorrect = suspects.filter(([t, p]) => t.violation === p.violation).length;
  const truthViolations = truths.filter(isViolation).length;
  const truthViolationsFound = suspects.filter(([t]) => isViolation(t)).length;
  const permittedNew = truths.filter(isPermittedNew).length;
  const permittedNewFlagged = suspects.filter(([t]) => isPermittedNew(t)).length;
  return {
    suspectsMatched: suspects.length,
    violationCorrect,
    violationAccuracy: ratio(violationCorrect, suspects.length),
    truthViolations,
    truthViolationsFound,
    violationRecall: ratio(truthViolationsFound, truthViolations),
    permittedNew,
    permittedNewFlagged,
    permittedNewFlaggedShare: ratio(permittedNewFlagged, permittedNew),
    confusions,
  };
}

/** A polygon with its area, as the matching needs it. */
export interface AreaPolygons {
  polygons: PolygonRings[];
  area: number;
}

/** Greedy one-to-one matching, best IoU first; returns prediction index → truth index. */
export function matchByIou(truths: AreaPolygons[], preds: AreaPolygons[], minIou: number): Map<number, number> {
  const pairs: { t: number; p: number; iou: number }[] = [];
  if (truths.length > 0 && preds.length > 0) {
    const index = new Flatbush(truths.length);
    for (const t of truths) index.add(...polygonsBounds(t.polygons));
    index.finish();
    preds.forEach((pred, p) => {
      for (const t of index.search(...polygonsBounds(pred.polygons))) {
        const iou = intersectionOverUnion(truths[t], pred);
        if (iou >= minIou) pairs.push({ t, p, iou });
      }
    });
  }
  pairs.sort((a, b) => b.iou - a.iou);
  const truthTaken = new Set<number>();
  const matchOfPred = new Map<number, number>();
  for (const { t, p } of pairs) {
    if (truthTaken.has(t) || matchOfPred.has(p)) continue;
    truthTaken.add(t);
    matchOfPred.set(p, t);
  }
  return matchOfPred;
}

/** Intersection over union of two polygons with their areas. */
export function intersectionOverUnion(a: AreaPolygons, b: AreaPolygons): number {
  const shared = polygonsArea(polygonClipping.intersection(a.polygons, b.polygons) as PolygonRings[]);
  const union = a.area + b.area - shared;
  return union > 0 ? shared / union : 0;
}

function scoresByKind(truths: Measured[], preds: Measured[], matches: [Measured, Measured][]): Record<string, KindScores> {
  const kinds = [...new Set([...truths, ...preds].map((o) => o.changeKind))].sort();
  return Object.fromEntries(
    kinds.map((kind) => {
      const truthOfKind = truths.filter((t) => t.changeKind === kind).length;
      const predOfKind = preds.filter((p) => p.changeKind === kind).length;
      const truthFound = matches.filter(([t]) => t.changeKind === kind).length;
      const predictedMatched = matches.filter(([, p]) => p.changeKind === kind).length;
      const scores: KindScores = {
        truth: truthOfKind,
        truthFound,
        recall: ratio(truthFound, truthOfKind),
        predicted: predOfKind,
        predictedMatched,
        precision: ratio(predictedMatched, predOfKind),
      };
      return [kind, scores];
    }),
  );
}

/** part / whole, or null for nothing to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The median, or null of nothing. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
