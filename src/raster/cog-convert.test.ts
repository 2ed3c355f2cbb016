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

/** An RGB orthophoto and a DSM in feet (nodata in its first 50 columns) of `w` x `h` pixels, as `ortho<suffix>.tif` and `dsm-feet<suffix>.tif`. */
async function writeInputs(w: number, h: number, suffix: string): Promise<void> {
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i % 3 === 0 ? (i / 3) % w : i % 3 === 1 ? Math.floor(i / 3 / w) : (i * 7) % 251) & 0xff);
  await writeGeoTiff(join(dir, `ortho${suffix}.tif`), { width: w, height: h, bandCount: 3, sampleType: 'uint8', epsg: 4549, geoTransform }, { width: w, height: h, bandCount: 3, data: rgb });
  const feet = Float32Array.from({ length: w * h }, (_, i) => ((i % w) < 50 ? -9999 : 60 + Math.sin(i / 9) * 5 + Math.floor(i / w) * 0.01));
  const dsmOptions = { width: w, height: h, bandCount: 1, sampleType: 'float32', epsg: 4549, geoTransform, nodata: -9999, verticalUnits: 9002 } satisfies GeoTiffWriteOptions;
  await writeGeoTiff(join(dir, `dsm-feet${suffix}.tif`), dsmOptions, { width: w, height: h, bandCount: 1, data: feet });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-cog-convert-'));
  await writeInputs(width, height, '');
  // odd: the overview is 501 x 500, and the tiles of the last row and column are cut at every level
  await writeInputs(1001, 999, '-odd');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Tile width, the sizes of its images (full resolution, then the overviews) and vertical unit key of a TIFF, as geotiff.js reads them. */
async function layout(path: string): Promise<{ tile: number; sizes: number[][]; verticalUnits: unknown }> {
  const tiff = await fromFile(path);
  try {
    const first = await tiff.getImage(0);
    const sizes: number[][] = [];
    for (let i = 0; i < (await tiff.getImageCount()); i++) sizes.push([(await tiff.getImage(i)).getWidth(), (await tiff.getImage(i)).getHeight()]);
    return { tile: first.getTileWidth(), sizes, verticalUnits: first.getGeoKeys()?.VerticalUnitsGeoKey };
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
    ['orthophoto', 'ortho.tif', [[width, height], [650, 450], [325, 225]], [512, 388]],
    ['DSM in feet', 'dsm-feet.tif', [[width, height], [650, 450], [325, 225]], [512, 388]],
    ['odd-sized orthophoto', 'ortho-odd.tif', [[1001, 999], [501, 500]], [512, 487]],
    ['odd-sized DSM in feet', 'dsm-feet-odd.tif', [[1001, 999], [501, 500]], [512, 487]],
  ])('rewrites a tiled %s as a COG with 512 px tiles and overviews of ceil(n / 2) pixels, reading back to the same pixels and georeferencing', async (_, name, sizes, strips) => {
    const input = join(dir, name);
    const output = join(dir, `cog-${name}`);
    const ticks: number[] = [];
    const report = await convertToCog(input, output, () => ({ tick: (rows) => ticks.push(rows), done: () => ticks.push(-1) }));
    expect(ticks).toEqual([...strips, -1]);
    expect(report).toMatchObject({ width: sizes[0][0], height: sizes[0][1], overviews: sizes.length - 1 });
    expect((await readdir(dir)).filter((file) => file.startsWith(`cog-${name}`))).toEqual([`cog-${name}`]);
    const [before, after] = [await readAll(input), await readAll(output)];
    // feet are read as metres and written as metres: the same heights, no unit conversion left
    const { heightUnit, ...inputInfo } = before.info;
    expect(after.info).toEqual(inputInfo);
    expect(after.data.constructor).toBe(before.data.constructor);
    expect(Buffer.compare(bytes(after.data), bytes(before.data))).toBe(0);
    const heights = name.startsWith('dsm');
    expect(report.heightsConvertedFrom).toBe(heights ? heightUnit?.name : undefined);
    expect(await layout(output)).toEqual({ tile: 512, sizes, verticalUnits: heights ? 9001 : undefined });
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
