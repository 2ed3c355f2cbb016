import { describe, expect, it } from 'vitest';
import { memorySource } from '../raster/memory-source.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterInfo } from '../raster/types.js';
import { estimateShift, shiftedGrid } from './coregister.js';
import { readAligned } from '../raster/read-aligned.js';
import type { AnalysisGrid } from '../raster/types.js';

const size = 400;
const gsd = 0.2;
const origin: [number, number] = [500000, 3350000];

/** A DSM of ground at 10 m with houses of 6-15 m on a 10 m lattice, at 0.2 m. */
function houses(): Float32Array {
  const heights = new Float32Array(size * size).fill(10);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = Math.floor(x / 50);
      const cy = Math.floor(y / 50);
      if (x % 50 > 8 && x % 50 < 40 && y % 50 > 12 && y % 50 < 44) heights[y * size + x] = 16 + ((cx * 7 + cy * 3) % 9);
    }
  }
  return heights;
}

function dsm(originX: number, originY: number) {
  const geoTransform: GeoTransform = [originX, gsd, 0, originY, 0, -gsd];
  const info: RasterInfo = { width: size, height: size, bandCount: 1, sampleType: 'float32', epsg: 4549, proj4: '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs', geoTransform, nodata: -9999 };
  return memorySource(info, { width: size, height: size, bandCount: 1, data: houses() });
}

const grid: AnalysisGrid = { crs: dsm(0, 0).info.proj4!, epsg: 4549, geoTransform: [origin[0], gsd, 0, origin[1], 0, -gsd], width: size, height: size };

describe('estimateShift', () => {
  it('finds the sub-metre shift between two flights of the same buildings', async () => {
    const before = dsm(origin[0], origin[1]);
    const after = dsm(origin[0] + 0.62, origin[1] - 0.38); // the after flight's content sits 0.62 m east, 0.38 m south
    const shift = await estimateShift(before, after, grid, () => 0);
    expect(shift.windows).toBeGreaterThan(4);
    expect(shift.dx).toBeCloseTo(-0.62, 1);
    expect(shift.dy).toBeCloseTo(0.38, 1);
    // reading the before flight on the shifted grid lines the roofs up with the after flight
    const window = { x: 100, y: 100, width: 100, height: 100 };
    const a = await readAligned(after, grid, window, { resample: 'bilinear' });
    const b = await readAligned(before, shiftedGrid(grid, shift), window, { resample: 'bilinear' });
    let large = 0;
    for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i] - b.data[i]) > 2) large++;
    expect(large / a.data.length).toBeLessThan(0.01);
  });

  it('finds no shift between identical flights, and none where the ground is flat', async () => {
    const still = await estimateShift(dsm(origin[0], origin[1]), dsm(origin[0], origin[1]), grid, () => 0);
    expect(Math.abs(still.dx) + Math.abs(still.dy)).toBeLessThan(0.02);
    const flat = memorySource(dsm(origin[0], origin[1]).info, { width: size, height: size, bandCount: 1, data: new Float32Array(size * size).fill(10) });
    expect(await estimateShift(flat, flat, grid, () => 0)).toEqual({ dx: 0, dy: 0, windows: 0 });
  });
});
