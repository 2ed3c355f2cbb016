import { describe, expect, it } from 'vitest';
import type { DetectPlan } from '../pipeline/run/plan-detect.js';
import type { ChangeStrip } from '../pipeline/types.js';
import { planFromJson, planToJson } from './plan-json.js';
import { copyStrip, decodeStrips, encodeStrips } from './strips.js';

/** A strip whose every array holds distinct values, NaN and negative zero among them. */
function strip(y0: number, width: number, height: number): ChangeStrip {
  const size = width * height;
  const floats = (seed: number) => Float32Array.from({ length: size }, (_, i) => (i % 7 === 0 ? Number.NaN : i % 11 === 0 ? -0 : Math.fround(seed + i / 3)));
  const bytes = (seed: number) => Uint8Array.from({ length: size }, (_, i) => (seed + i) % 2);
  return {
    y0, width, height, change: bytes(0), heightChange: floats(1), heightBefore: floats(2), heightAfter: floats(3), nearBuilding: bytes(1),
    probability: floats(4), roughness: floats(5), topSurface: floats(6), greenness: floats(7),
  };
}

describe('stored strips', () => {
  it('come back bit for bit, in order, with the batch tally', async () => {
    // odd sizes: the arrays of a strip do not start on 4-byte boundaries in the stored bytes
    const strips = [strip(64, 5, 3), strip(67, 5, 1), strip(68, 5, 2)];
    const tally = { tilesInferred: 7, stagesMs: { fuse: 12.5, infer: 40 } };
    const stored = await encodeStrips(strips, tally);
    const back = await decodeStrips(stored);
    expect(back.tally).toEqual(tally);
    expect(back.strips).toHaveLength(3);
    back.strips.forEach((got, n) => {
      for (const [name, values] of Object.entries(strips[n])) {
        if (typeof values === 'number') expect(got[name as keyof ChangeStrip]).toBe(values);
        else expect(Buffer.from((got[name as keyof ChangeStrip] as Float32Array).buffer).equals(Buffer.from((values as Float32Array).buffer))).toBe(true);
      }
    });
  });

  it('are copied bit for bit into arrays of their own (a run reuses a strip\'s arrays for the next)', () => {
    const original = strip(64, 5, 3);
    const copy = copyStrip(original);
    for (const [name, values] of Object.entries(original)) {
      if (typeof values === 'number') expect(copy[name as keyof ChangeStrip]).toBe(values);
      else {
        const copied = copy[name as keyof ChangeStrip] as Float32Array;
        expect(copied.buffer).not.toBe((values as Float32Array).buffer);
        expect(Buffer.from(copied.buffer).equals(Buffer.from((values as Float32Array).buffer))).toBe(true);
      }
    }
  });

  it('refuses stored bytes cut short', async () => {
    const stored = await encodeStrips([strip(0, 4, 4)], { tilesInferred: 0, stagesMs: {} });
    const { deflateRawSync, inflateRawSync } = await import('node:zlib');
    const cut = deflateRawSync(inflateRawSync(stored).subarray(0, 100));
    await expect(decodeStrips(cut)).rejects.toThrow(/stored strips end at byte 100, before the \w+ of the strip at row 0/);
  });
});

describe('a stored plan', () => {
  it('comes back the same, the ground heights bit for bit', () => {
    const values = Float32Array.from([1.5, Number.NaN, -0, 123.456, 1e-7]);
    const plan: DetectPlan = {
      mode: 'ortho_dsm',
      grid: { crs: '+proj=tmerc', epsg: 4549, geoTransform: [500000.1, 0.2, 0, 3400000.3, 0, -0.2], width: 1024, height: 1024 },
      gridCrsReason: 'the after orthophoto is in it',
      offset: { offset: 0.1 + 0.2, tiltX: 1e-5 / 3, tiltY: -2e-6, centreX: 500102.4, centreY: 3399897.6, spread: 0.07, stableSamples: 900 },
      ground: { width: 5, height: 1, values, scale: 0.1 },
      shift: { dx: 0.2 / 3, dy: -0.4, windows: 9 },
      rule: { heightThresholdM: 1.2, probabilityThreshold: 0.5, misregistrationPx: 4, buildingHeightM: 2.5, roughnessRadiusPx: 2 },
      model: { name: 'zhiwei-cd-v1', version: '2.2.0', tileSize: 256, overlap: 32 },
      warnings: ['a warning'],
      stagesMs: { ingest: 12 },
    };
    const back = planFromJson(JSON.parse(JSON.stringify(planToJson(plan))));
    expect({ ...back, ground: null }).toEqual({ ...plan, ground: null });
    expect(Buffer.from(back.ground!.values.buffer).equals(Buffer.from(values.buffer))).toBe(true);
    expect(planFromJson(JSON.parse(JSON.stringify(planToJson({ ...plan, ground: null })))).ground).toBeNull();
  });
});
