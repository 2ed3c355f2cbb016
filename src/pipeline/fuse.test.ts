import { describe, expect, it } from 'vitest';
import { fuseStrip, type FusionRule } from './fuse.js';

const rule: FusionRule = { heightThresholdM: 2, probabilityThreshold: 0.5, misregistrationPx: 2 };
const width = 12;

/** A DSM strip of ground at 10 m with `top` m over columns [x0, x1) of every row. */
function dsm(rows: number, x0 = 0, x1 = 0, top = 10): Float32Array {
  return Float32Array.from({ length: rows * width }, (_, i) => (i % width >= x0 && i % width < x1 ? top : 10));
}

describe('fuseStrip', () => {
  it('marks pixels whose robust height change passes the threshold, and crops the margins', () => {
    const margin = 2;
    const strip = fuseStrip(
      {
        y0: 40,
        width,
        height: 3,
        margin,
        dsmBefore: dsm(7),
        dsmAfter: dsm(7, 4, 8, 16.5),
        offset: new Float32Array(7 * width).fill(0.5),
        ground: new Float32Array(7 * width).fill(10),
      },
      rule,
    );
    expect(strip.y0).toBe(40);
    expect(Array.from(strip.change.subarray(0, width))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(strip.heightChange[5]).toBeCloseTo(6, 5);
    expect(strip.heightAfter[5]).toBeCloseTo(6, 5);
    expect(strip.heightBefore[5]).toBeCloseTo(0, 5);
    expect(strip.probability.every(Number.isNaN)).toBe(true);
  });

  it('uses the model probability alone without DSMs', () => {
    const probability = Float32Array.from({ length: 2 * width }, (_, i) => (i % width) / width);
    const strip = fuseStrip({ y0: 0, width, height: 2, margin: 0, probability }, rule);
    expect(strip.change.filter((v) => v).length).toBe(12);
    expect(strip.heightChange.every(Number.isNaN)).toBe(true);
  });
});
