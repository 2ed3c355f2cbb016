import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../test-support/tools.js';
import { openGeoTiffWriter, writeGeoTiff, type GeoTiffWriteOptions } from './geotiff-writer.js';

const hasGdal = requireTool('gdalinfo');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 300x200 raster: not a multiple of the tile size, so edge tiles are clipped. */
function rgbRaster(width = 300, height = 200) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = i % 251;
    data[i * 3 + 1] = (i * 7) % 256;
    data[i * 3 + 2] = Math.floor(i / width) % 256;
  }
  return { width, height, bandCount: 3, data };
}

function dsmRaster(width = 300, height = 200) {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 12.5 + Math.sin(i / 37) * 3 + (i % width) * 0.01;
  data[0] = -9999;
  data[width * height - 1] = -9999;
  return { width, height, bandCount: 1, data };
}

const rgbOptions: GeoTiffWriteOptions = {
  width: 300,
  height: 200,
  bandCount: 3,
  sampleType: 'uint8',
  epsg: 4549,
  geoTransform: [512000, 0.1, 0, 3351000, 0, -0.1],
};

const dsmOptions: GeoTiffWriteOptions = {
  ...rgbOptions,
  bandCount: 1,
  sampleType: 'float32',
  geoTransform: [512000, 0.2, 0, 3351000, 0, -0.2],
  nodata: -9999,
  tileSize: 128,
};

function gdalinfo(path: string) {
  return JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8' }));
}

/** Pixels as GDAL reads them, through a raw ENVI copy (band-sequential). */
async function gdalPixels(path: string, name: string): Promise<Buffer> {
  const out = join(dir, `${name}.raw`);
  execFileSync('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BIP', path, out]);
  return readFile(out);
}

describe.runIf(hasGdal)('GeoTIFF writer, as GDAL reads it', () => {
  it('writes an RGB GeoTIFF whose CRS, geotransform, tiling and compression GDAL reports', async () => {
    const path = join(dir, 'rgb.tif');
    await writeGeoTiff(path, rgbOptions, rgbRaster());
    const info = gdalinfo(path);
    expect(info.size).toEqual([300, 200]);
    expect(info.geoTransform).toEqual([512000, 0.1, 0, 3351000, 0, -0.1]);
    expect(info.stac['proj:epsg']).toBe(4549);
    expect(info.coordinateSystem.wkt).toContain('CGCS2000 / 3-degree Gauss-Kruger CM 120E');
    expect(info.metadata.IMAGE_STRUCTURE.COMPRESSION).toBe('DEFLATE');
    expect(info.bands.map((band: { colorInterpretation: string }) => band.colorInterpretation)).toEqual(['Red', 'Green', 'Blue']);
    expect(info.bands[0].block).toEqual([256, 256]);
  });

  it('writes RGB pixels that GDAL reads back unchanged, edge tiles included', async () => {
    const path = join(dir, 'rgb-pixels.tif');
    const raster = rgbRaster();
    await writeGeoTiff(path, rgbOptions, raster);
    expect(Buffer.compare(await gdalPixels(path, 'rgb'), Buffer.from(raster.data))).toBe(0);
  });

  it('writes a float32 DSM with GDAL_NODATA and exact heights', async () => {
    const path = join(dir, 'dsm.tif');
    const raster = dsmRaster();
    await writeGeoTiff(path, dsmOptions, raster);
    const info = gdalinfo(path);
    expect(info.bands[0].type).toBe('Float32');
    expect(info.bands[0].noDataValue).toBe(-9999);
    expect(info.bands[0].block).toEqual([128, 128]);
    expect(info.geoTransform).toEqual([512000, 0.2, 0, 3351000, 0, -0.2]);
    const pixels = await gdalPixels(path, 'dsm');
    expect(new Float32Array(pixels.buffer, pixels.byteOffset, pixels.length / 4)).toEqual(raster.data);
  });

  it('writes RGBA with the alpha band marked as alpha', async () => {
    const path = join(dir, 'rgba.tif');
    const data = new Uint8Array(64 * 48 * 4).map((_, i) => (i % 4 === 3 ? 255 : i % 200));
    await writeGeoTiff(path, { ...rgbOptions, width: 64, height: 48, bandCount: 4 }, { width: 64, height: 48, bandCount: 4, data });
    const info = gdalinfo(path);
    expect(info.bands[3].colorInterpretation).toBe('Alpha');
    expect(Buffer.compare(await gdalPixels(path, 'rgba'), Buffer.from(data))).toBe(0);
  });

  it('writes BigTIFF when asked, which GDAL reads the same', async () => {
    const path = join(dir, 'big.tif');
    const raster = dsmRaster();
    await writeGeoTiff(path, { ...dsmOptions, bigTiff: true }, raster);
    const header = await readFile(path);
    expect(header.readUInt16LE(2)).toBe(43);
    const pixels = await gdalPixels(path, 'big');
    expect(new Float32Array(pixels.buffer, pixels.byteOffset, pixels.length / 4)).toEqual(raster.data);
  });

  it('writes geographic CGCS2000 with a geographic model type', async () => {
    const path = join(dir, 'geographic.tif');
    await writeGeoTiff(path, { ...rgbOptions, epsg: 4490, geoTransform: [120, 1e-6, 0, 30.3, 0, -1e-6] }, rgbRaster());
    expect(gdalinfo(path).stac['proj:epsg']).toBe(4490);
  });
});

