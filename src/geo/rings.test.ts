import { describe, expect, it } from 'vitest';
import { groupRings, pointInRing, polygonContains, type Ring } from './rings.js';

const square = (x: number, y: number, size: number, clockwise = false): Ring => {
  const ring: Ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
  return clockwise ? ring.reverse() : ring;
};

describe('groupRings', () => {
  it('makes a ring inside another its hole, whatever the orientation of either', () => {
    const outer = square(0, 0, 10, false);
    const hole = square(2, 2, 2, false);
    expect(groupRings([hole, outer])).toEqual([[outer, hole]]);
  });

  it('makes an island inside a hole a polygon of its own', () => {
    const [outer, hole, island] = [square(0, 0, 100, true), square(10, 10, 80), square(40, 40, 10, true)];
    const polygons = groupRings([island, outer, hole]);
    expect(polygons).toEqual([[outer, hole], [island]]);
  });

  it('keeps side-by-side rings as separate polygons', () => {
    expect(groupRings([square(0, 0, 1), square(5, 0, 1)])).toHaveLength(2);
    expect(groupRings([])).toEqual([]);
  });

  it('takes a hole touching its outer ring at a vertex as a hole', () => {
    const outer = square(0, 0, 10);
    const hole: Ring = [[0, 0], [5, 2], [2, 5], [0, 0]];
    expect(groupRings([outer, hole])).toEqual([[outer, hole]]);
  });
});

describe('point in polygon', () => {
  it('tells inside, outside and boundary apart', () => {
    const ring = square(0, 0, 10);
    expect(pointInRing([5, 5], ring)).toBe(1);
    expect(pointInRing([15, 5], ring)).toBe(-1);
    expect(pointInRing([10, 5], ring)).toBe(0);
  });

  it('leaves points in a hole outside the polygon', () => {
    const polygon = [square(0, 0, 10), square(4, 4, 2)];
    expect(polygonContains(polygon, [1, 1])).toBe(true);
    expect(polygonContains(polygon, [5, 5])).toBe(false);
  });
});
