/**
 * Judging change regions as the vectorizer finishes them: a candidate is kept with its
 * measurements, anything else is only counted by its rule, so memory holds the candidates of a
 * scene, never all of its regions (most are specks or vehicles).
 */
import type { Candidate } from './candidate.js';
import { classifyRegion } from './classify.js';
import type { DetectionThresholds } from './thresholds.js';
import type { ChangeRegion } from './types.js';
import { regionMeasurements } from './vectorize.js';

/** Takes regions one by one; gives the candidates and the count of each reason for rejecting the rest. */
export function regionJudge(thresholds: DetectionThresholds) {
  const rejected: Record<string, number> = {};
  const found: { firstPixel: number; candidate: Omit<Candidate, 'id'> }[] = [];
  return {
    /** Rejected regions by rule (a reason without the region's measurements). */
    rejected,
    /** Judges one region (`firstPixel`: its first pixel's grid index in scan order); returns the candidate it keeps, if any (numbered later). */
    judge(region: ChangeRegion, firstPixel: number): Omit<Candidate, 'id'> | null {
      const m = regionMeasurements(region);
      const verdict = classifyRegion(m, thresholds);
      if (verdict.kind === null) {
        rejected[verdict.rule] = (rejected[verdict.rule] ?? 0) + 1;
        return null;
      }
      const { areaM2, heightChangeM, heightChangeMaxM, heightAfterM, confidence } = m;
      const candidate = { changeKind: verdict.kind, polygons: region.polygons, areaM2, heightChangeM, heightChangeMaxM, heightAfterM, confidence, reason: verdict.reason };
      found.push({ firstPixel, candidate });
      return candidate;
    },
    /** The candidates, numbered in scan order of their first pixel (top to bottom, left to right). */
    candidates(): Candidate[] {
      return found.sort((a, b) => a.firstPixel - b.firstPixel).map(({ candidate }, i) => ({ id: `c${String(i + 1).padStart(5, '0')}`, ...candidate }));
    },
  };
}
