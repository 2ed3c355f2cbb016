/**
 * Raster to vector: connected components of a mask (4-connected), and their boundaries traced
 * along pixel edges into polygons with holes. Traced rings keep their component on the right
 * (outer rings clockwise); `pixelToMap` reverses them into GeoJSON's right-hand rule (outer rings
 * counterclockwise, holes clockwise).
 */
import type { GeoTransform } from './geotransform.js';
import type { PolygonRings } from './geojson.js';

/** Component labels: 0 outside the mask, 1..count inside. */
export interface Components {
  labels: Int32Array;
  count: number;
}

/** Labels the 4-connected components of non-zero mask pixels (two passes with union-find). */
export function labelComponents(mask: Uint8Array, width: number, height: number): Components {
  const labels = new Int32Array(width * height);
  const parent: number[] = [0];
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const left = x > 0 ? labels[i - 1] : 0;
      const up = y > 0 ? labels[i - width] : 0;
      if (!left && !up) {
        labels[i] = parent.length;
        parent.push(parent.length);
      } else if (left && up) {
        const a = find(left);
        const b = find(up);
        labels[i] = Math.min(a, b);
        parent[Math.max(a, b)] = Math.min(a, b);
      } else {
        labels[i] = left || up;
      }
    }
  }
  // second pass: roots renumbered 1..count in scan order
  const compact = new Int32Array(parent.length);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    const root = find(labels[i]);
    if (!compact[root]) compact[root] = ++count;
    labels[i] = compact[root];
  }
  return { labels, count };
}

/**
 * Boundary rings of every component in pixel coordinates (x right, y down, pixel (c, r) spans
 * [c, c+1] × [r, r+1]); element k-1 holds the polygons of component k.
 */
export function traceComponents({ labels, count }: Components, width: number, height: number): PolygonRings[][] {
  const rings = traceRings(labels, width, height);
  const byComponent: { outers: [number, number][][]; holes: [number, number][][] }[] = Array.from({ length: count }, () => ({
    outers: [],
    holes: [],
  }));
  for (const { label, ring } of rings) {
    (signedArea(ring) > 0 ? byComponent[label - 1].outers : byComponent[label - 1].holes).push(ring);
  }
  return byComponent.map(({ outers, holes }) => {
    const polygons: PolygonRings[] = outers.map((outer) => [outer]);
    for (const hole of holes) {
      // a point just inside the hole's first edge cannot lie on another ring's vertex
      const [a, b] = hole;
      const probe: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const owner = polygons.find((polygon) => polygons.length === 1 || containsPoint(polygon[0], probe));
      owner?.push(hole);
    }
    return polygons;
  });
}

/**
 * Pixel-coordinate polygons (offset by a window's origin) moved into map coordinates with a
 * north-up geotransform, rings reversed to run counterclockwise around their interior.
 */
export function pixelToMap(polygons: PolygonRings[], geoTransform: GeoTransform, offsetX = 0, offsetY = 0): PolygonRings[] {
  const [originX, pixelWidth, , originY, , pixelHeight] = geoTransform;
  const toMap = ([x, y]: [number, number]): [number, number] => [originX + (x + offsetX) * pixelWidth, originY + (y + offsetY) * pixelHeight];
  return polygons.map((rings) => rings.map((ring) => ring.map(toMap).reverse()));
}

/**
 * Directed boundary edges with the component on their right (y down), linked into closed rings.
 * Where two pixels of a component touch only at a corner, the ring turns right and stays with
 * its pixel, which keeps 4-connected components apart.
 */
function traceRings(labels: Int32Array, width: number, height: number): { label: number; ring: [number, number][] }[] {
  const stride = width + 1;
  const outgoing = new Map<number, number[]>(); // start vertex → end vertices
  const labelAt = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : labels[y * width + x]);
  const addEdge = (x0: number, y0: number, x1: number, y1: number) => {
    const key = y0 * stride + x0;
    const ends = outgoing.get(key);
    if (ends) ends.push(y1 * stride + x1);
    else outgoing.set(key, [y1 * stride + x1]);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const label = labels[y * width + x];
      if (!label) continue;
      if (labelAt(x, y - 1) !== label) addEdge(x, y, x + 1, y);
      if (labelAt(x + 1, y) !== label) addEdge(x + 1, y, x + 1, y + 1);
      if (labelAt(x, y + 1) !== label) addEdge(x + 1, y + 1, x, y + 1);
      if (labelAt(x - 1, y) !== label) addEdge(x, y + 1, x, y);
    }
  }
  const rings: { label: number; ring: [number, number][] }[] = [];
  for (const [start, ends] of outgoing) {
    while (ends.length > 0) {
      const ring: [number, number][] = [[start % stride, Math.floor(start / stride)]];
      let from = start;
      let to = ends.pop()!;
      while (to !== start) {
        ring.push([to % stride, Math.floor(to / stride)]);
        const next = outgoing.get(to)!;
        const pick = next.length === 1 ? 0 : rightTurn(from, to, next, stride);
        from = to;
        to = next.splice(pick, 1)[0];
      }
      ring.push(ring[0]);
      const [column, row] = pixelRightOf(ring[0], ring[1]);
      rings.push({ label: labelAt(column, row), ring: dropCollinear(ring) });
    }
  }
  return rings;
}

/** The pixel on the right of a boundary edge, which belongs to the ring's component. */
function pixelRightOf([x0, y0]: [number, number], [x1, y1]: [number, number]): [number, number] {
  if (x1 > x0) return [x0, y0]; // east: pixel below
  if (y1 > y0) return [x0 - 1, y0]; // south: pixel to the west
  if (x1 < x0) return [x1, y0 - 1]; // west: pixel above
  return [x0, y1]; // north: pixel to the east
}

/** Index of the end vertex that turns right from the edge from → at. */
function rightTurn(from: number, at: number, ends: number[], stride: number): number {
  const dx = (at % stride) - (from % stride);
  const dy = Math.floor(at / stride) - Math.floor(from / stride);
  // turning right in a y-down frame: (dx, dy) → (-dy, dx)
  const target = at - dy + dx * stride;
  const index = ends.indexOf(target);
  return index >= 0 ? index : 0;
}

function dropCollinear(ring: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  const n = ring.length - 1; // closed: last equals first
  for (let i = 0; i < n; i++) {
    const prev = ring[(i + n - 1) % n];
    const curr = ring[i];
    const next = ring[(i + 1) % n];
    const cross = (curr[0] - prev[0]) * (next[1] - curr[1]) - (curr[1] - prev[1]) * (next[0] - curr[0]);
    if (cross !== 0) out.push(curr);
  }
  out.push(out[0]);
  return out;
}

/** Shoelace signed area: positive for traced outer rings in pixel coordinates, and for counterclockwise map rings. */
export function signedArea(ring: [number, number][]): number {
  let twice = 0;
  for (let i = 0; i + 1 < ring.length; i++) twice += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return twice / 2;
}

function containsPoint(ring: [number, number][], [px, py]: [number, number]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
