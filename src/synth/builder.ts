/**
 * Collects scene objects while the layout is generated: gives them ids, bounds and ground
 * elevations, and drops those that fall outside the scene.
 */
import { boundsOverlap, frameBounds, makeFrame, type Bounds, type Box, type Footprint, type Frame } from './geometry.js';
import type { Random } from './random.js';
import { terrainElevation, type TerrainModel } from './terrain.js';
import type {
  Car,
  GroundMaterial,
  GroundPatch,
  Presence,
  RoadMarkings,
  Rgb,
  RoofPitch,
  RoofType,
  SceneObject,
  Structure,
  StructureUse,
  Tree,
  VehicleBody,
} from './types.js';

/** Seen on both flights. */
export const always: Presence = { before: true, after: true };
/** Seen on the first flight only (demolished, moved away). */
export const beforeOnly: Presence = { before: true, after: false };
/** Seen on the second flight only (built, moved in). */
export const afterOnly: Presence = { before: false, after: true };

/** A plot along a lane: where a house stands, or could be built. Local v runs from the lane (front) back. */
export interface Parcel {
  readonly frame: Frame;
  readonly width: number;
  readonly depth: number;
  /** The main building and the fixtures on its roof, if built. */
  readonly house: Structure | null;
  readonly fixtures: Structure[];
  /** Local box of open yard in front of or beside the house, if any. */
  readonly yard: Box | null;
  /** Ground patches covering the plot when vacant (removed when built on). */
  readonly cover: GroundPatch[];
  used: boolean;
}

/** Size (m) and body of a vehicle. */
export interface VehicleSize {
  length: number;
  width: number;
  height: number;
  body?: VehicleBody;
}

/** What a new structure needs; the rest has defaults. */
export interface StructureSpec {
  use: StructureUse;
  frame: Frame;
  footprint: Footprint;
  height: number;
  roof: RoofType;
  colour: Rgb;
  base?: number;
  groundZ?: number;
  rise?: number;
  floors?: number;
  ridgeAlongU?: boolean;
  pitch?: RoofPitch;
  parapet?: boolean;
  round?: boolean;
  presence?: Presence;
}

/** Accumulates objects and parcels for one scene. */
export class SceneBuilder {
  readonly objects: SceneObject[] = [];
  readonly parcels: Parcel[] = [];
  private nextId = 1;
  private readonly removed = new Set<number>();
  private readonly area: Bounds;

  constructor(
    readonly extent: number,
    readonly terrain: TerrainModel,
    readonly rng: Random,
  ) {
    this.area = [-2, -2, extent + 2, extent + 2];
  }

  /** Terrain elevation at a scene point. */
  groundAt(x: number, y: number): number {
    return terrainElevation(this.terrain, x, y);
  }

  /** Whether scene bounds lie inside the scene, `margin` metres from its edges. */
  insideScene(bounds: Bounds, margin: number): boolean {
    return bounds[0] >= margin && bounds[1] >= margin && bounds[2] <= this.extent - margin && bounds[3] <= this.extent - margin;
  }

  /** Adds a ground patch; layer orders patches (higher drawn later). */
  ground(
    material: GroundMaterial,
    frame: Frame,
    footprint: Footprint,
    layer: number,
    options: { raise?: number; markings?: RoadMarkings; presence?: Presence } = {},
  ): GroundPatch | null {
    const bounds = frameBounds(frame, footprint.boxes);
    if (!boundsOverlap(bounds, this.area)) return null;
    const patch: GroundPatch = {
      kind: 'ground',
      id: this.nextId++,
      layer,
      material,
      frame,
      footprint,
      raise: options.raise ?? 0,
      tone: this.rng.next(),
      markings: options.markings,
      presence: options.presence ?? always,
      bounds,
    };
    this.objects.push(patch);
    return patch;
  }

  /** Adds a structure (a building, roof fixture, wall or shed). */
  structure(spec: StructureSpec): Structure | null {
    const bounds = frameBounds(spec.frame, spec.footprint.boxes);
    if (!boundsOverlap(bounds, this.area)) return null;
    const structure: Structure = {
      kind: 'structure',
      id: this.nextId++,
      use: spec.use,
      frame: spec.frame,
      footprint: spec.footprint,
      round: spec.round ?? false,
      groundZ: spec.groundZ ?? this.groundAt(spec.frame.cx, spec.frame.cy),
      base: spec.base ?? 0,
      height: spec.height,
      rise: spec.rise ?? 0,
      floors: spec.floors ?? 1,
      ridgeAlongU: spec.ridgeAlongU ?? true,
      pitch: spec.pitch ?? 'gable',
      roof: spec.roof,
      colour: spec.colour,
      tone: this.rng.next(),
      parapet: spec.parapet ?? false,
      presence: spec.presence ?? always,
      bounds,
    };
    this.objects.push(structure);
    return structure;
  }

  /** Adds a tree at (x, y) that grows from `radius`/`height` by the given factor by the second flight. */
  tree(x: number, y: number, radius: number, height: number, colour: Rgb, evergreen: boolean, presence = always): Tree | null {
    const growth = 1 + this.rng.range(0.02, 0.12);
    const bounds: Bounds = [x - radius * 1.4, y - radius * 1.4, x + radius * 1.4, y + radius * 1.4];
    if (!boundsOverlap(bounds, this.area)) return null;
    const tree: Tree = {
      kind: 'tree',
      id: this.nextId++,
      x,
      y,
      groundZ: this.groundAt(x, y),
      radius: [radius, radius * growth],
      height: [height, height * (1 + (growth - 1) * 0.7)],
      colour,
      evergreen,
      tone: this.rng.next(),
      presence,
      bounds,
    };
    this.objects.push(tree);
    return tree;
  }

  /** Adds a vehicle centred at (x, y) heading along `angle` (a car, or a two-wheeler under 3 m, unless `size.body` says). */
  car(x: number, y: number, angle: number, size: VehicleSize, colour: Rgb, presence: Presence, cargo: Rgb = colour): Car | null {
    const frame = makeFrame(x, y, angle);
    const box: Box = [-size.length / 2, -size.width / 2, size.length / 2, size.width / 2];
    const bounds = frameBounds(frame, [box]);
    if (!boundsOverlap(bounds, this.area)) return null;
    const { length, width, height } = size;
    const body = size.body ?? (length < 3 ? 'two_wheeler' : 'car');
    const car: Car = { kind: 'car', id: this.nextId++, body, frame, length, width, height, groundZ: this.groundAt(x, y), colour, cargo, presence, bounds };
    this.objects.push(car);
    return car;
  }

  /** Removes objects (a tree in the way of a new building, a vacant plot's cover). */
  remove(objects: readonly (SceneObject | null)[]): void {
    for (const object of objects) if (object) this.removed.add(object.id);
  }

  /** The objects kept, in paint order: ground by layer, then cars, structures (lowest base first), trees. */
  finish(): SceneObject[] {
    const kept = this.objects.filter((o) => !this.removed.has(o.id));
    return kept.sort((a, b) => paintRank(a) - paintRank(b) || a.id - b.id);
  }
}

function paintRank(object: SceneObject): number {
  if (object.kind === 'ground') return object.layer;
  if (object.kind === 'car') return 10;
  if (object.kind === 'structure') return object.base > 0 ? 12 : 11;
  return 13;
}
