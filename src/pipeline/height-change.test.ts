import { describe, expect, it } from 'vitest';
import { heightDifference, neighbourhoodMax, robustHeightChange } from './height-change.js';

const size = 40;

/** A DSM of ground at 10 m with a box of `top` m over columns/rows [x0, x1) x [y0, y1). */
function dsm(boxes: [number, number, number, number, number][]): Float32Array {
  const heights = new Float32Array(size * size).fill(10);
  for (const [x0, y0, x1, y1, top] of boxes) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) heights[y * size + x] = top;
  }
  return heights;
}

const noOffset = new Float32Array(size * size);

describe('robustHeightChange', () => {
  it('sees no change at the edges of an unchanged building shifted by 3 px', () => {
    const before = dsm([[10, 10, 20, 20, 25]]);
    const after = dsm([[13, 12, 23, 22, 25]]);
    const plain = heightDifference(before, after, noOffset);
    expect(Math.max(...plain)).toBe(15);
    const robust = robustHeightChange(before, after, noOffset, size, size, 3);
    expect(robust.every((dh) => dh === 0)).toBe(true);
  });

  it('finds a new building and a demolished one at their full heights despite the shift', () => {
    const before = dsm([[25, 25, 35, 35, 19]]); // demolished later
    const after = dsm([[5, 5, 15, 15, 16]]); // new
    const shiftedAfter = dsm([[7, 6, 17, 16, 16]]);
    const robust = robustHeightChange(before, shiftedAfter, noOffset, size, size, 3);
    expect(robust[10 * size + 11]).toBeCloseTo(6, 5);
    expect(robust[30 * size + 30]).toBeCloseTo(-9, 5);
    expect(after.length).toBe(size * size);
  });

  it('removes the vertical offset between the flights', () => {
    const before = dsm([]);
    const after = dsm([[5, 5, 15, 15, 13]]).map((h) => h + 0.5);
    const offset = new Float32Array(size * size).fill(0.5);
    const robust = robustHeightChange(before, after, offset, size, size, 2);
    expect(robust[10 * size + 10]).toBeCloseTo(3, 5);
    expect(robust[30 * size + 30]).toBeCloseTo(0, 5);
  });

  it('gives no height where either DSM has none', () => {
    const before = dsm([]);
    before[0] = Number.NaN;
    const robust = robustHeightChange(before, dsm([]), noOffset, size, size, 2);
    expect(Number.isNaN(robust[0])).toBe(true);
    expect(robust[1]).toBe(0);
  });
});

describe('neighbourhoodMax', () => {
  it('ignores NaN unless the whole square is NaN', () => {
    const values = Float32Array.from([1, Number.NaN, 3, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    const max = neighbourhoodMax(values, 9, 1, 1);
    expect(Array.from(max.slice(0, 4))).toEqual([1, 3, 3, 3]);
    expect(Number.isNaN(max[8])).toBe(true);
  });
});
