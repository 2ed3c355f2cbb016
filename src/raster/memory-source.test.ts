import { describe, expect, it } from 'vitest';
import { memorySource } from './memory-source.js';
import type { RasterInfo, SampleArray, SampleType } from './types.js';

function info(width: number, height: number, bandCount: number, sampleType: SampleType, nodata: number | null = null): RasterInfo {
  return { width, height, bandCount, sampleType, epsg: 4549, proj4: null, geoTransform: [0, 1, 0, 0, 0, -1], nodata };
}

/** A 4x3 RGB raster whose pixel (col, row) is [col, row, 10 * row + col]. */
function rgbSource() {
  const data = new Uint8Array(4 * 3 * 3);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 4; col++) data.set([col, row, 10 * row + col], (row * 4 + col) * 3);
  }
  return memorySource(info(4, 3, 3, 'uint8'), { width: 4, height: 3, bandCount: 3, data });
}

/** A float32 ramp height = 2 * col + row, with the given pixels set to nodata (-9999). */
function dsmSource(width: number, height: number, holes: Array<[number, number]> = []) {
  const data = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) data[row * width + col] = 2 * col + row;
  }
  for (const [col, row] of holes) data[row * width + col] = -9999;
  return memorySource(info(width, height, 1, 'float32', -9999), { width, height, bandCount: 1, data });
}

const values = (a: SampleArray) => Array.from(a);

