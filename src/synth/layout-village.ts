/**
 * Urban-village districts (城中村): blocks between concrete lanes, two rows of plots per block,
 * each plot a house (with or without a walled front yard), or left vacant (soil, vegetables, rubble).
 */
import { always, beforeOnly, afterOnly, type SceneBuilder } from './builder.js';
import { boxFootprint, childFrame, rectangle, toScene, type Box, type Frame } from './geometry.js';
import { placeHouse } from './layout-house.js';
import { addVehicle } from './layout-vehicles.js';
import { canopyColour, carColour } from './palette.js';
import type { GroundMaterial, Presence } from './types.js';
import { vanSize } from './vehicles.js';

/** A district: a rectangle of width (local u) x depth (local v) centred on its frame. */
export interface District {
  readonly frame: Frame;
  readonly width: number;
  readonly depth: number;
}

/** Lays out lanes, blocks and plots of a village district. */
export function layoutVillage(b: SceneBuilder, district: District): void {
  const rng = b.rng;
  const { frame, width, depth } = district;
  // Between the houses: packed earth in some villages, old concrete in others.
  b.ground(rng.chance(0.6) ? 'concrete' : 'soil', frame, rectangle(width, depth), 1);
  const laneU = splitWithLanes(b, -width / 2, width / 2, () => rng.range(38, 80), () => rng.range(2.8, 4.5));
  const laneV = splitWithLanes(b, -depth / 2, depth / 2, () => rng.range(20, 29), () => rng.range(3.2, 5.5));
  for (const [u0, u1] of laneU.spans) {
    for (const [v0, v1] of laneV.spans) layoutBlock(b, frame, u0, u1, v0, v1);
  }
  for (const [a, w] of laneU.lanes) {
    const lane = childFrame(frame, a + w / 2, 0, Math.PI / 2);
    b.ground('concrete', lane, rectangle(depth, w), 2);
    placePoles(b, lane, depth, w / 2 - 0.3);
  }
  for (const [a, w] of laneV.lanes) {
    const lane = childFrame(frame, 0, a + w / 2);
    b.ground('concrete', lane, rectangle(width, w), 2);
    placePoles(b, lane, width, -w / 2 + 0.3);
  }
}

/** Splits [from, to] into spans separated by lanes; returns spans and lanes as [start, width]. */
function splitWithLanes(b: SceneBuilder, from: number, to: number, span: () => number, lane: () => number) {
  const spans: [number, number][] = [];
  const lanes: [number, number][] = [];
  let at = from;
  while (to - at > 8) {
    const end = Math.min(to, at + span());
    const last = to - end < 12;
    spans.push([at, last ? to : end]);
    if (last) break;
    const w = lane();
    lanes.push([end, w]);
    at = end + w;
    b.rng.next();
  }
  return { spans, lanes };
}

/** Fills one block with one or two rows of plots facing the lanes. */
function layoutBlock(b: SceneBuilder, frame: Frame, u0: number, u1: number, v0: number, v1: number): void {
  const twoRows = v1 - v0 >= 17;
  const rowDepth = twoRows ? (v1 - v0) / 2 : v1 - v0;
  const rows: [number, number][] = twoRows ? [[v0 + rowDepth / 2, 0], [v1 - rowDepth / 2, Math.PI]] : [[(v0 + v1) / 2, 0]];
  for (const [vc, turn] of rows) {
    let u = u0;
    while (u1 - u > 5) {
      let w = b.rng.range(7.5, 13);
      if (u1 - (u + w) < 6) w = u1 - u;
      const uc = turn === 0 ? u + w / 2 : -(u + w / 2);
      const rowFrame = childFrame(frame, 0, vc, turn);
      layoutPlot(b, childFrame(rowFrame, uc, 0, b.rng.normal(0, 0.015)), w, rowDepth);
      u += w;
    }
  }
}

