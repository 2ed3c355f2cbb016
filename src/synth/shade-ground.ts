/**
 * Albedo of ground surfaces at a scene point: asphalt with lane markings, concrete lanes with
 * slab joints, sidewalk tiles, soil, weeds, lawns, fields (crop, seedlings, ploughed, stubble or
 * bare on each flight), rubble, construction sites.
 */
import { toLocal } from './geometry.js';
import { cellNoise, fbm, hash2, valueNoise } from './random.js';
import type { Epoch, GroundPatch } from './types.js';

/** An RGB albedo being built (0-255 scale) and the share of direct sunlight it receives. */
export type Albedo = Float32Array;

/** A fresh albedo holder: [r, g, b, light]. */
export function newAlbedo(): Albedo {
  return new Float32Array(4);
}

/** Sets an albedo, with full direct light. */
export function setRgb(out: Albedo, r: number, g: number, b: number, light = 1): void {
  out[0] = r;
  out[1] = g;
  out[2] = b;
  out[3] = light;
}

/** Mixes `t` of colour (r, g, b) into the albedo. */
function mix(out: Albedo, r: number, g: number, b: number, t: number): void {
  out[0] += (r - out[0]) * t;
  out[1] += (g - out[1]) * t;
  out[2] += (b - out[2]) * t;
}

/** Bare ground between objects: weedy soil, greener in summer. */
export function shadeOpenGround(out: Albedo, x: number, y: number, seed: number, vigour: number): void {
  const broad = fbm(x / 9, y / 9, seed + 11, 3);
  const grain = valueNoise(x / 0.25, y / 0.25, seed + 12) - 0.5;
  setRgb(out, 126 + 30 * broad + 18 * grain, 112 + 24 * broad + 16 * grain, 90 + 18 * broad + 14 * grain);
  const weeds = fbm(x / 1.8, y / 1.8, seed + 13, 3);
  if (weeds > 0.52) mix(out, 70 + 60 * (1 - vigour), 96 + 20 * (1 - vigour), 50 + 20 * (1 - vigour), Math.min(1, (weeds - 0.52) * 5) * 0.85);
}

/** The albedo of a ground patch at a scene point on a flight (fields differ between flights). */
export function shadeGround(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number, vigour: number, epoch: Epoch): void {
  switch (patch.material) {
    case 'asphalt':
      return shadeAsphalt(out, patch, x, y, seed);
    case 'concrete':
      return shadeConcrete(out, patch, x, y, seed);
    case 'sidewalk':
      return shadeSidewalk(out, patch, x, y, seed);
    case 'grass':
      return shadeGrass(out, x, y, seed, vigour);
    case 'lawn':
      return shadeLawn(out, patch, x, y, seed, vigour);
    case 'vegetables':
      return shadeField(out, patch, x, y, seed, vigour, epoch);
    case 'rubble':
      return shadeRubble(out, x, y, seed);
    case 'construction':
      return shadeSoil(out, x, y, seed, 1.15);
    case 'greenhouse': {
      const [u] = toLocal(patch.frame, x, y);
      const rib = Math.abs(((u % 1.2) + 1.2) % 1.2 - 0.6) < 0.05 ? 0.8 : 1;
      const dirt = 0.85 + 0.15 * fbm(x / 4, y / 4, seed + 21, 2);
      return setRgb(out, 206 * rib * dirt, 212 * rib * dirt, 210 * rib * dirt);
    }
    case 'water': {
      const ripple = valueNoise(x / 0.6, y / 2.5, seed + 23) - 0.5;
      const algae = fbm(x / 8, y / 8, seed + 24, 3);
      return setRgb(out, 38 + 16 * algae + 5 * ripple, 54 + 20 * algae + 5 * ripple, 44 + 8 * algae + 6 * ripple);
    }
    case 'dustnet': {
      const mesh = 0.85 + 0.3 * valueNoise(x / 0.3, y / 0.3, seed + 22);
      return setRgb(out, 58 * mesh, 112 * mesh, 76 * mesh);
    }
    default:
      return shadeSoil(out, x, y, seed, 1);
  }
}

