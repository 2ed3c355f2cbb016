/**
 * The buildings standing on the after flight, as a survey should find them: houses, apartment
 * blocks, workshops, warehouses and sheds standing on the ground (not walls, hoardings, poles or
 * building sites), each with its footprint, heights above ground, floors, roof form and the
 * structures on its roof. Measured on the scene model, as `truth.ts` measures the changes.
 */
import polygonClipping, { type Polygon } from 'polygon-clipping';
import { boundsOverlap, footprintRings, insideBoxes, polygonArea, ringsBounds, toLocal, type Ring } from './geometry.js';
import { structureTop } from './surface.js';
import type { SceneObject, Structure, StructureUse } from './types.js';

/** What a standing building is used as. */
export type BuildingUse = 'house' | 'apartment' | 'warehouse' | 'shed';

/** A structure on a building's roof that a survey may find (a stair room, a shed, a room, a water tank). */
export interface RooftopPart {
  readonly structure: Structure;
  readonly areaM2: number;
  /** Median height above ground of its top, and above the building's median roof height (m). */
  readonly heightM: number;
  readonly heightAboveRoofM: number;
}

/** A standing building measured on the model (scene metres, not shifted by the misregistration). */
export interface StandingBuilding {
  readonly use: BuildingUse;
  /** The structures making it up: the walls standing on the ground (a house, an extension of the same roof height) and a roof built over them. */
  readonly structures: readonly Structure[];
  readonly rooftop: readonly RooftopPart[];
  /** The footprint: polygons of outer ring and holes. */
  readonly polygons: readonly Ring[][];
  readonly areaM2: number;
  /** Median height of the roof above ground where no rooftop structure stands (what a DSM shows), its highest point, and the eaves. */
  readonly roofHeightM: number;
  readonly roofHeightMaxM: number;
  readonly eavesHeightM: number;
  readonly floors: number;
  /** Pitched when the roof rises at least `pitchedRiseM` from eaves to ridge. */
  readonly roofForm: 'flat' | 'pitched';
}

/** Structures standing on the ground that are buildings. */
const buildingUses: readonly StructureUse[] = ['house', 'apartment', 'warehouse', 'shed'];
/** Structures on roofs that count as rooftop structures (clutter, solar heaters and panels do not). */
const rooftopUses: readonly StructureUse[] = ['stair_room', 'shed', 'house', 'water_tank'];
/** A roof rising less than this (sheet roofs of sheds) reads as flat. */
export const pitchedRiseM = 0.5;
/** Touching buildings whose roofs differ by less than this are one building (a survey cannot split them). */
const mergeStepM = 1.5;
/** Lattice step of the height measurements (m). */
const step = 0.2;

/** The buildings standing on the after flight, in the order of their first structure. */
export function standingBuildings(objects: readonly SceneObject[]): StandingBuilding[] {
  const standing = objects.filter((o): o is Structure => o.kind === 'structure' && o.presence.after);
  const grounded = standing.filter((s) => s.base === 0 && buildingUses.includes(s.use)).sort((a, b) => a.id - b.id);
  const groups = groupTouching(grounded);
  const covers = new Map<Structure, Structure[]>();
  const rooftop = new Map<Structure, Structure[]>();
  for (const s of standing) {
    if (s.base === 0) continue;
    const host = hostOf(s, grounded);
    if (!host) continue;
    // A roof built over a whole flat roof (平改坡) is part of the building, not a structure on it.
    const map = s.frame === host.frame && s.footprint === host.footprint ? covers : rooftopUses.includes(s.use) ? rooftop : null;
    map?.set(host, [...(map.get(host) ?? []), s]);
  }
  return groups.map((parts) =>
    measure(
      [...parts, ...parts.flatMap((p) => covers.get(p) ?? [])],
      parts.flatMap((p) => rooftop.get(p) ?? []),
    ),
  );
}

