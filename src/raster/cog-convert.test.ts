/**
 * `zhiwei cog`'s conversion: an orthophoto and a DSM stored in feet, written as plain tiled
 * GeoTIFFs, become COGs with 512 px tiles and overviews that read back to the input's pixels,
 * georeferencing and nodata, and that GDAL's validator accepts (skipped without python3-gdal,
 * failing under CI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError, NotFoundError } from '../errors.js';
import { requirePythonModule, systemPython } from '../test-support/tools.js';
import { convertToCog } from './cog-convert.js';
import { openGeoTiff } from './geotiff-source.js';
import { writeGeoTiff, type GeoTiffWriteOptions } from './geotiff-writer.js';

const hasValidator = requirePythonModule('osgeo_utils.samples.validate_cloud_optimized_geotiff');
const width = 1300;
const height = 900;
const geoTransform: GeoTiffWriteOptions['geoTransform'] = [500000, 0.1, 0, 3400000, 0, -0.1];
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-cog-convert-'));
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i % 3 === 0 ? (i / 3) % width : i % 3 === 1 ? Math.floor(i / 3 / width) : (i * 7) % 251) & 0xff);
  await writeGeoTiff(join(dir, 'ortho.tif'), { width, height, bandCount: 3, sampleType: 'uint8', epsg: 4549, geoTransform }, { width, height, bandCount: 3, data: rgb });
  const feet = Float32Array.from({ length: width * height }, (_, i) => ((i % width) < 50 ? -9999 : 60 + Math.sin(i / 9) * 5 + Math.floor(i / width) * 0.01));
  const dsmOptions = { width, height, bandCount: 1, sampleType: 'float32', epsg: 4549, geoTransform, nodata: -9999, verticalUnits: 9002 } satisfies GeoTiffWriteOptions;
  await writeGeoTiff(join(dir, 'dsm-feet.tif'), dsmOptions, { width, height, bandCount: 1, data: feet });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Tile width, image count and vertical unit key of a TIFF, as geotiff.js reads them. */
async function layout(path: string): Promise<{ tile: number; images: number; verticalUnits: unknown }> {
  const tiff = await fromFile(path);
  try {
    const first = await tiff.getImage(0);
    return { tile: first.getTileWidth(), images: await tiff.getImageCount(), verticalUnits: first.getGeoKeys()?.VerticalUnitsGeoKey };
  } finally {
    await tiff.close();
  }
}

/** Every pixel of the raster at `path`, as zhiwei reads it, with its info. */
async function readAll(path: string) {
  const source = await openGeoTiff(path);
  try {
    return { info: source.info, data: (await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height })).data };
  } finally {
    await source.close();
  }
}

const bytes = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

describe('convertToCog', () => {
  it.each([
    ['orthophoto', 'ortho.tif'],
    ['DSM in feet', 'dsm-feet.tif'],
  ])('rewrites a tiled %s as a COG with 512 px tiles and overviews, reading back to the same pixels and georeferencing', async (_, name) => {
    const input = join(dir, name);
    const output = join(dir, `cog-${name}`);
    const ticks: number[] = [];
    const report = await convertToCog(input, output, () => ({ tick: (rows) => ticks.push(rows), done: () => ticks.push(-1) }));
    expect(ticks).toEqual([512, 388, -1]);
    expect(report).toMatchObject({ width, height, overviews: 2 });
    expect((await readdir(dir)).filter((file) => file.startsWith(`cog-${name}`))).toEqual([`cog-${name}`]);
    const [before, after] = [await readAll(input), await readAll(output)];
    // feet are read as metres and written as metres: the same heights, no unit conversion left
    const { heightUnit, ...inputInfo } = before.info;
    expect(after.info).toEqual(inputInfo);
    expect(after.data.constructor).toBe(before.data.constructor);
    expect(Buffer.compare(bytes(after.data), bytes(before.data))).toBe(0);
    const heights = name.startsWith('dsm');
    expect(report.heightsConvertedFrom).toBe(heights ? heightUnit?.name : undefined);
    expect(await layout(output)).toEqual({ tile: 512, images: 3, verticalUnits: heights ? 9001 : undefined });
    if (!hasValidator) return;
    const result = spawnSync(systemPython, ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', output], { encoding: 'utf8' });
    expect(result.stdout).toContain('is a valid cloud optimized GeoTIFF');
    expect(result.stdout).not.toContain('warnings');
    expect(result.status).toBe(0);
  });

  it('refuses to write over its input, or into a folder that does not exist', async () => {
    const input = join(dir, 'ortho.tif');
    await expect(convertToCog(input, input)).rejects.toBeInstanceOf(BadInputError);
    await expect(convertToCog(input, join(dir, 'no-such-folder', 'cog.tif'))).rejects.toBeInstanceOf(NotFoundError);
  });
});
