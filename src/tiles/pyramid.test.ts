import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proj4Definition } from '../geo/crs.js';
import { lonLatToTile } from '../geo/web-mercator.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { memorySource } from '../raster/memory-source.js';
import type { RasterSource } from '../raster/types.js';
import { requireTool } from '../test-support/tools.js';
import { buildPyramid, pyramidLevels } from './pyramid.js';
import { openRasterStore, type OpenRaster } from './raster-store.js';
import { renderOrthophoto } from './render.js';

const ortho = fileURLToPath(new URL('../../fixtures/scene/after/ortho.tif', import.meta.url));
const hasGdalinfo = requireTool('gdalinfo');
const hasGdaladdo = requireTool('gdaladdo');
/** The fixture scene's centre. */
const [lon, lat] = [119.96567, 30.26897];

/** openGeoTiff, counting the windows read from each path. */
function countingOpen(): { open: OpenRaster; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const open: OpenRaster = async (path) => {
    const source = await openGeoTiff(path);
    return {
      ...source,
      readWindow: (window, options) => {
        reads.set(path, (reads.get(path) ?? 0) + 1);
        return source.readWindow(window, options);
      },
    };
  };
  return { open, reads };
}

describe('pyramids', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-pyramid-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('halves each level down to one under 256 px', () => {
    expect(pyramidLevels('p', 1024, 1024).map((l) => l.factor)).toEqual([2, 4, 8]);
    expect(pyramidLevels('p', 300, 100).map((l) => l.factor)).toEqual([2]);
    expect(pyramidLevels('p', 200, 255)).toEqual([]);
    expect(pyramidLevels('p', 5000, 20)[0].path).toBe(join('p', '2.tif'));
  });

  it('builds a raster without overviews a pyramid once, even for concurrent tiles, and low-zoom tiles then never read full resolution', async () => {
    const pyramids = join(dir, 'pyramids');
    const first = countingOpen();
    const store = openRasterStore(pyramids, first.open);
    const low = lonLatToTile(lon, lat, 16);
    const tiles = await Promise.all([0, 1, 2].map(() => store.use(ortho, (raster) => renderOrthophoto(raster, low))));
    expect(tiles.every((rgba) => rgba !== null)).toBe(true);
    // one build: level 2 (512 px) is written in 2 × 2 windows of 512 px read from full resolution
    expect(first.reads.get(ortho)).toBe(4);
    await store.use(ortho, (raster) => renderOrthophoto(raster, lonLatToTile(lon, lat, 17)));
    expect(first.reads.get(ortho)).toBe(4);
    await store.close();

    const [version] = await readdir(pyramids);
    expect((await readdir(join(pyramids, version))).sort()).toEqual(['2.tif', '4.tif', '8.tif']);
    // the service restarted: the pyramid on disk serves low zooms at once
    const second = countingOpen();
    const again = openRasterStore(pyramids, second.open);
    expect(await again.use(ortho, (raster) => renderOrthophoto(raster, low))).toEqual(tiles[0]);
    expect(second.reads.get(ortho)).toBeUndefined();
    expect(second.reads.get(join(pyramids, version, '8.tif'))).toBe(1);
    await again.use(ortho, (raster) => renderOrthophoto(raster, lonLatToTile(lon, lat, 20)));
    expect(second.reads.get(ortho)).toBe(1);
    await again.close();
  });

  it.skipIf(!hasGdalinfo)('writes levels that GDAL opens, at twice, four and eight times the pixel size', async () => {
    const pyramid = join(dir, 'gdal');
    const source = await openGeoTiff(ortho);
    await buildPyramid(source, pyramid);
    await source.close();
    for (const [factor, size] of [[2, 512], [4, 256], [8, 128]]) {
      const text = execFileSync('gdalinfo', [join(pyramid, `${factor}.tif`)], { encoding: 'utf8' });
      expect(text).toContain(`Size is ${size}, ${size}`);
      expect(text).toContain(`Pixel Size = (${(0.2 * factor).toFixed(15)},-${(0.2 * factor).toFixed(15)})`);
      expect(text).toContain('ID["EPSG",4549]');
    }
  });

  it('averages 2 × 2 pixels, leaving out nodata and what lies past an odd edge', async () => {
    // 301 px: the last column of level 2 covers one column of the raster
    const data = new Float32Array(301 * 301);
    for (let k = 0; k < data.length; k++) data[k] = k % 301;
    data[0] = -9999; // pixel (0, 0)
    for (const k of [2, 3, 303, 304]) data[k] = -9999; // pixels (2..3, 0..1): all four of level pixel (1, 0)
    const info = { width: 301, height: 301, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, proj4: proj4Definition(4549), geoTransform: [500000, 1, 0, 3350000, 0, -1] as [number, number, number, number, number, number], nodata: -9999 };
    const pyramid = join(dir, 'odd');
    await buildPyramid(memorySource(info, { width: 301, height: 301, bandCount: 1, data }), pyramid);
    const level: RasterSource = await openGeoTiff(join(pyramid, '2.tif'));
    try {
      expect(level.info).toMatchObject({ width: 151, height: 151, nodata: -9999, geoTransform: [500000, 2, 0, 3350000, 0, -2] });
      const { data: row } = await level.readWindow({ x: 0, y: 0, width: 151, height: 1 });
      expect(row[0]).toBeCloseTo((1 + 0 + 1) / 3, 6);
      expect(row[1]).toBe(-9999);
      expect(row[2]).toBeCloseTo(4.5, 6);
      expect(row[150]).toBe(300);
    } finally {
      await level.close();
    }
  });

  it.skipIf(!hasGdaladdo)('reads a file with internal overviews through them, building no pyramid', async () => {
    const withOverviews = join(dir, 'overviews.tif');
    await copyFile(ortho, withOverviews);
    execFileSync('gdaladdo', ['-q', '-r', 'average', withOverviews, '2', '4', '8']);
    const pyramids = join(dir, 'none');
    const store = openRasterStore(pyramids);
    expect(await store.use(withOverviews, (raster) => renderOrthophoto(raster, lonLatToTile(lon, lat, 16)))).not.toBeNull();
    await store.close();
    await expect(readdir(pyramids)).rejects.toThrow(/ENOENT/);
  });
});
