import { describe, expect, it } from 'vitest';
import { TOLERANT_FALL, TOLERANT_RISE, neighbourhoodMax, tolerantChange } from './height-change.js';

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

/** `tolerantChange` of the whole square at `threshold`. */
function tolerant(before: Float32Array, after: Float32Array, offset: Float32Array, radius: number, threshold: number): Uint8Array {
  return tolerantChange(before, after, offset, size, size, radius, threshold, new Uint8Array(size * size));
}

describe('tolerantChange', () => {
  it('sees no change at the edges of an unchanged building shifted by 3 px', () => {
    const before = dsm([[10, 10, 20, 20, 25]]);
    const after = dsm([[13, 12, 23, 22, 25]]);
    expect(Math.max(...after.map((h, i) => h - before[i]))).toBe(15);
    expect(tolerant(before, after, noOffset, 3, 0.5).every((mark) => mark === 0)).toBe(true);
  });

  it('finds a new building and a demolished one at their full heights despite the shift', () => {
    const before = dsm([[25, 25, 35, 35, 19]]); // demolished later
    const after = dsm([[7, 6, 17, 16, 16]]); // new, 2 px off where it stands
    const at = (threshold: number) => {
      const marks = tolerant(before, after, noOffset, 3, threshold);
      return [marks[10 * size + 11], marks[30 * size + 30]];
    };
    expect(at(5.9)).toEqual([TOLERANT_RISE, TOLERANT_FALL]);
    expect(at(8.9)).toEqual([0, TOLERANT_FALL]);
    expect(at(9.1)).toEqual([0, 0]);
  });

  it('removes the vertical offset between the flights', () => {
    const before = dsm([]);
    const after = dsm([[5, 5, 15, 15, 13]]).map((h) => h + 0.5);
    const offset = new Float32Array(size * size).fill(0.5);
    const marks = (threshold: number) => tolerant(before, after, offset, 2, threshold);
    expect(marks(2.9)[10 * size + 10]).toBe(TOLERANT_RISE);
    expect(marks(3.1)[10 * size + 10]).toBe(0);
    expect(marks(0.4)[30 * size + 30]).toBe(0);
  });

  it('marks nothing where either DSM has no data, and looks past a neighbour without data', () => {
    const before = dsm([]);
    before[0] = Number.NaN;
    before[11 * size + 11] = Number.NaN;
    const after = dsm([[0, 0, 15, 15, 16]]);
    const marks = tolerant(before, after, noOffset, 2, 5);
    expect(marks[0]).toBe(0);
    expect(marks[11 * size + 11]).toBe(0);
    expect(marks[10 * size + 10]).toBe(TOLERANT_RISE);
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