function shadeAsphalt(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number): void {
  const [u, v] = toLocal(patch.frame, x, y);
  const patches = fbm(x / 7, y / 7, seed + 31, 3);
  const grain = hash2(Math.floor(x / 0.05), Math.floor(y / 0.05), seed + 32) - 0.5;
  const base = 74 + 16 * patch.tone + 22 * (patches - 0.5) + 8 * grain;
  setRgb(out, base, base + 1, base + 4);
  const markings = patch.markings;
  if (!markings) return;
  const half = (patch.footprint.boxes[0][3] - patch.footprint.boxes[0][1]) / 2;
  const wear = 0.75 + 0.25 * valueNoise(x / 0.6, y / 0.6, seed + 33);
  const line = (at: number, width: number) => Math.abs(v - at) < width / 2;
  const dashed = ((u % 10) + 10) % 10 < 4;
  if (line(half - 0.35, 0.15) || line(-half + 0.35, 0.15)) return mix(out, 220, 220, 214, 0.85 * wear);
  if (markings.centre === 'double_yellow' && (line(0.15, 0.15) || line(-0.15, 0.15))) return mix(out, 214, 176, 60, 0.9 * wear);
  if (markings.centre === 'dashed_white' && dashed && line(0, 0.15)) return mix(out, 220, 220, 214, 0.85 * wear);
  for (let k = 1; k * markings.laneWidth < half - 0.5; k++) {
    if (dashed && (line(k * markings.laneWidth, 0.15) || line(-k * markings.laneWidth, 0.15))) return mix(out, 220, 220, 214, 0.8 * wear);
  }
  // Oil and tyre wear darken the middle of each lane.
  const inLane = Math.abs(((Math.abs(v) % markings.laneWidth) / markings.laneWidth) - 0.5);
  if (inLane < 0.12) mix(out, 55, 56, 58, 0.25);
}

function shadeConcrete(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number): void {
  const [u, v] = toLocal(patch.frame, x, y);
  const stains = fbm(x / 3.5, y / 3.5, seed + 41, 4);
  const grain = hash2(Math.floor(x / 0.05), Math.floor(y / 0.05), seed + 42) - 0.5;
  const base = 150 + 26 * patch.tone - 40 * Math.max(0, stains - 0.5) + 7 * grain;
  setRgb(out, base + 2, base, base - 5);
  const ju = ((u % 4.5) + 4.5) % 4.5;
  const jv = ((v % 3.6) + 3.6) % 3.6;
  if (ju < 0.06 || jv < 0.06) mix(out, 90, 88, 84, 0.45);
  const crack = cellNoise(x / 3, y / 3, seed + 43);
  if (crack > 0.63 && crack < 0.64 && valueNoise(x / 4, y / 4, seed + 45) > 0.6) mix(out, 95, 92, 88, 0.35);
  const dirt = fbm(x / 1.2, y / 1.2, seed + 44, 2);
  if (dirt > 0.68) mix(out, 118, 104, 82, (dirt - 0.68) * 2.5);
}

function shadeSidewalk(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number): void {
  const [u, v] = toLocal(patch.frame, x, y);
  const tu = Math.floor(u / 0.5);
  const tv = Math.floor(v / 0.25 + (tu % 2) * 0.5);
  const tile = hash2(tu, tv, seed + 51) - 0.5;
  const red = patch.tone > 0.55;
  const base = 148 + 16 * tile - 18 * (fbm(x / 4, y / 4, seed + 52, 2) - 0.5);
  setRgb(out, base + (red ? 20 : 0), base - (red ? 18 : 2), base - (red ? 26 : 6));
  if (((u % 0.5) + 0.5) % 0.5 < 0.04) mix(out, 100, 96, 92, 0.4);
  const [, v0, , v1] = patch.footprint.boxes[0];
  if (v - v0 < 0.15 || v1 - v < 0.15) setRgb(out, 184, 182, 176);
}

function shadeGrass(out: Albedo, x: number, y: number, seed: number, vigour: number): void {
  const clumps = fbm(x / 0.6, y / 0.6, seed + 61, 3);
  const broad = fbm(x / 10, y / 10, seed + 62, 2);
  const green = (0.55 + 0.6 * clumps) * (0.85 + 0.3 * broad);
  setRgb(out, (76 + 70 * (1 - vigour)) * green, (104 + 20 * (1 - vigour)) * green, (52 + 22 * (1 - vigour)) * green);
}

