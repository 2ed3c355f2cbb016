/**
 * How each kind of change alters the scene: new houses on vacant plots (any roof material),
 * extensions into yards, steel sheds and pitched roofs on flat roofs, extra floors, demolitions that
 * leave rubble, sheds and enclosures on the ground (prefab sheds in `change-sheds.ts`, buildings
 * part-way in `change-stages.ts`). Each recipe edits the builder and returns the changed footprint.
 */
import { afterOnly, beforeOnly, type Parcel, type SceneBuilder } from './builder.js';
import { boxFootprint, childFrame, frameBounds, rectangle, toLocal, type Bounds, type Box, type Footprint, type Frame } from './geometry.js';
import { fitsOnRoof, floorHeight, placeHouse, placeRoofFixtures, placeSteelShed } from './layout-house.js';
import { flatRoofColour, pitchedRoof, steelSheetColour, tileRoofColour } from './palette.js';
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
  // New houses come in every roof material, not mostly flat concrete.
  const roof = rng.chance(0.5) ? 'flat' : 'pitched';
  const house = placeHouse(b, frame, w, d, { presence: afterOnly, roof, floors: floors ?? rng.weighted([[1, 10], [2, 25], [3, 35], [4, 25], [5, 5]]), allowL: false });
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
  // A steel or tiled lean-to sloping away from the house, or a flat-roofed room.
  const kind = rng.weighted<'steel' | 'tile' | 'flat'>([['steel', 35], ['tile', 20], ['flat', 45]]);
  const floors = Math.max(1, Math.min(rng.int(1, 3), Math.floor(parcel.house.height / floorHeight)));
  const extension = b.structure({
    use: kind === 'steel' ? 'shed' : 'house', frame: parcel.frame, footprint: boxFootprint(box), height: kind === 'flat' ? floors * floorHeight + 0.2 : rng.range(2.4, 3), floors: kind === 'flat' ? floors : 1,
    roof: kind, colour: kind === 'steel' ? steelSheetColour(rng) : kind === 'tile' ? tileRoofColour(rng) : flatRoofColour(rng),
    rise: kind === 'flat' ? 0 : depth * rng.range(0.12, 0.3), ridgeAlongU: true, pitch: 'mono', parapet: kind === 'flat' && rng.chance(0.5), presence: afterOnly,
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

/**
 * A pitched roof built over a whole flat roof (平改坡) in tile, glazed tile, asphalt or steel: the
 * things lying on the roof go, stair rooms stay and poke through.
 */
export function pitchOverRoof(b: SceneBuilder, parcel: Parcel): ChangeFootprint | null {
  const rng = b.rng;
  const house = parcel.house;
  if (!house || house.roof !== 'flat' || house.footprint.boxes.length !== 1) return null;
  const [u0, v0, u1, v1] = house.footprint.boxes[0];
  const pitched = pitchedRoof(rng);
  for (const f of parcel.fixtures) if (f.base === house.height && f.use !== 'stair_room' && f.presence.after) f.presence = beforeOnly;
  const roof = b.structure({
    use: 'house', frame: house.frame, footprint: house.footprint, height: rng.range(0.8, 1.2), base: house.height, groundZ: house.groundZ,
    roof: pitched.roof, colour: pitched.colour, rise: Math.min(u1 - u0, v1 - v0) * (pitched.roof === 'steel' ? rng.range(0.08, 0.14) : rng.range(0.16, 0.26)),
    ridgeAlongU: u1 - u0 >= v1 - v0, pitch: pitched.pitch, presence: afterOnly,
  });
  return roof ? { frame: house.frame, footprint: house.footprint, built: [roof] } : null;
}

/** One or two floors added over the whole house; the roof fixtures are rebuilt on the new roof (or a pitched roof tops it). */
export function addFloors(b: SceneBuilder, parcel: Parcel, floors: number): ChangeFootprint | null {
  const house = parcel.house;
  if (!house || house.roof !== 'flat') return null;
  house.presence = beforeOnly;
  for (const fixture of parcel.fixtures) fixture.presence = beforeOnly;
  const pitched = b.rng.chance(0.25) && house.footprint.boxes.length === 1 ? pitchedRoof(b.rng) : null;
  const [u0, v0, u1, v1] = house.footprint.boxes[0];
  const raised = b.structure({
    use: 'house', frame: house.frame, footprint: house.footprint, height: house.height + floors * floorHeight, floors: house.floors + floors, roof: pitched?.roof ?? 'flat',
    colour: pitched?.colour ?? (b.rng.chance(0.5) ? house.colour : flatRoofColour(b.rng)), parapet: !pitched && b.rng.chance(0.8), groundZ: house.groundZ,
    rise: pitched ? Math.min(u1 - u0, v1 - v0) * b.rng.range(0.12, 0.24) : 0, ridgeAlongU: u1 - u0 >= v1 - v0, pitch: pitched?.pitch, presence: afterOnly,
  });
  if (!raised) return null;
  const fixtures = pitched ? [] : placeRoofFixtures(b, raised, afterOnly);
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
