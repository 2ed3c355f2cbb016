/**
 * New prefab steel sheds (彩钢板房) on open ground, a change: 8-13 m², 2.8-4 m wide, squarish to
 * 1:1.6, 2.4-3 m high under a flat or mono-pitch corrugated roof in any common sheet colour. A van
 * or truck of about the same size is often parked right beside one, on either flight or both.
 */
import { afterOnly, always, beforeOnly, type Parcel, type SceneBuilder, type VehicleSize } from './builder.js';
import type { ChangeFootprint } from './change-recipes.js';
import { childFrame, rectangle, type Box, type Frame } from './geometry.js';
import { addVehicle, vanOrTruck, type Obstacles } from './layout-vehicles.js';
import { steelSheetColour } from './palette.js';
import type { Random } from './random.js';
import type { Presence } from './types.js';
import { vanSize } from './vehicles.js';

/** Area (m²) and height (m) of the prefab sheds. */
export const prefabShed = { minArea: 8, maxArea: 13, minHeight: 2.4, maxHeight: 3 } as const;

/** Width and length of a prefab shed: 2.8-4 m wide, 1 to 1.6 times as long, 8-13 m². */
function shedSize(rng: Random): [number, number] {
  for (let i = 0; i < 40; i++) {
    const w = rng.range(2.8, 4);
    const d = w * rng.range(1, 1.6);
    if (w * d >= prefabShed.minArea && w * d <= prefabShed.maxArea) return [w, d];
  }
  return [3, 3.4];
}

/** A prefab steel shed on a yard or vacant plot, sometimes with a vehicle parked beside it. */
export function addSteelShed(b: SceneBuilder, parcel: Parcel, obstacles: Obstacles): ChangeFootprint | null {
  const rng = b.rng;
  const [u0, v0, u1, v1] = parcel.yard ?? [-parcel.width / 2, -parcel.depth / 2, parcel.width / 2, parcel.depth / 2];
  const [long, short] = shedSize(rng);
  const [w, d] = rng.chance(0.5) ? [long, short] : [short, long];
  if (u1 - u0 < w + 0.8 || v1 - v0 < d + 0.8) return null;
  // With a vehicle to come, the shed goes to one end of the yard or plot, leaving room beside it.
  const withVehicle = rng.chance(0.55);
  const cu = withVehicle ? (rng.chance(0.5) ? u0 + 0.4 + w / 2 : u1 - 0.4 - w / 2) : rng.range(u0 + 0.4 + w / 2, u1 - 0.4 - w / 2);
  const cv = rng.range(v0 + 0.4 + d / 2, v1 - 0.4 - d / 2);
  const frame = childFrame(parcel.frame, cu, cv, rng.normal(0, 0.02));
  const flat = rng.chance(0.35);
  const rise = flat ? rng.range(0.05, 0.1) : rng.range(0.15, 0.35);
  const top = rng.range(prefabShed.minHeight, prefabShed.maxHeight);
  const shed = b.structure({
    use: 'shed', frame, footprint: rectangle(w, d), height: top - rise, rise, pitch: 'mono', ridgeAlongU: rng.chance(0.5),
    roof: 'steel', colour: steelSheetColour(rng), presence: afterOnly,
  });
  if (!shed) return null;
  obstacles.add(shed);
  if (withVehicle) parkBeside(b, obstacles, parcel.frame, [u0, v0, u1, v1], [cu - w / 2, cv - d / 2, cu + w / 2, cv + d / 2]);
  return { frame, footprint: rectangle(w, d), built: [shed] };
}

/** A van or truck alongside one side of a shed (local box `shed` in `area` of the plot's frame), 0.4-1 m from it. */
function parkBeside(b: SceneBuilder, obstacles: Obstacles, plot: Frame, area: Box, shed: Box): void {
  const rng = b.rng;
  const gap = rng.range(0.4, 1);
  const presence = rng.weighted<Presence>([[afterOnly, 45], [always, 25], [beforeOnly, 30]]);
  const start = rng.int(0, 7);
  // A truck where there is room for one, else a van; the shorter van again if the first does not fit.
  const room = Math.max(area[2] - area[0], area[3] - area[1]) > 12;
  for (const size of [vanOrTruck(rng, room ? 0.5 : 0), { ...vanSize(rng), length: 5 }]) {
    if (parkAlongside(b, obstacles, plot, area, shed, size, gap, presence, start)) return;
  }
}

/** Tries the eight places alongside a shed in turn; true when the vehicle was parked. */
function parkAlongside(b: SceneBuilder, obstacles: Obstacles, plot: Frame, area: Box, shed: Box, size: VehicleSize, gap: number, presence: Presence, start: number): boolean {
  const rng = b.rng;
  const [su0, sv0, su1, sv1] = shed;
  for (const option of [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i + start) % 8)) {
    // Beside the left, right, front or back wall, lengthwise along the shed's u or v axis.
    const side = option % 4;
    const alongV = option < 4;
    const [spanU, spanV] = alongV ? [size.width, size.length] : [size.length, size.width];
    // Slid along the wall as far as the area needs, as long as it stays alongside the shed.
    const slide = (lo: number, hi: number, min: number, max: number, span: number) =>
      Math.min(max - 0.3 - span / 2, Math.max(min + 0.3 + span / 2, (lo + hi) / 2 + rng.range(-0.5, 0.5)));
    const cu = side === 0 ? su0 - gap - spanU / 2 : side === 1 ? su1 + gap + spanU / 2 : slide(su0, su1, area[0], area[2], spanU);
    const cv = side === 2 ? sv0 - gap - spanV / 2 : side === 3 ? sv1 + gap + spanV / 2 : slide(sv0, sv1, area[1], area[3], spanV);
    if (cu - spanU / 2 < area[0] + 0.29 || cu + spanU / 2 > area[2] - 0.29 || cv - spanV / 2 < area[1] + 0.29 || cv + spanV / 2 > area[3] - 0.29) continue;
    if (Math.abs(side < 2 ? cv - (sv0 + sv1) / 2 : cu - (su0 + su1) / 2) > (side < 2 ? spanV + sv1 - sv0 : spanU + su1 - su0) / 2 - 0.8) continue;
    const frame = childFrame(plot, cu, cv, (alongV ? Math.PI / 2 : 0) + (rng.chance(0.5) ? 0 : Math.PI));
    if (!obstacles.clear(frame, size)) continue;
    const car = addVehicle(b, frame.cx, frame.cy, frame.angle, size, presence);
    if (car) obstacles.add(car);
    return true;
  }
  return false;
}
