/**
 * Bare-ground elevation: gentle relief (a few metres over hundreds of metres) around a base
 * elevation, as on the plains and low hills near Hangzhou. A pure function of scene coordinates.
 */
import { fbm, valueNoise } from './random.js';

/** Parameters of the terrain surface. */
export interface TerrainModel {
  readonly seed: number;
  /** Mean elevation, metres. */
  readonly base: number;
  /** Peak-to-peak relief over the broad undulations, metres. */
  readonly relief: number;
}

/** Terrain elevation in metres at scene point (x, y). */
export function terrainElevation(terrain: TerrainModel, x: number, y: number): number {
  const broad = fbm(x / 650, y / 650, terrain.seed, 3) - 0.5;
  const local = valueNoise(x / 140, y / 140, terrain.seed + 7) - 0.5;
  return terrain.base + terrain.relief * broad * 1.6 + 1.2 * local;
}
