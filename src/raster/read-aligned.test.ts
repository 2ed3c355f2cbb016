import { describe, expect, it } from 'vitest';
import { crsTransform } from '../geo/crs.js';
import { grid, noise, raster, shiftedOrigins } from '../test-support/rasters.js';
import { openGeoTiff } from './geotiff-source.js';
import { ingest } from '../pipeline/ingest.js';
import { readAligned, readAlignedWindows } from './read-aligned.js';
import { readHeights } from './read-rows.js';

const ramp = (x: number, y: number) => (x - 500000) * 10 + (y - 3349000) * 3;

describe('readAligned', () => {
  it('reproduces a linear ramp from a 0.1 m source offset by 0.05 m onto a 0.2 m grid', async () => {
    const source = raster({ epsg: 4549, origin: [500000.05, 3350000.05], pixel: 0.1, width: 100, height: 100, value: ramp });
    const g = grid(4549, [500000, 3350000], 0.2, 50, 50);
    const window = { x: 5, y: 5, width: 20, height: 20 };
    const out = await readAligned(source, g, window, { resample: 'bilinear' });
    expect(out.data).toBeInstanceOf(Float32Array);
    for (let j = 0; j < 20; j++) {
      for (let i = 0; i < 20; i++) {
        const x = 500000 + (5 + i + 0.5) * 0.2;
        const y = 3350000 - (5 + j + 0.5) * 0.2;
        expect(out.data[j * 20 + i]).toBeCloseTo(ramp(x, y), 2);
      }
    }
  });

  it('averages imagery much finer than the grid instead of aliasing it', async () => {
    // One-pixel stripes of 0 and 200: point sampling would give 0 or 200, an area average 100.
    const stripes = (_x: number, _y: number, _b: number, col: number) => (col % 2) * 200;
    for (const pixel of [0.05, 0.025]) {
      const size = Math.round(4 / pixel) + 1;
      // Half a source pixel off, so that each grid pixel centre falls on one source pixel centre.
      const origin: [number, number] = [500000 - pixel / 2, 3350000 + pixel / 2];
      const source = raster({ epsg: 4549, origin, pixel, width: size, height: size, bands: 3, type: 'uint8', value: stripes });
      const out = await readAligned(source, grid(4549, [500000, 3350000], 0.2, 20, 20), { x: 2, y: 2, width: 16, height: 16 }, { resample: 'bilinear' });
      expect(out.data).toBeInstanceOf(Uint8Array);
      expect(Math.min(...out.data)).toBeGreaterThanOrEqual(99);
      expect(Math.max(...out.data)).toBeLessThanOrEqual(101);
    }
  });

  it('gives each grid pixel the rounded mean of the 2 x 2 orthophoto pixels with data under it, up to a raster edge that cuts blocks', async () => {
    const value = (col: number, row: number, band: number) => (col * 37 + row * 91 + band * 53) % 256;
    // RGB, and RGBA with one transparent pixel
    const transparent = (col: number, row: number) => col === 12 && row === 30;
    for (const bands of [3, 4]) {
      const pixel = (_x: number, _y: number, b: number, col: number, row: number) => (b === 3 ? (transparent(col, row) ? 0 : 255) : value(col, row, b));
      const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 41, height: 41, bands, type: 'uint8', value: pixel });
      const g = grid(4549, [500000, 3350000], 0.2, 21, 21);
      // the window's last row of blocks holds source row 40 alone (row 41 is past the edge)
      const out = await readAligned(source, g, { x: 5, y: 14, width: 10, height: 7 }, { resample: 'bilinear', bands: [0, 1, 2] });
      for (let j = 0; j < 7; j++) {
        for (let i = 0; i < 10; i++) {
          const [col, row] = [2 * (5 + i), 2 * (14 + j)];
          const under = [[col, row], [col + 1, row], [col, row + 1], [col + 1, row + 1]].filter(([c, r]) => r < 41 && !(bands === 4 && transparent(c, r)));
          for (let b = 0; b < 3; b++) {
            // a mean ending in .5 may round either way: positions carry the lattice's last bits
            const mean = under.reduce((sum, [c, r]) => sum + value(c, r, b), 0) / under.length;
            expect(Math.abs(out.data[(j * 10 + i) * 3 + b] - mean), `${bands} bands: ${i},${j} band ${b}`).toBeLessThanOrEqual(0.5);
          }
        }
      }
    }
  });

  it('gives the same pixels from EPSG:4549 on a grid in EPSG:4528 (the zone-prefixed form)', async () => {
    const value = (_x: number, _y: number, b: number, col: number, row: number) => (col * 7 + row * 13 + b * 50) % 256;
    const source = raster({ epsg: 4549, origin: [512000, 3351000], pixel: 0.2, width: 64, height: 64, bands: 3, type: 'uint8', value });
    const g = grid(4528, [40512000, 3351000], 0.2, 64, 64);
    const window = { x: 8, y: 4, width: 40, height: 48 };
    const direct = await source.readWindow(window);
    for (const resample of ['nearest', 'bilinear'] as const) {
      const out = await readAligned(source, g, window, { resample });
      expect(Array.from(out.data)).toEqual(Array.from(direct.data));
    }
  });

  it('places a feature from a UTM 50N source within a pixel of its place on a EPSG:4549 grid', async () => {
    const toUtm = crsTransform(4549, 32650);
    const centre: [number, number] = [452010, 3352990]; // about 119.5°E, 30.3°N
    const [ux, uy] = toUtm(centre);
    // A 4 m bright square centred on `centre`, in a 40 m UTM raster (rotated ~1° from the grid).
    const value = (x: number, y: number) => (Math.abs(x - ux) < 2 && Math.abs(y - uy) < 2 ? 200 : 20);
    const source = raster({ epsg: 32650, origin: [ux - 20, uy + 20], pixel: 0.2, width: 200, height: 200, bands: 3, type: 'uint8', value });
    const g = grid(4549, [452000, 3353000], 0.2, 100, 100);
    const out = await readAligned(source, g, { x: 0, y: 0, width: 100, height: 100 }, { resample: 'bilinear', bands: [0] });
    let sumX = 0, sumY = 0, count = 0;
    for (let j = 0; j < 100; j++) {
      for (let i = 0; i < 100; i++) {
        if (out.data[j * 100 + i] < 110) continue;
        sumX += i + 0.5;
        sumY += j + 0.5;
        count++;
      }
    }
    expect(count).toBeGreaterThan(350); // 20 x 20 px
    expect(count).toBeLessThan(450);
    expect(Math.abs(sumX / count - 50)).toBeLessThan(1); // centre is 10 m = 50 px east of the origin
    expect(Math.abs(sumY / count - 50)).toBeLessThan(1);
    expect(out.valid.every((v) => v === 1)).toBe(true);
  });

  it('keeps DSM nodata as nodata and never blends it into heights', async () => {
    const hole = (col: number, row: number) => col >= 10 && col < 20 && row >= 10 && row < 20;
    const value = (_x: number, _y: number, _b: number, col: number, row: number) => (hole(col, row) ? -9999 : 30 + col * 0.1);
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.4, width: 32, height: 32, nodata: -9999, value });
    // The grid reaches 2 m past the DSM's east edge.
    const g = grid(4549, [500000, 3350000], 0.2, 74, 64);
    const out = await readAligned(source, g, { x: 0, y: 0, width: 74, height: 64 }, { resample: 'bilinear' });
    for (let j = 0; j < 64; j++) {
      for (let i = 0; i < 74; i++) {
        const p = j * 74 + i;
        const expectNodata = i >= 64 || hole(Math.floor(i / 2), Math.floor(j / 2));
        expect(out.valid[p]).toBe(expectNodata ? 0 : 1);
        if (expectNodata) expect(out.data[p]).toBe(-9999);
        else expect(out.data[p]).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it('treats alpha 0 in an RGBA orthophoto as nodata, even when only RGB is read', async () => {
    const value = (_x: number, _y: number, b: number, col: number) => (b === 3 ? (col < 8 ? 0 : 255) : 120);
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 32, height: 32, bands: 4, type: 'uint8', value });
    const out = await readAligned(source, grid(4549, [500000, 3350000], 0.2, 16, 16), { x: 0, y: 0, width: 16, height: 16 }, { resample: 'bilinear', bands: [0, 1, 2] });
    expect(out.bandCount).toBe(3);
    for (let i = 0; i < 16; i++) {
      expect(out.valid[i]).toBe(i < 4 ? 0 : 1);
      expect(Array.from(out.data.subarray(i * 3, i * 3 + 3))).toEqual(i < 4 ? [0, 0, 0] : [120, 120, 120]);
    }
  });

  it('copies a source whose pixels are the grid pixels shifted by whole pixels, keeping its nodata', async () => {
    const value = (_x: number, _y: number, b: number, col: number, row: number) => (b === 3 ? (row === 0 ? 0 : 255) : col + row);
    const source = raster({ epsg: 4549, origin: [500001, 3350000], pixel: 0.2, width: 10, height: 10, bands: 4, type: 'uint8', value });
    // Grid column 5 is source column 0; the window starts 2 px west of the source.
    const out = await readAligned(source, grid(4549, [500000, 3350000], 0.2, 20, 20), { x: 3, y: 0, width: 4, height: 2 }, { resample: 'bilinear' });
    expect(Array.from(out.valid)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(out.data.subarray(16))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 255, 2, 2, 2, 255]);
  });

  it('returns all nodata for a window outside the source', async () => {
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.2, width: 8, height: 8, nodata: -9999, value: () => 5 });
    const out = await readAligned(source, grid(4549, [500000, 3350000], 0.2, 8, 8), { x: 20, y: 0, width: 4, height: 4 }, { resample: 'nearest' });
    expect(Array.from(out.data)).toEqual(new Array(16).fill(-9999));
    expect(out.valid.includes(1)).toBe(false);
  });

  it('reads the fixture scene onto its own analysis grid without moving a pixel', async () => {
    const dir = 'fixtures/scene';
    const afterOrtho = await openGeoTiff(`${dir}/after/ortho.tif`);
    const afterDsm = await openGeoTiff(`${dir}/after/dsm.tif`);
    const beforeOrtho = await openGeoTiff(`${dir}/before/ortho.tif`);
    const beforeDsm = await openGeoTiff(`${dir}/before/dsm.tif`);
    try {
      const { grid: g } = await ingest({ beforeOrtho, afterOrtho, beforeDsm, afterDsm }, { gsd: 0.2 });
      const window = { x: 300, y: 400, width: 64, height: 64 };
      const out = await readAligned(afterOrtho, g, window, { resample: 'bilinear' });
      expect(Array.from(out.data)).toEqual(Array.from((await afterOrtho.readWindow(window)).data));
      const heights = await readAligned(afterDsm, g, window, { resample: 'nearest' });
      const native = await afterDsm.readWindow({ x: 150, y: 200, width: 32, height: 32 });
      expect(heights.data[2 * 64 * 5 + 2 * 7]).toBe(native.data[5 * 32 + 7]);
    } finally {
      await Promise.all([afterOrtho, afterDsm, beforeOrtho, beforeDsm].map((s) => s.close()));
    }
  });
});

