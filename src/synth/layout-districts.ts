/**
 * Districts other than villages: vegetable fields, workshops and warehouses under steel-sheet
 * roofs, apartment compounds, and fenced construction sites.
 */
import { always, type SceneBuilder } from './builder.js';
import { childFrame, frameBounds, makeFrame, rectangle, toScene } from './geometry.js';
import { placeRoofFixtures } from './layout-house.js';
import type { District } from './layout-village.js';
import { movingPresence } from './layout-village.js';
import { addVehicle, vanOrTruck } from './layout-vehicles.js';
import { canopyColour, carColour, flatRoofColour, pvColour, steelSheetColour } from './palette.js';
import type { GroundMaterial } from './types.js';

/** Strips of vegetables, fallow soil and grass, with a few sheds, trees and field paths. */
export function layoutFarmland(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const { frame, width, depth } = district;
  b.ground('soil', frame, rectangle(width, depth), 1);
  const turn = rng.chance(0.5) ? 0 : Math.PI / 2;
  const along = turn === 0 ? width : depth;
  const across = turn === 0 ? depth : width;
  const fields = childFrame(frame, 0, 0, turn);
  for (let a = -along / 2; a < along / 2 - 3; ) {
    const w = Math.min(rng.range(5, 14), along / 2 - a);
    for (let c = -across / 2; c < across / 2 - 3; ) {
      const d = Math.min(rng.range(15, 45), across / 2 - c);
      const material = rng.weighted<GroundMaterial>([['vegetables', 10], ['soil', 3], ['grass', 3], ['greenhouse', 1]]);
      const plot = childFrame(fields, a + w / 2, c + d / 2);
      b.ground(material, plot, rectangle(w - 0.8, d - 0.8), 2);
      if (material !== 'greenhouse') b.parcels.push({ frame: plot, width: w - 0.8, depth: d - 0.8, house: null, fixtures: [], yard: null, cover: [], used: false });
      c += d;
    }
    a += w;
  }
  if (width > 60 && depth > 50 && rng.chance(0.6)) placePond(b, district);
  for (let i = Math.round((width * depth) / 1500); i > 0; i--) {
    const [x, y] = toScene(frame, rng.range(-width / 2, width / 2), rng.range(-depth / 2, depth / 2));
    if (rng.chance(0.7)) b.tree(x, y, rng.range(2, 4), rng.range(5, 11), canopyColour(rng), rng.chance(0.4));
    else b.structure({ use: 'shed', frame: makeFrame(x, y, frame.angle), footprint: rectangle(rng.range(2.5, 4), rng.range(2.5, 3.5)), height: 2.4, roof: 'steel', colour: steelSheetColour(rng), rise: 0.2 });
  }
}

/** A fish pond (鱼塘) in a grassy bank, its water a little below the banks, somewhere in the scene. */
function placePond(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const [w, d] = [rng.range(20, 40), rng.range(14, 26)];
  for (let attempt = 0; attempt < 8; attempt++) {
    const pond = childFrame(district.frame, rng.range(-0.4, 0.4) * (district.width - w), rng.range(-0.4, 0.4) * (district.depth - d), rng.normal(0, 0.05));
    if (!b.insideScene(frameBounds(pond, [[-w / 2, -d / 2, w / 2, d / 2]]), 3)) continue;
    b.ground('grass', pond, rectangle(w + 3, d + 3), 3);
    b.ground('water', pond, rectangle(w, d), 4, { raise: -0.8 });
    return;
  }
}

