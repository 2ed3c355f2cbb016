/**
 * How each kind of change alters the scene: new houses on vacant plots, extensions into yards,
 * steel sheds on roofs, extra floors, demolitions that leave rubble, sheds and enclosures on the
 * ground. Each recipe edits the builder and returns the changed footprint in its frame.
 */
import { afterOnly, beforeOnly, type Parcel, type SceneBuilder } from './builder.js';
import { boxFootprint, childFrame, frameBounds, rectangle, toLocal, type Bounds, type Box, type Footprint, type Frame } from './geometry.js';
import { fitsOnRoof, floorHeight, placeHouse, placeRoofFixtures, placeSteelShed } from './layout-house.js';
import { flatRoofColour, steelSheetColour } from './palette.js';
import type { BucketIndex } from './spatial.js';
import type { SceneObject, Structure } from './types.js';

/** The changed footprint, and the structures standing on it after the change. */
export interface ChangeFootprint {
  frame: Frame;
  footprint: Footprint;
  built: Structure[];
}

/**
 * Removes trees and vehicles standing where something is built or demolished (scene `bounds`), from
 * both flights, so that the height change over a change's footprint is the structures' alone.
 */
export function clearSite(movable: BucketIndex<SceneObject>, bounds: Bounds): void {
  for (const object of movable.query(bounds)) {
    if (object.kind === 'tree' || object.kind === 'car') object.presence = { before: false, after: false };
  }
}

/** A new house on a vacant plot (village plot, or a corner of a field). */
export function buildOnPlot(b: SceneBuilder, parcel: Parcel, withFixtures: boolean, floors?: number): ChangeFootprint | null {
  const rng = b.rng;
  const w = Math.min(parcel.width - 1, rng.range(7, 13));
  const d = Math.min(parcel.depth - 1, rng.range(7, 13));
  if (w < 5 || d < 5) return null;
  const frame = childFrame(parcel.frame, rng.range(-(parcel.width - w) / 2, (parcel.width - w) / 2) * 0.8, rng.range(-(parcel.depth - d) / 2, (parcel.depth - d) / 2) * 0.8);
  const house = placeHouse(b, frame, w, d, { presence: afterOnly, roof: 'flat', floors: floors ?? rng.weighted([[1, 10], [2, 25], [3, 35], [4, 25], [5, 5]]), allowL: false });
  if (!house) return null;
  if (!withFixtures) b.remove(house.fixtures);
  return { frame, footprint: house.house.footprint, built: withFixtures ? [house.house, ...house.fixtures] : [house.house] };
}

/** A room built into the front yard, against the house, one or more floors high. */
export function extendIntoYard(b: SceneBuilder, parcel: Parcel): ChangeFootprint | null {
  const rng = b.rng;
  if (!parcel.yard || !parcel.house) return null;
  const [u0, v0, u1, v1] = parcel.yard;
  const depth = rng.range(Math.min(2.2, v1 - v0 - 0.5), v1 - v0 - 0.4);
  if (depth < 1.8) return null;
  const width = (u1 - u0 - 0.6) * rng.range(0.5, 1);
  const cu = rng.range(u0 + 0.3 + width / 2, u1 - 0.3 - width / 2);
  const box: Box = [cu - width / 2, v1 - depth, cu + width / 2, v1 + 0.05];
  const steel = rng.chance(0.4);
  const floors = Math.max(1, Math.min(rng.int(1, 3), Math.floor(parcel.house.height / floorHeight)));
  const extension = b.structure({
    use: steel ? 'shed' : 'house', frame: parcel.frame, footprint: boxFootprint(box), height: steel ? rng.range(2.6, 3.4) : floors * floorHeight + 0.2,
    roof: steel ? 'steel' : 'flat', colour: steel ? steelSheetColour(rng) : flatRoofColour(rng), rise: steel ? 0.25 : 0, ridgeAlongU: true,
    parapet: !steel && rng.chance(0.5), presence: afterOnly,
  });
  return extension ? { frame: parcel.frame, footprint: boxFootprint(box), built: [extension] } : null;
}

/** A steel-sheet shed (or a small brick room) on a flat roof; `small` makes one under 10 m² or 2 m. */
export function addRooftopShed(b: SceneBuilder, parcel: Parcel, small: boolean): ChangeFootprint | null {
  const rng = b.rng;
  const house = parcel.house;
  if (!house || house.roof !== 'flat') return null;
  const standing = parcel.fixtures.filter((f) => f.presence.after);
  const placed = standing.filter((f) => f.use !== 'clutter').map((f) => localBox(house.frame, f));
  const [u0, v0, u1, v1] = house.footprint.boxes[0];
  for (let attempt = 0; attempt < 20; attempt++) {
    const scale = attempt < 10 ? 1 : 0.6;
    const w = small ? rng.range(1.6, 2.8) : (u1 - u0) * rng.range(0.35, 0.85) * scale;
    const d = small ? rng.range(1.5, 3.0) : (v1 - v0) * rng.range(0.35, 0.85) * scale;
    const cu = rng.range(u0 + w / 2 + 0.35, u1 - w / 2 - 0.35);
    const cv = rng.range(v0 + d / 2 + 0.35, v1 - d / 2 - 0.35);
    const box: Box = [cu - w / 2, cv - d / 2, cu + w / 2, cv + d / 2];
    if (!fitsOnRoof(house.footprint, placed, box)) continue;
    // Whatever was lying on the roof there was cleared away first.
    for (const f of standing) if (f.use === 'clutter' && !fitsOnRoof(house.footprint, [localBox(house.frame, f)], box)) f.presence = beforeOnly;
    const height = small && rng.chance(0.5) ? rng.range(1.3, 1.8) : rng.range(2.3, 3.2);
    const brick = !small && rng.chance(0.25);
    const shed = brick
      ? b.structure({ use: 'house', frame: childFrame(house.frame, cu, cv), footprint: rectangle(w, d), height, roof: 'flat', colour: flatRoofColour(rng), base: house.height, groundZ: house.groundZ, presence: afterOnly })
      : placeSteelShed(b, house, cu, cv, w, d, afterOnly, height);
    if (!shed) return null;
    return { frame: house.frame, footprint: boxFootprint(box), built: [shed] };
  }
  return null;
}

