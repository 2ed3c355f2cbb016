import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { crsDefinition, crsTransform } from '../geo/crs.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { memorySource } from '../raster/memory-source.js';
import { allocateSamples } from '../raster/resample.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterInfo, RasterSource } from '../raster/types.js';
import { ingest, type IngestInputs } from './ingest.js';

/** A small in-memory raster; orthophotos are grey RGB, height models a constant 12 m. */
function raster(name: string, kind: 'ortho' | 'dsm', overrides: Partial<RasterInfo> = {}, fill?: number): RasterSource {
  const base: RasterInfo = kind === 'ortho'
    ? { width: 40, height: 40, bandCount: 3, sampleType: 'uint8', epsg: 4549, proj4: crsDefinition(4549), geoTransform: [500000, 0.1, 0, 3350004, 0, -0.1], nodata: null }
    : { width: 20, height: 20, bandCount: 1, sampleType: 'float32', epsg: 4549, proj4: crsDefinition(4549), geoTransform: [500000, 0.2, 0, 3350004, 0, -0.2], nodata: -9999 };
  const info = { ...base, ...overrides };
  const data = allocateSamples(info.sampleType, info.width * info.height * info.bandCount).fill(fill ?? (kind === 'ortho' ? 128 : 12));
  return memorySource(info, { width: info.width, height: info.height, bandCount: info.bandCount, data }, name);
}

function fullSet(): Required<Omit<IngestInputs, 'beforeDtm'>> {
  return {
    beforeOrtho: raster('before/ortho.tif', 'ortho'),
    afterOrtho: raster('after/ortho.tif', 'ortho'),
    beforeDsm: raster('before/dsm.tif', 'dsm'),
    afterDsm: raster('after/dsm.tif', 'dsm'),
  };
}

/** The BadInputError `ingest` throws for `inputs`. */
async function failure(inputs: IngestInputs): Promise<BadInputError> {
  const err = await ingest(inputs, { gsd: 0.2 }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BadInputError);
  return err as BadInputError;
}

