/**
 * Douglas-Peucker simplification of polygon rings: removes the pixel staircase of traced
 * outlines while keeping corners. Rings that would collapse are kept as they are.
 */
import type { PolygonRings } from './geojson.js';

/** Simplifies every ring of the polygons, keeping vertices farther than `tolerance` from the line. */
export function simplifyPolygons(polygons: PolygonRings[], tolerance: number): PolygonRings[] {
  return polygons.map((rings) => rings.map((ring) => simplifyRing(ring, tolerance)));
}

/** Simplifies a closed ring (first vertex repeated last); returns it unchanged if fewer than 3 corners survive. */
export function simplifyRing(ring: [number, number][], tolerance: number): [number, number][] {
  return simplifiedIndices(ring, tolerance).map((i) => ring[i]);
}

/** Indices of the vertices of a closed ring that `simplifyRing` keeps (first and last included). */
export function simplifiedIndices(ring: [number, number][], tolerance: number): number[] {
  const n = ring.length - 1;
  const all = ring.map((_, i) => i);
  if (n < 4) return all;
  // split the ring at vertex 0 and the vertex farthest from it, then simplify both halves
  let far = 1;
  let farDistance = -1;
  for (let i = 1; i < n; i++) {
    const d = (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2;
    if (d > farDistance) {
      farDistance = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  markVertices(ring, 0, far, tolerance * tolerance, keep);
  markVertices(ring, far, n, tolerance * tolerance, keep);
  const kept = all.filter((i) => keep[i]);
  return kept.length >= 4 ? kept : all;
}

function markVertices(points: [number, number][], first: number, last: number, squaredTolerance: number, keep: Uint8Array): void {
  const stack = [first, last];
  while (stack.length > 0) {
    const end = stack.pop()!;
    const start = stack.pop()!;
    let index = -1;
    let maxDistance = squaredTolerance;
    for (let i = start + 1; i < end; i++) {
      const d = squaredSegmentDistance(points[i], points[start], points[end]);
      if (d > maxDistance) {
        maxDistance = d;
        index = i;
      }
    }
    if (index >= 0) {
      keep[index] = 1;
      stack.push(start, index, index, end);
    }
  }
}

function squaredSegmentDistance([px, py]: [number, number], [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  let dx = bx - ax;
  let dy = by - ay;
  let x = ax;
  let y = ay;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = bx;
      y = by;
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = px - x;
  dy = py - y;
  return dx * dx + dy * dy;
}
