/**
 * Albedo and sun-facing of structure tops (roof materials in `shade-roofs.ts`; tanks, solar
 * heaters, plants, walls and hoardings here) and of the facades that relief displacement shows.
 */
import { toLocal } from './geometry.js';
import { cellNoise, valueNoise } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import { shadeAsphalt, shadeFlatRoof, shadeGlazed, shadePv, shadeSlab, shadeSteel, shadeTiles } from './shade-roofs.js';
import type { Structure } from './types.js';

/** Unit vector towards the sun: x east, y north, z up. */
export interface SunVector {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** The sun vector for an azimuth and elevation in degrees. */
export function sunVector(azimuth: number, elevation: number): SunVector {
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  return { x: Math.sin(a) * Math.cos(e), y: Math.cos(a) * Math.cos(e), z: Math.sin(e) };
}

/** The albedo of a structure's top at a scene point, with its direct-light share. */
export function shadeStructure(out: Albedo, s: Structure, x: number, y: number, sun: SunVector, seed: number): void {
  const [u, v] = toLocal(s.frame, x, y);
  const [r, g, b] = s.colour;
  const vary = 0.94 + 0.12 * s.tone;
  if (s.roof === 'flat') return shadeFlatRoof(out, s, u, v, x, y, seed, vary);
  if (s.roof === 'tile') return shadeTiles(out, s, u, v, x, y, sun, seed, vary);
  if (s.roof === 'glazed') return shadeGlazed(out, s, u, v, x, y, sun, seed, vary);
  if (s.roof === 'asphalt') return shadeAsphalt(out, s, u, v, x, y, sun, seed, vary);
  if (s.roof === 'steel') return shadeSteel(out, s, u, v, x, y, sun, seed, vary);
  if (s.roof === 'pv') return shadePv(out, s, u, v, x, y, sun, seed);
  if (s.roof === 'slab') return shadeSlab(out, s, u, v, x, y, seed);
  if (s.roof === 'tank') {
    const radius = (s.footprint.boxes[0][2] - s.footprint.boxes[0][0]) / 2;
    const d = Math.hypot(u, v) / radius;
    const glint = Math.max(0, 1 - Math.hypot(u / radius + sun.x * 0.5, v / radius - sun.y * 0.5) * 2.2);
    const rim = d > 0.85 ? 0.8 : 1;
    return setRgb(out, r * rim + 60 * glint, g * rim + 60 * glint, b * rim + 60 * glint);
  }
  if (s.roof === 'plants') {
    const leaf = 0.6 + 0.7 * (1 - cellNoise(x / 0.12, y / 0.12, seed + 103));
    return setRgb(out, r * leaf, g * leaf, b * leaf, 1);
  }
  if (s.roof === 'solar') {
    const [, v0, , v1] = s.footprint.boxes[0];
    if (v > v1 - 0.42) return setRgb(out, 200, 202, 205, 1.15);
    const tube = ((u % 0.075) + 0.075) % 0.075 < 0.04 ? 1.2 : 0.85;
    return setRgb(out, r * tube, g * tube, b * tube + 10, v < v0 + 0.05 ? 0.6 : 1.1);
  }
  const dirt = 0.85 + 0.15 * valueNoise(x / 0.5, y / 0.5, seed + 101);
  if (s.use === 'hoarding') {
    const panel = Math.floor(Math.max(Math.abs(u), Math.abs(v)) / 2) % 2 === 0;
    return panel ? setRgb(out, r * dirt, g * dirt, b * dirt) : setRgb(out, 215 * dirt, 218 * dirt, 220 * dirt);
  }
  setRgb(out, r * dirt * vary, g * dirt * vary, b * dirt * vary);
}

/** Wall finishes of village houses: white or cream tiles, beige or grey render, pink paint. */
const wallColours: readonly (readonly [number, number, number])[] = [
  [210, 210, 206],
  [214, 204, 178],
  [196, 180, 150],
  [172, 172, 168],
  [196, 164, 150],
];

/** The albedo of a facade at height `h` above its base, seen at local (u, v) on its outline. */
export function shadeFacade(out: Albedo, s: Structure, u: number, v: number, h: number, normal: [number, number], sun: SunVector, seed: number): void {
  const facing = (normal[0] * sun.x + normal[1] * sun.y) / sun.z;
  const light = Math.max(0, Math.min(2.5, facing));
  if (s.use === 'column' || s.use === 'beam' || s.use === 'foundation') return setRgb(out, 168, 166, 160, light);
  if (s.use === 'warehouse' || s.use === 'stair_room' || s.use === 'shed') {
    const [r, g, b] = s.roof === 'steel' ? s.colour : wallColours[0];
    return setRgb(out, r * 0.9, g * 0.9, b * 0.9, light);
  }
  const [r, g, b] = wallColours[Math.floor(s.tone * wallColours.length)];
  const along = Math.abs(normal[0]) > Math.abs(normal[1]) ? v : u;
  const floor = h % 3.1;
  const bay = (((along + s.tone * 3) % 3.4) + 3.4) % 3.4;
  const window = floor > 0.9 && floor < 2.4 && bay > 0.6 && bay < 2.4 && h < s.height - 0.4;
  const grime = 0.9 + 0.1 * valueNoise(along / 0.8, h / 0.8, seed + s.id);
  if (window) return setRgb(out, 58 * grime + 20 * light, 64 * grime + 20 * light, 74 * grime + 20 * light, light * 0.3);
  if (floor < 0.12) return setRgb(out, r * 0.8, g * 0.8, b * 0.8, light);
  setRgb(out, r * grime, g * grime, b * grime, light);
}