describe('readAlignedWindows', () => {
  it('reads overlapping windows together into the same pixels, to the last bit, as one at a time', async () => {
    // 0.1 m RGB(A) noise averaged 2 x 2, on grids moved by a fraction of a pixel
    for (const bands of [3, 4]) {
      const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 400, height: 300, bands, type: 'uint8', value: noise });
      for (const origin of shiftedOrigins) {
        const g = grid(4549, origin, 0.2, 200, 150);
        // a row of 48 px tiles overlapping by 8, the first and last reaching past the raster
        const windows = Array.from({ length: 6 }, (_, c) => ({ x: c * 40 - 4, y: 100 + (c % 2), width: 48, height: 48 }));
        const together = await readAlignedWindows(source, g, windows, { resample: 'bilinear', bands: [0, 1, 2] });
        for (const [n, window] of windows.entries()) {
          const alone = await readAligned(source, g, window, { resample: 'bilinear', bands: [0, 1, 2] });
          expect(together[n].data).toEqual(alone.data);
          expect(together[n].valid).toEqual(alone.valid);
        }
      }
    }
  });

  it('gives reads of one source started at once the pixels each gives alone', async () => {
    // reads of an in-memory source resolve in the same turn: the evidence chips and the model
    // tiles read one orthophoto at once, and block means are made in one shared array
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 400, height: 300, bands: 3, type: 'uint8', value: noise });
    const g = grid(4549, shiftedOrigins[1], 0.2, 200, 150);
    const windows = [{ x: 0, y: 0, width: 60, height: 40 }, { x: 100, y: 90, width: 50, height: 50 }, { x: 30, y: 60, width: 70, height: 20 }];
    const options = { resample: 'bilinear' as const, bands: [0, 1, 2] };
    const atOnce = await Promise.all(windows.map((window) => readAligned(source, g, window, options)));
    for (const [n, window] of windows.entries()) expect(atOnce[n].data).toEqual((await readAligned(source, g, window, options)).data);
  });
});

describe('readHeights', () => {
  it('reads a window wider than one read piece by piece into the same heights as one read, NaN at nodata', async () => {
    // 2600 grid columns: three pieces, the last one narrow; a source offset by a fraction of a pixel, so every pixel is interpolated
    const source = raster({ epsg: 4549, origin: [499999.93, 3350000.07], pixel: 0.2, width: 2700, height: 12, nodata: -9999, value: (x, y, _b, col) => (col === 1500 ? -9999 : ramp(x, y)) });
    const g = grid(4549, [500000, 3350000], 0.2, 2600, 10);
    const window = { x: 0, y: 1, width: 2600, height: 8 };
    const heights = await readHeights(source, g, window);
    const whole = await readAligned(source, g, window, { resample: 'bilinear', bands: [0] });
    expect(heights).toEqual(Float32Array.from(whole.data, (h, i) => (whole.valid[i] ? h : Number.NaN)));
    expect(heights.filter(Number.isNaN).length).toBeGreaterThan(0);
    expect(heights[3 * 2600 + 2000]).toBeCloseTo(ramp(500000 + 2000.5 * 0.2, 3350000 - 4.5 * 0.2), 2);
  });
});
