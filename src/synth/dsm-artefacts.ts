/**
 * What dense matching does to a DSM beyond plain noise, differently in each flight: tree crowns
 * reconstructed higher or lower, bumpier or blurred into a smooth dome, with holes where foliage
 * did not match (worse for bare winter crowns), and blobs and overshoot along building edges.
 * All of it is a pure function of scene coordinates, the tree and the flight's seed, so render
 * blocks agree; none of it is a change.
 */
import { leafCover } from './flights.js';
import { fbm, hash2, valueNoise } from './random.js';
import type { Epoch, FlightConditions, Tree } from './types.js';

/** How one flight's photogrammetry reconstructed one tree crown. */
export interface CrownReconstruction {
  /** Whole-crown bias, metres (matching mostly lands below the leaf tops; far below on bare branches). */
  readonly bias: number;
  /** Amplitude of the bumps at the 0.5-2 m scale, metres. */
  readonly bumps: number;
  /** Amplitude of the per-pixel noise, metres. */
  readonly white: number;
  /** The crown came out as a smooth dome without detail (as when few points matched). */
  readonly dome: boolean;
  /** Holes where `patchy` exceeds this (lower: more holes). */
  readonly holeAbove: number;
  /** Seed of this crown's noise in this flight. */
  readonly seed: number;
}

/** Draws how a flight reconstructs a crown, from the tree, the flight and the flight's DSM seed. */
export function crownReconstruction(tree: Tree, flight: FlightConditions, seed: number): CrownReconstruction {
  const h = (k: number) => hash2(tree.id, k, seed + 61);
  // Bare branches hardly match: the surface drops towards the ground and tears open.
  const bare = tree.evergreen ? 0 : 1 - leafCover[flight.season];
  return {
    bias: -0.1 - 1.2 * h(1) - 3.5 * bare * (0.6 + 0.4 * h(2)),
    bumps: 1.0 + 1.6 * h(3) + 1.5 * bare,
    white: 0.25 + 0.3 * h(4) + 0.5 * bare,
    dome: h(5) < 0.28 - 0.3 * bare,
    holeAbove: 0.8 - 0.14 * h(6) - 0.35 * bare,
    seed: (seed + 67 + tree.id * 13) | 0,
  };
}

/** Height of a crown's DSM pixel from the smoothed surface (or a blurred dome), with this flight's errors. */
export function crownHeight(c: CrownReconstruction, tree: Tree, epoch: Epoch, surface: number, gx: number, gy: number, x: number, y: number): number {
  const e = epoch === 'before' ? 0 : 1;
  const white = c.white * 2 * (hash2(gx, gy, c.seed) - 0.5);
  // Correlated at 0.5-2 m, as clumps of leaves matched or missed together.
  const bumps = c.bumps * (1.4 * (valueNoise(x / 1.3, y / 1.3, c.seed + 1) - 0.5) + 0.6 * (valueNoise(x / 0.5, y / 0.5, c.seed + 2) - 0.5));
  if (!c.dome) return surface + c.bias + bumps + white;
  const dx = x - tree.x;
  const dy = y - tree.y;
  const r2 = Math.min(1, (dx * dx + dy * dy) / (tree.radius[e] * tree.radius[e] * 1.1));
  const dome = tree.groundZ + tree.height[e] * (0.55 + 0.45 * Math.sqrt(1 - r2));
  return dome + c.bias + 0.3 * bumps + 0.3 * white;
}

/** Patches (0-1) where matching failed in this flight; a pure function of the scene point. */
export function holePatches(x: number, y: number, seed: number): number {
  return fbm(x / 2.2, y / 2.2, seed + 11, 3);
}

/**
 * Artefacts along a height jump (ODM-like), differing per flight: on the high side an overshoot
 * of 0.3-1 m in patches, on the low side blobs of the roof spilling 0.2-0.6 m outwards. `lo` and
 * `hi` are the lowest and highest smoothed heights within 0.2 m (`near`) and 0.4 m (`far`).
 */
export function edgeArtefact(value: number, nearLo: number, nearHi: number, farHi: number, x: number, y: number, seed: number): number {
  if (value - nearLo > 1.5) {
    const f = valueNoise(x / 0.9, y / 0.9, seed + 41);
    return f > 0.55 ? value + 0.3 + 1.55 * (f - 0.55) : value;
  }
  const hi = nearHi - value > 1.5 ? nearHi : farHi - value > 1.5 ? farHi : value;
  if (hi === value) return value;
  const g = valueNoise(x / 1.3, y / 1.3, seed + 43);
  if (g < 0.5) return value;
  const reach = hi === nearHi ? 1 : 0.55;
  return value + (hi - value) * Math.min(0.95, reach * (g - 0.5) * 2.4);
}
