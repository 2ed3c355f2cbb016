/**
 * Colours a rasterised block into orthophoto pixels: albedo of the visible object, sun and sky
 * light with cast shadows; then the flight's camera (`camera.ts`).
 */
import { toLocal } from './geometry.js';
import { facadeNormal, type LeanOverlay } from './lean.js';
import { develop } from './camera.js';
import { pixelMapping, type BlockSurface, type PixelMapping, type PixelRegion } from './rasterize.js';
import { newAlbedo, shadeGround, shadeOpenGround, type Albedo } from './shade-ground.js';
import { shadeFacade, shadeStructure, sunVector, type SunVector } from './shade-structures.js';
import { shadeTree } from './shade-trees.js';
import { shadeVehicle } from './vehicles.js';
import type { Scene, Structure } from './types.js';

/** Sky (diffuse) and sun (direct) light per channel; a flat lit surface gets about 1. */
const skyLight = [0.35, 0.38, 0.45];
const sunLight = [0.7, 0.67, 0.6];

/** How green the vegetation is in each season. */
const vigourOf = { spring: 0.85, summer: 1, autumn: 0.55, winter: 0.3 } as const;

/** A window inside a block surface: offset and size, in pixels. */
export interface CoreWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** RGB pixels (pixel-interleaved) of the core window of a block. */
export function colourBlock(scene: Scene, surface: BlockSurface, shadow: Float32Array, sky: Float32Array, lean: LeanOverlay, core: CoreWindow): Uint8Array {
  const flight = scene.flights[surface.epoch];
  const light: Lighting = {
    scene, surface, shadow, sky, lean,
    map: pixelMapping(scene, surface.epoch),
    sun: sunVector(flight.sunAzimuth, flight.sunElevation),
    vigour: vigourOf[flight.season],
    albedo: newAlbedo(),
  };
  const { region } = surface;
  const w = core.width + 2;
  const h = core.height + 2;
  const lit = new Float32Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const ry = core.y - 1 + row;
    const y = light.map.top - (region.y0 + ry + 0.5) * light.map.gsd;
    for (let col = 0; col < w; col++) {
      const rx = core.x - 1 + col;
      const x = light.map.left + (region.x0 + rx + 0.5) * light.map.gsd;
      const open = illuminate(light, ry * region.width + rx, x, y);
      const { albedo } = light;
      const o = (row * w + col) * 3;
      for (let c = 0; c < 3; c++) lit[o + c] = albedo[c] * (skyLight[c] * open + sunLight[c] * albedo[3]);
    }
  }
  return develop(scene, surface, lit, core);
}

/** What lighting a block needs, and the albedo being computed. */
interface Lighting {
  readonly scene: Scene;
  readonly surface: BlockSurface;
  readonly shadow: Float32Array;
  readonly sky: Float32Array;
  readonly lean: LeanOverlay;
  readonly map: PixelMapping;
  readonly sun: SunVector;
  readonly vigour: number;
  readonly albedo: Albedo;
}

/**
 * Sets the albedo of what pixel k (scene point x, y) shows, with its direct sunlight (after
 * shadows) in albedo[3]; returns the share of sky light it gets.
 */
function illuminate(light: Lighting, k: number, x: number, y: number): number {
  const { surface, lean, albedo, sun, shadow, sky, map } = light;
  const seed = light.scene.seed;
  const leaning = lean.owner[k];
  if (leaning >= 0) {
    const s = surface.objects[leaning] as Structure;
    const qx = x + lean.shiftX[k];
    const qy = y + lean.shiftY[k];
    const height = lean.facadeHeight[k];
    if (height >= 0) {
      const [u, v] = toLocal(s.frame, qx, qy);
      const normal = facadeNormal(s, u, v);
      shadeFacade(albedo, s, u, v, height, normal, sun, seed);
      const front = pixelAt(map, surface.region, qx + normal[0] * 0.4, qy + normal[1] * 0.4);
      albedo[3] *= 1 - shadow[front] * Math.max(0, 1 - height / 8);
      return 0.75;
    }
    shadeStructure(albedo, s, qx, qy, sun, seed);
    const q = pixelAt(map, surface.region, qx, qy);
    albedo[3] *= 1 - shadow[q];
    return sky[q];
  }
  const owner = surface.owner[k];
  const object = owner >= 0 ? surface.objects[owner] : null;
  if (!object) shadeOpenGround(albedo, x, y, seed, light.vigour);
  else if (object.kind === 'ground') shadeGround(albedo, object, x, y, seed, light.vigour, surface.epoch);
  else if (object.kind === 'structure') shadeStructure(albedo, object, x, y, sun, seed);
  else if (object.kind === 'tree') shadeTree(albedo, object, surface.epoch, x, y, sun, seed, light.vigour);
  else shadeVehicle(albedo, object, x, y, sun);
  albedo[3] *= 1 - shadow[k];
  return sky[k];
}

/** Index of the region pixel containing a scene point, clamped to the region. */
function pixelAt(map: PixelMapping, region: PixelRegion, x: number, y: number): number {
  const col = Math.min(region.width - 1, Math.max(0, Math.floor((x - map.left) / map.gsd) - region.x0));
  const row = Math.min(region.height - 1, Math.max(0, Math.floor((map.top - y) / map.gsd) - region.y0));
  return row * region.width + col;
}