/** One or two floors added over the whole house; the roof fixtures are rebuilt on the new roof. */
export function addFloors(b: SceneBuilder, parcel: Parcel, floors: number): ChangeFootprint | null {
  const house = parcel.house;
  if (!house || house.roof !== 'flat') return null;
  house.presence = beforeOnly;
  for (const fixture of parcel.fixtures) fixture.presence = beforeOnly;
  const raised = b.structure({
    use: 'house', frame: house.frame, footprint: house.footprint, height: house.height + floors * floorHeight, roof: 'flat',
    colour: b.rng.chance(0.5) ? house.colour : flatRoofColour(b.rng), parapet: b.rng.chance(0.8), groundZ: house.groundZ, presence: afterOnly,
  });
  if (!raised) return null;
  const fixtures = placeRoofFixtures(b, raised, afterOnly);
  return { frame: house.frame, footprint: house.footprint, built: [raised, ...fixtures] };
}

/** The house and its fixtures removed, leaving rubble (or cleared soil). */
export function demolish(b: SceneBuilder, parcel: Parcel): ChangeFootprint | null {
  const house = parcel.house;
  if (!house) return null;
  house.presence = beforeOnly;
  for (const fixture of parcel.fixtures) fixture.presence = beforeOnly;
  const material = b.rng.chance(0.7) ? 'rubble' : 'soil';
  b.ground(material, house.frame, house.footprint, 5, { presence: afterOnly, raise: material === 'rubble' ? b.rng.range(0.2, 0.6) : 0 });
  return { frame: house.frame, footprint: house.footprint, built: [] };
}

/** A shed or walled enclosure on open ground: in a yard, on a vacant plot or a field. */
export function addGroundStructure(b: SceneBuilder, parcel: Parcel, small: boolean): ChangeFootprint | null {
  const rng = b.rng;
  const area: Box = parcel.yard ?? [-parcel.width / 2, -parcel.depth / 2, parcel.width / 2, parcel.depth / 2];
  const [u0, v0, u1, v1] = area;
  const maxW = u1 - u0 - 0.8;
  const maxD = v1 - v0 - 0.8;
  const w = Math.min(maxW, small ? rng.range(1.5, 3) : rng.range(3, 9));
  const d = Math.min(maxD, small ? rng.range(1.5, 3) : rng.range(2.5, 8));
  if (w < 1.4 || d < 1.4) return null;
  const frame = childFrame(parcel.frame, rng.range(u0 + 0.4 + w / 2, u1 - 0.4 - w / 2), rng.range(v0 + 0.4 + d / 2, v1 - 0.4 - d / 2));
  const footprint = rectangle(w, d);
  if (!small && !parcel.yard && rng.chance(0.35)) return { frame, footprint, built: enclosure(b, frame, w, d) };
  const height = small && rng.chance(0.5) ? rng.range(1.2, 1.8) : rng.range(2.3, 3.6);
  const shed = b.structure({ use: 'shed', frame, footprint, height, roof: 'steel', colour: steelSheetColour(rng), rise: 0.2, ridgeAlongU: w >= d, presence: afterOnly });
  return shed ? { frame, footprint, built: [shed] } : null;
}

/** Brick walls around a pen, with a steel-roofed shed along its back. */
function enclosure(b: SceneBuilder, frame: Frame, w: number, d: number): Structure[] {
  const rng = b.rng;
  const t = 0.24;
  const height = rng.range(1.8, 2.4);
  const wall = (box: Box) => b.structure({ use: 'wall', frame, footprint: boxFootprint(box), height, roof: 'wall', colour: [190, 186, 178], presence: afterOnly });
  const shedDepth = Math.min(d - 2 * t, rng.range(2, 3.5));
  return [
    wall([-w / 2, -d / 2, w / 2, -d / 2 + t]),
    wall([-w / 2, d / 2 - t, w / 2, d / 2]),
    wall([-w / 2, -d / 2 + t, -w / 2 + t, d / 2 - t]),
    wall([w / 2 - t, -d / 2 + t, w / 2, d / 2 - t]),
    b.structure({ use: 'shed', frame, footprint: boxFootprint([-w / 2 + t, d / 2 - t - shedDepth, w / 2 - t, d / 2 - t]), height: height + 0.5, roof: 'steel', colour: steelSheetColour(rng), rise: 0.15, presence: afterOnly }),
  ].filter((s): s is Structure => s !== null);
}

/** A fixture's box in the house's local coordinates. */
function localBox(houseFrame: Frame, fixture: Structure): Box {
  const [x0, y0, x1, y1] = frameBounds(fixture.frame, fixture.footprint.boxes);
  const corners = [toLocal(houseFrame, x0, y0), toLocal(houseFrame, x1, y0), toLocal(houseFrame, x1, y1), toLocal(houseFrame, x0, y1)];
  return [Math.min(...corners.map((c) => c[0])), Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[1]))];
}