describe('memorySource', () => {
  it('reads a window inside the raster pixel-interleaved', async () => {
    const out = await rgbSource().readWindow({ x: 1, y: 1, width: 2, height: 2 });
    expect(out).toMatchObject({ width: 2, height: 2, bandCount: 3 });
    expect(values(out.data)).toEqual([1, 1, 11, 2, 1, 12, 1, 2, 21, 2, 2, 22]);
  });

  it('reads the bands asked for, in the order asked', async () => {
    const out = await rgbSource().readWindow({ x: 3, y: 2, width: 1, height: 1 }, { bands: [2, 0] });
    expect(out.bandCount).toBe(2);
    expect(values(out.data)).toEqual([23, 3]);
  });

  it('fills pixels past the edges with 0 when the raster has no nodata', async () => {
    const out = await rgbSource().readWindow({ x: 3, y: -1, width: 2, height: 2 }, { bands: [2] });
    expect(values(out.data)).toEqual([0, 0, 3, 0]);
  });

  it('fills pixels past the edges with the nodata value, or fillValue when given', async () => {
    const dsm = dsmSource(3, 2);
    expect(values((await dsm.readWindow({ x: -1, y: 1, width: 2, height: 2 })).data)).toEqual([-9999, 1, -9999, -9999]);
    const filled = await dsm.readWindow({ x: -1, y: 1, width: 2, height: 2 }, { fillValue: -1 });
    expect(values(filled.data)).toEqual([-1, 1, -1, -1]);
  });

  it('returns only fill for a window entirely outside the raster', async () => {
    const out = await rgbSource().readWindow({ x: 10, y: 10, width: 2, height: 1 }, { fillValue: 7 });
    expect(values(out.data)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('downsamples with nearest by picking the pixel under each output centre', async () => {
    const out = await rgbSource().readWindow({ x: 0, y: 0, width: 4, height: 2 }, { outWidth: 2, outHeight: 1, bands: [2] });
    // Output centres fall at source (1, 1) and (3, 1).
    expect(values(out.data)).toEqual([11, 13]);
  });

  it('upsamples with nearest by repeating pixels', async () => {
    const out = await rgbSource().readWindow({ x: 1, y: 0, width: 2, height: 1 }, { outWidth: 4, outHeight: 2, bands: [0] });
    expect(values(out.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it('interpolates a linear ramp exactly with bilinear', async () => {
    const dsm = dsmSource(8, 8);
    const out = await dsm.readWindow({ x: 2, y: 2, width: 4, height: 4 }, { outWidth: 8, outHeight: 8, resample: 'bilinear' });
    // Output pixel (i, j) has its centre at source (2 + (i + 0.5) / 2, 2 + (j + 0.5) / 2); pixel
    // centres sit at k + 0.5, so the interpolated height is 2 * (1.75 + i / 2) + (1.75 + j / 2).
    for (let j = 0; j < 8; j++) {
      for (let i = 0; i < 8; i++) expect(out.data[j * 8 + i]).toBeCloseTo(2 * (1.75 + i / 2) + 1.75 + j / 2, 5);
    }
  });

  it('uses pixels just outside the window for bilinear, so adjacent windows join without a seam', async () => {
    const dsm = dsmSource(8, 8);
    const options = { outWidth: 8, outHeight: 8, resample: 'bilinear' as const };
    const whole = await dsm.readWindow({ x: 0, y: 0, width: 8, height: 4 }, { ...options, outWidth: 16 });
    const left = await dsm.readWindow({ x: 0, y: 0, width: 4, height: 4 }, options);
    const right = await dsm.readWindow({ x: 4, y: 0, width: 4, height: 4 }, options);
    for (let j = 0; j < 8; j++) {
      expect(values(left.data.subarray(j * 8, j * 8 + 8))).toEqual(values(whole.data.subarray(j * 16, j * 16 + 8)));
      expect(values(right.data.subarray(j * 8, j * 8 + 8))).toEqual(values(whole.data.subarray(j * 16 + 8, j * 16 + 16)));
    }
  });

  it('never blends nodata into valid heights with bilinear, and keeps nodata pixels nodata', async () => {
    const dsm = dsmSource(4, 4, [[1, 1]]);
    const out = await dsm.readWindow({ x: 0, y: 0, width: 4, height: 4 }, { outWidth: 8, outHeight: 8, resample: 'bilinear' });
    const heights = Array.from(out.data);
    const valid = heights.filter((h) => h !== -9999);
    // Valid output stays within the valid input range (a blend with -9999 would drop far below).
    expect(Math.min(...valid)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...valid)).toBeLessThanOrEqual(9);
    // The hole covers exactly the 2x2 output pixels over source pixel (1, 1).
    expect(heights.filter((h) => h === -9999)).toHaveLength(4);
    expect([out.data[2 * 8 + 2], out.data[2 * 8 + 3], out.data[3 * 8 + 2], out.data[3 * 8 + 3]]).toEqual([-9999, -9999, -9999, -9999]);
  });

  it('rounds bilinear results of integer rasters', async () => {
    const data = new Uint8Array([0, 255]);
    const source = memorySource(info(2, 1, 1, 'uint8'), { width: 2, height: 1, bandCount: 1, data });
    const out = await source.readWindow({ x: 0, y: 0, width: 2, height: 1 }, { outWidth: 4, outHeight: 1, resample: 'bilinear' });
    expect(values(out.data)).toEqual([0, 64, 191, 255]);
  });

  it('rejects windows and bands that do not exist', async () => {
    const source = rgbSource();
    await expect(source.readWindow({ x: 0, y: 0, width: 0, height: 1 })).rejects.toThrow(/invalid window/);
    await expect(source.readWindow({ x: 0.5, y: 0, width: 1, height: 1 })).rejects.toThrow(/invalid window/);
    await expect(source.readWindow({ x: 0, y: 0, width: 1, height: 1 }, { bands: [3] })).rejects.toThrow(/band 3 does not exist/);
    await expect(source.readWindow({ x: 0, y: 0, width: 1, height: 1 }, { outWidth: 0 })).rejects.toThrow(/output size/);
  });

  it('refuses pixels that do not match the info', () => {
    const data = new Uint8Array(5);
    expect(() => memorySource(info(2, 1, 3, 'uint8'), { width: 2, height: 1, bandCount: 3, data }, 'ortho')).toThrow(/ortho: expected 6 samples/);
    const floats = new Float32Array(6);
    expect(() => memorySource(info(2, 1, 3, 'uint8'), { width: 2, height: 1, bandCount: 3, data: floats })).toThrow(/Float32Array/);
  });
});
