import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsDefinition } from '../../geo/crs.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { ChangeStrip } from '../types.js';
import { openChangeRasters } from './change-rasters.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-change-rasters-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const grid: AnalysisGrid = { crs: crsDefinition(4549), epsg: 4549, geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2], width: 300, height: 40 };

/** A fused strip of rows [y0, y0 + height) with the given height change and probability everywhere. */
function strip(y0: number, height: number, heightChange: number, probability: number): ChangeStrip {
  const size = grid.width * height;
  const values = (value: number) => new Float32Array(size).fill(value);
  return {
    y0, width: grid.width, height, change: new Uint8Array(size), heightChange: values(heightChange), heightBefore: values(NaN), heightAfter: values(NaN),
    nearBuilding: new Uint8Array(size), probability: values(probability), roughness: values(NaN), topSurface: values(NaN), greenness: values(NaN),
  };
}

async function pixels(path: string) {
  const raster = await openGeoTiff(path);
  try {
    return { info: raster.info, data: (await raster.readWindow({ x: 0, y: 0, width: grid.width, height: grid.height })).data };
  } finally {
    await raster.close();
  }
}

describe('openChangeRasters', () => {
  it('stores heights in metres with -9999 for nodata, and probabilities x 254 with 255 where no model tile ran', async () => {
    const folder = await mkdtemp(join(dir, 'both-'));
    const rasters = await openChangeRasters(folder, grid, 'ortho_dsm');
    await rasters.addStrip(strip(0, 25, 2.5, 0.5));
    await rasters.addStrip(strip(25, 15, NaN, NaN));
    expect(await rasters.close()).toEqual(['height-change.tif', 'change-probability.tif']);
    expect((await readdir(folder)).sort()).toEqual(['change-probability.tif', 'height-change.tif']);
    const heights = await pixels(join(folder, 'height-change.tif'));
    expect(heights.info).toMatchObject({ sampleType: 'float32', nodata: -9999, epsg: 4549, geoTransform: grid.geoTransform });
    expect([heights.data[0], heights.data[24 * 300 + 299], heights.data[25 * 300]]).toEqual([2.5, 2.5, -9999]);
    const probability = await pixels(join(folder, 'change-probability.tif'));
    expect(probability.info).toMatchObject({ sampleType: 'uint8', nodata: 255 });
    expect([probability.data[0], probability.data[25 * 300]]).toEqual([127, 255]);
  });

  it('refuses a strip that does not start where the last one ended', async () => {
    const rasters = await openChangeRasters(await mkdtemp(join(dir, 'gap-')), grid, 'dsm');
    await rasters.addStrip(strip(0, 10, 1, NaN));
    await expect(rasters.addStrip(strip(20, 10, 1, NaN))).rejects.toThrow('change rasters: a strip from row 20, expected row 10');
    await rasters.abort();
  });

  it('writes nothing on a grid whose CRS has no EPSG code, and says why', async () => {
    const folder = await mkdtemp(join(dir, 'no-epsg-'));
    const rasters = await openChangeRasters(folder, { ...grid, epsg: null }, 'ortho_dsm');
    await rasters.addStrip(strip(0, 40, 1, 0.5));
    expect(await rasters.close()).toEqual([]);
    expect(rasters.warning).toMatch(/^the analysis grid's CRS has no EPSG code, so height-change\.tif and change-probability\.tif were not written/);
    expect(await readdir(folder)).toEqual([]);
  });
});
