/**
 * Plane geometry of the scene model: oriented frames (a centre and a rotation), footprints made of
 * boxes in a frame's local coordinates, and rings in scene metres (x east, y north).
 */

/** A local coordinate frame: local (u, v) maps to scene x = cx + u cos - v sin, y = cy + u sin + v cos. */
export interface Frame {
  readonly cx: number;
  readonly cy: number;
  readonly angle: number;
  readonly cos: number;
  readonly sin: number;
}

/** An axis-aligned box [u0, v0, u1, v1] in a frame's local coordinates. */
export type Box = readonly [number, number, number, number];

/** A closed ring of [x, y] points (first point not repeated). */
export type Ring = [number, number][];

/** Scene-metre bounds [minX, minY, maxX, maxY]. */
export type Bounds = [number, number, number, number];

/** A footprint: the boxes that make it up (for point tests) and its outline rings (outer, then holes). */
export interface Footprint {
  readonly boxes: readonly Box[];
  readonly rings: readonly Ring[];
}

/** A frame centred at (cx, cy), rotated by `angle` radians counter-clockwise. */
export function makeFrame(cx: number, cy: number, angle: number): Frame {
  return { cx, cy, angle, cos: Math.cos(angle), sin: Math.sin(angle) };
}

/** Scene coordinates of a local point. */
export function toScene(frame: Frame, u: number, v: number): [number, number] {
  return [frame.cx + u * frame.cos - v * frame.sin, frame.cy + u * frame.sin + v * frame.cos];
}

/** Local coordinates of a scene point. */
export function toLocal(frame: Frame, x: number, y: number): [number, number] {
  const dx = x - frame.cx;
  const dy = y - frame.cy;
  return [dx * frame.cos + dy * frame.sin, -dx * frame.sin + dy * frame.cos];
}

/** A frame placed at local (u, v) of a parent frame, rotated by `angle` relative to it. */
export function childFrame(parent: Frame, u: number, v: number, angle = 0): Frame {
  const [x, y] = toScene(parent, u, v);
  return makeFrame(x, y, parent.angle + angle);
}

/** A rectangle footprint of width (along u) by depth (along v), centred on the frame. */
export function rectangle(width: number, depth: number): Footprint {
  return boxFootprint([-width / 2, -depth / 2, width / 2, depth / 2]);
}

/** The footprint of a single box. */
export function boxFootprint(box: Box): Footprint {
  const [u0, v0, u1, v1] = box;
  return { boxes: [box], rings: [[[u0, v0], [u1, v0], [u1, v1], [u0, v1]]] };
}

/** An L-shaped footprint: a width x depth rectangle with a notch cut out of its (+u, +v) corner. */
export function lShape(width: number, depth: number, notchWidth: number, notchDepth: number): Footprint {
  const u0 = -width / 2;
  const v0 = -depth / 2;
  const u1 = width / 2;
  const v1 = depth / 2;
  const un = u1 - notchWidth;
  const vn = v1 - notchDepth;
  return {
    boxes: [
      [u0, v0, u1, vn],
      [u0, vn, un, v1],
    ],
    rings: [[[u0, v0], [u1, v0], [u1, vn], [un, vn], [un, v1], [u0, v1]]],
  };
}

/** A courtyard footprint: a rectangle with a rectangular open court of `wing` thickness around it. */
export function courtyard(width: number, depth: number, wing: number): Footprint {
  const u0 = -width / 2;
  const v0 = -depth / 2;
  const u1 = width / 2;
  const v1 = depth / 2;
  return {
    boxes: [
      [u0, v0, u1, v0 + wing],
      [u0, v1 - wing, u1, v1],
      [u0, v0 + wing, u0 + wing, v1 - wing],
      [u1 - wing, v0 + wing, u1, v1 - wing],
    ],
    rings: [
      [[u0, v0], [u1, v0], [u1, v1], [u0, v1]],
      [[u0 + wing, v0 + wing], [u0 + wing, v1 - wing], [u1 - wing, v1 - wing], [u1 - wing, v0 + wing]],
    ],
  };
}

/** Whether local (u, v) lies in any of the boxes. */
export function insideBoxes(boxes: readonly Box[], u: number, v: number): boolean {
  for (const [u0, v0, u1, v1] of boxes) if (u >= u0 && u < u1 && v >= v0 && v < v1) return true;
  return false;
}

/** The local bounds [u0, v0, u1, v1] of a set of boxes. */
export function boxesExtent(boxes: readonly Box[]): Box {
  let u0 = Infinity;
  let v0 = Infinity;
  let u1 = -Infinity;
  let v1 = -Infinity;
  for (const b of boxes) {
    u0 = Math.min(u0, b[0]);
    v0 = Math.min(v0, b[1]);
    u1 = Math.max(u1, b[2]);
    v1 = Math.max(v1, b[3]);
  }
  return [u0, v0, u1, v1];
}

/** Scene bounds of boxes placed in a frame, grown by `margin` metres. */
export function frameBounds(frame: Frame, boxes: readonly Box[], margin = 0): Bounds {
  const bounds: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [u0, v0, u1, v1] of boxes) {
    for (const [u, v] of [[u0, v0], [u1, v0], [u1, v1], [u0, v1]]) {
      const [x, y] = toScene(frame, u, v);
      bounds[0] = Math.min(bounds[0], x - margin);
      bounds[1] = Math.min(bounds[1], y - margin);
      bounds[2] = Math.max(bounds[2], x + margin);
      bounds[3] = Math.max(bounds[3], y + margin);
    }
  }
  return bounds;
}

/** Whether two bounds overlap. */
export function boundsOverlap(a: Bounds, b: Bounds): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** Signed area of a ring (positive when counter-clockwise). */
export function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return sum / 2;
}

/** Area of a polygon given as outer ring and holes. */
export function polygonArea(rings: readonly Ring[]): number {
  return rings.reduce((sum, ring, i) => sum + (i === 0 ? 1 : -1) * Math.abs(signedArea(ring)), 0);
}

/** Outline rings of a footprint in scene coordinates, outer ring counter-clockwise, holes clockwise. */
export function footprintRings(frame: Frame, footprint: Footprint, dx = 0, dy = 0): Ring[] {
  return footprint.rings.map((ring, i) => {
    const scene = ring.map(([u, v]) => {
      const [x, y] = toScene(frame, u, v);
      return [x + dx, y + dy] as [number, number];
    });
    const ccw = signedArea(scene) > 0;
    return ccw === (i === 0) ? scene : scene.reverse();
  });
}

/** Whether a scene point lies inside a polygon (outer ring and holes), by ray crossing. */
export function pointInPolygon(rings: readonly Ring[], x: number, y: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Bounds of rings. */
export function ringsBounds(rings: readonly Ring[]): Bounds {
  const bounds: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of rings[0]) {
    bounds[0] = Math.min(bounds[0], x);
    bounds[1] = Math.min(bounds[1], y);
    bounds[2] = Math.max(bounds[2], x);
    bounds[3] = Math.max(bounds[3], y);
  }
  return bounds;
}
