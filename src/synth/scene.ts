/**
 * Builds the vector model of a scene from a seed: terrain, flights, layout, changes, plans,
 * zones and grids, and the standing buildings with their plan register. The same options always give the same scene.
 */
import { SceneBuilder } from './builder.js';
import { registerBuildings } from './building-register.js';
import { applyChanges } from './changes.js';
import { chooseFlights } from './flights.js';
import { layoutScene } from './layout.js';
import { Obstacles, placeVehicles } from './layout-vehicles.js';
import { createRandom, hashInt } from './random.js';
import { standingBuildings } from './standing-buildings.js';
import type { Scene, SceneObject } from './types.js';
import { exemptChanges, makeGrids, makeZones } from './zones-grids.js';

/** What a scene is generated from. */
export interface SceneOptions {
  /** Any integer; the same seed gives the same scene. */
  seed: number;
  /** Orthophoto width and height in pixels, a multiple of 256. */
  size: number;
  /** Orthophoto ground sample distance, metres (default 0.1). */
  gsd?: number;
  /** EPSG code of the projected CRS (default 4549, CGCS2000 3-degree Gauss-Krüger CM 120°E). */
  epsg?: number;
  /** Whether anything is built or demolished between the flights (default true); false leaves only nuisances and an empty truth. */
  changes?: boolean;
}

/** Builds the scene model (no rasters). */
export function buildScene(options: SceneOptions): Scene {
  const gsd = options.gsd ?? 0.1;
  const epsg = options.epsg ?? 4549;
  const extent = options.size * gsd;
  const rng = createRandom(options.seed);
  const origin: [number, number] = [Math.round(500000 + rng.range(-20000, 20000)), Math.round(3350000 + rng.range(-15000, 15000))];
  const terrain = { seed: hashInt(options.seed, 17, 3) & 0x7fffffff, base: Math.round(rng.range(8, 20) * 10) / 10, relief: Math.round(rng.range(2, 8) * 10) / 10 };
  // The camera draws from a stream of its own, so that the layout does not depend on them.
  const flights = chooseFlights(rng, createRandom(options.seed, 7));
  const builder = new SceneBuilder(extent, terrain, rng);
  const layout = layoutScene(builder);
  const obstacles = new Obstacles(builder);
  const withChanges = options.changes ?? true;
  const { changes, plans } = applyChanges(builder, flights, obstacles, withChanges);
  placeVehicles(builder, obstacles);
  const objects = builder.finish();
  const zones = makeZones(layout, extent, rng);
  const grids = makeGrids(extent, rng);
  const judged = exemptChanges(changes, zones, flights.after.shift);
  // The register draws from a stream of its own, so that nothing before it moves.
  const register = registerBuildings({ changes: judged, plans, zones, flights }, standingBuildings(objects), createRandom(options.seed, 11));
  return {
    seed: options.seed,
    size: options.size,
    gsd,
    epsg,
    origin,
    extent,
    terrain,
    flights,
    withChanges,
    objects,
    changes: judged,
    plans,
    buildings: register.buildings,
    buildingPlans: register.plans,
    zones,
    grids,
    maxHeight: objects.reduce((top, o) => Math.max(top, topAboveGround(o)), 0),
  };
}

function topAboveGround(object: SceneObject): number {
  if (object.kind === 'structure') return object.base + object.height + object.rise + 1;
  if (object.kind === 'tree') return Math.max(...object.height) + 0.5;
  if (object.kind === 'car') return object.height;
  return object.raise;
}
