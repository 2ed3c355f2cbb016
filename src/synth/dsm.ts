/**
 * Photogrammetric surface and terrain models of a block at twice the orthophoto's GSD, as drone
 * processing software writes them: soft building edges, noise on roofs, noisier tree crowns,
 * holes (nodata) at edges and on uniform surfaces, and the flight's vertical offset and tilt.
 */
import { fbm, hash2, valueNoise } from './random.js';
import type { BlockSurface } from './rasterize.js';
import type { CoreWindow } from './ortho.js';
import { terrainElevation } from './terrain.js';
import type { Scene } from './types.js';

/** Nodata value of DSM and DTM rasters (as OpenDroneMap writes). */
export const nodata = -9999;

/** Orthophoto pixels per DSM pixel along each axis. */
export const dsmFactor = 2;

/** DSM heights of the core window of a block (which must start and end on even pixels). */
export function dsmBlock(scene: Scene, surface: BlockSurface, core: CoreWindow): Float32Array {
  const flight = scene.flights[surface.epoch];
  const seed = scene.seed + (surface.epoch === 'before' ? 3000 : 4000);
  const w = core.width / dsmFactor;
  const h = core.height / dsmFactor;
  const coarse = averageHeights(surface, core, w + 2, h + 2);
  const out = new Float32Array(w * h);
  const gsd = scene.gsd * dsmFactor;
  const [sx, sy] = flight.shift;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const at = (j + 1) * (w + 2) + i + 1;
      const smooth = gaussian3(coarse, at, w + 2);
      const gx = (surface.region.x0 + core.x) / dsmFactor + i;
      const gy = (surface.region.y0 + core.y) / dsmFactor + j;
      // Scene point of the pixel centre (for noise), and map offset from the scene centre (for tilt).
      const mx = (gx + 0.5) * gsd;
      const my = scene.extent - (gy + 0.5) * gsd;
      const owner = ownerAt(surface, core, i, j);
      const edge = edgeStrength(coarse, at, w + 2);
      if (isHole(owner, edge, mx - sx, my - sy, seed)) {
        out[j * w + i] = nodata;
        continue;
      }
      const noise = heightNoise(owner, gx, gy, mx - sx, my - sy, seed);
      const tilt = flight.dsmTilt[0] * (mx - scene.extent / 2) + flight.dsmTilt[1] * (my - scene.extent / 2);
      out[j * w + i] = smooth + noise + flight.dsmOffset + tilt;
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

/** Mean surface elevation over each 2x2 group of orthophoto pixels, with a one-pixel margin. */
function averageHeights(surface: BlockSurface, core: CoreWindow, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const width = surface.region.width;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const rx = core.x + (i - 1) * dsmFactor;
      const ry = core.y + (j - 1) * dsmFactor;
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

function edgeStrength(values: Float32Array, at: number, w: number): number {
  const c = values[at];
  return Math.max(Math.abs(values[at - 1] - c), Math.abs(values[at + 1] - c), Math.abs(values[at - w] - c), Math.abs(values[at + w] - c));
}

type SurfaceClass = 'ground' | 'water' | 'roof' | 'tree' | 'car';

function ownerAt(surface: BlockSurface, core: CoreWindow, i: number, j: number): SurfaceClass {
  const k = (core.y + j * dsmFactor) * surface.region.width + core.x + i * dsmFactor;
  const owner = surface.owner[k];
  if (owner < 0) return 'ground';
  const object = surface.objects[owner];
  if (object.kind === 'ground') return object.material === 'water' ? 'water' : 'ground';
  return object.kind === 'structure' ? 'roof' : object.kind;
}

/** Matching fails at steep edges and on featureless surfaces, in patches. */
function isHole(owner: SurfaceClass, edge: number, x: number, y: number, seed: number): boolean {
  const patchy = fbm(x / 2.2, y / 2.2, seed + 11, 3);
  if (edge > 1.5 && patchy > 0.62) return true;
  if (owner === 'roof' && patchy > 0.8) return true;
  if (owner === 'water') return patchy > 0.35;
  return owner === 'tree' && patchy > 0.72;
}

function heightNoise(owner: SurfaceClass, gx: number, gy: number, x: number, y: number, seed: number): number {
  const white = hash2(gx, gy, seed) - 0.5;
  const bumps = valueNoise(x / 1.5, y / 1.5, seed + 21) - 0.5;
  if (owner === 'tree') return 1.2 * white + 1.4 * bumps - 0.4;
  if (owner === 'roof') return 0.1 * white + 0.12 * bumps;
  if (owner === 'car') return 0.2 * white - 0.3;
  return 0.06 * white + 0.06 * bumps;
}
