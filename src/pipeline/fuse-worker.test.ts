import { describe, expect, it } from 'vitest';
import { fuseStrip, type FusionRule, type StripRasters } from './fuse.js';
import { fuseOnWorker } from './fuse-worker.js';

const rule: FusionRule = { heightThresholdM: 2, probabilityThreshold: 0.5, misregistrationPx: 2, buildingHeightM: 2.5, roughnessRadiusPx: 2 };
// odd, as a grid may be: a strip's pixel count need not be a multiple of 4
const width = 41;

/** A strip of rows [y0, y0 + height) with a 2-row margin: a shed rising `rise` m over columns [x0, x0 + 8), seen by the model. */
function strip(y0: number, height: number, x0: number, rise: number): StripRasters {
  const margin = 2;
  const rows = height + 2 * margin;
  const ground = (i: number) => 20 + 0.01 * (i % width) + 0.02 * Math.floor(i / width);
  const inShed = (i: number) => i % width >= x0 && i % width < x0 + 8;
  return {
    y0, width, height, margin,
    probability: Float32Array.from({ length: width * height }, (_, i) => (inShed(i) ? 0.9 : 0.1)),
    greenness: Float32Array.from({ length: width * height }, (_, i) => ((i * 7) % 13) / 13 - 0.5),
    dsmBefore: Float32Array.from({ length: width * rows }, (_, i) => ground(i)),
    dsmAfter: Float32Array.from({ length: width * rows }, (_, i) => ground(i) + 0.3 + (inShed(i) ? rise : 0)),
    offset: new Float32Array(width * rows).fill(0.3),
    ground: Float32Array.from({ length: width * rows }, (_, i) => ground(i) - 0.5),
  };
}

const arrays = ['change', 'nearBuilding', 'heightChange', 'heightBefore', 'heightAfter', 'probability', 'roughness', 'topSurface', 'greenness'] as const;

describe('fuseOnWorker', () => {
  it('gives the strips fuseStrip gives, each intact until it is released', async () => {
    const rasters = [strip(0, 6, 4, 3), strip(6, 6, 20, 5), strip(12, 3, 30, 2.5)];
    const expected = rasters.map((r) => {
      const fused = fuseStrip(r, rule);
      // fuseStrip's arrays are kept for its next strip: copies to compare with
      return Object.fromEntries(arrays.map((name) => [name, Array.from(fused[name])]));
    });
    const held = await Promise.all(rasters.map((r) => fuseOnWorker(r, rule)));
    for (const [n, { strip: fused }] of held.entries()) {
      expect([fused.y0, fused.width, fused.height]).toEqual([rasters[n].y0, width, rasters[n].height]);
      for (const name of arrays) expect(Array.from(fused[name]), name).toEqual(expected[n][name]);
    }
    expect(held[1].strip.change.filter((v) => v).length).toBe(6 * 8);
    for (const { release } of held) release();
    // released slots serve later strips
    const again = await fuseOnWorker(rasters[2], rule);
    expect(Array.from(again.strip.heightChange)).toEqual(expected[2].heightChange);
    again.release();
  });
});
