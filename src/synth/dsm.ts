/**
 * Photogrammetric surface and terrain models of a block at twice the orthophoto's GSD, as drone
 * processing software writes them: soft building edges with blobs and overshoot, noise on roofs,
 * tree crowns reconstructed differently in each flight (`dsm-artefacts.ts`), holes (nodata) at
 * edges, on uniform surfaces and in crowns, and the flight's vertical offset and tilt.
 */
import { crownHeight, crownReconstruction, edgeArtefact, holePatches, type CrownReconstruction } from './dsm-artefacts.js';
import { hash2, valueNoise } from './random.js';
import type { BlockSurface } from './rasterize.js';
import type { CoreWindow } from './ortho.js';
import { terrainElevation } from './terrain.js';
import type { Scene, SceneObject } from './types.js';

/** Nodata value of DSM and DTM rasters (as OpenDroneMap writes). */
export const nodata = -9999;

/** Orthophoto pixels per DSM pixel along each axis. */
export const dsmFactor = 2;

/** Coarse pixels of margin around the core: the smoothing and the edge artefacts look 2 pixels out. */
const margin = 2;

/** DSM heights of the core window of a block (which must start and end on even pixels). */
export function dsmBlock(scene: Scene, surface: BlockSurface, core: CoreWindow): Float32Array {
  const flight = scene.flights[surface.epoch];
  const seed = scene.seed + (surface.epoch === 'before' ? 3000 : 4000);
  const w = core.width / dsmFactor;
  const h = core.height / dsmFactor;
  const cw = w + 2 * margin;
  const coarse = averageHeights(surface, core, cw, h + 2 * margin);
  const out = new Float32Array(w * h);
  const gsd = scene.gsd * dsmFactor;
  const [sx, sy] = flight.shift;
  const crowns = new Map<number, CrownReconstruction>();
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const at = (j + margin) * cw + i + margin;
      const gx = (surface.region.x0 + core.x) / dsmFactor + i;
      const gy = (surface.region.y0 + core.y) / dsmFactor + j;
      // Scene point of the pixel centre (for noise), and map offset from the scene centre (for tilt).
      const mx = (gx + 0.5) * gsd;
      const my = scene.extent - (gy + 0.5) * gsd;
      const [x, y] = [mx - sx, my - sy];
      const owner = ownerAt(surface, core, i, j);
      const object = owner >= 0 ? surface.objects[owner] : null;
      const kind = surfaceClass(object);
      const [nearLo, nearHi] = extremes(coarse, at, cw, 1);
      const patchy = holePatches(x, y, seed);
      let crown: CrownReconstruction | undefined;
      if (object?.kind === 'tree') {
        crown = crowns.get(owner) ?? crownReconstruction(object, flight, seed);
        crowns.set(owner, crown);
      }
      if (isHole(kind, Math.max(nearHi - coarse[at], coarse[at] - nearLo), patchy, crown)) {
        out[j * w + i] = nodata;
        continue;
      }
      let z = gaussian3(coarse, at, cw);
      if (crown && object?.kind === 'tree') z = crownHeight(crown, object, surface.epoch, z, gx, gy, x, y);
      else {
        if (kind !== 'water') z = edgeArtefact(z, nearLo, nearHi, extremes(coarse, at, cw, 2)[1], x, y, seed);
        z += heightNoise(kind, gx, gy, x, y, seed);
      }
      const tilt = flight.dsmTilt[0] * (mx - scene.extent / 2) + flight.dsmTilt[1] * (my - scene.extent / 2);
      out[j * w + i] = z + flight.dsmOffset + tilt;
    }
  }
  return out;
}

/** DTM (bare ground) of the core window of a block, from the terrain model with slight noise. */
export function dtmBlock(scene: Scene, x0: number, y0: number, width: number, height: number): Float32Array {
  const gsd = scene.gsd * dsmFactor;
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const x = (x0 + i + 0.5) * gsd;
      const y = scene.extent - (y0 + j + 0.5) * gsd;
      const bias = 0.12 * (valueNoise(x / 30, y / 30, scene.seed + 5001) - 0.5);
      out[j * width + i] = terrainElevation(scene.terrain, x, y) + bias + 0.02 * (hash2(x0 + i, y0 + j, scene.seed + 5002) - 0.5);
    }
  }
  return out;
}

/** Mean surface elevation over each 2x2 group of orthophoto pixels, with `margin` pixels all round. */
function averageHeights(surface: BlockSurface, core: CoreWindow, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const width = surface.region.width;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const rx = core.x + (i - margin) * dsmFactor;
      const ry = core.y + (j - margin) * dsmFactor;
      const k = ry * width + rx;
      out[j * w + i] = (surface.z[k] + surface.z[k + 1] + surface.z[k + width] + surface.z[k + width + 1]) / 4;
    }
  }
  return out;
}

function gaussian3(values: Float32Array, at: number, w: number): number {
  const edges = values[at - 1] + values[at + 1] + values[at - w] + values[at + w];
  const corners = values[at - w - 1] + values[at - w + 1] + values[at + w - 1] + values[at + w + 1];
  return (4 * values[at] + 2 * edges + corners) / 16;
}

/** The lowest and highest of the values within `radius` pixels of `at`. */
function extremes(values: Float32Array, at: number, w: number, radius: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let dj = -radius; dj <= radius; dj++) {
    for (let di = -radius; di <= radius; di++) {
      const v = values[at + dj * w + di];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

type SurfaceClass = 'ground' | 'water' | 'roof' | 'tree' | 'car';

/** Index into the block's objects of what the DSM pixel shows, -1 for bare ground. */
function ownerAt(surface: BlockSurface, core: CoreWindow, i: number, j: number): number {
  return surface.owner[(core.y + j * dsmFactor) * surface.region.width + core.x + i * dsmFactor];
}

function surfaceClass(object: SceneObject | null): SurfaceClass {
  if (!object) return 'ground';
  if (object.kind === 'ground') return object.material === 'water' ? 'water' : 'ground';
  return object.kind === 'structure' ? 'roof' : object.kind;
}

/** Matching fails at steep edges, on featureless surfaces and on crowns (each flight its own), in patches. */
function isHole(kind: SurfaceClass, edge: number, patchy: number, crown: CrownReconstruction | undefined): boolean {
  // Crowns are rough inside: only their rim counts as an edge.
  if (edge > (crown ? 4 : 1.5) && patchy > 0.62) return true;
  if (kind === 'roof') return patchy > 0.8;
  if (kind === 'water') return patchy > 0.35;
  return crown !== undefined && patchy > crown.holeAbove;
}

function heightNoise(kind: SurfaceClass, gx: number, gy: number, x: number, y: number, seed: number): number {
  const white = hash2(gx, gy, seed) - 0.5;
  const bumps = valueNoise(x / 1.5, y / 1.5, seed + 21) - 0.5;
  if (kind === 'roof') return 0.1 * white + 0.12 * bumps;
  if (kind === 'car') return 0.2 * white - 0.3;
  return 0.06 * white + 0.06 * bumps;
}
