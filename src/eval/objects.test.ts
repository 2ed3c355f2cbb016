import { describe, expect, it } from 'vitest';
import { evaluateObjects, type ChangeObject } from './objects.js';

/** A square change of side `size` m with its lower-left corner at (x, y). */
function square(x: number, y: number, size: number, changeKind = 'new_building', heightChange: number | null = 6): ChangeObject {
  const ring: [number, number][] = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
  return { polygons: [[ring]], changeKind, heightChange };
}

describe('evaluateObjects', () => {
  it('scores a perfect detection as precision and recall 1 with no errors', () => {
    const truth = [square(0, 0, 10), square(100, 0, 8, 'rooftop_addition', 3)];
    const report = evaluateObjects(truth, truth);
    expect(report).toMatchObject({ truth: 2, predicted: 2, matched: 2, precision: 1, recall: 1, f1: 1, kindAccuracy: 1 });
    expect(report.medianAreaError).toBe(0);
    expect(report.medianHeightErrorM).toBe(0);
  });

  it('matches at IoU 0.3 and not below', () => {
    // a 10 m square shifted by 5 m overlaps half: IoU = 50 / 150 = 0.33
    expect(evaluateObjects([square(0, 0, 10)], [square(5, 0, 10)]).matched).toBe(1);
    // shifted by 6 m: IoU = 40 / 160 = 0.25
    expect(evaluateObjects([square(0, 0, 10)], [square(6, 0, 10)]).matched).toBe(0);
  });

  it('counts a missed change against recall and a false alarm against precision', () => {
    const truth = [square(0, 0, 10), square(50, 0, 10)];
    const pred = [square(0, 0, 10), square(200, 200, 10)];
    const report = evaluateObjects(truth, pred);
    expect(report.precision).toBe(0.5);
    expect(report.recall).toBe(0.5);
  });

  it('matches one to one, so two predictions on one change give one false alarm', () => {
    const report = evaluateObjects([square(0, 0, 10)], [square(0, 0, 10), square(1, 0, 10)]);
    expect(report.matched).toBe(1);
    expect(report.precision).toBe(0.5);
  });

  it('neither rewards nor punishes finding a change below the thresholds', () => {
    const truth = [square(0, 0, 10), square(50, 0, 2, 'ground_structure', 2.5)];
    const found = evaluateObjects(truth, truth, { minArea: 10 });
    const missed = evaluateObjects(truth, [truth[0]], { minArea: 10 });
    expect([found.truth, found.predicted, found.precision, found.recall]).toEqual([1, 1, 1, 1]);
    expect([missed.truth, missed.predicted, missed.precision, missed.recall]).toEqual([1, 1, 1, 1]);
    const lowDemolition = evaluateObjects([square(0, 0, 10, 'demolition', -1.5)], [], { minHeightChange: 2 });
    expect(lowDemolition.truth).toBe(0);
  });

  it('reports recall per true kind, precision per predicted kind, and the errors of matches', () => {
    const truth = [square(0, 0, 10, 'new_building', 6), square(50, 0, 10, 'extension', 3)];
    const pred = [square(0, 0, 11, 'new_building', 6.5), square(50, 0, 10, 'new_building', 3)];
    const report = evaluateObjects(truth, pred);
    expect(report.byKind.extension).toMatchObject({ truth: 1, truthFound: 1, recall: 1, predicted: 0, precision: null });
    expect(report.byKind.new_building).toMatchObject({ truth: 1, predicted: 2, predictedMatched: 2, precision: 1 });
    expect(report.kindAccuracy).toBe(0.5);
    expect(report.medianAreaError).toBeCloseTo((0.21 + 0) / 2, 10);
    expect(report.medianHeightErrorM).toBeCloseTo(0.25, 10);
  });

  it('leaves height errors out for predictions without heights', () => {
    const report = evaluateObjects([square(0, 0, 10)], [square(0, 0, 10, 'new_building', null)], { minHeightChange: 2 });
    expect(report.matched).toBe(1);
    expect(report.medianHeightErrorM).toBeNull();
  });
});
