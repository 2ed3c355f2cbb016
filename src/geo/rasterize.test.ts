import { describe, expect, it } from 'vitest';
import type { GeoTransform } from './geotransform.js';
import { burnPolygons } from './rasterize.js';

const geoTransform: GeoTransform = [1000, 0.5, 0, 2000, 0, -0.5];

function count(mask: Uint8Array): number {
  return mask.reduce((sum, v) => sum + (v ? 1 : 0), 0);
}

describe('burnPolygons', () => {
  it('burns a square to exactly the pixels whose centres it covers', () => {
    const mask = new Uint8Array(20 * 20);
    // 5 m square = 10 x 10 pixels of 0.5 m, starting at pixel (2, 4)
    burnPolygons(mask, 20, 20, geoTransform, [[[[1001, 1998], [1006, 1998], [1006, 1993], [1001, 1993], [1001, 1998]]]]);
    expect(count(mask)).toBe(100);
    expect(mask[4 * 20 + 2]).toBe(1);
    expect(mask[4 * 20 + 1]).toBe(0);
    expect(mask[13 * 20 + 11]).toBe(1);
    expect(mask[14 * 20 + 11]).toBe(0);
  });

  it('leaves holes empty', () => {
    const mask = new Uint8Array(20 * 20);
    const outer: [number, number][] = [[1000, 2000], [1010, 2000], [1010, 1990], [1000, 1990], [1000, 2000]];
    const hole: [number, number][] = [[1002, 1998], [1002, 1992], [1008, 1992], [1008, 1998], [1002, 1998]];
    burnPolygons(mask, 20, 20, geoTransform, [[outer, hole]]);
    expect(count(mask)).toBe(400 - 144);
    expect(mask[10 * 20 + 10]).toBe(0);
  });

  it('clips polygons that extend past the raster', () => {
    const mask = new Uint8Array(10 * 10);
    burnPolygons(mask, 10, 10, geoTransform, [[[[990, 2010], [1002, 2010], [1002, 1990], [990, 1990], [990, 2010]]]], 255);
    expect(count(mask)).toBe(40);
    expect(mask[9 * 10 + 3]).toBe(255);
  });
});
