/**
 * Rings to polygons: grouping loose rings (Shapefile parts, CAD polylines) into outer rings with
 * their holes, and point-in-polygon tests.
 */
import Flatbush from 'flatbush';
import type { PolygonRings } from './geojson.js';
import { polygonsBounds, ringArea } from './measure.js';

/** A closed ring of [x, y] positions (first position repeated at the end). */
export type Ring = [number, number][];

type Box = [number, number, number, number];

/** Where a point lies against a ring: 1 inside, -1 outside, 0 on the boundary. */
export function pointInRing(point: [number, number], ring: Ring): 1 | 0 | -1 {
  const [x, y] = point;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    const cross = (xj - xi) * (y - yi) - (yj - yi) * (x - xi);
    const between = Math.min(xi, xj) <= x && x <= Math.max(xi, xj) && Math.min(yi, yj) <= y && y <= Math.max(yi, yj);
    if (cross === 0 && between) return 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 1 : -1;
}

/** True when the point is inside the outer ring and outside every hole (boundaries count as inside). */
export function polygonContains(polygon: PolygonRings, point: [number, number]): boolean {
  if (pointInRing(point, polygon[0]) < 0) return false;
  return polygon.slice(1).every((hole) => pointInRing(point, hole) !== 1);
}

/** True when ring `inner` lies inside ring `outer`, judged at its first vertex not on `outer`'s boundary. */
function ringInside(inner: Ring, outer: Ring): boolean {
  for (const point of inner) {
    const where = pointInRing(point, outer);
    if (where !== 0) return where > 0;
  }
  return false;
}

/**
 * Groups rings into polygons by nesting: a ring inside an even number of others is an outer ring,
 * one inside an odd number is a hole of the ring just around it. Orientation is ignored, because
 * CAD drawings have none and Shapefile writers do not all follow the clockwise-outer rule.
 */
export function groupRings(rings: Ring[]): PolygonRings[] {
  if (rings.length === 0) return [];
  const boxes = rings.map((ring) => polygonsBounds([[ring]]));
  const areas = rings.map(ringArea);
  // Largest first, so every ring's possible parents are placed before it.
  const order = rings.map((_, i) => i).sort((a, b) => areas[b] - areas[a]);
  const rank = new Array<number>(rings.length);
  order.forEach((ringIndex, position) => (rank[ringIndex] = position));
  const index = new Flatbush(rings.length);
  for (const box of boxes) index.add(box[0], box[1], box[2], box[3]);
  index.finish();

  const depth = new Array<number>(rings.length);
  const polygonOf = new Array<number>(rings.length);
  const polygons: PolygonRings[] = [];
  for (const ringIndex of order) {
    const [minX, minY, maxX, maxY] = boxes[ringIndex];
    const parents = index
      .search(minX, minY, maxX, maxY)
      .filter((candidate) => rank[candidate] < rank[ringIndex] && contains(boxes[candidate], boxes[ringIndex]))
      .filter((candidate) => ringInside(rings[ringIndex], rings[candidate]));
    // The smallest enclosing ring is the one just around it.
    const parent = parents.length === 0 ? undefined : parents.reduce((a, b) => (rank[a] > rank[b] ? a : b));
    depth[ringIndex] = parent === undefined ? 0 : depth[parent] + 1;
    if (depth[ringIndex] % 2 === 0) {
      polygonOf[ringIndex] = polygons.length;
      polygons.push([rings[ringIndex]]);
    } else {
      polygonOf[ringIndex] = polygonOf[parent as number];
      polygons[polygonOf[ringIndex]].push(rings[ringIndex]);
    }
  }
  return polygons;
}

function contains(outer: Box, inner: Box): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}
