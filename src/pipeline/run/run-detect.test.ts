import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsDefinition } from '../../geo/crs.js';
import { memorySource } from '../../raster/memory-source.js';
import type { RasterSource } from '../../raster/types.js';
import { defaultThresholds } from '../thresholds.js';
import { runDetect } from './run-detect.js';

const size = 400;
const gsd = 0.2;
const origin = [500000, 3350000];

/** A DSM of gently rolling ground near 50 m, plus `rise` metres over the box [x0, x1) x [y0, y1) (pixels). */
function dsm(name: string, shift: number, box?: { x0: number; x1: number; y0: number; y1: number; rise: number }): RasterSource {
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const inside = box && col >= box.x0 && col < box.x1 && row >= box.y0 && row < box.y1;
      data[row * size + col] = 50 + shift + 0.5 * Math.sin(col / 40) * Math.cos(row / 55) + (inside ? box.rise : 0);
    }
  }
  const info = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, proj4: crsDefinition(4549), geoTransform: [origin[0], gsd, 0, origin[1], 0, -gsd] as [number, number, number, number, number, number], nodata: -9999 };
  return memorySource(info, { width: size, height: size, bandCount: 1, data }, name);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-run-detect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runDetect', () => {
  it('runs a whole DSM-only job on in-memory rasters: a new 5 m x 4 m building 3 m high, found and measured', async () => {
    // the after flight sits 0.3 m higher overall, as two photogrammetric flights do
    const sources = { beforeDsm: dsm('before/dsm', 0), afterDsm: dsm('after/dsm', 0.3, { x0: 200, x1: 225, y0: 100, y1: 120, rise: 3 }) };
    const out = join(dir, 'out');
    const quiet = () => ({ tick() {}, done() {} });
    const summary = await runDetect({ out, model: 'zhiwei-cd-v1', thresholds: defaultThresholds }, sources, quiet);
    expect(summary.mode).toBe('dsm');
    expect(summary.candidates).toBe(1);
    const collection = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8')) as { features: { properties: { area_m2: number; height_change_m: number; change_kind: string } }[] };
    const [building] = collection.features;
    expect(building.properties.change_kind).toBe('new_building');
    expect(building.properties.area_m2).toBeGreaterThan(20 * 0.9);
    expect(building.properties.area_m2).toBeLessThan(20 * 1.1);
    expect(building.properties.height_change_m).toBeCloseTo(3, 0);
    expect((await readdir(out)).sort()).toEqual(['candidates.geojson', 'evidence', 'summary.json']);
  });
});
