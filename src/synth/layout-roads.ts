/**
 * Main roads: asphalt carriageways with lane markings, kerbed sidewalks, street trees, and traffic.
 */
import type { SceneBuilder } from './builder.js';
import { childFrame, rectangle, toScene, type Frame } from './geometry.js';
import { movingPresence, placePoles } from './layout-village.js';
import { addVehicle, vanOrTruck } from './layout-vehicles.js';
import { canopyColour, carColour } from './palette.js';
import { afterOnly, beforeOnly } from './builder.js';

/** A main road along the local u axis of `frame` (at v = 0), `length` long. */
export interface MainRoad {
  readonly frame: Frame;
  readonly length: number;
  /** Carriageway width, metres. */
  readonly carriageway: number;
  readonly sidewalk: number;
  readonly lanes: number;
}

/** Draws a main road with its sidewalks, street trees and cars. */
export function layoutMainRoad(b: SceneBuilder, road: MainRoad): void {
  const { frame, length, carriageway, sidewalk, lanes } = road;
  b.ground('asphalt', frame, rectangle(length, carriageway), 4, {
    markings: { centre: lanes >= 4 ? 'double_yellow' : 'dashed_white', laneWidth: carriageway / lanes },
  });
  for (const side of [-1, 1]) {
    const offset = side * (carriageway / 2 + sidewalk / 2);
    b.ground('sidewalk', childFrame(frame, 0, offset), rectangle(length, sidewalk), 4, { raise: 0.15 });
    plantStreetTrees(b, frame, length, offset + side * (sidewalk / 2 - 1.2));
    placePoles(b, frame, length, side * (carriageway / 2 + 0.4));
  }
  placeTraffic(b, road);
}

function plantStreetTrees(b: SceneBuilder, frame: Frame, length: number, v: number): void {
  const rng = b.rng;
  const spacing = rng.range(6, 9);
  const colour = canopyColour(rng);
  const evergreen = rng.chance(0.5);
  for (let u = -length / 2 + rng.range(0, spacing); u < length / 2; u += spacing) {
    if (rng.chance(0.12)) continue;
    const [x, y] = toScene(frame, u, v);
    b.tree(x, y, rng.range(2.0, 3.2), rng.range(6, 10), colour, evergreen);
  }
}

/** Moving traffic in the lanes (different cars on each flight) and cars parked at the kerb. */
function placeTraffic(b: SceneBuilder, road: MainRoad): void {
  const rng = b.rng;
  const { frame, length, carriageway, lanes } = road;
  const laneWidth = carriageway / lanes;
  for (let lane = 0; lane < lanes; lane++) {
    const v = -carriageway / 2 + laneWidth * (lane + 0.5);
    const heading = v < 0 ? 0 : Math.PI;
    for (const presence of [beforeOnly, afterOnly]) {
      for (let u = -length / 2 + rng.range(0, 30); u < length / 2; u += rng.range(20, 110)) {
        const [x, y] = toScene(frame, u, v + rng.normal(0, 0.2));
        const angle = frame.angle + heading + rng.normal(0, 0.01);
        if (rng.chance(0.14)) addVehicle(b, x, y, angle, vanOrTruck(rng, 0.6), presence);
        else b.car(x, y, angle, { length: 4.6, width: 1.8, height: 1.5 }, carColour(rng), presence);
      }
    }
  }
  for (let u = -length / 2; u < length / 2; u += rng.range(15, 80)) {
    const v = (rng.chance(0.5) ? -1 : 1) * (carriageway / 2 - 1.2);
    const [x, y] = toScene(frame, u, v);
    b.car(x, y, frame.angle, { length: 4.6, width: 1.8, height: 1.5 }, carColour(rng), movingPresence(b));
  }
}
