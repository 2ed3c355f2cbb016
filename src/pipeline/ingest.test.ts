import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { crsDefinition, crsTransform, type Crs } from '../geo/crs.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { memorySource } from '../raster/memory-source.js';
import { allocateSamples } from '../raster/resample.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterInfo, RasterSource } from '../raster/types.js';
import { ingest, ingestFlight, type IngestInputs } from './ingest.js';

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

/** Geotransform in `crs` of a north-up raster covering the ground of `info` (its corners transformed). */
function sameGround(info: RasterInfo, crs: Crs): GeoTransform {
  const [x0, pixelWidth, , y0, , pixelHeight] = info.geoTransform;
  const transform = crsTransform(info.proj4 as string, crs);
  const [left, top] = transform([x0, y0]);
  const [right, bottom] = transform([x0 + info.width * pixelWidth, y0 + info.height * pixelHeight]);
  return [left, (right - left) / info.width, 0, top, 0, (bottom - top) / info.height];
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

  it('puts the grid in the Gauss-Krüger zone of the scene when the after DSM is geographic', async () => {
    const beforeDsm = raster('before/dsm.tif', 'dsm');
    const geoTransform = sameGround(beforeDsm.info, 4326);
    const afterDsm = raster('after/dsm.tif', 'dsm', { epsg: 4326, proj4: crsDefinition(4326), geoTransform });
    const { grid, gridCrsReason } = await ingest({ beforeDsm, afterDsm }, { gsd: 0.2 });
    expect(grid).toMatchObject({ epsg: 4549, crs: crsDefinition(4549), width: 20, height: 20 });
    expect(grid.geoTransform[0]).toBeCloseTo(500000, 6);
    expect(gridCrsReason).toBe(
      'after/dsm.tif (after DSM) is in a geographic CRS (degrees), EPSG:4326; the grid is in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E), the zone of the scene centre 120.0000°E 30.2696°N',
    );
  });

  it('measures a Web Mercator scene at 41°N in metres: the grid of its Gauss-Krüger or UTM zone, as if given in that zone', async () => {
    // 117°E is in China (CGCS2000 zone CM 117E, EPSG:4548); 8.9°W is in UTM zone 29N
    for (const [longitude, zone] of [[117.001, 4548], [-8.9, 32629]]) {
      const [x, y] = crsTransform(4326, zone)([longitude, 41]).map((v) => Math.round(v));
      const metric = { epsg: zone, proj4: crsDefinition(zone), geoTransform: [x, 0.2, 0, y, 0, -0.2] as GeoTransform };
      const inZone = await ingest({ beforeDsm: raster('before/dsm.tif', 'dsm', metric), afterDsm: raster('after/dsm.tif', 'dsm', metric) }, { gsd: 0.2 });
      const mercator = { epsg: 3857, proj4: crsDefinition(3857), geoTransform: sameGround(raster('', 'dsm', metric).info, 3857) };
      const afterDsm = raster('after/dsm.tif', 'dsm', mercator);
      // a metre on the ground is about 1/cos(41°) = 1.32 Mercator units here
      expect(afterDsm.info.geoTransform[1]).toBeCloseTo(0.2 / Math.cos((41 * Math.PI) / 180), 2);
      const inMercator = await ingest({ beforeDsm: raster('before/dsm.tif', 'dsm', mercator), afterDsm }, { gsd: 0.2 });
      expect(inMercator.grid).toMatchObject({ epsg: zone, crs: crsDefinition(zone) });
      expect(inMercator.grid.geoTransform[1] * inMercator.grid.geoTransform[5]).toBeCloseTo(inZone.grid.geoTransform[1] * inZone.grid.geoTransform[5], 12);
      // the Mercator raster's edges (meridians and parallels) turn and bend a little in the zone: its bounding box may gain a pixel on a side
      expect(Math.abs(inMercator.grid.width - inZone.grid.width)).toBeLessThanOrEqual(2);
      expect(Math.abs(inMercator.grid.height - inZone.grid.height)).toBeLessThanOrEqual(2);
      expect(inMercator.gridCrsReason).toContain('after/dsm.tif (after DSM) is in a Mercator CRS (true to scale at one latitude only), EPSG:3857; the grid is in EPSG:');
      expect(inMercator.gridCrsReason).toMatch(longitude < 0 ? /8\.9000°W 41\.0000°N$/ : /117\.0010°E 41\.0000°N$/);
      expect(inZone.gridCrsReason).toBe('the CRS of after/dsm.tif (after DSM)');
    }
  });

  it('rejects an after epoch in a CRS measured in feet, naming the file and its unit', async () => {
    const feet = '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=us-ft +no_defs';
    const beforeDsm = raster('before/dsm.tif', 'dsm');
    const afterDsm = raster('after/dsm.tif', 'dsm', { epsg: null, proj4: feet, geoTransform: sameGround(beforeDsm.info, feet) });
    const err = await failure({ beforeDsm, afterDsm });
    expect(err.message).toContain(`after/dsm.tif (after DSM) is in ${feet}, measured in us-ft`);
    expect(err.hint).toBe('reproject it with gdalwarp -t_srs EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)');
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
    const { grid, gridCrsReason } = await ingest(inputs, { gsd: 0.2 });
    expect(grid.crs).toBe(crsDefinition(4549));
    expect(gridCrsReason).toBe('the CRS of after/ortho.tif (after orthophoto)');
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

describe('ingestFlight (one flight, a survey)', () => {
  it('works from a DSM alone, takes the orthophoto for the grid when given, and refuses an orthophoto without a DSM', async () => {
    const dsm = raster('dsm.tif', 'dsm');
    const ortho = raster('ortho.tif', 'ortho', { width: 30, height: 30 });
    expect(await ingestFlight({ dsm }, { gsd: 0.2 })).toMatchObject({ mode: 'dsm', gridCrsReason: 'the CRS of dsm.tif (DSM)', grid: { width: 20, height: 20 } });
    const both = await ingestFlight({ ortho, dsm }, { gsd: 0.2 });
    expect(both).toMatchObject({ mode: 'ortho_dsm', gridCrsReason: 'the CRS of ortho.tif (orthophoto)', grid: { width: 15, height: 15 } });
    const err = await ingestFlight({ ortho }, { gsd: 0.2 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect(err).toMatchObject({ message: 'ortho.tif is the orthophoto but no DSM was given', hint: expect.stringContaining('pass --dsm') });
  });
});
