/**
 * Footprints regularised the way GIS users expect of buildings: the outline's dominant
 * orientation (its edge directions modulo 90°, weighted by length), every edge within 15° of it
 * or of its perpendicular snapped to it and fitted to the traced pixel edges it replaces, corners
 * where snapped edges meet at right angles, other edges kept as they run. Works in grid pixel
 * coordinates; where the result would be invalid or change the area by more than a few per cent,
 * the plainly simplified outline stays.
 */
import type { PolygonRings } from '../../geo/geojson.js';
import { polygonsArea } from '../../geo/measure.js';
import { simplifiedIndices, simplifyPolygons } from '../../geo/simplify.js';

type Point = [number, number];

/** Douglas-Peucker tolerance (px) that turns the traced staircase into edges. */
const edgeTolerancePx = 1;
/** Edges this close (degrees) to the dominant orientation or its perpendicular are snapped to it. */
const snapDeg = 15;
/** Parallel snapped edges in a row closer than this (px) are one edge; further apart, a jog joins them. */
const jogPx = 1;
/** Free edges shorter than this (px) are corner cuts of the staircase, dropped. */
const shortEdgePx = 2.5;
/** A corner moved further than this (px) from the outline by intersecting its edges is cut instead. */
const cornerShiftPx = 3;
/** Largest change of area (share of the pixel area) a regularised footprint may make. */
export const areaTolerance = 0.05;
/** Tolerance (px) of the plainly simplified outline kept where regularising fails. */
const fallbackTolerancePx = 0.75;

/** A line through `at` (any point on it) with unit direction `d`; `axis` 0 or 1 when snapped, else null. */
interface Line {
  d: Point;
  at: Point;
  axis: 0 | 1 | null;
  /** Traced pixel-edge segments it replaces, for fitting and merging. */
  segments: [Point, Point][];
  /** The traced vertex where the next line takes over. */
  end: Point;
}

/**
 * The regularised footprint of traced pixel polygons (outer ring first) covering `pixels` pixels,
 * in pixel coordinates; the simplified outline where regularising fails.
 */
export function regularisePolygons(polygons: PolygonRings[], pixels: number): PolygonRings[] {
  const fallback = () => simplifyPolygons(polygons, fallbackTolerancePx);
  const angle = dominantOrientation(polygons);
  if (angle === null) return fallback();
  const regular: PolygonRings[] = [];
  for (const rings of polygons) {
    const out = rings.map((ring) => regulariseRing(ring, angle));
    if (out.some((ring) => ring === null)) return fallback();
    regular.push(out as Point[][]);
  }
  return Math.abs(polygonsArea(regular) - pixels) <= areaTolerance * pixels ? regular : fallback();
}

/** The dominant edge orientation (radians, −45° to 45°) of the simplified rings; null without edges. */
export function dominantOrientation(polygons: PolygonRings[]): number | null {
  // directions modulo 90°: the mean of 4 × angle as a unit vector, weighted by length
  let sx = 0;
  let sy = 0;
  for (const rings of polygons) {
    for (const ring of rings) {
      const kept = simplifiedIndices(ring, edgeTolerancePx).map((i) => ring[i]);
      for (let k = 0; k + 1 < kept.length; k++) {
        const dx = kept[k + 1][0] - kept[k][0];
        const dy = kept[k + 1][1] - kept[k][1];
        const length = Math.hypot(dx, dy);
        const a = 4 * Math.atan2(dy, dx);
        sx += length * Math.cos(a);
        sy += length * Math.sin(a);
      }
    }
  }
  return sx === 0 && sy === 0 ? null : Math.atan2(sy, sx) / 4;
}

/** One closed ring regularised to `angle`, or null when it comes out invalid. */
function regulariseRing(ring: Point[], angle: number): Point[] | null {
  let lines = ringLines(ring, angle);
  lines = mergeParallel(lines);
  if (lines.length < 3) return null;
  const out: Point[] = [];
  for (let k = 0; k < lines.length; k++) {
    const a = lines[k];
    const b = lines[(k + 1) % lines.length];
    const corner = a.axis !== null && a.axis === b.axis ? null : intersection(a, b);
    if (corner && Math.hypot(corner[0] - a.end[0], corner[1] - a.end[1]) <= cornerShiftPx) out.push(corner);
    else out.push(project(a.end, a), project(a.end, b));
  }
  out.push(out[0]);
  return isSimple(out) ? out : null;
}

