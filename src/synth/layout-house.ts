/**
 * Self-built village houses (自建房): a 2-6 floor block over a rectangular or L-shaped footprint,
 * with a flat roof carrying a stair room, water tanks, solar water heaters or photovoltaic rows,
 * or a pitched (gable or hip) roof of clay, cement or glazed tile, asphalt shingle or steel sheet.
 */
import { always, type SceneBuilder } from './builder.js';
import { childFrame, insideBoxes, lShape, makeFrame, rectangle, toScene, type Box, type Footprint, type Frame } from './geometry.js';
import { flatRoofColour, pitchedRoof, pvColour, steelSheetColour, tankColour } from './palette.js';
import type { Presence, Rgb, Structure } from './types.js';

/** A house and the fixtures on its roof. */
export interface House {
  house: Structure;
  fixtures: Structure[];
}

/** Choices for a house; anything left out is drawn at random. */
export interface HouseOptions {
  floors?: number;
  roof?: 'flat' | 'pitched';
  presence?: Presence;
  allowL?: boolean;
}

/** Storey height of village houses, metres. */
export const floorHeight = 3.1;

/** Places a house of width x depth centred on `frame`, with its roof fixtures. */
export function placeHouse(b: SceneBuilder, frame: Frame, width: number, depth: number, options: HouseOptions = {}): House | null {
  const rng = b.rng;
  const floors = options.floors ?? rng.weighted([[2, 10], [3, 28], [4, 34], [5, 20], [6, 8]]);
  const useL = (options.allowL ?? true) && width > 8 && depth > 8 && rng.chance(0.25);
  const footprint = useL ? lShape(width, depth, rng.range(2.2, width * 0.4), rng.range(2.2, depth * 0.4)) : rectangle(width, depth);
  const flat = options.roof ? options.roof === 'flat' : useL || rng.chance(0.72);
  const pitched = flat ? null : pitchedRoof(rng);
  const presence = options.presence ?? always;
  const height = floors * floorHeight + 0.3;
  const house = b.structure({
    use: 'house',
    frame,
    footprint,
    height,
    floors,
    roof: pitched?.roof ?? 'flat',
    colour: pitched?.colour ?? flatRoofColour(rng),
    // Tile roofs pitch at 20-30 degrees, steel sheet lower.
    rise: pitched ? (pitched.roof === 'steel' ? rng.range(0.08, 0.15) : rng.range(0.18, 0.29)) * Math.min(width, depth) : 0,
    ridgeAlongU: width >= depth,
    pitch: pitched?.pitch,
    parapet: flat && rng.chance(0.85),
    presence,
  });
  if (!house) return null;
  const fixtures = flat ? placeRoofFixtures(b, house, presence) : [];
  return { house, fixtures };
}

/** Stair room, tanks, solar heaters and sometimes an old steel shed on a flat roof. */
export function placeRoofFixtures(b: SceneBuilder, house: Structure, presence: Presence): Structure[] {
  const rng = b.rng;
  const placed: Box[] = [];
  const fixtures: Structure[] = [];
  const add = (structure: Structure | null, box: Box) => {
    if (!structure) return;
    fixtures.push(structure);
    placed.push(box);
  };
  const main = house.footprint.boxes[0];
  const long = main[2] - main[0] > 25;
  const rooms = long ? Math.floor((main[2] - main[0]) / 16) : rng.chance(0.8) ? 1 : 0;
  for (let i = 0; i < rooms; i++) {
    const w = rng.range(2.4, 3.2);
    const d = rng.range(3.4, 4.6);
    const corner = (lo: number, hi: number, size: number) => (rng.chance(0.5) ? lo + 0.4 + size / 2 : hi - 0.4 - size / 2);
    const cu = long ? main[0] + ((i + 0.5) * (main[2] - main[0])) / rooms : corner(main[0], main[2], w);
    const cv = long ? (main[1] + main[3]) / 2 : corner(main[1], main[3], d);
    const box: Box = [cu - w / 2, cv - d / 2, cu + w / 2, cv + d / 2];
    if (!fitsOnRoof(house.footprint, placed, box)) continue;
    const room = b.structure({
      use: 'stair_room', frame: childFrame(house.frame, cu, cv), footprint: rectangle(w, d), height: rng.range(2.6, 3.0),
      roof: 'flat', colour: house.colour, base: house.height, groundZ: house.groundZ, parapet: false, presence,
    });
    add(room, box);
    if (room && rng.chance(0.45)) add(placeTank(b, room, 0, 0, presence), [0, 0, 0, 0]);
  }
  for (let i = rng.int(0, 2); i > 0; i--) tryFixture(b, house, placed, presence, 'tank', add);
  if (rng.chance(0.12)) placePvArray(b, house, placed, presence, add);
  else for (let i = rng.weighted([[0, 50], [1, 25], [2, 15], [3, 10]]); i > 0; i--) tryFixture(b, house, placed, presence, 'solar', add);
  if (rng.chance(0.1)) tryFixture(b, house, placed, presence, 'shed', add);
  for (let i = rng.weighted([[0, 30], [2, 30], [5, 25], [9, 15]]); i > 0; i--) tryFixture(b, house, placed, presence, 'clutter', add);
  return fixtures;
}

