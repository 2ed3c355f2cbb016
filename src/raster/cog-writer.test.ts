import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePythonModule, requireTool, systemPython } from '../test-support/tools.js';
import { openCogWriter } from './cog-writer.js';
import { openGeoTiff } from './geotiff-source.js';
import { writeGeoTiff, type GeoTiffWriteOptions } from './geotiff-writer.js';
import { internalOverviewFactors } from '../tiles/pyramid.js';

const hasGdal = requireTool('gdalinfo');
const hasValidator = requirePythonModule('osgeo_utils.samples.validate_cloud_optimized_geotiff');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-cog-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 600 x 550: two overviews (300 x 275, 150 x 138) and clipped edge tiles at every level. */
const width = 600;
const height = 550;
const options = {
  width,
  height,
  bandCount: 1,
  sampleType: 'float32',
  epsg: 4549,
  geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2],
  nodata: -9999,
  verticalUnits: 9001,
} satisfies GeoTiffWriteOptions;

/** Heights with a nodata patch; pixel (1, 0) is nodata, so the first overview pixel averages three. */
function heights(): Float32Array {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 3) % 101 - 40.25;
  for (let y = 300; y < 340; y++) data.fill(-9999, y * width + 100, y * width + 180);
  data[1] = -9999;
  return data;
}

/** Writes `data` through the COG writer in strips of `rows` rows, as the detect job's strips arrive. */
async function writeInStrips(path: string, data: Float32Array | Uint8Array, rows: number, layout: GeoTiffWriteOptions & { nodata: number }) {
  const writer = await openCogWriter(path, layout);
  for (let y = 0; y < layout.height; y += rows) await writer.writeRows(data.subarray(y * layout.width, Math.min(layout.height, y + rows) * layout.width));
  await writer.close();
}

const gdalJson = (path: string) => JSON.parse(execFileSync('gdalinfo', ['-json', '-checksum', path], { encoding: 'utf8' }));
/** The value GDAL reads in overview `overview` (1: the first) at the base raster's pixel (x, y). */
const gdalValue = (path: string, overview: number, x: number, y: number) =>
  Number(execFileSync('gdallocationinfo', ['-valonly', '-overview', String(overview), path, String(x), String(y)], { encoding: 'utf8' }));

/**
 * What an overview of `level` should hold, pixel by pixel: the mean of the (up to 2 x 2) pixels
 * under it, band by band, nodata left out (all nodata gives nodata); rounded for bytes.
 */
function halved(level: { width: number; height: number; data: number[] }, bandCount: number, nodata: number | null, round: boolean) {
  const [width, height] = [Math.ceil(level.width / 2), Math.ceil(level.height / 2)];
  const data: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let b = 0; b < bandCount; b++) {
        const under = [[2 * x, 2 * y], [2 * x + 1, 2 * y], [2 * x, 2 * y + 1], [2 * x + 1, 2 * y + 1]]
          .filter(([col, row]) => col < level.width && row < level.height)
          .map(([col, row]) => level.data[(row * level.width + col) * bandCount + b])
          .filter((value) => value !== nodata);
        const mean = under.reduce((sum, value) => sum + value, 0) / under.length;
        data.push(under.length === 0 ? (nodata as number) : round ? Math.round(mean) : mean);
      }
    }
  }
  return { width, height, data };
}

