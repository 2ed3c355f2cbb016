import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { crsDefinition } from '../geo/crs.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { memorySource } from '../raster/memory-source.js';
import type { RasterSource } from '../raster/types.js';
import { coarsePass } from './coarse-pass.js';
import { boxMean, estimateGround } from './ground.js';
import { ingest, type IngestInputs, type IngestResult } from './ingest.js';
import { readAligned } from '../raster/read-aligned.js';
import { offsetAt } from '../geo/vertical-offset.js';

const dir = 'fixtures/scene';

function median(values: number[]): number {
  return Float64Array.from(values).sort()[values.length >> 1];
}

describe('coarsePass on the fixture scene', () => {
  const sources: Record<'beforeDsm' | 'afterDsm' | 'beforeDtm', RasterSource> = {} as never;
  beforeAll(async () => {
    for (const name of ['beforeDsm', 'afterDsm', 'beforeDtm'] as const) {
      sources[name] = await openGeoTiff(`${dir}/${name.startsWith('before') ? 'before' : 'after'}/${name.slice(-3).toLowerCase()}.tif`);
    }
  });
  afterAll(() => Promise.all(Object.values(sources).map((s) => s.close())));
  const whole = (ingested: IngestResult) => ({ x: 0, y: 0, width: ingested.grid.width, height: ingested.grid.height });

  it('fits the after DSM offset and tilt that the scene applied, on flat ground', async () => {
    const scene = JSON.parse(readFileSync(`${dir}/scene.json`, 'utf8'));
    const [west, south] = scene.origin_sw_easting_northing;
    const { dsm_vertical_offset_m: applied, dsm_tilt_m_per_m: [tiltX, tiltY] } = scene.flights.after;
    const ingested = await ingest({ beforeDsm: sources.beforeDsm, afterDsm: sources.afterDsm }, { gsd: 0.2 });
    const { offset, warnings } = await coarsePass(ingested);
    expect(warnings).toEqual([]);
    if (!offset) throw new Error('no offset fitted');
    expect(offsetAt(offset, west + scene.extent_m / 2, south + scene.extent_m / 2)).toBeCloseTo(applied, 1);
    expect(Math.abs(offset.tiltX - tiltX)).toBeLessThan(3e-5);
    expect(Math.abs(offset.tiltY - tiltY)).toBeLessThan(3e-5);
    expect(Math.sign(offset.tiltX)).toBe(Math.sign(tiltX));
    expect(offset.spread).toBeLessThan(0.3);
  });

  it('estimates the ground from the before DSM within 0.5 m of the DTM, with roofs over 3 m above it', async () => {
    const ingested = await ingest({ beforeDsm: sources.beforeDsm, afterDsm: sources.afterDsm }, { gsd: 0.2 });
    const { ground } = await coarsePass(ingested);
    const estimate = ground?.groundAt(whole(ingested)) ?? new Float32Array();
    const dtm = await readAligned(sources.beforeDtm, ingested.grid, whole(ingested), { resample: 'bilinear' });
    const dsm = await readAligned(sources.beforeDsm, ingested.grid, whole(ingested), { resample: 'bilinear' });
    const errors: number[] = [];
    const roofs: number[] = [];
    for (let p = 0; p < estimate.length; p++) {
      errors.push(Math.abs(estimate[p] - dtm.data[p]));
      if (dsm.data[p] - dtm.data[p] > 3) roofs.push(dsm.data[p] - estimate[p]);
    }
    expect(median(errors)).toBeLessThan(0.5);
    expect(roofs.filter((h) => h > 3).length / roofs.length).toBeGreaterThan(0.99);
  });

  it('upsamples the DTM when given, matching it within 0.05 m on smooth terrain', async () => {
    const ingested = await ingest(sources, { gsd: 0.2 });
    const { ground } = await coarsePass(ingested);
    const window = { x: 200, y: 300, width: 400, height: 300 };
    const upsampled = ground?.groundAt(window) ?? new Float32Array();
    const dtm = await readAligned(sources.beforeDtm, ingested.grid, window, { resample: 'bilinear' });
    let worst = 0;
    for (let p = 0; p < upsampled.length; p++) worst = Math.max(worst, Math.abs(upsampled[p] - dtm.data[p]));
    expect(worst).toBeLessThan(0.05);
  });
});

