/**
 * Vans and trucks that come, go or move between the flights: parked on vacant plots, in yards and
 * lanes, and beside new steel sheds of about their size. Nuisances, never changes: they keep clear
 * of every changed footprint.
 */
import { afterOnly, always, beforeOnly, type Parcel, type SceneBuilder, type VehicleSize } from './builder.js';
import { childFrame, frameBounds, insideBoxes, pointInPolygon, toLocal, toScene, type Bounds, type Box, type Frame, type Ring } from './geometry.js';
import { cargoColour, truckCabColour, vanColour } from './palette.js';
import type { Random } from './random.js';
import { BucketIndex } from './spatial.js';
import type { Car, Presence, SceneObject, Structure } from './types.js';
import { truckSize, vanSize } from './vehicles.js';

/** A van, or (with probability `truckShare`) a truck. */
export function vanOrTruck(rng: Random, truckShare = 0.4): VehicleSize {
  return rng.chance(truckShare) ? truckSize(rng) : vanSize(rng);
}

/** Adds a van or truck in its colours, centred at (x, y) heading along `angle`. */
export function addVehicle(b: SceneBuilder, x: number, y: number, angle: number, size: VehicleSize, presence: Presence): Car | null {
  if (size.body === 'truck') return b.car(x, y, angle, size, truckCabColour(b.rng), presence, cargoColour(b.rng));
  return b.car(x, y, angle, size, vanColour(b.rng), presence);
}

/** Parks vans and trucks on plots and lanes that no change used, clear of everything standing. */
export function placeVehicles(b: SceneBuilder, obstacles: Obstacles): void {
  const rng = b.rng;
  for (const parcel of b.parcels) {
    if (parcel.used || !b.insideScene(parcelBounds(parcel), 2)) continue;
    const village = parcel.yard !== null;
    if (!parcel.house && rng.chance(village ? 0.3 : 0.06)) parkOnPlot(b, obstacles, parcel, parcel.yard ?? [-parcel.width / 2, -parcel.depth / 2, parcel.width / 2, parcel.depth / 2]);
    else if (parcel.house && parcel.yard && rng.chance(0.15)) parkOnPlot(b, obstacles, parcel, parcel.yard, vanSize(rng));
    else if (parcel.house && rng.chance(0.05)) {
      const size = vanOrTruck(rng);
      const frame = childFrame(parcel.frame, rng.range(-parcel.width / 4, parcel.width / 4), -parcel.depth / 2 - size.width / 2 - 0.3, rng.chance(0.5) ? 0 : Math.PI);
      park(b, obstacles, [frame, childFrame(frame, rng.range(-6, 6), 0)], size);
    }
  }
}

/** A van or truck somewhere on `area` (local box of the plot), lengthwise along the longer side. */
function parkOnPlot(b: SceneBuilder, obstacles: Obstacles, parcel: Parcel, area: Box, size = vanOrTruck(b.rng)): void {
  const rng = b.rng;
  const [u0, v0, u1, v1] = area;
  const alongU = u1 - u0 >= v1 - v0;
  const [spanU, spanV] = alongU ? [size.length, size.width] : [size.width, size.length];
  if (u1 - u0 < spanU + 0.8 || v1 - v0 < spanV + 0.8) return;
  const spot = (): Frame =>
    childFrame(parcel.frame, rng.range(u0 + 0.4 + spanU / 2, u1 - 0.4 - spanU / 2), rng.range(v0 + 0.4 + spanV / 2, v1 - 0.4 - spanV / 2), (alongU ? 0 : Math.PI / 2) + (rng.chance(0.5) ? 0 : Math.PI));
  park(b, obstacles, [spot(), spot()], size);
}

/** Parks a vehicle on one flight or both, or moves it between two spots (the second of `spots`). */
function park(b: SceneBuilder, obstacles: Obstacles, spots: [Frame, Frame], size: VehicleSize): void {
  const how = b.rng.weighted<'before' | 'after' | 'moved' | 'both'>([['before', 3], ['after', 3], ['moved', 3], ['both', 1]]);
  const [first, second] = spots;
  if (!obstacles.clear(first, size)) return;
  const presence = how === 'before' || how === 'moved' ? beforeOnly : how === 'after' ? afterOnly : always;
  const car = addVehicle(b, first.cx, first.cy, first.angle, size, presence);
  if (!car) return;
  obstacles.add(car);
  if (how !== 'moved' || !obstacles.clear(second, size)) return;
  const moved = b.car(second.cx, second.cy, second.angle, size, car.colour, afterOnly, car.cargo);
  if (moved) obstacles.add(moved);
}

/** What a vehicle must keep clear of: structures, other vehicles, tree trunks, changed footprints. */
export class Obstacles {
  private readonly index: BucketIndex<SceneObject>;
  private readonly changed: Ring[][] = [];

  constructor(b: SceneBuilder) {
    this.index = new BucketIndex<SceneObject>(b.extent, 16);
    for (const o of b.objects) if (o.kind !== 'ground' && (o.presence.before || o.presence.after)) this.index.insert(o);
  }

  /** Keeps vehicles off a changed footprint (scene rings). */
  avoid(rings: Ring[]): void {
    this.changed.push(rings);
  }

  /** Files a vehicle just parked or a structure just built. */
  add(object: Car | Structure): void {
    this.index.insert(object);
  }

  /** Whether a vehicle of `size` in `frame` stands 0.25 m clear of everything. */
  clear(frame: Frame, size: VehicleSize): boolean {
    const [hl, hw] = [size.length / 2 + 0.25, size.width / 2 + 0.25];
    const points: [number, number][] = [];
    for (let u = -hl; u <= hl + 1e-9; u += (2 * hl) / Math.ceil((2 * hl) / 0.4)) {
      for (let v = -hw; v <= hw + 1e-9; v += (2 * hw) / Math.ceil((2 * hw) / 0.4)) points.push(toScene(frame, u, v));
    }
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const near = this.index.query([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    for (const o of near) {
      if (o.kind === 'tree') {
        const [cu, cv] = toLocal(frame, o.x, o.y);
        if (Math.abs(cu) < hl + 0.5 * o.radius[0] && Math.abs(cv) < hw + 0.5 * o.radius[0]) return false;
        continue;
      }
      const boxes: readonly Box[] = o.kind === 'car' ? [[-o.length / 2, -o.width / 2, o.length / 2, o.width / 2]] : o.footprint.boxes;
      if (points.some(([x, y]) => insideBoxes(boxes, ...toLocal(o.frame, x, y)))) return false;
      // Small things (poles) between the sample points.
      const [cu, cv] = toLocal(frame, o.frame.cx, o.frame.cy);
      if (Math.abs(cu) < hl && Math.abs(cv) < hw) return false;
    }
    return !this.changed.some((rings) => points.some(([x, y]) => pointInPolygon(rings, x, y)));
  }
}

function parcelBounds(parcel: Parcel): Bounds {
  return frameBounds(parcel.frame, [[-parcel.width / 2, -parcel.depth / 2, parcel.width / 2, parcel.depth / 2]]);
}