/** A mown lawn: even green in light and dark mowing stripes, straw-coloured when dormant. */
function shadeLawn(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number, vigour: number): void {
  const [u] = toLocal(patch.frame, x, y);
  const stripe = ((u % 2.2) + 2.2) % 2.2 < 1.1 ? 1.05 : 0.95;
  const fine = 0.9 + 0.2 * fbm(x / 0.4, y / 0.4, seed + 63, 2);
  const worn = fbm(x / 6, y / 6, seed + 64, 2) > 0.68 ? 0.88 : 1;
  const k = stripe * fine * worn;
  const dormant = 1 - vigour;
  setRgb(out, (70 + 96 * dormant) * k, (112 + 22 * dormant) * k, (48 + 36 * dormant) * k);
}

/** What a field shows on one flight: a crop, seedlings, ploughed furrows, stubble, or bare soil. */
type FieldState = 'crop' | 'seedlings' | 'ploughed' | 'stubble' | 'bare';

function fieldState(patch: GroundPatch, epoch: Epoch, seed: number, vigour: number): FieldState {
  const h = hash2(patch.id, epoch === 'before' ? 1 : 2, seed + 72);
  // In the growing season most fields carry a crop; in autumn and winter many are harvested or ploughed.
  const weights = vigour > 0.8 ? [0.62, 0.16, 0.1, 0.04, 0.08] : [0.28, 0.14, 0.24, 0.2, 0.14];
  const states: FieldState[] = ['crop', 'seedlings', 'ploughed', 'stubble', 'bare'];
  let acc = 0;
  for (let i = 0; i < states.length; i++) if (h < (acc += weights[i])) return states[i];
  return 'bare';
}

/** A vegetable or crop field in rows, its crop and state drawn per flight, so fields change between flights. */
function shadeField(out: Albedo, patch: GroundPatch, x: number, y: number, seed: number, vigour: number, epoch: Epoch): void {
  const state = fieldState(patch, epoch, seed, vigour);
  const e = epoch === 'before' ? 1 : 2;
  const [u, v] = toLocal(patch.frame, x, y);
  const across = patch.tone > 0.5 ? u : v;
  shadeSoil(out, x, y, seed, state === 'ploughed' ? 0.78 : 0.9);
  if (state === 'bare') return;
  if (state === 'ploughed') {
    const furrow = Math.abs(((across / 0.45) % 1 + 1) % 1 - 0.5) * 2;
    const k = 0.8 + 0.3 * furrow + 0.1 * (valueNoise(x / 0.2, y / 0.2, seed + 73) - 0.5);
    out[0] *= k;
    out[1] *= k;
    out[2] *= k;
    return;
  }
  const period = 0.6 + 0.7 * hash2(patch.id, e + 4, seed + 74);
  const row = 1 - Math.abs((((across / period) % 1) + 1) % 1 - 0.5) * 2;
  if (state === 'stubble') return mix(out, 176, 156, 104, Math.max(0, row * 1.4 - 0.3) * 0.75);
  const plants = 0.6 + 0.5 * valueNoise(x / 0.18, y / 0.18, seed + 71);
  const cover = state === 'seedlings' ? Math.max(0, row * 1.6 - 1) * plants : Math.min(1, Math.max(0, row * 1.6 - 0.35)) * plants;
  const hue = hash2(patch.id, e, seed + 75);
  mix(out, (70 + 40 * hue) * (0.8 + 0.2 * vigour), 118 + 20 * hue, 58 + 40 * (1 - hue), Math.min(1, cover));
}

function shadeSoil(out: Albedo, x: number, y: number, seed: number, light: number): void {
  const broad = fbm(x / 6, y / 6, seed + 81, 3);
  const grain = valueNoise(x / 0.15, y / 0.15, seed + 82) - 0.5;
  setRgb(out, (122 + 40 * broad + 14 * grain) * light, (104 + 32 * broad + 12 * grain) * light, (80 + 24 * broad + 10 * grain) * light);
}

function shadeRubble(out: Albedo, x: number, y: number, seed: number): void {
  const piece = hash2(Math.floor(x / 0.18), Math.floor(y / 0.18), seed + 91);
  const dust = fbm(x / 1.5, y / 1.5, seed + 92, 3);
  const heap = fbm(x / 4, y / 4, seed + 94, 2);
  if (piece < 0.1 * heap) setRgb(out, 128, 86, 72);
  else if (piece < 0.45 * heap) setRgb(out, 150, 147, 140);
  else setRgb(out, 140 + 30 * dust, 130 + 26 * dust, 114 + 20 * dust);
  const shade = 0.75 + 0.35 * valueNoise(x / 0.3, y / 0.3, seed + 93);
  out[0] *= shade;
  out[1] *= shade;
  out[2] *= shade;
}