/** A 120 m square at 0.5 m: a sloping plane with 10 m houses 6 m tall; the after epoch adds a house. */
const size = 240;
const gsd = 0.5;
const origin = [500000, 3350120] as const;
const grid = { crs: crsDefinition(4549), epsg: 4549, geoTransform: [origin[0], gsd, 0, origin[1], 0, -gsd] as [number, number, number, number, number, number], width: size, height: size };
const terrain = (col: number, row: number): number => 20 + 0.02 * col * gsd - 0.01 * row * gsd;
const inHouse = (col: number, row: number, houses: number[][]): boolean =>
  houses.some(([c, r]) => col >= c && col < c + 20 && row >= r && row < r + 20);
const housesBefore = [[140, 30], [180, 150], [60, 180]];

/** A standard normal deviate from a hash of (a, b, seed): repeatable noise without a generator. */
function gaussian(a: number, b: number, seed: number): number {
  const uniform = (salt: number): number => {
    let h = Math.imul(a, 374761393) + Math.imul(b, 668265263) + Math.imul(seed + salt, 1442695041);
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return (((h ^ (h >>> 16)) >>> 0) + 0.5) / 4294967296;
  };
  return Math.sqrt(-2 * Math.log(uniform(0))) * Math.cos(2 * Math.PI * uniform(7));
}

function dsm(name: string, height: (col: number, row: number) => number): RasterSource {
  const info = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, proj4: grid.crs, geoTransform: grid.geoTransform, nodata: -9999 };
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) data[row * size + col] = height(col, row);
  return memorySource(info, { width: size, height: size, bandCount: 1, data }, name);
}

function pass(sources: IngestInputs, options = {}): ReturnType<typeof coarsePass> {
  return coarsePass({ mode: 'dsm', sources, grid, gridCrsReason: 'the test grid' }, options);
}

