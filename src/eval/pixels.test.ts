import { describe, expect, it } from 'vitest';
import { addClassRecall, addPixelCounts, emptyCounts, pixelScores, type ClassRecallCounts } from './pixels.js';

describe('pixel scores', () => {
  it('scores the change class from accumulated masks', () => {
    const counts = emptyCounts();
    addPixelCounts(counts, Uint8Array.from([255, 255, 0, 0, 255]), Uint8Array.from([255, 0, 255, 0, 255]));
    addPixelCounts(counts, Uint8Array.from([0, 0]), Uint8Array.from([0, 0]));
    expect(counts).toEqual({ truePositive: 2, falsePositive: 1, falseNegative: 1, trueNegative: 3 });
    const scores = pixelScores(counts);
    expect(scores.precision).toBeCloseTo(2 / 3, 12);
    expect(scores.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.f1).toBeCloseTo(2 / 3, 12);
    expect(scores.iou).toBeCloseTo(0.5, 12);
  });

  it('scores zero rather than NaN when no change is predicted', () => {
    const counts = emptyCounts();
    addPixelCounts(counts, new Uint8Array(4), Uint8Array.from([1, 0, 0, 0]));
    expect(pixelScores(counts)).toEqual({ precision: 0, recall: 0, f1: 0, iou: 0 });
  });

  it('refuses masks of different sizes', () => {
    expect(() => addPixelCounts(emptyCounts(), new Uint8Array(4), new Uint8Array(5))).toThrow(/4 pixels, label 5/);
  });

  it('counts the changed pixels of each class and how many were predicted', () => {
    const counts: ClassRecallCounts = new Map();
    addClassRecall(counts, Uint8Array.from([255, 0, 255, 0, 255, 0]), Uint8Array.from([1, 1, 4, 4, 0, 0]));
    addClassRecall(counts, Uint8Array.from([0]), Uint8Array.from([4]));
    expect(counts).toEqual(new Map([[1, { pixels: 2, found: 1 }], [4, { pixels: 3, found: 1 }]]));
    expect(() => addClassRecall(counts, new Uint8Array(2), new Uint8Array(3))).toThrow(/2 pixels, class raster 3/);
  });
});