/** One plot: a house, a walled yard, or vacant land. */
function layoutPlot(b: SceneBuilder, frame: Frame, width: number, depth: number): void {
  const rng = b.rng;
  if (width < 5.5 || depth < 6 || rng.chance(0.07)) {
    const material = rng.weighted<GroundMaterial>([['vegetables', 4], ['soil', 3], ['grass', 2], ['rubble', 1]]);
    const cover = b.ground(material, frame, rectangle(width, depth), 3);
    if (rng.chance(0.4)) {
      const [x, y] = toScene(frame, rng.range(-width / 3, width / 3), rng.range(-depth / 3, depth / 3));
      b.tree(x, y, rng.range(1.8, 3.2), rng.range(5, 9), canopyColour(rng), rng.chance(0.5));
    }
    b.parcels.push({ frame, width, depth, house: null, fixtures: [], yard: [-width / 2, -depth / 2, width / 2, depth / 2], cover: cover ? [cover] : [], used: false });
    return;
  }
  const gapLeft = rng.range(0.25, 0.9);
  const gapRight = rng.range(0.25, 0.9);
  const back = rng.chance(0.25) ? rng.range(0.8, 2.2) : rng.range(0.2, 0.7);
  const yardDepth = depth > 12 && rng.chance(0.35) ? rng.range(2.8, Math.min(5.5, depth - 8)) : 0;
  const front = yardDepth > 0 ? yardDepth : rng.range(0.1, 0.8);
  const hw = width - gapLeft - gapRight;
  const hd = depth - back - front;
  const houseFrame = childFrame(frame, (gapLeft - gapRight) / 2, (front - back) / 2);
  const built = placeHouse(b, houseFrame, hw, hd);
  const yard: Box | null = yardDepth > 0 ? [-width / 2, -depth / 2, width / 2, -depth / 2 + yardDepth] : null;
  if (yard) layoutYard(b, frame, yard);
  b.parcels.push({ frame, width, depth, house: built?.house ?? null, fixtures: built?.fixtures ?? [], yard, cover: [], used: !built });
  if (rng.chance(0.12)) parkInLane(b, frame, width, depth);
  else if (rng.chance(0.3)) parkTwoWheelers(b, frame, width, depth);
  else if (rng.chance(0.06)) {
    const [x, y] = toScene(frame, rng.range(-width / 3, width / 3), -depth / 2 - 1.2);
    b.tree(x, y, rng.range(1.8, 3.2), rng.range(6, 10), canopyColour(rng), rng.chance(0.6));
  }
}

/** A concrete yard behind a wall with a gate, sometimes with a tree or a car. */
function layoutYard(b: SceneBuilder, frame: Frame, yard: Box): void {
  const rng = b.rng;
  const [u0, v0, u1, v1] = yard;
  b.ground('concrete', frame, boxFootprint(yard), 3);
  const t = 0.24;
  const wall = (box: Box) =>
    b.structure({ use: 'wall', frame, footprint: boxFootprint(box), height: rng.range(1.9, 2.3), roof: 'wall', colour: [196, 194, 188] });
  const gate = rng.range(u0 + 1, u1 - 3.6);
  wall([u0, v0, gate, v0 + t]);
  wall([gate + 2.6, v0, u1, v0 + t]);
  wall([u0, v0 + t, u0 + t, v1]);
  wall([u1 - t, v0 + t, u1, v1]);
  const midV = (v0 + v1) / 2;
  if (u1 - u0 > 6 && v1 - v0 > 2.6 && rng.chance(0.25)) {
    const [x, y] = toScene(frame, rng.chance(0.5) ? u0 + 2.6 : u1 - 2.6, midV);
    b.car(x, y, frame.angle, { length: 4.6, width: 1.8, height: 1.5 }, carColour(rng), movingPresence(b));
  } else if (rng.chance(0.3)) {
    const [x, y] = toScene(frame, rng.range(u0 + 1.5, u1 - 1.5), midV);
    b.tree(x, y, rng.range(1.5, 2.8), rng.range(4, 8), canopyColour(rng), rng.chance(0.5));
  }
}

/** A car or van parked in the lane in front of a plot. */
function parkInLane(b: SceneBuilder, frame: Frame, width: number, depth: number): void {
  const [x, y] = toScene(frame, b.rng.range(-width / 4, width / 4), -depth / 2 - 1.1);
  const angle = frame.angle + (b.rng.chance(0.5) ? Math.PI : 0);
  if (b.rng.chance(0.25)) addVehicle(b, x, y, angle, vanSize(b.rng), movingPresence(b));
  else b.car(x, y, angle, { length: 4.5, width: 1.8, height: 1.5 }, carColour(b.rng), movingPresence(b));
}

/** E-bikes and three-wheelers parked against a house front. */
function parkTwoWheelers(b: SceneBuilder, frame: Frame, width: number, depth: number): void {
  const rng = b.rng;
  for (let i = rng.int(1, 4), u = rng.range(-width / 2 + 0.5, 0); i > 0 && u < width / 2 - 0.5; i--, u += rng.range(0.7, 1.4)) {
    const [x, y] = toScene(frame, u, -depth / 2 - 0.8);
    const tricycle = rng.chance(0.25);
    const size = tricycle ? { length: 2.6, width: 1.1, height: 1.3 } : { length: 1.7, width: 0.6, height: 1.1 };
    b.car(x, y, frame.angle + Math.PI / 2 + rng.normal(0, 0.15), size, carColour(rng), movingPresence(b));
  }
}

/** Parked cars come and go between flights. */
export function movingPresence(b: SceneBuilder): Presence {
  return b.rng.weighted<Presence>([[always, 4], [beforeOnly, 3], [afterOnly, 3]]);
}

/** Concrete utility poles every 25-45 m along a lane or road (local u), at offset v from its axis. */
export function placePoles(b: SceneBuilder, frame: Frame, length: number, v: number): void {
  for (let u = -length / 2 + b.rng.range(3, 25); u < length / 2; u += b.rng.range(25, 45)) {
    b.structure({ use: 'pole', frame: childFrame(frame, u, v), footprint: rectangle(0.3, 0.3), round: true, height: b.rng.range(8, 10), roof: 'wall', colour: [170, 170, 166] });
  }
}