describe('openCogWriter', () => {
  it('writes rows arriving in strips as a COG that reads back pixel for pixel, with 2 x 2 mean overviews that leave out nodata', async () => {
    const path = join(dir, 'heights.tif');
    const data = heights();
    await writeInStrips(path, data, 37, options);
    expect((await readdir(dir)).filter((name) => name.startsWith('heights'))).toEqual(['heights.tif']);
    const source = await openGeoTiff(path);
    try {
      expect(source.info).toMatchObject({ width, height, epsg: 4549, nodata: -9999, geoTransform: options.geoTransform });
      const read = await source.readWindow({ x: 0, y: 0, width, height });
      expect(Buffer.compare(Buffer.from(read.data.buffer), Buffer.from(data.buffer))).toBe(0);
    } finally {
      await source.close();
    }
    expect(await internalOverviewFactors(path)).toEqual([2, 4]);
    if (!hasGdal) return;
    // the same pixels as the plain writer's GeoTIFF, by GDAL's checksum
    const plain = join(dir, 'plain.tif');
    await writeGeoTiff(plain, options, { width, height, bandCount: 1, data });
    const info = gdalJson(path);
    expect(info.bands[0].checksum).toBe(gdalJson(plain).bands[0].checksum);
    expect(info.bands[0].overviews.map((o: { size: number[] }) => o.size)).toEqual([[300, 275], [150, 138]]);
    expect(info.bands[0].noDataValue).toBe(-9999);
    const [a, c, d] = [data[0], data[width], data[width + 1]];
    expect(gdalValue(path, 1, 0, 0)).toBeCloseTo((a + c + d) / 3, 4);
    expect(gdalValue(path, 1, 120, 320)).toBe(-9999); // inside the nodata patch
    // the second overview's last row (137 of 138) has only the first overview's row 274 under it
    const firstOverview = (x: number, y: number) => (data[2 * y * width + 2 * x] + data[2 * y * width + 2 * x + 1] + data[(2 * y + 1) * width + 2 * x] + data[(2 * y + 1) * width + 2 * x + 1]) / 4;
    expect(gdalValue(path, 2, 596, 548)).toBeCloseTo((firstOverview(298, 274) + firstOverview(299, 274)) / 2, 4);
  });

  it('passes GDAL\'s COG validator, for heights and for probability bytes', async () => {
    if (!hasValidator) return;
    const floats = join(dir, 'validated.tif');
    await writeInStrips(floats, heights(), 100, options);
    const bytes = join(dir, 'bytes.tif');
    const data = Uint8Array.from(heights(), (h) => (h === -9999 ? 255 : Math.abs(h) * 2));
    await writeInStrips(bytes, data, 64, { ...options, sampleType: 'uint8', nodata: 255, verticalUnits: undefined });
    for (const path of [floats, bytes]) {
      const result = spawnSync(systemPython, ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', path], { encoding: 'utf8' });
      expect(result.stdout).toContain('is a valid cloud optimized GeoTIFF');
      expect(result.stdout).not.toContain('warnings');
      expect(result.status).toBe(0);
    }
  });

  it.each([
    ['heights', 1, 'float32', -9999],
    ['RGB', 3, 'uint8', null],
  ] as const)('writes an odd-sized raster (%s, 1001 x 999) with overviews of ceil(n / 2) pixels, each the means of the pixels under it', async (name, bandCount, sampleType, nodata) => {
    const [oddWidth, oddHeight] = [1001, 999];
    const layout = { ...options, width: oddWidth, height: oddHeight, bandCount, sampleType, nodata, verticalUnits: undefined } satisfies GeoTiffWriteOptions;
    const data = sampleType === 'uint8' ? new Uint8Array(oddWidth * oddHeight * bandCount) : new Float32Array(oddWidth * oddHeight);
    for (let i = 0; i < data.length; i++) data[i] = sampleType === 'uint8' ? (i * 31 + Math.floor(i / 7)) % 256 : ((i * 7) % 101) - 40.25;
    // heights: nodata in the last column's lower half, alone under the overviews' last column there
    if (nodata !== null) for (let y = 500; y < oddHeight; y++) data[y * oddWidth + oddWidth - 1] = nodata;
    const path = join(dir, `odd-${name}.tif`);
    const writer = await openCogWriter(path, layout);
    for (let y = 0; y < oddHeight; y += 37) await writer.writeRows(data.subarray(y * oddWidth * bandCount, Math.min(oddHeight, y + 37) * oddWidth * bandCount));
    await writer.close();

    const source = await openGeoTiff(path);
    try {
      expect(source.info).toMatchObject({ width: oddWidth, height: oddHeight, bandCount, nodata, geoTransform: options.geoTransform });
      const read = await source.readWindow({ x: 0, y: 0, width: oddWidth, height: oddHeight });
      expect(Buffer.compare(Buffer.from(read.data.buffer), Buffer.from(data.buffer))).toBe(0);
    } finally {
      await source.close();
    }
    const tiff = await fromFile(path);
    try {
      let above = { width: oddWidth, height: oddHeight, data: Array.from(data) };
      for (const [level, [width, height]] of [[1, [501, 500]], [2, [251, 250]]] as const) {
        const image = await tiff.getImage(level);
        expect([image.getWidth(), image.getHeight()]).toEqual([width, height]);
        const stored = Array.from((await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>);
        expect(stored).toEqual(halved(above, bandCount, nodata, sampleType === 'uint8').data.map((v) => (sampleType === 'uint8' ? v : Math.fround(v))));
        above = { width, height, data: stored };
      }
      expect(await tiff.getImageCount()).toBe(3);
    } finally {
      tiff.close();
    }
    if (hasGdal) expect(gdalJson(path).bands[0].overviews.map((o: { size: number[] }) => o.size)).toEqual([[501, 500], [251, 250]]);
    if (!hasValidator) return;
    const result = spawnSync(systemPython, ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', path], { encoding: 'utf8' });
    expect(result.stdout).toContain('is a valid cloud optimized GeoTIFF');
    expect(result.stdout).not.toContain('warnings');
  });

  it('refuses to close with rows missing, and leaves no file behind', async () => {
    const path = join(dir, 'short.tif');
    const writer = await openCogWriter(path, options);
    await writer.writeRows(new Float32Array(width * 300));
    await expect(writer.close()).rejects.toThrow(/short\.tif: 300 of 550 rows were written/);
    expect((await readdir(dir)).filter((name) => name.startsWith('short'))).toEqual([]);
  });
});