describe('ingest', () => {
  it('picks ortho_dsm, dsm or ortho mode from the pairs given', async () => {
    const { beforeOrtho, afterOrtho, beforeDsm, afterDsm } = fullSet();
    expect((await ingest({ beforeOrtho, afterOrtho, beforeDsm, afterDsm }, { gsd: 0.2 })).mode).toBe('ortho_dsm');
    expect((await ingest({ beforeDsm, afterDsm }, { gsd: 0.2 })).mode).toBe('dsm');
    expect((await ingest({ beforeOrtho, afterOrtho }, { gsd: 0.2 })).mode).toBe('ortho');
  });

  it('rejects a before orthophoto without an after orthophoto, naming both', async () => {
    const { beforeOrtho, beforeDsm, afterDsm } = fullSet();
    const err = await failure({ beforeOrtho, beforeDsm, afterDsm });
    expect(err.message).toContain('before/ortho.tif');
    expect(err.message).toContain('no after orthophoto');
    expect(err.hint).toContain('--after-ortho');
  });

  it('rejects a DTM without DSMs, and no rasters at all', async () => {
    const { beforeOrtho, afterOrtho } = fullSet();
    const err = await failure({ beforeOrtho, afterOrtho, beforeDtm: raster('before/dtm.tif', 'dsm') });
    expect(err.message).toContain('before/dtm.tif');
    expect((await failure({})).message).toContain('no rasters');
  });

  it('rejects a raster with an unknown CRS and says how to reproject it', async () => {
    const err = await failure({ ...fullSet(), afterDsm: raster('after/dsm.tif', 'dsm', { epsg: 2000, proj4: null }) });
    expect(err.message).toContain('after/dsm.tif');
    expect(err.message).toContain('unknown CRS (EPSG:2000)');
    expect(err.hint).toContain('gdalwarp -t_srs EPSG:4549');
  });

  it('rejects a rotated geotransform', async () => {
    const geoTransform: GeoTransform = [500000, 0.1, 0.01, 3350004, 0.01, -0.1];
    const err = await failure({ ...fullSet(), beforeOrtho: raster('before/ortho.tif', 'ortho', { geoTransform }) });
    expect(err.message).toMatch(/before\/ortho.tif .*not north-up/);
  });

  it('rejects an orthophoto that is not RGB or RGBA uint8', async () => {
    const err = await failure({ ...fullSet(), afterOrtho: raster('after/ortho.tif', 'ortho', { bandCount: 1 }) });
    expect(err.message).toContain('after/ortho.tif (after orthophoto) has 1 band(s) of uint8');
    const wide = await failure({ ...fullSet(), afterOrtho: raster('after/ortho.tif', 'ortho', { sampleType: 'uint16' }) });
    expect(wide.message).toContain('3 band(s) of uint16');
  });

  it('rejects a DSM that is not one band of floats', async () => {
    const err = await failure({ ...fullSet(), beforeDsm: raster('before/dsm.tif', 'dsm', { sampleType: 'int16' }) });
    expect(err.message).toContain('before/dsm.tif (before DSM) has 1 band(s) of int16');
  });

  it('rejects a DSM without nodata when its edges are zero', async () => {
    const info = { width: 20, height: 20, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, proj4: crsDefinition(4549), geoTransform: [500000, 0.2, 0, 3350004, 0, -0.2] as GeoTransform, nodata: null };
    const data = new Float32Array(400);
    for (let row = 5; row < 15; row++) data.fill(15, row * 20 + 5, row * 20 + 15);
    const afterDsm = memorySource(info, { width: 20, height: 20, bandCount: 1, data }, 'after/dsm.tif');
    const err = await failure({ ...fullSet(), afterDsm });
    expect(err.message).toContain('after/dsm.tif (after DSM) has no nodata value');
    expect(err.hint).toContain('gdal_edit.py -a_nodata 0 after/dsm.tif');
  });

  it('accepts a DSM without nodata whose edges hold heights', async () => {
    const afterDsm = raster('after/dsm.tif', 'dsm', { nodata: null });
    expect((await ingest({ ...fullSet(), afterDsm }, { gsd: 0.2 })).mode).toBe('ortho_dsm');
  });

  it('accepts a DSM whose only heights fall between the sampled pixels', async () => {
    const beforeDsm = raster('before/dsm.tif', 'dsm', { width: 40, height: 40, geoTransform: [500000, 0.1, 0, 3350004, 0, -0.1] }, -9999);
    const data = new Float32Array(1600).fill(-9999);
    data[41] = 12; // pixel (1, 1): not on the 16 x 16 lattice
    const sparse = memorySource(beforeDsm.info, { width: 40, height: 40, bandCount: 1, data }, 'before/dsm.tif');
    expect((await ingest({ ...fullSet(), beforeDsm: sparse }, { gsd: 0.2 })).mode).toBe('ortho_dsm');
  });

  it('rejects an all-nodata DSM', async () => {
    const err = await failure({ ...fullSet(), beforeDsm: raster('before/dsm.tif', 'dsm', {}, -9999) });
    expect(err.message).toContain('before/dsm.tif (before DSM) holds no heights');
  });

  it('rejects epochs that do not overlap, giving both extents in the after CRS', async () => {
    const far: GeoTransform = [500100, 0.1, 0, 3350004, 0, -0.1];
    const err = await failure({ beforeOrtho: raster('before/ortho.tif', 'ortho', { geoTransform: far }), afterOrtho: raster('after/ortho.tif', 'ortho') });
    expect(err.message).toContain('before and after epochs do not overlap');
    expect(err.message).toContain('before (before/ortho.tif) covers [500100.00, 3350000.00, 500104.00, 3350004.00]');
    expect(err.message).toContain('after (after/ortho.tif) covers [500000.00, 3350000.00, 500004.00, 3350004.00] in EPSG:4549');
  });

  it('rejects rasters of one epoch that do not overlap each other, naming them', async () => {
    const far: GeoTransform = [510000, 0.2, 0, 3350004, 0, -0.2];
    const err = await failure({ ...fullSet(), beforeDsm: raster('before/dsm.tif', 'dsm', { geoTransform: far }) });
    expect(err.message).toContain('before/dsm.tif (before DSM) does not overlap before/ortho.tif');
  });

  it('rejects an after epoch in a geographic CRS', async () => {
    const afterDsm = raster('after/dsm.tif', 'dsm', { epsg: 4326, proj4: crsDefinition(4326), geoTransform: [120, 1e-6, 0, 30.3, 0, -1e-6] });
    const err = await failure({ beforeDsm: raster('before/dsm.tif', 'dsm'), afterDsm });
    expect(err.message).toContain('after/dsm.tif (after DSM) is in a geographic CRS');
  });

  it('snaps the grid to the GSD over the area all inputs share, in the after CRS', async () => {
    const inputs = {
      ...fullSet(),
      beforeDsm: raster('before/dsm.tif', 'dsm', { geoTransform: [499999.95, 0.2, 0, 3350003.05, 0, -0.2] }),
      afterOrtho: raster('after/ortho.tif', 'ortho', { geoTransform: [500000.33, 0.1, 0, 3350004, 0, -0.1] }),
    };
    const { grid } = await ingest(inputs, { gsd: 0.2 });
    // Shared: x 500000.33-500003.95, y 3350000-3350003.05 → covered by 0.2 m cells from 500000.2, 3350003.2.
    expect(grid.geoTransform[0]).toBeCloseTo(500000.2, 6);
    expect(grid.geoTransform[3]).toBeCloseTo(3350003.2, 6);
    expect([grid.geoTransform[1], grid.geoTransform[5]]).toEqual([0.2, -0.2]);
    expect([grid.width, grid.height]).toEqual([19, 16]);
    expect(grid.epsg).toBe(4549);
  });

  it('takes the after orthophoto CRS for the grid when the before epoch is in another CRS', async () => {
    const [x, y] = crsTransform(4549, 4528)([500000, 3350004]);
    const before = { epsg: 4528, proj4: crsDefinition(4528) };
    const inputs = {
      beforeOrtho: raster('before/ortho.tif', 'ortho', { ...before, geoTransform: [x, 0.1, 0, y, 0, -0.1] }),
      afterOrtho: raster('after/ortho.tif', 'ortho'),
    };
    const { grid } = await ingest(inputs, { gsd: 0.2 });
    expect(grid.crs).toBe(crsDefinition(4549));
    expect(grid.geoTransform[0]).toBeCloseTo(500000, 6);
    expect([grid.width, grid.height]).toEqual([20, 20]);
  });

  it('reads the fixture scene as ortho_dsm on a 1024 px grid at 0.2 m', async () => {
    const names = { beforeOrtho: 'before/ortho', afterOrtho: 'after/ortho', beforeDsm: 'before/dsm', afterDsm: 'after/dsm', beforeDtm: 'before/dtm' };
    const inputs: IngestInputs = {};
    for (const [role, file] of Object.entries(names)) inputs[role as keyof IngestInputs] = await openGeoTiff(`fixtures/scene/${file}.tif`);
    try {
      const { mode, grid } = await ingest(inputs, { gsd: 0.2 });
      expect(mode).toBe('ortho_dsm');
      expect(grid).toMatchObject({ epsg: 4549, width: 1024, height: 1024 });
      expect(grid.geoTransform[0]).toBeCloseTo(496594, 6);
      expect(grid.geoTransform[3]).toBeCloseTo(3350032.8, 6);
    } finally {
      await Promise.all(Object.values(inputs).map((s) => s.close()));
    }
  });
});
