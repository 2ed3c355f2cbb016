/**
 * One connected patch of building pixels split into buildings and the structures on their roofs.
 * Roofs are cut where the DSM steps: a pixel whose neighbourhood (about a metre across) spans
 * more than the step height lies on a wall between two roof levels; the pixels between the walls
 * are the cores of roof parts, and the wall pixels join the part beside them nearest in height. A
 * pitched roof changes height smoothly and stays whole. A part mostly enclosed by another stands
 * on it: a rooftop structure when it is high and large enough, else a piece of the same roof; a
 * part mostly bordered by open ground is a building of its own.
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

/** A roof part while the split is decided: its pixels and its edges to other parts and to open ground. */
interface Part {
  pixels: number[];
  /** Median DSM height (m) of its pixels with heights; null until asked for after a merge. */
  height: number | null;
  /** Edges shared with each other part, by part number. */
  borders: Map<number, number>;
  /** Edges towards pixels outside the patch. */
  open: number;
  mergedInto: number;
  standsOn: number;
}

/** Splits the patch `mask` (1 inside) of a window of `dsm` into buildings and rooftop structures. */
export function splitRoofs(dsm: Float32Array, mask: Uint8Array, width: number, height: number, rule: RoofRule): RoofParts {
  const labels = roofCores(dsm, mask, width, height, rule);
  growIntoWalls(labels, dsm, mask, width, height);
  const parts = describeParts(labels, width, height);
  const heightOf = (n: number) => (parts[n - 1].height ??= median(parts[n - 1].pixels.map((i) => dsm[i]).filter((h) => h === h)));
  const merge = (from: number, into: number) => {
    mergeParts(parts, from, into);
    for (const p of parts[from - 1].pixels) labels[p] = into;
  };
  const live = () => parts.map((part, k) => ({ part, n: k + 1 })).filter(({ part }) => part.mergedInto === 0);
  // scraps first: pieces too small to be anything join the part they border most
  for (let changed = true; changed; ) {
    changed = false;
    const small = live().filter(({ part }) => part.pixels.length < rule.minStructurePx && part.borders.size > 0).sort((a, b) => a.part.pixels.length - b.part.pixels.length);
    if (small.length > 0) {
      merge(small[0].n, mainNeighbour(small[0].part));
      changed = true;
    }
  }
  // then parts enclosed by another: a structure on its roof, or a piece of it; and small annexes
  for (let changed = true; changed; ) {
    changed = false;
    for (const { part, n } of live().sort((a, b) => a.part.pixels.length - b.part.pixels.length)) {
      part.standsOn = 0;
      if (part.borders.size === 0) continue;
      const neighbour = mainNeighbour(part);
      const enclosed = (part.borders.get(neighbour) ?? 0) >= part.open;
      const onTop = heightOf(n) >= heightOf(neighbour) + rule.minStructureHeightM && part.pixels.length >= rule.minStructurePx;
      if (enclosed && onTop) part.standsOn = neighbour;
      else if (enclosed || part.pixels.length < rule.minBuildingPx) {
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

/** Labels 1… of the roof cores: patch pixels whose neighbourhood spans less than the step. */
function roofCores(dsm: Float32Array, mask: Uint8Array, width: number, height: number, rule: RoofRule): Int32Array {
  const inside = Float32Array.from(dsm, (h, i) => (mask[i] ? h : Number.NaN));
  const highest = neighbourhoodMax(inside, width, height, rule.stepRadiusPx);
  const lowest = neighbourhoodMax(inside.map((h) => -h), width, height, rule.stepRadiusPx);
  const core = Uint8Array.from(mask, (m, i) => (m && dsm[i] === dsm[i] && highest[i] + lowest[i] <= rule.stepM ? 1 : 0));
  const { labels, count } = labelComponents(core, width, height);
  // a patch that is all wall (a small one on a steep surface) is one part
  if (count === 0) for (let i = 0; i < labels.length; i++) if (mask[i]) labels[i] = 1;
  return labels;
}

/**
 * Gives each unlabelled patch pixel the label of the labelled 4-neighbour whose core height is
 * nearest its own, ring by ring outwards from the cores.
 */
function growIntoWalls(labels: Int32Array, dsm: Float32Array, mask: Uint8Array, width: number, height: number): void {
  const coreHeights = partMedians(labels, dsm);
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
          if (!label) return;
          const gap = dsm[i] === dsm[i] ? Math.abs(coreHeights[label - 1] - dsm[i]) : 0;
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

/** Median DSM height of each label's pixels with heights (NaN where none). */
function partMedians(labels: Int32Array, dsm: Float32Array): number[] {
  const heights: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!label) continue;
    while (heights.length < label) heights.push([]);
    if (dsm[i] === dsm[i]) heights[label - 1].push(dsm[i]);
  }
  return heights.map(median);
}

/** The parts with their pixels and borders. */
function describeParts(labels: Int32Array, width: number, height: number): Part[] {
  const parts: Part[] = [];
  const part = (label: number) => {
    while (parts.length < label) parts.push({ pixels: [], height: null, borders: new Map(), open: 0, mergedInto: 0, standsOn: 0 });
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
        else p.open++;
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
  b.mergedInto = into;
  b.pixels = [];
  b.borders = new Map();
  for (const p of parts) if (p.standsOn === from) p.standsOn = into;
}

/** Median of the values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
