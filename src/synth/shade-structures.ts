/**
 * Albedo and sun-facing of structure tops: concrete roofs with stains and parapets, tile roofs
 * whose two slopes take the sun differently, corrugated steel sheet, tanks, solar heaters, walls.
 */
import { toLocal } from './geometry.js';
import { cellNoise, fbm, hash2, hashInt, valueNoise } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import { acrossRidge, nearOutline, parapet, roofLight } from './surface.js';
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
  if (s.roof === 'steel') return shadeSteel(out, s, u, v, x, y, sun, seed, vary);
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

function shadeFlatRoof(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const stains = fbm(x / 2.8, y / 2.8, seed + 111 + s.id, 4);
  const grain = hash2(Math.floor(x / 0.06), Math.floor(y / 0.06), seed + 112) - 0.5;
  const mottle = valueNoise(x / 0.45, y / 0.45, seed + 115) - 0.5;
  const patchy = 1 - 0.3 * Math.max(0, stains - 0.55) + 0.05 * grain + 0.07 * mottle;
  setRgb(out, r * vary * patchy, g * vary * patchy, b * vary * patchy);
  if (s.parapet && nearOutline(s, u, v, parapet.thickness)) {
    out[0] = out[0] * 1.04 + 4;
    out[1] = out[1] * 1.04 + 4;
    out[2] = out[2] * 1.04 + 4;
    return;
  }
  // Rain leaves a dark rim along the parapet and dark streaks toward the drains.
  if (nearOutline(s, u, v, 0.7)) {
    out[0] *= 0.9;
    out[1] *= 0.9;
    out[2] *= 0.9;
  }
  // Repairs: rectangles of black bitumen felt or fresh cement over old leaks.
  const cu = Math.floor(u / 3.1 + s.tone * 7);
  const cv = Math.floor(v / 2.3);
  const cell = hashInt(cu, cv, seed + 113 + s.id);
  const fu = u / 3.1 + s.tone * 7 - cu;
  const fv = v / 2.3 - cv;
  const inPatch = fu > (cell & 0xff) / 600 && fu < 1 - ((cell >>> 8) & 0xff) / 600 && fv > ((cell >>> 16) & 0xff) / 600 && fv < 1 - (cell >>> 24) / 600;
  const kind = hash2(cu, cv, seed + 114 + s.id);
  if (inPatch && kind > 0.975) setRgb(out, 66 + 30 * grain, 66 + 30 * grain, 68 + 30 * grain);
  else if (inPatch && kind < 0.03) setRgb(out, out[0] * 1.08 + 10, out[1] * 1.08 + 10, out[2] * 1.08 + 8);
}

function shadeTiles(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: SunVector, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const t = acrossRidge(s, u, v);
  const along = s.ridgeAlongU ? u : v;
  const across = s.ridgeAlongU ? v : u;
  const channel = ((along % 0.3) + 0.3) % 0.3 < 0.1 ? 0.82 : 1;
  const course = ((across % 0.36) + 0.36) % 0.36 < 0.05 ? 0.88 : 1;
  const weathering = 0.8 + 0.3 * fbm(x / 2, y / 2, seed + 121 + s.id, 3);
  const k = vary * channel * course * weathering;
  if (Math.abs(t) < 0.05) return setRgb(out, r * 0.7 + 40, g * 0.7 + 40, b * 0.7 + 40, roofLight(s, u, v, sun));
  setRgb(out, r * k, g * k, b * k, roofLight(s, u, v, sun));
}

function shadeSteel(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: SunVector, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const along = s.ridgeAlongU ? u : v;
  const rib = ((along % 0.25) + 0.25) % 0.25 < 0.06 ? 1.08 : 0.97;
  const sheet = ((along % 0.9) + 0.9) % 0.9 < 0.03 ? 0.9 : 1;
  const dirt = 0.88 + 0.14 * fbm(x / 3, y / 3, seed + 131 + s.id, 3);
  const k = vary * rib * sheet * dirt;
  setRgb(out, r * k, g * k, b * k, roofLight(s, u, v, sun));
  if (s.use === 'warehouse' && ((along % 6) + 6) % 6 < 0.9) setRgb(out, 196, 206, 210, out[3]);
  const across = s.ridgeAlongU ? v : u;
  const rust = s.tone > 0.7 ? fbm(along / 0.4, across / 4, seed + 132 + s.id, 3) : 0;
  if (rust > 0.6) {
    const t = Math.min(0.6, (rust - 0.6) * 3);
    setRgb(out, out[0] + (140 - out[0]) * t, out[1] + (98 - out[1]) * t, out[2] + (72 - out[2]) * t, out[3]);
  }
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
  if (s.roof === 'steel' || s.use === 'stair_room' || s.use === 'shed') {
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
