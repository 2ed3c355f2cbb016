/**
 * Reads GDAL-written variants of one RGB orthophoto and one float32 DSM (tiled and striped; each
 * compression; BigTIFF; RGBA; band-interleaved) with both decoders and checks they all give the
 * source pixels. GDAL is a test-time tool only: missing, these tests skip (fail under CI).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../test-support/tools.js';
import { openGeoTiff, type TiffDecoder } from './geotiff-source.js';
import { memorySource } from './memory-source.js';
import type { PixelWindow, RasterData, RasterInfo, SampleArray } from './types.js';

const W = 97;
const H = 61;
const haveGdal = requireTool('gdal_translate');
const georef = ['-a_srs', 'EPSG:4549', '-a_ullr', '500000.5', '3400000.25', `${500000.5 + W * 0.1}`, `${3400000.25 - H * 0.1}`];
const tiled = ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16'];
const striped = ['-co', 'BLOCKYSIZE=8'];

/** Smooth RGB(A) content (JPEG keeps it within a few levels) with a sharp-edged block. */
function orthoPixels(bands: number): Uint8Array {
  const data = new Uint8Array(W * H * bands);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const roof = x >= 40 && x < 56 && y >= 24 && y < 40;
      const rgba = roof ? [200, 90, 60, 255] : [40 + 2 * x, 30 + 3 * y, 120 + x - y, x < 8 ? 0 : 255];
      data.set(rgba.slice(0, bands), (y * W + x) * bands);
    }
  }
  return data;
}

/** Heights 100 + 0.5 x + 0.25 y m, with a nodata (-9999) hole and a nodata left column. */
function dsmPixels(): Float32Array {
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const hole = (x >= 5 && x < 20 && y >= 5 && y < 10) || x === 0;
      data[y * W + x] = hole ? -9999 : 100 + 0.5 * x + 0.25 * y;
    }
  }
  return data;
}

/** Writes raw pixels with an ENVI header, which GDAL opens by the .raw name. */
function writeEnvi(path: string, data: Uint8Array | Float32Array, bands: number): void {
  writeFileSync(path, data);
  const type = data instanceof Float32Array ? 4 : 1;
  const header = `ENVI\nsamples = ${W}\nlines = ${H}\nbands = ${bands}\nheader offset = 0\nfile type = ENVI Standard\ndata type = ${type}\ninterleave = bip\nbyte order = 0\n`;
  writeFileSync(path.replace(/\.raw$/, '.hdr'), header);
}

const orthoVariants: Record<string, string[]> = {
  'tiled-deflate': [...tiled, '-co', 'COMPRESS=DEFLATE'],
  'striped-deflate': [...striped, '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2'],
  'tiled-lzw': [...tiled, '-co', 'COMPRESS=LZW'],
  'striped-none': [...striped],
  'tiled-none-bigtiff': [...tiled, '-co', 'BIGTIFF=YES'],
  'band-interleaved-deflate': [...tiled, '-co', 'COMPRESS=DEFLATE', '-co', 'INTERLEAVE=BAND'],
  'tiled-jpeg-ycbcr': [...tiled, '-co', 'COMPRESS=JPEG', '-co', 'PHOTOMETRIC=YCBCR', '-co', 'JPEG_QUALITY=95'],
  'striped-jpeg-ycbcr': ['-co', 'BLOCKYSIZE=16', '-co', 'COMPRESS=JPEG', '-co', 'PHOTOMETRIC=YCBCR', '-co', 'JPEG_QUALITY=95'],
};
const dsmVariants: Record<string, string[]> = {
  'tiled-deflate-predictor3': [...tiled, '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3'],
  'striped-lzw': [...striped, '-co', 'COMPRESS=LZW'],
  'tiled-none-bigtiff': [...tiled, '-co', 'BIGTIFF=YES'],
  'striped-deflate-predictor2': [...striped, '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2'],
};
/** Compressions only one decoder reads: ZSTD and LERC (geotiff.js), WebP (libvips). */
const oneDecoderVariants: Record<string, string[]> = {
  'dsm-tiled-zstd': [...tiled, '-co', 'COMPRESS=ZSTD', '-a_nodata', '-9999'],
  'dsm-tiled-lerc': [...tiled, '-co', 'COMPRESS=LERC', '-a_nodata', '-9999'],
  'ortho-tiled-webp': [...tiled, '-co', 'COMPRESS=WEBP', '-co', 'WEBP_LOSSLESS=YES'],
};
const decoders: TiffDecoder[] = ['geotiff', 'sharp'];
/**
 * Largest difference allowed between geotiff.js's and libjpeg's decoding of the same JPEG: they
 * agree within a few levels, except at sharp colour edges, where libjpeg interpolates the
 * subsampled chroma and geotiff.js repeats it.
 */
