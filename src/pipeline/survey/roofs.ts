/**
 * One connected patch of building pixels split into buildings and the structures on their roofs.
 * Roofs are cut where the DSM steps: a pixel whose neighbourhood (about a metre across) spans
 * more than the step height lies on a wall between two roof levels; the pixels between the walls
 * are the cores of roof parts, and the wall pixels join the part beside them nearest in height. A
 * pitched roof changes height smoothly and stays whole. A part within a larger part's outline
 * stands on its roof when well above it (a rooftop structure) and is a piece of that roof
 * otherwise; a part mostly enclosed by another is a piece of it; any other part is a building.
 */
import { labelComponents } from '../../geo/polygonize.js';
import { neighbourhoodMax } from '../height-change.js';

/** What splits a patch, in metres and pixels. */
export interface RoofRule {
  /** Height range (m) within `stepRadiusPx` from which a pixel lies on a wall between roof levels. */
  stepM: number;
  stepRadiusPx: number;
  /** Least pixels of a building and of a rooftop structure, and its least height above the roof (m). */
  minBuildingPx: number;
  minStructurePx: number;
  minStructureHeightM: number;
}

/** The parts of a patch: each pixel's part (0 outside, else 1…), and what each part stands on. */
export interface RoofParts {
  labels: Int32Array;
  /** For part k (index k − 1): 0 for a building, else the building part it stands on. Empty parts are null. */
  standsOn: (number | null)[];
}

/**
 * A DSM blurs a wall symmetrically about it: the wall stands where the surface has fallen half
 * way from the roof to the ground.
 */
const wallShare = 0.5;

/** A roof part while the split is decided: its pixels and its edges to other parts and to open ground. */
interface Part {
  pixels: number[];
  /** Median height above ground (m) of its core pixels; null until asked for after a merge. */
  height: number | null;
  /** Edges shared with each other part, by part number. */
  borders: Map<number, number>;
  /** Edges towards pixels outside the patch that have heights (open ground, lower roofs). */
  open: number;
  mergedInto: number;
  standsOn: number;
  /** Convex hull of its pixels; null until asked for after a merge. */
  hull: Hull | null;
}

/** A convex hull (counterclockwise in pixel coordinates, y down) and its bounds [x0, y0, x1, y1]. */
interface Hull {
  points: [number, number][];
  bounds: [number, number, number, number];
}

/** Splits the patch `mask` (1 inside) of a window of `heights` into buildings and rooftop structures. */
export function splitRoofs(heights: Float32Array, mask: Uint8Array, width: number, height: number, rule: RoofRule): RoofParts {
  const labels = roofCores(heights, mask, width, height, rule);
  // a part's height is its core's: the walls' soft edges would pull a stair room's down
  const core = Uint8Array.from(labels, (l) => (l ? 1 : 0));
  growIntoWalls(labels, heights, mask, width, height);
  const parts = describeParts(labels, heights, width, height);
  const heightOf = (n: number) => (parts[n - 1].height ??= partHeight(parts[n - 1].pixels, heights, core));
  const hullOf = (n: number) => (parts[n - 1].hull ??= convexHull(parts[n - 1].pixels, width));
  const merge = (from: number, into: number) => {
    for (const p of parts[from - 1].pixels) labels[p] = into;
    mergeParts(parts, from, into);
  };
  const live = () => parts.map((part, n) => ({ part, n: n + 1 })).filter(({ part }) => part.mergedInto === 0).sort((a, b) => a.part.pixels.length - b.part.pixels.length);
  // scraps first: pieces too small to be anything join the part they border most
  for (;;) {
    const small = live().find(({ part }) => part.pixels.length < rule.minStructurePx && part.borders.size > 0);
    if (!small) break;
    merge(small.n, mainNeighbour(small.part));
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const { part, n } of live()) {
      part.standsOn = 0;
      // within another part's outline: a structure on its roof when high and large enough, else a piece of its roof
      const host = hostOf(n, parts, width, hullOf);
      const below = host || lowerNeighbour(part, parts, heightOf(n) - rule.minStructureHeightM, heightOf);
      if (below && heightOf(n) >= heightOf(below) + rule.minStructureHeightM && part.pixels.length >= rule.minStructurePx) {
        part.standsOn = below;
        continue;
      }
      // else enclosed by a part (a piece of it) or too small for a building beside one (an annex of it)
      const neighbour = host || mainNeighbour(part);
      if (neighbour && (host || (part.borders.get(neighbour) ?? 0) >= part.open || part.pixels.length < rule.minBuildingPx)) {
        merge(n, neighbour);
        changed = true;
        break;
      }
    }
  }
  // a structure on a structure is part of it
  for (const { part, n } of live()) {
    if (part.standsOn && parts[part.standsOn - 1].standsOn) merge(n, part.standsOn);
  }
  return { labels, standsOn: parts.map((part) => (part.mergedInto ? null : part.standsOn)) };
}

