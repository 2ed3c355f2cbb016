import { copyFile, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { lonLatToTile } from '../geo/web-mercator.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { jobLayers, type TileJob } from './job-layers.js';
import { openJobTiles, type JobTiles } from './job-tiles.js';
import type { OpenRaster } from './raster-store.js';

const scene = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));
const summary = { vertical_offset: { offset_m: -0.88, tilt_m_per_m: [0.0000464, 0.0001057], spread_m: 0.12, stable_samples: 900 }, coregistration_shift_m: { dx: 0.14, dy: -0.63, windows: 9 } };
const centre = lonLatToTile(119.96567, 30.26897, 20);

describe('job tiles', () => {
  let dir: string;
  let job: TileJob;
  let tiles: JobTiles;
  let reads = 0;
  const counting: OpenRaster = async (path) => {
    const source = await openGeoTiff(path);
    return { ...source, readWindow: (window, options) => (reads++, source.readWindow(window, options)) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-job-tiles-'));
    for (const name of ['before-ortho', 'after-ortho', 'before-dsm', 'after-dsm']) await copyFile(join(scene, name.replace('-', '/') + '.tif'), join(dir, `${name}.tif`));
    job = {
      id: 3,
      spec: { beforeOrtho: join(dir, 'before-ortho.tif'), afterOrtho: join(dir, 'after-ortho.tif'), beforeDsm: join(dir, 'before-dsm.tif'), afterDsm: join(dir, 'after-dsm.tif'), out: '/somewhere' },
      summary,
    };
    tiles = openJobTiles(join(dir, 'tiles'), counting);
  });
  afterAll(async () => {
    await tiles.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the orthophotos (a survey\'s as after) and the height change of a job with both, the latter once its run has measured the offset', () => {
    expect(jobLayers(job).map((layer) => layer.name)).toEqual(['before', 'after', 'height-change']);
    expect(jobLayers({ ...job, summary: null }).map((layer) => layer.name)).toEqual(['before', 'after']);
    const dsmsOnly = { ...job, spec: { beforeDsm: '/a/dsm.tif', afterDsm: 'https://example.org/after.tif' } };
    expect(jobLayers(dsmsOnly)).toMatchObject([{ name: 'height-change', gridReference: 'https://example.org/after.tif', shift: { dx: 0.14, dy: -0.63 } }]);
    // a row from before detect stored absolute paths names no file the service can find
    expect(jobLayers({ ...job, spec: { beforeOrtho: 'before/ortho.tif', afterOrtho: '/data/after.tif' } }).map((layer) => layer.name)).toEqual(['after']);
    // a survey's one orthophoto is its after layer
    expect(jobLayers({ ...job, spec: { ortho: '/data/survey-ortho.tif', dsm: '/data/survey-dsm.tif' } })).toEqual([{ name: 'after', orthophoto: '/data/survey-ortho.tif' }]);
  });

  it('describes each layer with its WGS84 bounds, ground resolution and zooms', async () => {
    const layers = await tiles.describe(job);
    expect(layers.map((layer) => layer.name)).toEqual(['before', 'after', 'height-change']);
    const [before, , heightChange] = layers;
    expect(before.bounds[0]).toBeCloseTo(119.9646, 4);
    expect(before.bounds[3]).toBeCloseTo(30.2699, 4);
    // 0.2 m: zoom 19.6 at 30.27° N, so 20; the 0.4 m DSMs 19
    expect(before).toMatchObject({ gsdM: 0.2, maxzoom: 20, minzoom: 17 });
    expect(heightChange).toMatchObject({ gsdM: 0.4, maxzoom: 19 });
  });

  it('serves a cached tile again byte for byte without reading the raster, and renders afresh when the file changes', async () => {
    const first = await tiles.tile(job, 'after', centre, 'webp');
    expect(first.bytes.subarray(8, 12).toString()).toBe('WEBP');
    const readsBefore = reads;
    const again = await tiles.tile(job, 'after', centre, 'webp');
    expect(again).toEqual(first);
    expect(reads).toBe(readsBefore);
    // the same file rewritten (a new modification time) is a new version
    await utimes(job.spec.afterOrtho as string, new Date(), new Date(Date.now() + 5000));
    const changed = await tiles.tile(job, 'after', centre, 'webp');
    expect(changed.etag).not.toBe(first.etag);
    expect(reads).toBeGreaterThan(readsBefore);
  });

  it('answers a tile beside the rasters with no bytes, and a layer the job lacks with NotFoundError', async () => {
    const beside = await tiles.tile(job, 'height-change', { z: 20, x: centre.x + 10, y: centre.y }, 'png');
    expect(beside.bytes.length).toBe(0);
    const png = await tiles.tile(job, 'height-change', centre, 'png');
    expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
    await expect(tiles.tile({ ...job, summary: null }, 'height-change', centre, 'png')).rejects.toThrow(NotFoundError);
    await expect(tiles.tile({ ...job, spec: {} }, 'before', centre, 'webp')).rejects.toThrow(/job 3 has no before layer/);
  });
});
