import { describe, expect, it } from 'vitest';
import { polygonsArea } from './measure.js';
import { simplifyPolygons, simplifyRing } from './simplify.js';

describe('simplifyRing', () => {
  it('turns the pixel staircase of a diagonal edge into one segment, keeping the area within a few percent', () => {
    // a right triangle traced along pixel edges: staircase hypotenuse of 20 steps
    const ring: [number, number][] = [[0, 0], [20, 0]];
    for (let k = 20; k > 0; k--) ring.push([k, 20 - k + 1], [k - 1, 20 - k + 1]);
    ring.push([0, 0]);
    const simplified = simplifyRing(ring, 1);
    expect(simplified.length).toBeLessThanOrEqual(6);
    const before = polygonsArea([[ring]]);
    const after = polygonsArea([[simplified]]);
    expect(Math.abs(after - before) / before).toBeLessThan(0.06);
  });

  it('keeps the corners of a rectangle and every ring of a polygon with a hole', () => {
    const outer: [number, number][] = [[0, 0], [5, 0], [10, 0], [10, 6], [0, 6], [0, 0]];
    const hole: [number, number][] = [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]];
    const [[o, h]] = simplifyPolygons([[outer, hole]], 0.5);
    expect(o).toEqual([[0, 0], [10, 0], [10, 6], [0, 6], [0, 0]]);
    expect(h).toEqual(hole);
  });

  it('keeps a ring that would collapse below three corners', () => {
    const sliver: [number, number][] = [[0, 0], [10, 0], [10, 0.1], [0, 0.1], [0, 0]];
    expect(simplifyRing(sliver, 1)).toEqual(sliver);
  });
});