describe('coarsePass on in-memory DSMs', () => {
  const surface = (col: number, row: number, houses: number[][]) => terrain(col, row) + (inHouse(col, row, houses) ? 6 : 0);
  // The before DSM lacks its whole north-west quarter (60 m x 60 m).
  const beforeDsm = dsm('before.tif', (col, row) => (col < 120 && row < 120 ? -9999 : surface(col, row, housesBefore)));
  const afterDsm = dsm('after.tif', (col, row) => surface(col, row, [...housesBefore, [40, 160]]) + 0.7 + 0.001 * (col - size / 2) * gsd);

  it('returns neither offset nor ground when the run has no DSM pair', async () => {
    expect(await pass({})).toEqual({ offset: null, ground: null, warnings: [] });
  });

  it('fits the offset and tilt of a DSM with a large nodata hole', async () => {
    const { offset, warnings } = await pass({ beforeDsm, afterDsm });
    expect(warnings).toEqual([]);
    if (!offset) throw new Error('no offset fitted');
    expect(offsetAt(offset, origin[0] + 60, origin[1] - 60)).toBeCloseTo(0.7, 2);
    expect(offset.tiltX).toBeCloseTo(0.001, 4);
    expect(offset.tiltY).toBeCloseTo(0, 4);
  });

  it('puts the estimated ground on the terrain under houses and leaves it unknown deep inside the hole', async () => {
    const { ground } = await pass({ beforeDsm, afterDsm }, { groundRadius: 10 });
    const roof = ground?.groundAt({ x: 190, y: 160, width: 1, height: 1 })[0];
    expect(roof).toBeCloseTo(terrain(190, 160), 1);
    expect(ground?.groundAt({ x: 0, y: 0, width: 1, height: 1 })[0]).toBeNaN();
  });

  it('reports the whole spread of a noisy DSM pair, not that of its quietest pixels', async () => {
    // Gaussian noise of 0.3 m per 2 m block in each epoch: after − before spreads 0.3 × √2 ≈ 0.42 m.
    const noisy = (name: string, seed: number, shift: number) =>
      dsm(name, (col, row) => surface(col, row, housesBefore) + shift + 0.3 * gaussian(col >> 2, row >> 2, seed));
    const { offset } = await pass({ beforeDsm: noisy('before.tif', 1, 0), afterDsm: noisy('after.tif', 2, 0.5) });
    expect(offset?.offset).toBeCloseTo(0.5, 1);
    expect(offset?.spread).toBeGreaterThan(0.35);
    expect(offset?.spread).toBeLessThan(0.5);
  });

  it('warns of DSM heights implausible for metres: an offset of hundreds of metres, a span wider than the scene, heights beyond any ground', async () => {
    // a scene 100 m above the datum, its after DSM in US survey feet that the file does not declare
    const high = (col: number, row: number) => 100 + surface(col, row, housesBefore);
    const metres = dsm('before.tif', high);
    const feet = dsm('after-feet.tif', (col, row) => high(col, row) / 0.3048006);
    const offset = (await pass({ beforeDsm: metres, afterDsm: feet })).warnings;
    expect(offset).toHaveLength(1);
    expect(offset[0]).toMatch(/^after-feet\.tif lies 2\d\d\.\d m above before\.tif on flat ground, more than any two height datums differ/);
    // a 120 m scene whose south half lies 300 m below its north half, in both flights
    const terraces = (name: string) => dsm(name, (col, row) => high(col, row) + (row < size / 2 ? 300 : 0));
    const span = (await pass({ beforeDsm: terraces('before.tif'), afterDsm: terraces('after.tif') })).warnings;
    expect(span).toHaveLength(2);
    expect(span[0]).toMatch(/^before\.tif has heights from 1\d\d\.\d to 4\d\d\.\d m, a span of 3\d\d m over a scene 120 m across: are its heights in another unit/);
    // level ground 120 m above the datum, in centimetres
    const centimetres = (name: string) => dsm(name, () => 12_000);
    const beyond = (await pass({ beforeDsm: centimetres('before-cm.tif'), afterDsm: centimetres('after-cm.tif') })).warnings;
    expect(beyond[0]).toBe('before-cm.tif has heights from 12000.0 to 12000.0 m, beyond any ground on earth: are its heights in another unit (feet, centimetres) that the file does not declare?');
  });

  it('says which DSMs share too little data to fit an offset', async () => {
    const empty = dsm('empty.tif', () => -9999);
    const err = await pass({ beforeDsm, afterDsm: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toContain('before.tif and empty.tif');
  });

  it('rejects a coarse GSD finer than the analysis grid', async () => {
    await expect(pass({ beforeDsm, afterDsm }, { coarseGsd: 0.2 })).rejects.toThrow('at least the analysis GSD');
  });
});

describe('ground morphology', () => {
  it('opens away a box narrower than the radius and keeps a plane', () => {
    const width = 30;
    const plane = (i: number) => 5 + 0.02 * (i % width) + 0.01 * Math.floor(i / width);
    const dsm = Float32Array.from({ length: width * width }, (_, i) => plane(i) + ((i % width) >= 10 && (i % width) < 16 && i / width >= 12 && i / width < 18 ? 8 : 0));
    const ground = estimateGround(dsm, width, width, 4, 2);
    // Away from the edges a gentle plane passes within a few centimetres, the box's roof included.
    for (const i of [14 * width + 12, 19 * width + 19]) expect(ground[i]).toBeCloseTo(plane(i), 1);
  });

  it('averages only the values with data in a box mean', () => {
    const values = Float32Array.from([1, Number.NaN, 3, Number.NaN, Number.NaN, Number.NaN]);
    expect(Array.from(boxMean(values, 3, 2, 1))).toEqual([1, 2, 3, 1, 2, 3]);
  });
});