/**
 * The neighbour a part may stand on though it reaches beyond the neighbour's outline: one no
 * higher than `top` and larger than the part that borders it along at least `wrapBorderShare` of
 * its outline (a stair room in a corner of its roof, flush with two walls, borders it along 0.3-0.5
 * as the DSM draws them; a house beside another shares one wall, under a fifth), or one at least
 * four times its size along at least `structureBorderShare` of it (a stair room flush with one
 * wall, whose roof the DSM's holes cut short).
 */
function lowerNeighbour(part: Part, parts: Part[], top: number, heightOf: (n: number) => number): number {
  let edges = part.open;
  for (const shared of part.borders.values()) edges += shared;
  const size = part.pixels.length;
  for (const [m, shared] of part.borders) {
    if (heightOf(m) > top) continue;
    const its = parts[m - 1].pixels.length;
    if ((shared >= wrapBorderShare * edges && size < its) || (shared >= structureBorderShare * edges && size <= structureAreaShare * its)) return m;
  }
  return 0;
}

const wrapBorderShare = 0.3;
const structureAreaShare = 0.25;
const structureBorderShare = 0.2;

/**
 * The larger part whose convex hull holds most of part `n`'s pixels, at least half of them; 0 when
 * none does. A stair room flush with a wall still lies within its house's hull; a house beside a
 * lower one does not.
 */
function hostOf(n: number, parts: Part[], width: number, hullOf: (n: number) => Hull): number {
  const part = parts[n - 1];
  const [x0, y0, x1, y1] = pixelBounds(part.pixels, width);
  let best = 0;
  let most = part.pixels.length / 2;
  parts.forEach((other, k) => {
    if (k === n - 1 || other.mergedInto || other.pixels.length <= part.pixels.length) return;
    const hull = hullOf(k + 1);
    if (hull.bounds[0] > x1 || hull.bounds[2] < x0 || hull.bounds[1] > y1 || hull.bounds[3] < y0) return;
    let inside = 0;
    for (const i of part.pixels) if (insideHull(hull.points, (i % width) + 0.5, Math.floor(i / width) + 0.5)) inside++;
    if (inside > most) {
      most = inside;
      best = k + 1;
    }
  });
  return best;
}

/** Labels 1… of the roof cores: patch pixels whose neighbourhood spans less than the step. */
function roofCores(heights: Float32Array, mask: Uint8Array, width: number, height: number, rule: RoofRule): Int32Array {
  const inside = Float32Array.from(heights, (h, i) => (mask[i] ? h : Number.NaN));
  const highest = neighbourhoodMax(inside, width, height, rule.stepRadiusPx);
  const lowest = neighbourhoodMax(inside.map((h) => -h), width, height, rule.stepRadiusPx);
  const core = Uint8Array.from(mask, (m, i) => (m && heights[i] === heights[i] && highest[i] + lowest[i] <= rule.stepM ? 1 : 0));
  const { labels, count } = labelComponents(core, width, height);
  // a patch that is all wall (a small one on a steep surface) is one part
  if (count === 0) for (let i = 0; i < labels.length; i++) if (mask[i]) labels[i] = 1;
  return labels;
}

/**
 * Gives each unlabelled patch pixel the label of the labelled 4-neighbour whose core height is
 * nearest its own, ring by ring outwards from the cores; a pixel lower than half every such core's
 * height stays out (the DSM's soft edges, narrow lanes between roofs).
 */
function growIntoWalls(labels: Int32Array, heights: Float32Array, mask: Uint8Array, width: number, height: number): void {
  const coreHeights = partMedians(labels, heights);
  for (let grown = true; grown; ) {
    grown = false;
    const before = labels.slice();
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        if (!mask[i] || before[i]) continue;
        let best = 0;
        let bestGap = Infinity;
        const consider = (j: number) => {
          const label = before[j];
          // below half its roof's height a pixel lies on the soft edge of the DSM, outside the walls
          if (!label || heights[i] < wallShare * coreHeights[label - 1]) return;
          const gap = heights[i] === heights[i] ? Math.abs(coreHeights[label - 1] - heights[i]) : 0;
          if (gap < bestGap) {
            bestGap = gap;
            best = label;
          }
        };
        if (x > 0) consider(i - 1);
        if (x < width - 1) consider(i + 1);
        if (y > 0) consider(i - width);
        if (y < height - 1) consider(i + width);
        if (best) {
          labels[i] = best;
          grown = true;
        }
      }
    }
  }
}

