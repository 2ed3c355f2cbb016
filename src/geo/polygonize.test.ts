import { describe, expect, it } from 'vitest';
import { ringArea } from './measure.js';
import { labelComponents, pixelToMap, signedArea, traceComponents } from './polygonize.js';

/** A mask from rows of '#' (in) and '.' (out). */
function mask(rows: string[]) {
  const width = rows[0].length;
  const data = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { data, width, height: rows.length };
}

function polygonize(rows: string[]) {
  const m = mask(rows);
  const components = labelComponents(m.data, m.width, m.height);
  return { components, polygons: traceComponents(components, m.width, m.height) };
}

function area(polygons: [number, number][][][]): number {
  return polygons.reduce((sum, [outer, ...holes]) => sum + ringArea(outer) - holes.reduce((s, h) => s + ringArea(h), 0), 0);
}

describe('polygonize', () => {
  it('traces a rectangle as one four-corner ring', () => {
    const { components, polygons } = polygonize(['.....', '.###.', '.###.', '.....']);
    expect(components.count).toBe(1);
    expect(polygons[0]).toEqual([[[[1, 1], [4, 1], [4, 3], [1, 3], [1, 1]]]]);
  });

  it('keeps a courtyard as a hole', () => {
    const { polygons } = polygonize(['#####', '#...#', '#...#', '#####']);
    expect(polygons[0]).toHaveLength(1);
    expect(polygons[0][0]).toHaveLength(2);
    expect(signedArea(polygons[0][0][0])).toBeGreaterThan(0);
    expect(signedArea(polygons[0][0][1])).toBeLessThan(0);
    expect(area(polygons[0])).toBe(14);
  });

  it('separates pixels that touch only at a corner', () => {
    const { components, polygons } = polygonize(['##..', '##..', '..##', '..##']);
    expect(components.count).toBe(2);
    expect(polygons.map((p) => area(p))).toEqual([4, 4]);
    expect(polygons.every((p) => p.length === 1 && p[0].length === 1 && p[0][0].length === 5)).toBe(true);
  });

  it('traces every pixel of an irregular shape, its area equal to the pixel count', () => {
    const rows = ['.##.#.##', '###.####', '#.#..#.#', '#######.', '..#..#..', '.####.##'];
    const m = mask(rows);
    const { components, polygons } = polygonize(rows);
    const pixels = m.data.reduce((s, v) => s + v, 0);
    expect(polygons.reduce((s, p) => s + area(p), 0)).toBe(pixels);
    for (let k = 1; k <= components.count; k++) {
      expect(area(polygons[k - 1])).toBe(components.labels.filter((l) => l === k).length);
    }
  });

  it('maps pixel rings to counterclockwise map rings with the geotransform', () => {
    const { polygons } = polygonize(['##', '##']);
    const [[ring]] = pixelToMap(polygons[0], [500000, 0.2, 0, 3350000, 0, -0.2], 10, 5);
    expect(ring[0]).toEqual([500002, 3349999]);
    expect(signedArea(ring)).toBeGreaterThan(0);
    expect(ringArea(ring)).toBeCloseTo(0.16, 10);
  });
});