describe('GeoTIFF writer', () => {
  it('accepts tiles in any order', async () => {
    const path = join(dir, 'shuffled.tif');
    const writer = await openGeoTiffWriter(path, { ...dsmOptions, width: 256, height: 256 });
    const order = [3, 0, 2, 1];
    for (const index of order) {
      const data = new Float32Array(128 * 128).fill(index);
      await writer.writeTile(index % 2, Math.floor(index / 2), { width: 128, height: 128, bandCount: 1, data });
    }
    await writer.close();
    if (hasGdal) {
      const pixels = await gdalPixels(path, 'shuffled');
      const heights = new Float32Array(pixels.buffer, pixels.byteOffset, pixels.length / 4);
      expect([heights[0], heights[200], heights[200 * 256], heights[256 * 256 - 1]]).toEqual([0, 1, 2, 3]);
    }
  });

  it('leaves no file behind when a tile is missing at close', async () => {
    const path = join(dir, 'incomplete.tif');
    const writer = await openGeoTiffWriter(path, { ...dsmOptions, width: 256, height: 256 });
    await writer.writeTile(0, 0, { width: 128, height: 128, bandCount: 1, data: new Float32Array(128 * 128) });
    await expect(writer.close()).rejects.toThrow(/tile 1,0 of .*incomplete.tif was never written/);
    expect((await readdir(dir)).filter((name) => name.startsWith('incomplete'))).toEqual([]);
  });

  it('rejects layouts it cannot write, naming the file', async () => {
    await expect(openGeoTiffWriter(join(dir, 'two.tif'), { ...rgbOptions, bandCount: 2 })).rejects.toThrow(/two.tif: uint8 .* not 2/);
    await expect(
      openGeoTiffWriter(join(dir, 'rotated.tif'), { ...rgbOptions, geoTransform: [0, 1, 0.1, 0, 0, -1] }),
    ).rejects.toThrow(/rotated.tif: only north-up/);
  });
});

describe('GeoTIFF writer, tiles written concurrently', () => {
  it('gives the same bytes whether tiles are awaited one by one or all at once', async () => {
    const raster = rgbRaster(600, 500);
    const options = { ...rgbOptions, width: 600, height: 500, tileSize: 128 };
    const tiles = (writer: Awaited<ReturnType<typeof openGeoTiffWriter>>) =>
      Array.from({ length: writer.tilesAcross * writer.tilesDown }, (_, i) => {
        const column = i % writer.tilesAcross;
        const row = Math.floor(i / writer.tilesAcross);
        const width = Math.min(128, 600 - column * 128);
        const height = Math.min(128, 500 - row * 128);
        const data = new Uint8Array(width * height * 3);
        for (let y = 0; y < height; y++) {
          const from = ((row * 128 + y) * 600 + column * 128) * 3;
          data.set(raster.data.subarray(from, from + width * 3), y * width * 3);
        }
        return { column, row, tile: { width, height, bandCount: 3, data } };
      });
    const sequential = await openGeoTiffWriter(join(dir, 'sequential.tif'), options);
    for (const { column, row, tile } of tiles(sequential)) await sequential.writeTile(column, row, tile);
    await sequential.close();
    const concurrent = await openGeoTiffWriter(join(dir, 'concurrent.tif'), options);
    await Promise.all(tiles(concurrent).map(({ column, row, tile }) => concurrent.writeTile(column, row, tile)));
    await concurrent.close();
    const [a, b] = await Promise.all([readFile(join(dir, 'sequential.tif')), readFile(join(dir, 'concurrent.tif'))]);
    expect(Buffer.compare(a, b)).toBe(0);
  });
});