/** Median height above ground of each label's pixels with heights (NaN where none). */
function partMedians(labels: Int32Array, heights: Float32Array): number[] {
  const byLabel: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!label) continue;
    while (byLabel.length < label) byLabel.push([]);
    if (heights[i] === heights[i]) byLabel[label - 1].push(heights[i]);
  }
  return byLabel.map(median);
}

/** The parts with their pixels and borders. */
function describeParts(labels: Int32Array, heights: Float32Array, width: number, height: number): Part[] {
  const parts: Part[] = [];
  const part = (label: number) => {
    while (parts.length < label) parts.push({ pixels: [], height: null, borders: new Map(), open: 0, mergedInto: 0, standsOn: 0, hull: null });
    return parts[label - 1];
  };
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const label = labels[i];
      if (!label) continue;
      const p = part(label);
      p.pixels.push(i);
      const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1];
      for (const j of neighbours) {
        const other = j < 0 ? 0 : labels[j];
        if (other === label) continue;
        if (other) p.borders.set(other, (p.borders.get(other) ?? 0) + 1);
        // a pixel without height beside a part (DSMs have holes at steep walls) says nothing of what is there
        else if (j < 0 || heights[j] === heights[j]) p.open++;
      }
    }
  }
  return parts;
}

/** The part `part` shares the longest border with. */
function mainNeighbour(part: Part): number {
  let best = 0;
  let longest = -1;
  for (const [n, edges] of part.borders) {
    if (edges > longest) {
      longest = edges;
      best = n;
    }
  }
  return best;
}

/** Moves part `from`'s pixels and borders into part `into`. */
function mergeParts(parts: Part[], from: number, into: number): void {
  const a = parts[into - 1];
  const b = parts[from - 1];
  for (const p of b.pixels) a.pixels.push(p);
  a.open += b.open;
  for (const [n, edges] of b.borders) {
    if (n === into) continue;
    a.borders.set(n, (a.borders.get(n) ?? 0) + edges);
    const other = parts[n - 1].borders;
    other.set(into, (other.get(into) ?? 0) + edges);
    other.delete(from);
  }
  a.borders.delete(from);
  a.height = null;
  a.hull = null;
  b.mergedInto = into;
  b.pixels = [];
  b.borders = new Map();
  for (const p of parts) if (p.standsOn === from) p.standsOn = into;
}

/** Pixel bounds [x0, y0, x1, y1] (pixel corners) of pixel indices. */
function pixelBounds(pixels: number[], width: number): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const i of pixels) {
    const x = i % width;
    const y = Math.floor(i / width);
    if (x < x0) x0 = x;
    if (x + 1 > x1) x1 = x + 1;
    if (y < y0) y0 = y;
    if (y + 1 > y1) y1 = y + 1;
  }
  return [x0, y0, x1, y1];
}

/** The convex hull of the pixels' squares (monotone chain over the corners of each row's ends). */
function convexHull(pixels: number[], width: number): Hull {
  // each row's leftmost and rightmost pixel carry the hull's corners
  const rows = new Map<number, [number, number]>();
  for (const i of pixels) {
    const x = i % width;
    const y = Math.floor(i / width);
    const row = rows.get(y);
    if (!row) rows.set(y, [x, x]);
    else if (x < row[0]) row[0] = x;
    else if (x > row[1]) row[1] = x;
  }
  const points: [number, number][] = [];
  for (const [y, [a, b]] of rows) points.push([a, y], [a, y + 1], [b + 1, y], [b + 1, y + 1]);
  points.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (const p of points.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  return { points: hull, bounds: pixelBounds(pixels, width) };
}

/** True when the point lies inside the convex polygon (counterclockwise in a y-down frame as built above), edges included. */
function insideHull(hull: [number, number][], x: number, y: number): boolean {
  for (let k = 0; k < hull.length; k++) {
    const [ax, ay] = hull[k];
    const [bx, by] = hull[(k + 1) % hull.length];
    if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) < 0) return false;
  }
  return hull.length >= 3;
}

/** Median height of the pixels' core pixels, or of all of them when none is core. */
function partHeight(pixels: number[], heights: Float32Array, core: Uint8Array): number {
  const inCore = pixels.filter((i) => core[i] && heights[i] === heights[i]);
  return median((inCore.length > 0 ? inCore : pixels.filter((i) => heights[i] === heights[i])).map((i) => heights[i]));
}

/** Median of the values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