type AddFixture = (structure: Structure | null, box: Box) => void;

/** Tries a few random spots for a tank, a solar heater or an old steel shed. */
function tryFixture(b: SceneBuilder, house: Structure, placed: Box[], presence: Presence, what: 'tank' | 'solar' | 'shed' | 'clutter', add: AddFixture): void {
  const rng = b.rng;
  const [u0, v0, u1, v1] = house.footprint.boxes[0];
  const half = what === 'tank' ? 0.8 : what === 'solar' ? 1.3 : what === 'clutter' ? rng.range(0.2, 0.7) : 0;
  for (let attempt = 0; attempt < 6; attempt++) {
    if (what === 'shed') {
      const w = (u1 - u0) * rng.range(0.4, 0.8);
      const d = (v1 - v0) * rng.range(0.4, 0.8);
      const cu = rng.range(u0 + w / 2 + 0.3, u1 - w / 2 - 0.3);
      const cv = rng.range(v0 + d / 2 + 0.3, v1 - d / 2 - 0.3);
      const box: Box = [cu - w / 2, cv - d / 2, cu + w / 2, cv + d / 2];
      if (!fitsOnRoof(house.footprint, placed, box)) continue;
      return add(placeSteelShed(b, house, cu, cv, w, d, presence), box);
    }
    const cu = rng.range(u0 + half + 0.4, u1 - half - 0.4);
    const cv = rng.range(v0 + half + 0.4, v1 - half - 0.4);
    const box: Box = [cu - half, cv - half, cu + half, cv + half];
    if (!fitsOnRoof(house.footprint, placed, box)) continue;
    if (what === 'clutter') return add(placeClutter(b, house, cu, cv, half, presence), box);
    return add(what === 'tank' ? placeTank(b, house, cu, cv, presence) : placeSolarHeater(b, house, cu, cv, presence), box);
  }
}

/** A blue or white steel-sheet shed on a roof (the typical rooftop addition). */
export function placeSteelShed(b: SceneBuilder, house: Structure, cu: number, cv: number, w: number, d: number, presence: Presence, height?: number): Structure | null {
  const mono = b.rng.chance(0.5);
  return b.structure({
    use: 'shed', frame: childFrame(house.frame, cu, cv), footprint: rectangle(w, d), height: height ?? b.rng.range(2.3, 3.0),
    roof: 'steel', colour: steelSheetColour(b.rng), rise: mono ? 0.3 : 0.25, pitch: mono ? 'mono' : 'gable', ridgeAlongU: w >= d, base: house.height + house.rise,
    groundZ: house.groundZ, presence,
  });
}

function placeTank(b: SceneBuilder, on: Structure, cu: number, cv: number, presence: Presence): Structure | null {
  const r = b.rng.range(0.45, 0.7);
  return b.structure({
    use: 'water_tank', frame: childFrame(on.frame, cu, cv), footprint: rectangle(2 * r, 2 * r), round: true,
    height: b.rng.range(1.2, 1.7), roof: 'tank', colour: tankColour(b.rng), base: on.base + on.height, groundZ: on.groundZ, presence,
  });
}