const JPEG_TOLERANCE = 48;

let dir = '';
const ortho = orthoPixels(3);
const orthoRgba = orthoPixels(4);
const dsm = dsmPixels();

function gdal(args: string[]): void {
  execFileSync('gdal_translate', ['-q', ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The expected pixels of `window` from an in-memory copy of the source. */
async function expected(pixels: SampleArray, bands: number, window: PixelWindow, fillValue?: number): Promise<RasterData> {
  const float = pixels instanceof Float32Array;
  const info: RasterInfo = {
    width: W, height: H, bandCount: bands, sampleType: float ? 'float32' : 'uint8',
    epsg: 4549, proj4: null, geoTransform: [0, 1, 0, 0, 0, -1], nodata: float ? -9999 : null,
  };
  return memorySource(info, { width: W, height: H, bandCount: bands, data: pixels }).readWindow(window, { fillValue });
}

function meanDifference(a: SampleArray, b: SampleArray): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

function maxDifference(a: SampleArray, b: SampleArray): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe.skipIf(!haveGdal)('openGeoTiff on GDAL-written files', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zhiwei-geotiff-'));
    writeEnvi(join(dir, 'ortho.raw'), ortho, 3);
    writeEnvi(join(dir, 'rgba.raw'), orthoRgba, 4);
    writeEnvi(join(dir, 'dsm.raw'), dsm, 1);
    for (const [name, args] of Object.entries(orthoVariants)) {
      gdal([...georef, ...args, 'ortho.raw', `ortho-${name}.tif`]);
      if (name.includes('jpeg')) gdal(['-of', 'ENVI', `ortho-${name}.tif`, `ortho-${name}.gdal.raw`]);
    }
    for (const [name, args] of Object.entries(dsmVariants)) gdal([...georef, '-a_nodata', '-9999', ...args, 'dsm.raw', `dsm-${name}.tif`]);
    for (const [name, args] of Object.entries(oneDecoderVariants)) {
      gdal([...georef, ...args, name.startsWith('dsm') ? 'dsm.raw' : 'ortho.raw', `${name}.tif`]);
    }
    gdal([...georef, ...tiled, '-co', 'COMPRESS=DEFLATE', '-co', 'ALPHA=YES', 'rgba.raw', 'rgba.tif']);
    gdal([...georef, '-mo', 'AREA_OR_POINT=Point', 'dsm.raw', 'dsm-point.tif']);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe.each(decoders)('with the %s decoder', (decoder) => {
    const names = Object.keys(orthoVariants).filter((name) => decoder !== 'sharp' || !name.startsWith('band-'));
    it.each(names)('reads every RGB variant to the source pixels (JPEG: to GDAL\'s decoding): %s', async (name) => {
      const source = await openGeoTiff(join(dir, `ortho-${name}.tif`), { decoder });
      const out = await source.readWindow({ x: 0, y: 0, width: W, height: H });
      await source.close();
      if (!name.includes('jpeg')) {
        expect(maxDifference(out.data, ortho)).toBe(0);
        return;
      }
      // libvips uses libjpeg as GDAL does; geotiff.js has its own decoder and chroma upsampling.
      const gdalDecoded = new Uint8Array(readFileSync(join(dir, `ortho-${name}.gdal.raw`)));
      expect(maxDifference(out.data, gdalDecoded)).toBeLessThanOrEqual(decoder === 'sharp' ? 1 : JPEG_TOLERANCE);
      expect(meanDifference(out.data, gdalDecoded)).toBeLessThan(1.5);
      expect(meanDifference(out.data, ortho)).toBeLessThan(2);
    });

    it.each(Object.keys(dsmVariants))('reads every DSM variant to the exact heights: %s', async (name) => {
      const source = await openGeoTiff(join(dir, `dsm-${name}.tif`), { decoder });
      expect(source.info).toMatchObject({ sampleType: 'float32', bandCount: 1, nodata: -9999 });
      const out = await source.readWindow({ x: 0, y: 0, width: W, height: H });
      await source.close();
      expect(out.data).toBeInstanceOf(Float32Array);
      expect(Array.from(out.data)).toEqual(Array.from(dsm));
    });

    it('fills windows past the edges with nodata for a DSM and 0 or fillValue for RGB', async () => {
      const window = { x: -5, y: 50, width: 30, height: 20 };
      const dsmSource = await openGeoTiff(join(dir, 'dsm-tiled-deflate-predictor3.tif'), { decoder });
      expect((await dsmSource.readWindow(window)).data).toEqual((await expected(dsm, 1, window)).data);
      const rgb = await openGeoTiff(join(dir, 'ortho-striped-deflate.tif'), { decoder });
      const corner = { x: 90, y: -3, width: 16, height: 8 };
      expect((await rgb.readWindow(corner)).data).toEqual((await expected(ortho, 3, corner)).data);
      expect((await rgb.readWindow(corner, { fillValue: 255 })).data).toEqual((await expected(ortho, 3, corner, 255)).data);
      await Promise.all([dsmSource.close(), rgb.close()]);
    });

    it('reads RGBA with its alpha band, and a chosen subset of bands', async () => {
      const source = await openGeoTiff(join(dir, 'rgba.tif'), { decoder });
      expect(source.info.bandCount).toBe(4);
      const window = { x: 3, y: 7, width: 40, height: 30 };
      const all = await source.readWindow(window);
      expect(all.data).toEqual((await expected(orthoRgba, 4, window)).data);
      const alphaRed = await source.readWindow(window, { bands: [3, 0] });
      expect(alphaRed.bandCount).toBe(2);
      expect([alphaRed.data[0], alphaRed.data[1]]).toEqual([0, all.data[0]]);
      await source.close();
    });
  });

  it('gives identical pixels from geotiff.js and sharp, within JPEG tolerance for JPEG', async () => {
    const names = [...Object.keys(orthoVariants).map((n) => `ortho-${n}`), ...Object.keys(dsmVariants).map((n) => `dsm-${n}`)];
    for (const name of names.filter((n) => !n.includes('band-interleaved'))) {
      const [a, b] = await Promise.all(decoders.map((decoder) => openGeoTiff(join(dir, `${name}.tif`), { decoder })));
      const window = { x: 13, y: 9, width: 70, height: 45 };
      const difference = maxDifference((await a.readWindow(window)).data, (await b.readWindow(window)).data);
      expect(difference, name).toBeLessThanOrEqual(name.includes('jpeg') ? JPEG_TOLERANCE : 0);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reads band-interleaved files, which libvips cannot, with geotiff.js', async () => {
    const path = join(dir, 'ortho-band-interleaved-deflate.tif');
    await expect(openGeoTiff(path, { decoder: 'sharp' })).rejects.toThrow(/sharp decoder cannot read .*band-interleaved/);
    const source = await openGeoTiff(path);
    expect((await source.readWindow({ x: 0, y: 0, width: W, height: H })).data).toEqual(ortho);
    await source.close();
  });

  it.each(Object.keys(oneDecoderVariants))('reads %s with the decoder that can, and says so when forced to the other', async (name) => {
    const path = join(dir, `${name}.tif`);
    const source = await openGeoTiff(path);
    const out = await source.readWindow({ x: 0, y: 0, width: W, height: H });
    await source.close();
    expect(out.data).toEqual(name.startsWith('dsm') ? dsm : ortho);
    const other = name.includes('webp') ? 'geotiff' : 'sharp';
    await expect(openGeoTiff(path, { decoder: other })).rejects.toThrow(/decoder cannot read this file \(.*compression/);
  });

  it('reads the CRS, geotransform and nodata GDAL wrote', async () => {
    const source = await openGeoTiff(join(dir, 'dsm-tiled-deflate-predictor3.tif'));
    const { info } = source;
    expect(info).toMatchObject({ width: W, height: H, bandCount: 1, sampleType: 'float32', epsg: 4549, nodata: -9999 });
    expect(info.proj4).toContain('+proj=tmerc');
    expect(info.proj4).toContain('+lon_0=120');
    const gt = info.geoTransform;
    [500000.5, 0.1, 0, 3400000.25, 0, -0.1].forEach((v, i) => expect(gt[i]).toBeCloseTo(v, 6));
    await source.close();
    const rgb = await openGeoTiff(join(dir, 'ortho-tiled-jpeg-ycbcr.tif'));
    expect(rgb.info).toMatchObject({ bandCount: 3, sampleType: 'uint8', epsg: 4549, nodata: null });
    await rgb.close();
  });

  it('puts the origin at the pixel corner for files georeferenced as PixelIsPoint', async () => {
    const source = await openGeoTiff(join(dir, 'dsm-point.tif'));
    expect(source.info.geoTransform[0]).toBeCloseTo(500000.5, 6);
    expect(source.info.geoTransform[3]).toBeCloseTo(3400000.25, 6);
    await source.close();
  });

  it('resamples a GeoTIFF exactly as the in-memory source does', async () => {
    const source = await openGeoTiff(join(dir, 'dsm-tiled-deflate-predictor3.tif'));
    const window = { x: 10, y: 3, width: 50, height: 40 };
    for (const resample of ['nearest', 'bilinear'] as const) {
      const options = { outWidth: 23, outHeight: 31, resample };
      const out = await source.readWindow(window, options);
      const reference = await memorySource(source.info, { width: W, height: H, bandCount: 1, data: dsm }).readWindow(window, options);
      expect(out.data).toEqual(reference.data);
    }
    await source.close();
  });
});
