/**
 * Conditions of the two flights: dates a few months apart (spring/summer, then autumn/winter),
 * the sun at the flight time, the misregistration and DSM error of the second flight, and the
 * camera and processing of each (white balance, gamma, haze, saturation, blur, noise, JPEG).
 */
import type { Random } from './random.js';
import type { Epoch, FlightConditions, Rgb } from './types.js';

/** Latitude of the scene, degrees (the sun position uses it). */
const sceneLatitude = 30.25;

/** Share of a deciduous crown still in leaf, by season. */
export const leafCover = { spring: 0.9, summer: 1, autumn: 0.8, winter: 0.4 } as const;

/**
 * Draws the conditions of both flights: dates, sun, registration and DSM errors from `rng`; the
 * camera (saturation, blur, noise, mosaic seams, JPEG) from `camera`, its own stream.
 */
export function chooseFlights(rng: Random, camera: Random): Record<Epoch, FlightConditions> {
  const year = rng.int(2023, 2025);
  const before = new Date(Date.UTC(year, rng.int(3, 6), rng.int(1, 28)));
  const after = new Date(before.getTime() + rng.int(120, 220) * 86400000);
  const shiftAngle = rng.range(0, 2 * Math.PI);
  const shift = rng.range(0.2, 0.8);
  const tiltAngle = rng.range(0, 2 * Math.PI);
  const tilt = rng.range(1e-4, 3e-4);
  const offset = (rng.chance(0.5) ? -1 : 1) * rng.range(0.1, 1.0);
  return {
    before: conditions(rng, camera, before, [0, 0], 0, [0, 0]),
    after: conditions(rng, camera, after, [shift * Math.cos(shiftAngle), shift * Math.sin(shiftAngle)], offset, [tilt * Math.cos(tiltAngle), tilt * Math.sin(tiltAngle)]),
  };
}

function conditions(rng: Random, camera: Random, date: Date, shift: [number, number], dsmOffset: number, dsmTilt: [number, number]): FlightConditions {
  const hour = rng.range(9, 15.5);
  const { azimuth, elevation } = sunPosition(date, hour);
  // White balance of different cameras and settings: from bluish to warm.
  const warm = rng.range(-0.1, 0.1);
  const gain: Rgb = [round(1 + warm + rng.normal(0, 0.03), 3), round(1 + rng.normal(0, 0.02), 3), round(1 - warm + rng.normal(0, 0.03), 3)];
  const jpeg = camera.chance(0.45);
  return {
    date: `${date.toISOString().slice(0, 10)}T${String(Math.floor(hour)).padStart(2, '0')}:${String(Math.floor((hour % 1) * 60)).padStart(2, '0')}:00+08:00`,
    season: seasonOf(date.getUTCMonth()),
    sunAzimuth: round(azimuth, 1),
    sunElevation: round(elevation, 1),
    shift: [round(shift[0], 3), round(shift[1], 3)],
    dsmOffset: round(dsmOffset, 3),
    dsmTilt: [round(dsmTilt[0], 7), round(dsmTilt[1], 7)],
    gain,
    gamma: round(rng.range(0.86, 1.14), 3),
    haze: round(rng.range(0, 22), 1),
    saturation: round(camera.range(0.7, 1.15), 3),
    blur: round(camera.range(0, 1), 3),
    noise: round(camera.range(1, 4.5), 2),
    seams: round(camera.range(0.01, 0.06), 3),
    jpegQuality: jpeg ? camera.int(35, 85) : null,
  };
}

/** Sun azimuth (degrees clockwise from north) and elevation at local solar `hour` on `date`. */
function sunPosition(date: Date, hour: number): { azimuth: number; elevation: number } {
  const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 0)) / 86400000);
  const rad = Math.PI / 180;
  const declination = 23.44 * rad * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
  const latitude = sceneLatitude * rad;
  const hourAngle = 15 * (hour - 12) * rad;
  const sinElevation = Math.sin(latitude) * Math.sin(declination) + Math.cos(latitude) * Math.cos(declination) * Math.cos(hourAngle);
  const azimuth = Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(latitude) - Math.tan(declination) * Math.cos(latitude));
  return { azimuth: (azimuth / rad + 180 + 360) % 360, elevation: Math.asin(sinElevation) / rad };
}

function seasonOf(month: number): FlightConditions['season'] {
  if (month >= 2 && month <= 4) return 'spring';
  if (month >= 5 && month <= 7) return 'summer';
  if (month >= 8 && month <= 10) return 'autumn';
  return 'winter';
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
