/**
 * Heights stored in feet: openGeoTiff reads the unit from VerticalUnitsGeoKey, from the vertical
 * CRS (VerticalCSTypeGeoKey) or from GDAL's UNITTYPE, and returns metres; a unit it does not know,
 * or two that disagree, are refused with the file named. The GDAL-made files skip without GDAL
 * (fail under CI).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { requireTool } from '../test-support/tools.js';
import { openGeoTiff, type TiffDecoder } from './geotiff-source.js';
import { writeGeoTiff } from './geotiff-writer.js';

const size = 32;
const usFoot = 1200 / 3937;
let dir: string;

/** Heights 100 + x + y in the file's unit, with a nodata (-9999) column at x = 0. */
function heights(): Float32Array {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = x === 0 ? -9999 : 100 + x + y;
  return data;
}

/** A float32 DSM in EPSG:4549, with VerticalUnitsGeoKey when `verticalUnits` is given. */
async function writeDsm(name: string, verticalUnits?: number): Promise<string> {
  const path = join(dir, name);
  const options = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, geoTransform: [500000, 1, 0, 3350032, 0, -1] as [number, number, number, number, number, number], nodata: -9999, verticalUnits };
  await writeGeoTiff(path, options, { width: size, height: size, bandCount: 1, data: heights() });
  return path;
}

/** The whole raster as read (by libvips, or geotiff.js as for a COG over HTTP), and the unit it declared. */
async function read(path: string, decoder: TiffDecoder = 'auto'): Promise<{ values: Float32Array; unit: string | undefined }> {
  const source = await openGeoTiff(path, { decoder });
  try {
    const { data } = await source.readWindow({ x: 0, y: 0, width: size, height: size });
    return { values: data as Float32Array, unit: source.info.heightUnit?.name };
  } finally {
    await source.close();
  }
}

/** Expects heights 100 + x + y times `metres`, and nodata left as it was. */
function expectHeights(values: Float32Array, metres: number): void {
  expect(values[0]).toBe(-9999);
  expect(values[size * 3 + 5]).toBeCloseTo(108 * metres, 4);
  expect(values[size * size - 1]).toBeCloseTo((100 + 2 * (size - 1)) * metres, 4);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-height-units-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('heights in feet (VerticalUnitsGeoKey)', () => {
  it('reads US survey feet (9003) and feet (9002) as metres with either decoder, nodata unchanged', async () => {
    const path = await writeDsm('ftus.tif', 9003);
    for (const decoder of ['sharp', 'geotiff'] as const) {
      const survey = await read(path, decoder);
      expect(survey.unit).toBe('US survey foot');
      expectHeights(survey.values, usFoot);
    }
    const foot = await read(await writeDsm('ft.tif', 9002));
    expect(foot.unit).toBe('foot');
    expectHeights(foot.values, 0.3048);
  });

  it('reads metres (9001) and a file without vertical keys as they are', async () => {
    for (const path of [await writeDsm('m.tif', 9001), await writeDsm('none.tif')]) {
      const { values, unit } = await read(path);
      expect(unit).toBeUndefined();
      expectHeights(values, 1);
    }
  });

  it('refuses a vertical unit it does not know, naming the file', async () => {
    const path = await writeDsm('chains.tif', 9033);
    const err = await openGeoTiff(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(`${path}: VerticalUnitsGeoKey 9033 is not a unit of length zhiwei knows`);
  });
});

const haveGdal = requireTool('gdal_translate') && requireTool('gdal_edit.py');

describe.skipIf(!haveGdal)('heights in feet as GDAL writes them', () => {
  const gdal = (tool: string, args: string[]) => execFileSync(tool, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

  it('reads a compound CRS with a vertical CRS in US survey feet (EPSG:4549+6360) as metres', async () => {
    gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:4549+6360', await writeDsm('base-6360.tif'), 'navd88-ftus.tif']);
    const { values, unit } = await read(join(dir, 'navd88-ftus.tif'));
    expect(unit).toBe('US survey foot');
    expectHeights(values, usFoot);
  });

  it('reads the band unit set with gdal_edit.py -units ft as feet', async () => {
    const path = await writeDsm('units-ft.tif');
    gdal('gdal_edit.py', ['-units', 'ft', path]);
    const { values, unit } = await read(path);
    expect(unit).toBe('foot');
    expectHeights(values, 0.3048);
  });

  it('refuses a band unit that is no length, and a band unit that contradicts the vertical CRS', async () => {
    const furlongs = await writeDsm('units-furlong.tif');
    gdal('gdal_edit.py', ['-units', 'furlong', furlongs]);
    await expect(openGeoTiff(furlongs)).rejects.toThrow(`${furlongs}: band 1 is in "furlong" (UNITTYPE in GDAL_METADATA), not a unit of length zhiwei knows`);
    gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:4549+6360', await writeDsm('base-clash.tif'), 'clash.tif']);
    const clash = join(dir, 'clash.tif');
    gdal('gdal_edit.py', ['-units', 'm', clash]);
    await expect(openGeoTiff(clash)).rejects.toThrow(`${clash}: its GeoKeys put the heights in US survey foot, its GDAL_METADATA UNITTYPE in metre`);
  });
});