/** Things left on roofs: potted plants, foam boxes of vegetables, bricks, crates, a clothes rack. */
function placeClutter(b: SceneBuilder, house: Structure, cu: number, cv: number, half: number, presence: Presence): Structure | null {
  const rng = b.rng;
  const plant = rng.chance(0.45);
  return b.structure({
    use: 'clutter', frame: childFrame(house.frame, cu, cv, rng.chance(0.7) ? 0 : rng.range(0, 1.5)), footprint: rectangle(2 * half, 2 * half * rng.range(0.4, 1)),
    round: plant && rng.chance(0.5), height: rng.range(0.2, 0.9), roof: plant ? 'plants' : 'flat', colour: plant ? [74, 104, 52] : clutterColour(b), base: house.height,
    groundZ: house.groundZ, presence,
  });
}

function clutterColour(b: SceneBuilder): Rgb {
  return b.rng.pick<Rgb>([[222, 222, 218], [150, 90, 70], [60, 90, 150], [110, 110, 112], [190, 170, 130], [40, 40, 42], [200, 60, 50]]);
}

/** Solar water heaters face south whatever the house's orientation. */
function placeSolarHeater(b: SceneBuilder, house: Structure, cu: number, cv: number, presence: Presence): Structure | null {
  const [x, y] = toScene(house.frame, cu, cv);
  return b.structure({
    use: 'solar_heater', frame: makeFrame(x, y, 0), footprint: rectangle(b.rng.range(1.6, 2.2), 1.5), height: 1.3,
    roof: 'solar', colour: [40, 48, 66], base: house.height, groundZ: house.groundZ, presence,
  });
}

/** Rows of photovoltaic modules tilted to the south, on the part of a flat roof still free. */
function placePvArray(b: SceneBuilder, house: Structure, placed: Box[], presence: Presence, add: AddFixture): void {
  const rng = b.rng;
  // The quarter turn of the house frame whose +v points most nearly north: rows run along its u.
  const turn = [0, 1, 2, 3].reduce((best, k) => (Math.cos(house.frame.angle + (k * Math.PI) / 2) > Math.cos(house.frame.angle + (best * Math.PI) / 2) ? k : best), 0);
  const [u0, v0, u1, v1] = house.footprint.boxes[0];
  const depth = rng.range(1.1, 2.1);
  const spacing = depth + rng.range(0.7, 1.3);
  const rise = depth * rng.range(0.35, 0.5);
  const colour = pvColour(rng);
  // Rows in the turned frame: (p, q) with q towards north; back in the house frame by the turn.
  const toHouse = (p: number, q: number): [number, number] => [[p, q], [-q, p], [-p, -q], [q, -p]][turn] as [number, number];
  const span = turn % 2 === 0 ? [u0, u1, v0, v1] : [v0, v1, u0, u1];
  const [pLo, pHi] = turn < 2 ? [span[0], span[1]] : [-span[1], -span[0]];
  const [qLo, qHi] = turn === 0 || turn === 3 ? [span[2], span[3]] : [-span[3], -span[2]];
  for (let q = qLo + 0.6; q + depth < qHi - 0.6; q += spacing) {
    const [a, c] = [toHouse(pLo + 0.6, q), toHouse(pHi - 0.6, q + depth)];
    const box: Box = [Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[0], c[0]), Math.max(a[1], c[1])];
    if (!fitsOnRoof(house.footprint, placed, box)) continue;
    const [cu, cv] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
    add(
      b.structure({
        use: 'solar_panel', frame: childFrame(house.frame, cu, cv, (turn * Math.PI) / 2), footprint: rectangle(pHi - pLo - 1.2, depth), height: 0.35, rise,
        pitch: 'mono', ridgeAlongU: true, roof: 'pv', colour, base: house.height, groundZ: house.groundZ, presence,
      }),
      box,
    );
  }
}

/** Whether a local box lies on the roof, 0.3 m inside its edges, clear of fixtures already placed. */
export function fitsOnRoof(footprint: Footprint, placed: readonly Box[], box: Box): boolean {
  const [u0, v0, u1, v1] = box;
  for (const [u, v] of [[u0 - 0.3, v0 - 0.3], [u1 + 0.3, v0 - 0.3], [u1 + 0.3, v1 + 0.3], [u0 - 0.3, v1 + 0.3]]) {
    if (!insideBoxes(footprint.boxes, u, v)) return false;
  }
  return placed.every((p) => p[2] <= u0 - 0.2 || u1 + 0.2 <= p[0] || p[3] <= v0 - 0.2 || v1 + 0.2 <= p[1]);
}
