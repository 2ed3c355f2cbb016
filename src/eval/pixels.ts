/**
 * Pixel-level scores of a binary change mask against a label (the change class), as reported
 * for LEVIR-CD, WHU-CD and DSIFN.
 */

/** Confusion counts of the change class. */
export interface PixelCounts {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
}

/** Precision, recall, F1 and IoU of the change class. */
export interface PixelScores {
  precision: number;
  recall: number;
  f1: number;
  iou: number;
}

/** Empty counts to accumulate into. */
export function emptyCounts(): PixelCounts {
  return { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
}

/** Adds one prediction/label pair (non-zero = change) to the counts. */
export function addPixelCounts(counts: PixelCounts, predicted: Uint8Array, label: Uint8Array): void {
  if (predicted.length !== label.length) {
    throw new RangeError(`prediction has ${predicted.length} pixels, label ${label.length}`);
  }
  for (let i = 0; i < label.length; i++) {
    const p = predicted[i] !== 0;
    const t = label[i] !== 0;
    if (p && t) counts.truePositive++;
    else if (p) counts.falsePositive++;
    else if (t) counts.falseNegative++;
    else counts.trueNegative++;
  }
}

/** Scores from counts; a ratio with nothing to divide by is 0 (no change predicted or present). */
export function pixelScores(counts: PixelCounts): PixelScores {
  const { truePositive: tp, falsePositive: fp, falseNegative: fn } = counts;
  const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = safe(tp, tp + fp);
  const recall = safe(tp, tp + fn);
  return { precision, recall, f1: safe(2 * precision * recall, precision + recall), iou: safe(tp, tp + fp + fn) };
}

/** Per class of a class raster (0 = no change): its changed pixels and how many were predicted. */
export type ClassRecallCounts = Map<number, { pixels: number; found: number }>;

/** Adds one prediction/class-raster pair to the per-class recall counts. */
export function addClassRecall(counts: ClassRecallCounts, predicted: Uint8Array, classes: Uint8Array): void {
  if (predicted.length !== classes.length) {
    throw new RangeError(`prediction has ${predicted.length} pixels, class raster ${classes.length}`);
  }
  for (let i = 0; i < classes.length; i++) {
    if (classes[i] === 0) continue;
    let entry = counts.get(classes[i]);
    if (!entry) counts.set(classes[i], (entry = { pixels: 0, found: 0 }));
    entry.pixels++;
    if (predicted[i] !== 0) entry.found++;
  }
}
