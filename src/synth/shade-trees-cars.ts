/**
 * Albedo of tree crowns (leaf clumps lit by the sun, turning in autumn) and of cars seen from above
 * (roof, windscreen and rear window, bonnet).
 */
import { toLocal } from './geometry.js';
import { cellNoise, fbm } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import type { SunVector } from './shade-structures.js';
import type { Car, Epoch, Tree } from './types.js';

/** The albedo of a tree crown at a scene point; `vigour` is 1 in summer, lower in autumn and winter. */
export function shadeTree(out: Albedo, tree: Tree, epoch: Epoch, x: number, y: number, sun: SunVector, seed: number, vigour: number): void {
  const radius = tree.radius[epoch === 'before' ? 0 : 1];
  const dx = (x - tree.x) / radius;
  const dy = (y - tree.y) / radius;
  const r2 = Math.min(1, dx * dx + dy * dy);
  const nz = Math.sqrt(1 - 0.6 * r2);
  const dome = Math.max(0.15, (dx * 0.77 * sun.x + dy * 0.77 * sun.y + nz * sun.z) / sun.z);
  const clump = cellNoise(x / 0.55, y / 0.55, seed + tree.id);
  const leaves = 1.2 - 0.75 * clump;
  const fine = 0.85 + 0.3 * fbm(x / 0.2, y / 0.2, seed + 141, 2);
  let [r, g, b] = tree.colour;
  if (!tree.evergreen && vigour < 1) {
    const turn = (1 - vigour) * (0.6 + 0.4 * tree.tone);
    r += (150 - r) * turn;
    g += (118 - g) * turn;
    b += (58 - b) * turn;
  }
  const k = leaves * fine * (0.92 + 0.16 * tree.tone);
  setRgb(out, r * k, g * k, b * k, Math.min(1.6, dome));
}

/** The albedo of a car at a scene point. */
export function shadeCar(out: Albedo, car: Car, x: number, y: number, sun: SunVector): void {
  const [u, v] = toLocal(car.frame, x, y);
  const a = u / (car.length / 2);
  const c = Math.abs(v) / (car.width / 2);
  const [r, g, b] = car.colour;
  if (car.length < 3) {
    const seat = Math.abs(a) < 0.35 && c < 0.6;
    return seat ? setRgb(out, 38, 38, 40) : setRgb(out, r * 0.9, g * 0.9, b * 0.9, Math.abs(a) > 0.8 ? 0.8 : 1);
  }
  const truck = car.length > 7;
  if (truck) {
    if (a > 0.62) return setRgb(out, r, g, b, a > 0.9 ? 0.7 : 1);
    return setRgb(out, 200, 204, 210, c > 0.9 ? 0.8 : 1);
  }
  const glass = (a > 0.12 && a < 0.42) || (a > -0.72 && a < -0.5) || (c > 0.72 && a > -0.5 && a < 0.12);
  if (glass) {
    const sky = Math.max(0, sun.z) * 25;
    return setRgb(out, 34 + sky, 38 + sky, 46 + sky);
  }
  const edge = c > 0.88 || Math.abs(a) > 0.94 ? 0.75 : 1;
  const roof = a >= -0.5 && a <= 0.12 ? 1.06 : 0.96;
  setRgb(out, r * edge * roof, g * edge * roof, b * edge * roof);
}
