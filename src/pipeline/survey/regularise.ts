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
/** Tolerance (px) past the staircase of any edge, for a first estimate of the orientation. */
const coarseTolerancePx = 2;
/** Edges this close (degrees) to the dominant orientation or its perpendicular are snapped to it. */
const snapDeg = 15;
/** Parallel snapped edges in a row closer than this (px) are one edge; further apart, a jog joins them. */
const jogPx = 2;
/** Free edges shorter than this (px, a metre at 0.2 m) are the staircase cutting a corner, dropped. */
const shortEdgePx = 5;
/** Free edges shorter than this (px, 2 m at 0.2 m) between two square edges cut a right angle. */
const cornerCutPx = 10;
/** A corner with a free edge moved further than this (px) from the outline by intersecting its edges is cut instead. */
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
  const first = dominantOrientation(polygons);
  if (first === null) return fallback();
  // the sides found along the first estimate, fitted whole, give it more exactly
  const sides = polygons.flat().flatMap((ring) => edgeLines(ring, first)).filter((line) => line.axis !== null);
  const angle = meanOrientation(sides.map((line) => fittedDirection([...line.segments.map(([p]) => p), line.end]))) ?? first;
  const regular: PolygonRings[] = [];
  for (const rings of polygons) {
    const out = rings.map((ring) => regulariseRing(ring, angle));
    if (out.some((ring) => ring === null)) return fallback();
    regular.push(out as Point[][]);
  }
  return Math.abs(polygonsArea(regular) - pixels) <= areaTolerance * pixels ? regular : fallback();
}

/**
 * The dominant edge orientation (radians, −45° to 45°) of the rings; null without edges. A first
 * estimate from the edges of the outline simplified past its staircase, then the directions
 * fitted to the traced vertices of the edges near it, which the staircase does not bias.
 */
export function dominantOrientation(polygons: PolygonRings[]): number | null {
  const rings = polygons.flat();
  const coarse = meanOrientation(rings.flatMap((ring) => ringEdges(ring, coarseTolerancePx)).map(({ points }) => chordOf(points)));
  if (coarse === null) return null;
  const fitted = rings
    .flatMap((ring) => ringEdges(ring, edgeTolerancePx))
    .filter(({ points }) => snappedAxis(...chordVector(points), coarse) !== null)
    .map(({ points }) => fittedDirection(points));
  return meanOrientation(fitted) ?? coarse;
}

/** A direction (radians) with its weight. */
type Direction = { angle: number; weight: number };

/** The mean of directions modulo 90° (the mean of 4 × angle as unit vectors, weighted); null without weight. */
function meanOrientation(directions: Direction[]): number | null {
  let sx = 0;
  let sy = 0;
  for (const { angle, weight } of directions) {
    sx += weight * Math.cos(4 * angle);
    sy += weight * Math.sin(4 * angle);
  }
  return sx === 0 && sy === 0 ? null : Math.atan2(sy, sx) / 4;
}

/** The traced vertices of each edge of the ring simplified at `tolerance`, ends included. */
function ringEdges(ring: Point[], tolerance: number): { points: Point[] }[] {
  const kept = simplifiedIndices(ring, tolerance);
  return kept.slice(1).map((end, k) => ({ points: ring.slice(kept[k], end + 1) }));
}

function chordVector(points: Point[]): [number, number] {
  const [a, b] = [points[0], points[points.length - 1]];
  return [b[0] - a[0], b[1] - a[1]];
}

function chordOf(points: Point[]): Direction {
  const [dx, dy] = chordVector(points);
  return { angle: Math.atan2(dy, dx), weight: Math.hypot(dx, dy) };
}

/** The principal direction of the points (their total least squares line), weighted by the chord's length. */
function fittedDirection(points: Point[]): Direction {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p[0], 0) / n;
  const my = points.reduce((sum, p) => sum + p[1], 0) / n;
  let xx = 0, yy = 0, xy = 0;
  for (const [x, y] of points) {
    xx += (x - mx) ** 2;
    yy += (y - my) ** 2;
    xy += (x - mx) * (y - my);
  }
  const chord = chordOf(points);
  return n < 3 ? chord : { angle: 0.5 * Math.atan2(2 * xy, xx - yy), weight: chord.weight ** 2 };
}

/** One closed ring regularised to `angle`, or null when it comes out invalid. */
function regulariseRing(ring: Point[], angle: number): Point[] | null {
  const lines = edgeLines(ring, angle);
  if (lines.length < 3) return null;
  const out: Point[] = [];
  for (let k = 0; k < lines.length; k++) {
    const a = lines[k];
    const b = lines[(k + 1) % lines.length];
    const corner = a.axis !== null && a.axis === b.axis ? null : intersection(a, b);
    const square = a.axis !== null && b.axis !== null;
    if (corner && (square || Math.hypot(corner[0] - a.end[0], corner[1] - a.end[1]) <= cornerShiftPx)) out.push(corner);
    else out.push(project(a.end, a), project(a.end, b));
  }
  out.push(out[0]);
  return isSimple(out) ? out : null;
}

/** The ring's lines: its edges snapped to `angle`, corner cuts dropped, parallel pieces merged. */
function edgeLines(ring: Point[], angle: number): Line[] {
  return mergeParallel(dropCornerCuts(ringLines(ring, angle)));
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

/**
 * Without the short free edges between two square edges (the staircase cutting a right-angled
 * corner, where the simplified outline spans both sides).
 */
function dropCornerCuts(lines: Line[]): Line[] {
  return lines.filter((line, k) => {
    const before = lines[(k + lines.length - 1) % lines.length];
    const after = lines[(k + 1) % lines.length];
    const length = Math.hypot(...chordVector(line.segments.flat()));
    return !(line.axis === null && length < cornerCutPx && before.axis !== null && after.axis !== null && before.axis !== after.axis);
  });
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
