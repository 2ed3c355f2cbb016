import { describe, expect, it } from 'vitest';
import { estimateVerticalOffset, offsetAt, type HeightSample } from './vertical-offset.js';

/** A seeded generator so the noise is the same on every run. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Samples over a 400 m square: the given plane plus noise, and a share of real changes. */
function samples(offset: number, tiltX: number, tiltY: number, noise: number, changedShare: number): HeightSample[] {
  const rand = random(7);
  const out: HeightSample[] = [];
  for (let i = 0; i < 2000; i++) {
    const x = 500000 + rand() * 400;
    const y = 3350000 + rand() * 400;
    let dh = offset + tiltX * (x - 500200) + tiltY * (y - 3350200) + (rand() + rand() + rand() - 1.5) * 2 * noise;
    if (rand() < changedShare) dh += rand() < 0.7 ? 3 + rand() * 12 : -(3 + rand() * 10); // built or demolished
    out.push({ x, y, dh });
  }
  return out;
}

describe('estimateVerticalOffset', () => {
  it('recovers offset and tilt from stable ground despite 20% of samples being real changes', () => {
    const fit = estimateVerticalOffset(samples(0.45, 0.0008, -0.0005, 0.08, 0.2));
    expect(offsetAt(fit, 500200, 3350200)).toBeCloseTo(0.45, 1);
    expect(fit.tiltX).toBeCloseTo(0.0008, 4);
    expect(fit.tiltY).toBeCloseTo(-0.0005, 4);
    expect(fit.spread).toBeGreaterThan(0.03);
    expect(fit.spread).toBeLessThan(0.15);
    expect(fit.stableSamples).toBeGreaterThan(1400);
    expect(fit.stableSamples).toBeLessThan(1700);
  });

  it('reports a wide spread for a poorly matched pair', () => {
    expect(estimateVerticalOffset(samples(-0.8, 0, 0, 0.6, 0.1)).spread).toBeGreaterThan(0.4);
  });

  it('refuses to fit fewer than 10 samples', () => {
    expect(() => estimateVerticalOffset(samples(0, 0, 0, 0.1, 0).slice(0, 5))).toThrow(/5 height samples are too few/);
  });
});
