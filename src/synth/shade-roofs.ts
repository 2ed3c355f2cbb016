/**
 * Albedo of roof materials seen from a drone at 0.05-0.2 m: clay and cement tile in courses with
 * ridge and hip caps, glazed tile with glossy rolls, asphalt shingle, corrugated steel sheet with
 * ribs down the slope, photovoltaic modules, fresh concrete slabs with rebar, and flat concrete
 * roofs with stains, repairs and parapets. The direct-light share comes from the roof's slope.
 */
import { boxesExtent } from './geometry.js';
import { fbm, hash2, hashInt, valueNoise } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import { nearOutline, parapet, roofLight } from './surface.js';
import type { Structure } from './types.js';

/** Unit vector towards the sun (x east, y north, z up). */
interface Sun {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Where a point lies on a pitched roof, in metres. */
interface Slope {
  /** Up the slope from its eave. */
  readonly down: number;
  /** Along the eave (tile columns and steel ribs run across this). */
  readonly along: number;
  /** To the nearest ridge or hip line. */
  readonly cap: number;
}

/** Position of local (u, v) on the slope of a pitched roof (gable, hip or mono). */
function slopeAt(s: Structure, u: number, v: number): Slope {
  const [u0, v0, u1, v1] = boxesExtent(s.footprint.boxes);
  const [along, across, from, to, lo, hi] = s.ridgeAlongU ? [u, v, u0, u1, v0, v1] : [v, u, v0, v1, u0, u1];
  if (s.pitch === 'mono') return { down: across - lo, along, cap: Infinity };
  const half = (hi - lo) / 2;
  const toEave = half - Math.abs(across - (lo + hi) / 2);
  if (s.pitch === 'gable') return { down: toEave, along, cap: half - toEave };
  // Hip: the end slopes take over where the end is nearer than the side eave.
  const toEnd = Math.min(along - from, to - along);
  const hip = Math.abs(toEave - toEnd) / Math.SQRT2;
  const ridge = toEnd >= half ? half - toEave : Infinity;
  return toEnd < toEave ? { down: toEnd, along: across, cap: Math.min(hip, ridge) } : { down: toEave, along, cap: Math.min(hip, ridge) };
}

/** Clay or cement tiles in courses, each tile a little different, capped ridges and hips, weathered. */
export function shadeTiles(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: Sun, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const light = roofLight(s, u, v, sun);
  const { down, along, cap } = slopeAt(s, u, v);
  if (cap < 0.14) return setRgb(out, r * 0.72 + 38, g * 0.72 + 38, b * 0.72 + 40, Math.min(1.2, (light + 1) / 2));
  const course = Math.floor(down / 0.34);
  const inCourse = down / 0.34 - course;
  // Each course's lower edge throws a thin shadow on the course below.
  const edge = inCourse < 0.22 ? 0.78 + inCourse : 1;
  const tile = 0.93 + 0.14 * hash2(course, Math.floor(along / 0.3 + course * 0.5), seed + 121 + s.id);
  const roll = 1 + 0.07 * Math.cos((2 * Math.PI * along) / 0.3);
  const weathering = 0.82 + 0.3 * fbm(x / 2.2, y / 2.2, seed + 122 + s.id, 3);
  const k = vary * edge * tile * roll * weathering;
  setRgb(out, r * k, g * k, b * k, light);
  // Old roofs: moss and black streaks washed down from the ridge.
  const moss = s.tone > 0.6 ? fbm(x / 0.9, y / 0.9, seed + 123 + s.id, 3) : 0;
  if (moss > 0.62) mixInto(out, 70, 82, 52, Math.min(0.55, (moss - 0.62) * 3));
  if (valueNoise(along / 0.6, down / 5, seed + 124 + s.id) > 0.78) mixInto(out, 40, 40, 42, 0.25);
}

/** Glazed tile: saturated glaze in fine rolls with glossy highlights on the sunny side. */
export function shadeGlazed(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: Sun, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const light = roofLight(s, u, v, sun);
  const { down, along, cap } = slopeAt(s, u, v);
  if (cap < 0.16) return setRgb(out, r * 0.85 + 20, g * 0.85 + 20, b * 0.85 + 20, Math.min(1.3, (light + 1) / 2));
  const inCourse = down / 0.3 - Math.floor(down / 0.3);
  const phase = (2 * Math.PI * along) / 0.26;
  const roll = 0.9 + 0.16 * Math.cos(phase);
  const gloss = 60 * Math.max(0, Math.cos(phase - 0.8)) ** 8 * Math.min(1, light);
  const k = vary * roll * (inCourse < 0.15 ? 0.82 : 1) * (0.92 + 0.1 * fbm(x / 3, y / 3, seed + 125 + s.id, 2));
  setRgb(out, r * k + gloss, g * k + gloss, b * k + gloss, light);
  // The bottom course of eave tiles is darker.
  if (down < 0.25) mixInto(out, r * 0.6, g * 0.6, b * 0.6, 0.6);
}

/** Asphalt shingle: granular tabs in two tones with faint course lines. */
export function shadeAsphalt(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: Sun, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const light = roofLight(s, u, v, sun);
  const { down, along, cap } = slopeAt(s, u, v);
  const course = Math.floor(down / 0.14);
  const tab = hash2(course, Math.floor(along / 0.33 + (course % 2) * 0.5), seed + 126 + s.id);
  const granule = hash2(Math.floor(x / 0.04), Math.floor(y / 0.04), seed + 127) - 0.5;
  const k = vary * (0.9 + 0.16 * tab + 0.14 * granule) * (down / 0.14 - course < 0.15 ? 0.88 : 1) * (cap < 0.15 ? 0.9 : 1);
  setRgb(out, r * k, g * k, b * k, light);
}

/** Corrugated steel sheet: ribs down the slope (lit on one flank), sheet laps, edge trim, dirt and rust. */
export function shadeSteel(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: Sun, seed: number, vary: number): void {
  const [r, g, b] = s.colour;
  const light = s.rise > 0 ? roofLight(s, u, v, sun) : 1;
  const { down, along } = s.rise > 0 ? slopeAt(s, u, v) : { down: s.ridgeAlongU ? v : u, along: s.ridgeAlongU ? u : v };
  // Trapezoidal ribs 0.3-0.4 m apart: the crest is bright, the flank away from the sun darker.
  const pitch = 0.3 + 0.1 * s.tone;
  const phase = (2 * Math.PI * along) / pitch;
  const across = s.ridgeAlongU ? [s.frame.cos, s.frame.sin] : [-s.frame.sin, s.frame.cos];
  const raking = (across[0] * sun.x + across[1] * sun.y) / sun.z;
  const rib = 1 + 0.1 * Math.cos(phase) + 0.08 * Math.sin(phase) * Math.max(-1, Math.min(1, raking));
  const lap = ((along % 0.98) + 0.98) % 0.98 < 0.05 ? 0.9 : 1;
  const dirt = 0.88 + 0.14 * fbm(x / 3, y / 3, seed + 131 + s.id, 3);
  const k = vary * rib * lap * dirt;
  setRgb(out, r * k, g * k, b * k, light);
  if (nearOutline(s, u, v, 0.12)) mixInto(out, r * 1.1 + 12, g * 1.1 + 12, b * 1.1 + 12, 0.7);
  if (s.use === 'warehouse' && ((along % 6) + 6) % 6 < 0.9) setRgb(out, 196, 206, 210, out[3]);
  const rust = s.tone > 0.7 ? fbm(along / 0.4, down / 4, seed + 132 + s.id, 3) : 0;
  if (rust > 0.6) mixInto(out, 140, 98, 72, Math.min(0.6, (rust - 0.6) * 3));
}

/** Photovoltaic modules (1 x 1.65 m) in dark glass behind thin aluminium frames, reflecting the sky. */
export function shadePv(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, sun: Sun, seed: number): void {
  const [r, g, b] = s.colour;
  const light = roofLight(s, u, v, sun);
  const { down, along } = s.rise > 0 ? slopeAt(s, u, v) : { down: v, along: u };
  const fa = ((along % 1.02) + 1.02) % 1.02;
  const fd = ((down % 1.67) + 1.67) % 1.67;
  if (fa < 0.06 || fd < 0.06) return setRgb(out, 150, 154, 160, light);
  const sky = 12 * (1 - sun.z) + 6 * valueNoise(x / 4, y / 4, seed + 135);
  const cell = 0.96 + 0.06 * hash2(Math.floor(along / 0.17), Math.floor(down / 0.17), seed + 136);
  setRgb(out, r * cell + sky, g * cell + sky, b * cell + sky * 1.3, light * 0.6);
}

/** Fresh concrete (a foundation slab, a column or beam top): wet patches, rebar ends, formwork at the edge. */
export function shadeSlab(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, seed: number): void {
  const [r, g, b] = s.colour;
  const wet = 0.86 + 0.18 * fbm(x / 1.8, y / 1.8, seed + 141 + s.id, 3);
  setRgb(out, r * wet, g * wet, b * wet);
  if (s.use === 'foundation' && nearOutline(s, u, v, 0.15)) return setRgb(out, 150, 104, 62);
  // Starter bars stick out on a 0.2 m grid at the column points (every 3.6 m) and along the beams.
  const gu = ((u % 3.6) + 3.6) % 3.6;
  const gv = ((v % 3.6) + 3.6) % 3.6;
  const atColumn = (gu < 0.45 && gv < 0.45) || s.use === 'column';
  if (atColumn && hashInt(Math.floor(x / 0.1), Math.floor(y / 0.1), seed + 142) % 4 === 0) setRgb(out, 70, 58, 50);
}

/** Flat concrete roofs: stains, a dark rim and streaks where rain runs, repairs, parapets. */
export function shadeFlatRoof(out: Albedo, s: Structure, u: number, v: number, x: number, y: number, seed: number, vary: number): void {
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

/** Mixes `t` of colour (r, g, b) into the albedo, keeping its light. */
function mixInto(out: Albedo, r: number, g: number, b: number, t: number): void {
  out[0] += (r - out[0]) * t;
  out[1] += (g - out[1]) * t;
  out[2] += (b - out[2]) * t;
}
