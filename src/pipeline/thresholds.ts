/**
 * Detection thresholds, with the documented defaults of DESIGN.md section 3 and issue 4.
 */

/** What makes a change a candidate. */
export interface DetectionThresholds {
  /** Least height change (m) of a changed pixel, widened by the DSMs' residual spread. */
  minHeightChangeM: number;
  /** Least area (m²) of a candidate. */
  minAreaM2: number;
  /** Model probability above which a pixel changed (ortho-only runs); default: the model's own. */
  probability: number | null;
  /**
   * Least mean model probability over a small region found by height, in runs with both
   * orthophotos and DSMs: below it the orthophotos show no change there.
   */
  minConfidence: number;
  /**
   * Regions found by height up to this area (m²) need the model's confirmation: vans, trucks and
   * containers move between flights. Larger ones stand on their heights, since the model misses
   * some real changes outright (added floors under a like roof).
   */
  confirmBelowM2: number;
  /** Misregistration (m) still forgiven at height edges after the flights are co-registered. */
  misregistrationM: number;
  /** Height above ground (m) from which a surface counts as a building. */
  buildingHeightM: number;
}

/** The defaults. */
export const defaultThresholds: DetectionThresholds = Object.freeze({
  minHeightChangeM: 2.0,
  minAreaM2: 4,
  probability: null,
  minConfidence: 0.25,
  confirmBelowM2: 15,
  misregistrationM: 0.4,
  buildingHeightM: 2.5,
});

/**
 * The height threshold actually applied: the configured one widened by twice the residual spread
 * of the DSM offset fit, so that a poorly matched pair of DSMs yields fewer, honest detections.
 */
export function effectiveHeightThreshold(thresholds: DetectionThresholds, spreadM: number): number {
  return thresholds.minHeightChangeM + 2 * spreadM;
}