/** The edges of the simplified ring as lines, snapped where near the orientation, short free edges dropped. */
function ringLines(ring: Point[], angle: number): Line[] {
  const kept = simplifiedIndices(ring, edgeTolerancePx);
  const axes: [Point, Point] = [
    [Math.cos(angle), Math.sin(angle)],
    [-Math.sin(angle), Math.cos(angle)],
  ];
  const lines: Line[] = [];
  for (let k = 0; k + 1 < kept.length; k++) {
    const from = ring[kept[k]];
    const to = ring[kept[k + 1]];
    const segments: [Point, Point][] = [];
    for (let i = kept[k]; i < kept[k + 1]; i++) segments.push([ring[i], ring[i + 1]]);
    const length = Math.hypot(to[0] - from[0], to[1] - from[1]);
    const axis = snappedAxis(to[0] - from[0], to[1] - from[1], angle);
    if (axis === null && length < shortEdgePx) continue;
    const d: Point = axis === null ? [(to[0] - from[0]) / length, (to[1] - from[1]) / length] : axes[axis];
    lines.push({ d, at: axis === null ? from : fittedPoint(segments), axis, segments, end: to });
  }
  return lines;
}

/** 0 or 1 when the direction (dx, dy) lies within `snapDeg` of the orientation or its perpendicular. */
function snappedAxis(dx: number, dy: number, angle: number): 0 | 1 | null {
  const deg = ((((Math.atan2(dy, dx) - angle) * 180) / Math.PI) % 180 + 180) % 180; // 0-180
  if (deg <= snapDeg || deg >= 180 - snapDeg) return 0;
  if (Math.abs(deg - 90) <= snapDeg) return 1;
  return null;
}

/** The length-weighted mean of the segments' midpoints: a snapped line through it fits them best. */
function fittedPoint(segments: [Point, Point][]): Point {
  let x = 0;
  let y = 0;
  let total = 0;
  for (const [a, b] of segments) {
    const w = Math.hypot(b[0] - a[0], b[1] - a[1]);
    x += w * (a[0] + b[0]) / 2;
    y += w * (a[1] + b[1]) / 2;
    total += w;
  }
  return [x / total, y / total];
}

/** Consecutive snapped lines of one axis less than `jogPx` apart become one line, refitted. */
function mergeParallel(lines: Line[]): Line[] {
  let merged = true;
  while (merged && lines.length > 1) {
    merged = false;
    for (let k = 0; k < lines.length; k++) {
      const a = lines[k];
      const next = (k + 1) % lines.length;
      const b = lines[next];
      if (a === b || a.axis === null || a.axis !== b.axis || Math.abs(offsetBetween(a, b)) >= jogPx) continue;
      const segments = [...a.segments, ...b.segments];
      const line: Line = { ...a, at: fittedPoint(segments), segments, end: b.end };
      if (next === 0) lines = [...lines.slice(1, k), line];
      else lines = [...lines.slice(0, k), line, ...lines.slice(k + 2)];
      merged = true;
      break;
    }
  }
  return lines;
}

/** Distance between two parallel lines along the normal of the first. */
function offsetBetween(a: Line, b: Line): number {
  return -a.d[1] * (b.at[0] - a.at[0]) + a.d[0] * (b.at[1] - a.at[1]);
}

/** Where two lines cross; null when they are nearly parallel. */
function intersection(a: Line, b: Line): Point | null {
  const cross = a.d[0] * b.d[1] - a.d[1] * b.d[0];
  if (Math.abs(cross) < 0.1) return null;
  const t = ((b.at[0] - a.at[0]) * b.d[1] - (b.at[1] - a.at[1]) * b.d[0]) / cross;
  return [a.at[0] + t * a.d[0], a.at[1] + t * a.d[1]];
}

/** The foot of `p` on the line. */
function project(p: Point, line: Line): Point {
  const t = (p[0] - line.at[0]) * line.d[0] + (p[1] - line.at[1]) * line.d[1];
  return [line.at[0] + t * line.d[0], line.at[1] + t * line.d[1]];
}

/** True when no two edges of the closed ring cross or touch but at their shared corners. */
function isSimple(ring: Point[]): boolean {
  const n = ring.length - 1;
  if (n < 3) return false;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsTouch(ring[i], ring[i + 1], ring[j], ring[j + 1])) return false;
    }
  }
  return true;
}

function segmentsTouch(p: Point, q: Point, r: Point, s: Point): boolean {
  const side = (a: Point, b: Point, c: Point) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const d1 = side(r, s, p);
  const d2 = side(r, s, q);
  const d3 = side(p, q, r);
  const d4 = side(p, q, s);
  return d1 !== d2 && d3 !== d4 && !(d1 === 0 && d2 === 0);
}
