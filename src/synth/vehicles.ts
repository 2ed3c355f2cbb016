/**
 * Vehicles on the DSM and seen from above: cars (bonnet, glass, roof), vans (short nose, sloping
 * windscreen, a long roof rounded across), box trucks (a cab lower than the cargo box behind it),
 * e-bikes and tricycles. Their front is at +u of their frame.
 */
import type { VehicleSize } from './builder.js';
import { toLocal } from './geometry.js';
import type { Random } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import type { Car } from './types.js';

/** A van: 5-6 m long, 2-2.2 m wide, 2-2.6 m high. */
export function vanSize(rng: Random): VehicleSize {
  return { body: 'van', length: rng.range(5, 6), width: rng.range(2, 2.2), height: rng.range(2, 2.6) };
}

/** A box truck: 7-10 m long, 2.4-2.55 m wide, its box 2.8-3.8 m high. */
export function truckSize(rng: Random): VehicleSize {
  return { body: 'truck', length: rng.range(7, 10), width: rng.range(2.4, 2.55), height: rng.range(2.8, 3.8) };
}

/** Length of a truck's cab, metres. */
function cabLength(car: Car): number {
  return Math.min(2.3, 0.24 * car.length);
}

/** Height of a truck's cab roof: below the box, as on light and medium trucks. */
function cabHeight(car: Car): number {
  return Math.min(car.height - 0.45, 2.55);
}

/** Height above the ground of a vehicle's top at local (u, v), or -1 off it. */
export function vehicleTop(car: Car, u: number, v: number): number {
  const half = car.length / 2;
  const a = u / half;
  const c = Math.abs(v) / (car.width / 2);
  if (a > 1 || a < -1 || c > 1) return -1;
  const front = half - u;
  if (car.body === 'van') {
    if (Math.abs(a) > 0.95 && c > 0.75) return -1;
    // A roof rounded across, 0.2 m lower at the sides.
    const roof = car.height - 0.2 * c ** 4;
    if (front < 0.45) return car.height * 0.5;
    if (front < 1.25) return car.height * 0.5 + (roof - car.height * 0.5) * ((front - 0.45) / 0.8);
    return roof;
  }
  if (car.body === 'truck') {
    const cab = cabLength(car);
    if (front < cab) return front < 0.3 && c > 0.9 ? -1 : cabHeight(car) * (front < 0.3 ? 0.85 : 1);
    // The chassis shows in the gap between cab and box.
    if (front < cab + 0.25) return 1.15;
    return car.height;
  }
  const ends = Math.abs(a);
  if (ends > 0.9 && c > 0.8) return -1;
  return car.height * (ends > 0.75 ? 0.62 : ends > 0.55 ? 0.85 : 1);
}

/** Unit vector towards the sun (x east, y north, z up). */
interface Sun {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** The albedo of a vehicle at a scene point, with its direct-light share. */
export function shadeVehicle(out: Albedo, car: Car, x: number, y: number, sun: Sun): void {
  const [u, v] = toLocal(car.frame, x, y);
  const a = u / (car.length / 2);
  const c = Math.abs(v) / (car.width / 2);
  const front = car.length / 2 - u;
  const [r, g, b] = car.colour;
  if (car.body === 'two_wheeler') {
    const seat = Math.abs(a) < 0.35 && c < 0.6;
    return seat ? setRgb(out, 38, 38, 40) : setRgb(out, r * 0.9, g * 0.9, b * 0.9, Math.abs(a) > 0.8 ? 0.8 : 1);
  }
  if (car.body === 'van') {
    if (front > 0.45 && front < 1.2) return glass(out, sun);
    if (a < -0.96) return glass(out, sun);
    const side = sideLight(car, v, c, sun);
    const k = front < 0.45 ? 0.95 : 1.04;
    return setRgb(out, r * k, g * k, b * k, side);
  }
  if (car.body === 'truck') {
    const cab = cabLength(car);
    if (front < 0.28) return glass(out, sun);
    if (front < cab) return setRgb(out, r, g, b, c > 0.88 ? 0.75 : 1);
    if (front < cab + 0.25) return setRgb(out, 52, 52, 54, 0.8);
    const [cr, cg, cb] = car.cargo;
    // Panel seams across the box every 1.2 m, darker edges.
    const seam = ((front - cab) % 1.2) < 0.06 ? 0.86 : 1;
    const edge = c > 0.92 ? 0.85 : 1;
    return setRgb(out, cr * seam * edge, cg * seam * edge, cb * seam * edge);
  }
  const ends = Math.abs(a);
  const isGlass = (a > 0.12 && a < 0.42) || (a > -0.72 && a < -0.5) || (c > 0.72 && a > -0.5 && a < 0.12);
  if (isGlass) return glass(out, sun);
  const edge = c > 0.88 || ends > 0.94 ? 0.75 : 1;
  const roof = a >= -0.5 && a <= 0.12 ? 1.06 : 0.96;
  setRgb(out, r * edge * roof, g * edge * roof, b * edge * roof);
}

function glass(out: Albedo, sun: Sun): void {
  const sky = Math.max(0, sun.z) * 25;
  setRgb(out, 34 + sky, 38 + sky, 46 + sky);
}

/** Direct light on a van's roof where it rounds down to its sides. */
function sideLight(car: Car, v: number, c: number, sun: Sun): number {
  if (c < 0.6) return 1;
  const tilt = 0.9 * (c - 0.6);
  const side = Math.sign(v) || 1;
  const facing = side * (-car.frame.sin * sun.x + car.frame.cos * sun.y);
  return Math.max(0.2, (Math.sin(tilt) * facing + Math.cos(tilt) * sun.z) / sun.z);
}
