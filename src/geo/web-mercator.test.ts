import { describe, expect, it } from 'vitest';
import { crsTransform } from './crs.js';
import {
  isTileInRange,
  lonLatToMercator,
  lonLatToTile,
  mercatorToLonLat,
  tileBounds,
  tileToLonLat,
  zoomForResolution,
} from './web-mercator.js';

describe('web mercator tiles', () => {
  it('makes tile 0/0/0 the whole square world', () => {
    const [minX, minY, maxX, maxY] = tileBounds({ z: 0, x: 0, y: 0 });
    expect(minX).toBeCloseTo(-20037508.3428, 3);
    expect(maxX).toBeCloseTo(20037508.3428, 3);
    expect(minY).toBeCloseTo(-20037508.3428, 3);
    expect(maxY).toBeCloseTo(20037508.3428, 3);
  });

  it('numbers rows southwards: tile 1/0/1 is the south-west quarter', () => {
    const [minX, minY, maxX, maxY] = tileBounds({ z: 1, x: 0, y: 1 });
    expect([minX, maxX, maxY]).toEqual([-20037508.342789244, 0, 0]);
    expect(minY).toBeCloseTo(-20037508.3428, 3);
  });

  it('agrees with proj4 on EPSG:3857 both ways', () => {
    const toMercator = crsTransform(4326, 3857);
    for (const point of [[120.3, 30.27], [-73.98, 40.75], [0, 0], [151.2, -33.9]] as [number, number][]) {
      const [x, y] = lonLatToMercator(point);
      const [px, py] = toMercator(point);
      expect(x).toBeCloseTo(px, 4);
      expect(y).toBeCloseTo(py, 4);
      const [lon, lat] = mercatorToLonLat([x, y]);
      expect(lon).toBeCloseTo(point[0], 10);
      expect(lat).toBeCloseTo(point[1], 10);
    }
  });

  it('finds the tile of a point, and the point lies inside that tile', () => {
    // Hangzhou at zoom 18, by the OpenStreetMap wiki formula (x = ⌊(lon + 180) / 360 · 2^z⌋, y from asinh(tan lat))
    const tile = lonLatToTile(120.1551, 30.2741, 18);
    expect(tile).toEqual({ z: 18, x: 218566, y: 107923 });
    const [west, north] = tileToLonLat(tile);
    const [east, south] = tileToLonLat({ z: 18, x: tile.x + 1, y: tile.y + 1 });
    expect(120.1551).toBeGreaterThanOrEqual(west);
    expect(120.1551).toBeLessThan(east);
    expect(30.2741).toBeLessThanOrEqual(north);
    expect(30.2741).toBeGreaterThan(south);
  });

  it('clamps points beyond the world to its edge tiles', () => {
    expect(lonLatToTile(180, -89, 3)).toEqual({ z: 3, x: 7, y: 7 });
    expect(lonLatToTile(-180, 89, 3)).toEqual({ z: 3, x: 0, y: 0 });
  });

  it('says which tiles exist at a zoom', () => {
    expect(isTileInRange({ z: 2, x: 3, y: 3 })).toBe(true);
    expect(isTileInRange({ z: 2, x: 4, y: 0 })).toBe(false);
    expect(isTileInRange({ z: 2, x: -1, y: 0 })).toBe(false);
    expect(isTileInRange({ z: 2.5, x: 0, y: 0 })).toBe(false);
  });

  it('picks the zoom whose ground pixels match a resolution, finer towards the poles', () => {
    // 156543 m per pixel at the equator on zoom 0, halved on each zoom
    expect(zoomForResolution(156543.034, 0)).toBeCloseTo(0, 5);
    expect(zoomForResolution(0.5971642835, 0)).toBeCloseTo(18, 5);
    // at 60° a Mercator pixel covers half the ground it covers at the equator
    expect(zoomForResolution(0.5971642835, 60)).toBeCloseTo(17, 5);
    expect(() => zoomForResolution(0, 30)).toThrow(/positive/);
  });
});
