/**
 * Planar measurements of polygons in a projected CRS (metres).
 */
import type { PolygonRings } from './geojson.js';

/**
 * Unsigned area of a ring by the shoelace formula, relative to its first vertex so that
 * projected coordinates in the millions keep centimetre-square precision.
 */
export function ringArea(ring: [number, number][]): number {
  const y0 = ring[0][1];
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += (ring[j][0] - ring[i][0]) * (ring[j][1] - y0 + ring[i][1] - y0);
  }
  return Math.abs(twice) / 2;
}

/** Area of polygons with holes: outer rings minus holes. */
export function polygonsArea(polygons: PolygonRings[]): number {
  let area = 0;
  for (const [outer, ...holes] of polygons) {
    area += ringArea(outer);
    for (const hole of holes) area -= ringArea(hole);
  }
  return area;
}

/** Bounding box [minX, minY, maxX, maxY] of polygons. */
export function polygonsBounds(polygons: PolygonRings[]): [number, number, number, number] {
  const bounds: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygons) {
    for (const [x, y] of rings[0]) {
      if (x < bounds[0]) bounds[0] = x;
      if (y < bounds[1]) bounds[1] = y;
      if (x > bounds[2]) bounds[2] = x;
      if (y > bounds[3]) bounds[3] = y;
    }
  }
  return bounds;
}
