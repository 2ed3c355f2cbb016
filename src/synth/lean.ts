/**
 * Relief displacement, as in orthomosaics that are not true orthophotos: each building is seen
 * from the camera whose nadir is nearest, so its roof is displaced away from that nadir in
 * proportion to height and the facade between base and roof shows. Applies to the orthophoto
 * only; DSMs come from dense matching and stay true.
 */
import { insideBoxes, toLocal, toScene } from './geometry.js';
import { hash2 } from './random.js';
import { pixelMapping, type BlockSurface } from './rasterize.js';
import { structureTop } from './surface.js';
import type { Scene, Structure } from './types.js';

/** Flying height above ground (m), camera spacing along and across track (m). */
const camera = { altitude: 100, along: 32, across: 26 };

/** Share of the full perspective displacement left by the mosaicking software. */
const leanShare = 0.45;

/** The furthest a roof is displaced (m): buildings this close to a block are leaned into it. */
export const leanReach = 3.5;

/** What the orthophoto shows at each pixel where a building is displaced. */
export interface LeanOverlay {
  /** Index into the surface's objects of the building (or fixture) seen, -1 where the true raster applies. */
  readonly owner: Int32Array;
  /** Scene offset (m) from the pixel's point to the roof point seen there. */
  readonly shiftX: Float32Array;
  readonly shiftY: Float32Array;
  /** Height above ground (m) of the facade point seen, or -1 for roof and other pixels. */
  readonly facadeHeight: Float32Array;
}

/** Column and row of the photo whose nadir is nearest a scene point (the photo the mosaic shows there). */
export function photoAt(scene: Scene, x: number, y: number, epoch: 'before' | 'after'): [number, number] {
  const offset = hash2(epoch === 'before' ? 1 : 2, 0, scene.seed + 71);
  return [Math.round(x / camera.across - offset), Math.round(y / camera.along + offset)];
}

/** Horizontal displacement (m) per metre of height of a point, from the nearest camera nadir. */
function leanAt(scene: Scene, x: number, y: number, epoch: 'before' | 'after'): [number, number] {
  const offset = hash2(epoch === 'before' ? 1 : 2, 0, scene.seed + 71);
  const [i, j] = photoAt(scene, x, y, epoch);
  const nx = (i + offset) * camera.across;
  const ny = (j - offset) * camera.along;
  return [(leanShare * (x - nx)) / camera.altitude, (leanShare * (y - ny)) / camera.altitude];
}

/** Paints displaced roofs and facades of the block's buildings, lowest first. */
export function leanBuildings(scene: Scene, surface: BlockSurface): LeanOverlay {
  const n = surface.z.length;
  const overlay: LeanOverlay = {
    owner: new Int32Array(n).fill(-1),
    shiftX: new Float32Array(n),
    shiftY: new Float32Array(n),
    facadeHeight: new Float32Array(n).fill(-1),
  };
  const buildings = surface.objects
    .map((o, i) => [o, i] as const)
    .filter((entry): entry is readonly [Structure, number] => entry[0].kind === 'structure' && entry[0].base + entry[0].height > 2.5 && entry[0].use !== 'pole');
  const leaning = new Set(buildings.map(([, i]) => i));
  // Heights of what stays put (ground, trees, cars, walls); leaning buildings are repainted below.
  const seen = new Float32Array(n);
  for (let k = 0; k < n; k++) seen[k] = leaning.has(surface.owner[k]) ? 0 : surface.z[k] - surface.terrain[k];
  buildings.sort((a, b) => a[0].base + a[0].height - (b[0].base + b[0].height));
  const grounded = buildings.filter(([s]) => s.base === 0).map(([s]) => s);
  for (const [s, i] of buildings) {
    const anchor = s.base > 0 ? (grounded.find((g) => insideBoxes(g.footprint.boxes, ...toLocal(g.frame, s.frame.cx, s.frame.cy))) ?? s) : s;
    paintLeaning(scene, surface, overlay, seen, s, i, leanAt(scene, anchor.frame.cx, anchor.frame.cy, surface.epoch));
  }
  return overlay;
}

function paintLeaning(scene: Scene, surface: BlockSurface, overlay: LeanOverlay, seen: Float32Array, s: Structure, i: number, lean: [number, number]): void {
  const map = pixelMapping(scene, surface.epoch);
  const { region } = surface;
  const top = s.base + s.height;
  const [dx, dy] = [lean[0] * top, lean[1] * top];
  const [bx0, by0, bx1, by1] = s.bounds;
  const c0 = Math.max(0, Math.floor((Math.min(bx0, bx0 + dx) - map.left) / map.gsd) - region.x0 - 1);
  const c1 = Math.min(region.width - 1, Math.ceil((Math.max(bx1, bx1 + dx) - map.left) / map.gsd) - region.x0 + 1);
  const r0 = Math.max(0, Math.floor((map.top - Math.max(by1, by1 + dy)) / map.gsd) - region.y0 - 1);
  const r1 = Math.min(region.height - 1, Math.ceil((map.top - Math.min(by0, by0 + dy)) / map.gsd) - region.y0 + 1);
  const steps = Math.max(2, Math.ceil(Math.hypot(dx, dy) / map.gsd));
  for (let row = r0; row <= r1; row++) {
    const y = map.top - (region.y0 + row + 0.5) * map.gsd;
    for (let col = c0; col <= c1; col++) {
      const x = map.left + (region.x0 + col + 0.5) * map.gsd;
      const k = row * region.width + col;
      // The highest point of the structure whose displaced position falls on this pixel.
      for (let step = steps; step >= 0; step--) {
        const t = step / steps;
        const [u, v] = toLocal(s.frame, x - dx * t, y - dy * t);
        const height = structureTop(s, u, v);
        if (t * top < s.base) break;
        if (height < 0) continue;
        const h = t === 1 ? height : t * top;
        if (h < seen[k]) break;
        seen[k] = h;
        overlay.owner[k] = i;
        overlay.shiftX[k] = -dx * t;
        overlay.shiftY[k] = -dy * t;
        overlay.facadeHeight[k] = t === 1 ? -1 : h - s.base;
        break;
      }
    }
  }
}

/** Outward normal (scene axes) of the footprint edge nearest local (u, v). */
export function facadeNormal(s: Structure, u: number, v: number): [number, number] {
  let best = Infinity;
  let normal: [number, number] = [0, -1];
  for (const [u0, v0, u1, v1] of s.footprint.boxes) {
    const sides: [number, number, number][] = [[Math.abs(u - u0), -1, 0], [Math.abs(u1 - u), 1, 0], [Math.abs(v - v0), 0, -1], [Math.abs(v1 - v), 0, 1]];
    for (const [d, nu, nv] of sides) {
      if (d < best) {
        best = d;
        normal = [nu, nv];
      }
    }
  }
  const [x, y] = toScene({ ...s.frame, cx: 0, cy: 0 }, normal[0], normal[1]);
  return [x, y];
}