/** Warehouses and workshops with steel-sheet roofs on a concrete yard, with trucks. */
export function layoutIndustrial(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const { frame, width, depth } = district;
  b.ground('concrete', frame, rectangle(width, depth), 1);
  for (let u = -width / 2 + 6; u < width / 2 - 20; ) {
    const w = Math.min(rng.range(22, 55), width / 2 - 6 - u);
    for (let v = -depth / 2 + 8; v < depth / 2 - 15; ) {
      const d = Math.min(rng.range(15, 30), depth / 2 - 8 - v);
      if (d < 10 || w < 15) break;
      const steel = rng.chance(0.8);
      // Factory roofs are more and more covered with photovoltaic modules.
      const pv = steel && rng.chance(0.25);
      const f = childFrame(frame, u + w / 2, v + d / 2);
      // Steel halls are one storey however high; workshops have storeys of 3.6 m.
      const floors = steel ? 1 : rng.int(2, 4);
      const building = b.structure({
        use: steel ? 'warehouse' : 'apartment', frame: f, footprint: rectangle(w, d), height: steel ? rng.range(6, 10) : 3.6 * floors, floors,
        roof: pv ? 'pv' : steel ? 'steel' : 'flat', colour: pv ? pvColour(rng) : steel ? steelSheetColour(rng) : flatRoofColour(rng), rise: steel ? rng.range(0.6, 1.4) : 0,
        ridgeAlongU: w > d, parapet: !steel,
      });
      if (building && !steel) placeRoofFixtures(b, building, always);
      const [x, y] = toScene(frame, u + rng.range(4, w - 4), v + d + 4);
      if (rng.chance(0.7)) addVehicle(b, x, y, frame.angle, vanOrTruck(rng, 0.6), movingPresence(b));
      v += d + rng.range(10, 18);
    }
    u += w + rng.range(8, 14);
  }
}

/** Apartment slabs in rows spaced for sunlight, with lawns, trees and parking. */
export function layoutApartments(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const { frame, width, depth } = district;
  b.ground('lawn', frame, rectangle(width, depth), 1);
  const floors = rng.int(6, 9);
  const height = floors * 2.9 + 0.3;
  const colour = flatRoofColour(rng);
  for (let v = -depth / 2 + 10; v < depth / 2 - 22; ) {
    const d = rng.range(11, 13);
    b.ground('asphalt', childFrame(frame, 0, v + d + 5), rectangle(width - 8, 6), 2);
    for (let u = -width / 2 + 8; u < width / 2 - 30; ) {
      const w = Math.min(rng.range(34, 58), width / 2 - 8 - u);
      const slab = b.structure({ use: 'apartment', frame: childFrame(frame, u + w / 2, v + d / 2), footprint: rectangle(w, d), height, floors, roof: 'flat', colour, parapet: true });
      if (slab) placeRoofFixtures(b, slab, always);
      for (let p = u + 3; p < u + w - 3; p += 2.6) {
        if (!rng.chance(0.45)) continue;
        const [x, y] = toScene(frame, p, v + d + 5 + 2.4 * (rng.chance(0.5) ? 1 : -1));
        b.car(x, y, frame.angle + Math.PI / 2, { length: 4.6, width: 1.8, height: 1.5 }, carColour(rng), movingPresence(b));
      }
      u += w + rng.range(10, 16);
    }
    for (let u = -width / 2 + 4; u < width / 2 - 4; u += rng.range(6, 12)) {
      const [x, y] = toScene(frame, u, v - rng.range(3, 6));
      b.tree(x, y, rng.range(2, 3.5), rng.range(6, 11), canopyColour(rng), rng.chance(0.6));
    }
    v += d + Math.max(16, height * 1.1);
  }
}

/** A fenced site of bare soil under green dust nets, with a concrete frame going up. */
export function layoutConstruction(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const { frame, width, depth } = district;
  b.ground('construction', frame, rectangle(width, depth), 1);
  for (let i = Math.round((width * depth) / 900); i > 0; i--) {
    const f = childFrame(frame, rng.range(-width / 2, width / 2), rng.range(-depth / 2, depth / 2), rng.range(0, 3));
    b.ground('dustnet', f, rectangle(rng.range(8, 25), rng.range(6, 20)), 2);
  }
  const t = 0.3;
  const hoarding = (u: number, v: number, w: number, d: number) =>
    b.structure({ use: 'hoarding', frame: childFrame(frame, u, v), footprint: rectangle(w, d), height: 2.5, roof: 'wall', colour: [70, 120, 185] });
  hoarding(0, -depth / 2 + t / 2, width, t);
  hoarding(0, depth / 2 - t / 2, width, t);
  hoarding(-width / 2 + t / 2, 0, t, depth - 2 * t);
  hoarding(width / 2 - t / 2, 0, t, depth - 2 * t);
  if (width > 40 && depth > 40) {
    const footprint = rectangle(rng.range(20, 35), rng.range(12, 16));
    const floors = rng.int(1, 4);
    b.structure({ use: 'apartment', frame: childFrame(frame, 0, 0), footprint, height: 3 * floors, floors, roof: 'flat', colour: [150, 148, 142] });
  }
}