/** Groups structures whose footprints overlap and whose roofs are about as high (a house and a room built against it). */
function groupTouching(grounded: Structure[]): Structure[][] {
  const group = grounded.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i])));
  const middle = (s: Structure) => s.height + s.rise / 2;
  for (let i = 0; i < grounded.length; i++) {
    for (let j = i + 1; j < grounded.length; j++) {
      const [a, b] = [grounded[i], grounded[j]];
      if (!boundsOverlap(a.bounds, b.bounds) || Math.abs(middle(a) - middle(b)) >= mergeStepM) continue;
      if (polygonClipping.intersection(rings(a) as Polygon, rings(b) as Polygon).length > 0) group[root(j)] = root(i);
    }
  }
  const groups = new Map<number, Structure[]>();
  grounded.forEach((s, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), s]));
  return [...groups.values()];
}

/** The building a structure above the ground stands on: the highest whose footprint holds its centre and whose top is not above its base. */
function hostOf(s: Structure, grounded: Structure[]): Structure | null {
  let host: Structure | null = null;
  for (const g of grounded) {
    if (g.height > s.base + 0.01 || !boundsOverlap(g.bounds, s.bounds)) continue;
    const [u, v] = toLocal(g.frame, s.frame.cx, s.frame.cy);
    if (insideBoxes(g.footprint.boxes, u, v) && (!host || g.height > host.height)) host = g;
  }
  return host;
}

function measure(structures: Structure[], onRoof: Structure[]): StandingBuilding {
  const walls = structures.filter((s) => s.base === 0);
  const polygons =
    walls.length === 1 ? [rings(walls[0])] : (polygonClipping.union(rings(walls[0]) as Polygon, ...walls.slice(1).map((s) => rings(s) as Polygon)) as Ring[][]).map((p) => p.map((r) => r.slice(0, -1)));
  const roof = sampleTops(structures, onRoof, polygons);
  const main = walls.reduce((a, b) => (polygonArea(rings(b)) > polygonArea(rings(a)) ? b : a));
  const roofHeightM = median(roof);
  return {
    use: main.use as BuildingUse,
    structures,
    rooftop: onRoof.map((s) => {
      const heightM = s.base + s.height + s.rise / 2;
      const areaM2 = s.round ? (Math.PI * (s.footprint.boxes[0][2] - s.footprint.boxes[0][0]) ** 2) / 4 : polygonArea(rings(s));
      return { structure: s, areaM2, heightM, heightAboveRoofM: heightM - roofHeightM };
    }),
    polygons,
    areaM2: polygons.reduce((sum, p) => sum + polygonArea(p), 0),
    roofHeightM,
    roofHeightMaxM: roof.reduce((a, b) => Math.max(a, b), 0),
    eavesHeightM: main.height,
    floors: Math.max(...walls.map((s) => s.floors)),
    roofForm: structures.some((s) => s.rise >= pitchedRiseM) ? 'pitched' : 'flat',
  };
}

/** Heights above ground of the building's top on a lattice over its footprint, leaving out where a rooftop structure stands. */
function sampleTops(structures: Structure[], onRoof: Structure[], polygons: Ring[][]): number[] {
  const tops: number[] = [];
  for (const polygon of polygons) {
    const [x0, y0, x1, y1] = ringsBounds(polygon);
    for (let y = y0 + step / 2; y < y1; y += step) {
      for (let x = x0 + step / 2; x < x1; x += step) {
        if (onRoof.some((s) => topAt(s, x, y) >= 0)) continue;
        const top = structures.reduce((highest, s) => Math.max(highest, topAt(s, x, y)), -1);
        if (top >= 0) tops.push(top);
      }
    }
  }
  return tops;
}

function topAt(s: Structure, x: number, y: number): number {
  const [u, v] = toLocal(s.frame, x, y);
  return structureTop(s, u, v);
}

function rings(s: Structure): Ring[] {
  return footprintRings(s.frame, s.footprint);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
