import { describe, expect, it } from 'vitest';
import { blendWeights, tileOffsets } from './sliding-window.js';

describe('tileOffsets', () => {
  it('covers the length with tiles sharing the overlap, the last one flush with the end', () => {
    expect(tileOffsets(1024, 256, 32)).toEqual([0, 224, 448, 672, 768]);
    expect(tileOffsets(256, 256, 32)).toEqual([0]);
  });

  it('uses one tile for a length shorter than a tile', () => {
    expect(tileOffsets(100, 256, 32)).toEqual([0]);
  });
});

describe('blendWeights', () => {
  it('is 1 in the middle and small but positive at the edges', () => {
    const weights = blendWeights(64, 16);
    expect(weights[32 * 64 + 32]).toBe(1);
    expect(weights[0]).toBeGreaterThan(0);
    expect(weights[0]).toBeLessThan(0.01);
    expect(weights[32 * 64]).toBeCloseTo(0.5 / 16, 6);
  });
});
