import { describe, expect, it } from 'vitest';
import { excessGreen, planeResidual, planeResidualAt } from './vegetation.js';

const size = 20;

/** A surface of `size`² pixels from a function of column and row. */
function surface(f: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: size * size }, (_, i) => f(i % size, Math.floor(i / size)));
}

/** Deterministic noise in [-0.5, 0.5). */
function noise(x: number, y: number): number {
  const s = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
  return s - Math.floor(s) - 0.5;
}

describe('planeResidual', () => {
  it('is zero on a pitched roof plane and on flat ground, NaN where the window leaves the raster', () => {
    const roof = planeResidual(surface((x, y) => 12 + 0.3 * x - 0.1 * y), size, size, 2);
    expect(roof[10 * size + 10]).toBeCloseTo(0, 4);
    expect(Number.isNaN(roof[1 * size + 10])).toBe(true);
    expect(planeResidual(surface(() => 50), size, size, 2)[10 * size + 10]).toBeCloseTo(0, 4);
  });

  it('measures a crown reconstructed with a metre of noise as rough, and roof noise of a few centimetres as smooth', () => {
    const crown = planeResidual(surface((x, y) => 8 + 2 * noise(x, y)), size, size, 2);
    const roof = planeResidual(surface((x, y) => 8 + 0.1 * noise(x, y)), size, size, 2);
    expect(crown[10 * size + 10]).toBeGreaterThan(0.4);
    expect(roof[10 * size + 10]).toBeLessThan(0.05);
  });

  it('is NaN where the window holds a pixel without data', () => {
    const holed = surface(() => 10);
    holed[10 * size + 11] = Number.NaN;
    const residual = planeResidual(holed, size, size, 2);
    expect(Number.isNaN(residual[10 * size + 10])).toBe(true);
    expect(residual[10 * size + 15]).toBeCloseTo(0, 4);
  });
});

describe('planeResidualAt', () => {
  it('gives planeResidual at every pixel, NaN where planeResidual is NaN', () => {
    const heights = surface((x, y) => 8 + 0.2 * x + (x > 9 ? 3 * noise(x, y) : 0.05 * noise(x, y)));
    heights[4 * size + 13] = Number.NaN;
    for (const radius of [1, 2, 3]) {
      const whole = planeResidual(heights, size, size, radius);
      for (let i = 0; i < whole.length; i++) {
        const at = planeResidualAt(heights, size, size, i % size, Math.floor(i / size), radius);
        if (Number.isNaN(whole[i])) expect(at, `pixel ${i}, radius ${radius}`).toBeNaN();
        else expect(at, `pixel ${i}, radius ${radius}`).toBeCloseTo(whole[i], 5);
      }
    }
  });
});

describe('excessGreen', () => {
  it('scores leaves high and roofs, soil and black nodata low or NaN', () => {
    const rgb = [70, 110, 45, 150, 80, 60, 0, 0, 0, 120, 120, 120, 90, 160, 90];
    const green = excessGreen(rgb, Uint8Array.from([1, 1, 1, 1, 0]));
    expect(green[0]).toBeCloseTo((220 - 115) / 225, 5);
    expect(green[1]).toBeLessThan(0);
    expect(Number.isNaN(green[2])).toBe(true);
    expect(green[3]).toBe(0);
    expect(Number.isNaN(green[4])).toBe(true);
  });
});
