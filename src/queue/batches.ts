/**
 * The strip batches of a queued detect: consecutive fusion segments (`fusionSegments` of its plan:
 * with a model, one per row of model tiles) grouped into about `batchRows` grid rows each, so a
 * batch is a whole number of tile rows and its strips are those of a single-process run.
 */
import type { FusionSegment } from '../pipeline/run/plan-detect.js';

/** One batch: fusion segments [from, to), grid rows [y0, y1). */
export interface StripBatch {
  batch: number;
  from: number;
  to: number;
  y0: number;
  y1: number;
}

/** The segments in batches of about `batchRows` rows (at least one segment each), top to bottom. */
export function stripBatches(segments: FusionSegment[], batchRows: number): StripBatch[] {
  if (!(Number.isInteger(batchRows) && batchRows >= 1)) throw new RangeError(`batch rows must be a whole number of at least 1, got ${batchRows}`);
  const tallest = Math.max(1, ...segments.map(({ y0, y1 }) => y1 - y0));
  const perBatch = Math.max(1, Math.round(batchRows / tallest));
  const batches: StripBatch[] = [];
  for (let from = 0; from < segments.length; from += perBatch) {
    const to = Math.min(segments.length, from + perBatch);
    batches.push({ batch: batches.length, from, to, y0: segments[from].y0, y1: segments[to - 1].y1 });
  }
  return batches;
}
