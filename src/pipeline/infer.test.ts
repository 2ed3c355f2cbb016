import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crsDefinition } from '../geo/crs.js';
import { loadChangeModel } from '../model/onnx-change-model.js';
import { memorySource } from '../raster/memory-source.js';
import type { RasterInfo } from '../raster/types.js';
import { inferTiles, probabilityRows, tileReaders } from './infer.js';
import { planTiles } from './tile-plan.js';
import type { AnalysisGrid } from '../raster/types.js';

describe('probabilityRows', () => {
  const grid = { crs: '', epsg: 4549, geoTransform: [0, 0.2, 0, 0, 0, -0.2] as [number, number, number, number, number, number], width: 56, height: 32 };
  const tiles = planTiles(grid, { tileSize: 32, overlap: 8 });

  it('gives each tile its own value in its middle and blends where tiles overlap', () => {
    const rows = probabilityRows(grid.width, 32, 8);
    const [first, second] = tiles.filter((tile) => tile.row === 0);
    rows.add(first, { probability: new Float32Array(32 * 32).fill(0.2), greenness: new Float32Array(32 * 32) });
    rows.add(second, { probability: new Float32Array(32 * 32).fill(0.8), greenness: new Float32Array(32 * 32) });
    const row = rows.take(10, 11).probability;
    expect(row[5]).toBeCloseTo(0.2, 6);
    expect(row[40]).toBeCloseTo(0.8, 6);
    const seam = row[24];
    expect(seam).toBeGreaterThan(0.3);
    expect(seam).toBeLessThan(0.7);
    for (let x = 1; x < 48; x++) expect(row[x]).toBeGreaterThanOrEqual(row[x - 1] - 1e-6);
  });

  it('returns NaN where no tile ran, and forgets rows once taken', () => {
    const rows = probabilityRows(grid.width, 32, 8);
    rows.add(tiles[0], { probability: new Float32Array(32 * 32).fill(1), greenness: new Float32Array(32 * 32) });
    expect(rows.take(0, 1).probability[0]).toBe(1);
    expect(Number.isNaN(rows.take(0, 1).probability[0])).toBe(true);
    expect(Number.isNaN(rows.take(5, 6).probability[50])).toBe(true);
  });
});

describe('inferTiles', () => {
  it('runs only the tiles with data in both orthophotos, reading each on its own grid', async () => {
    const model = await loadChangeModel(fileURLToPath(new URL('../model/testdata/tiny-cd.onnx', import.meta.url)), { threads: 1 });
    const grid: AnalysisGrid = { crs: crsDefinition(4549), epsg: 4549, geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2], width: 96, height: 24 };
    // the after orthophoto is transparent east of 9.6 m (grid column 48)
    const orthophoto = (transparentEastOf: number) => {
      const info: RasterInfo = { width: 96, height: 24, bandCount: 4, sampleType: 'uint8', epsg: 4549, proj4: crsDefinition(4549), geoTransform: grid.geoTransform, nodata: null };
      const data = new Uint8Array(96 * 24 * 4);
      for (let i = 0; i < 96 * 24; i++) data.set(i % 96 < transparentEastOf ? [90, 120 + (i % 7), 80, 255] : [0, 0, 0, 0], i * 4);
      return memorySource(info, { width: 96, height: 24, bandCount: 4, data });
    };
    const tiles = planTiles(grid, { tileSize: 32, overlap: 8 });
    const rows = probabilityRows(grid.width, 32, 8);
    const timings = { readMs: 0, inferMs: 0 };
    const readers = tileReaders({ before: orthophoto(96), after: orthophoto(48) }, { before: grid, after: grid }, tiles);
    const ran = await inferTiles(model, readers, tiles, rows, timings);
    await model.close();
    // tiles whose window starts at columns -4, 20, 44, 68: the last has no after data
    expect(tiles.filter((tile) => tile.row === 0).map((tile) => tile.window.x)).toEqual([-4, 20, 44, 68]);
    expect(ran).toBe(3);
    const taken = rows.take(10, 11);
    const row = taken.probability;
    expect(Number.isFinite(row[10])).toBe(true);
    expect(Number.isNaN(row[90])).toBe(true);
    expect(row[60]).toBe(0); // transparent after pixels inside a tile that ran
    // the after orthophoto's excess green, (2G − R − B) / (R + G + B), where it has data
    expect(taken.greenness[10]).toBeCloseTo((2 * 123 - 90 - 80) / (90 + 123 + 80), 1);
    expect(taken.greenness[60]).toBe(0);
  });
  it("reads the next row's first batch after a row's last, and gives the probabilities a row-by-row run gives", async () => {
    const model = await loadChangeModel(fileURLToPath(new URL('../model/testdata/tiny-cd.onnx', import.meta.url)), { threads: 1 });
    const grid: AnalysisGrid = { crs: crsDefinition(4549), epsg: 4549, geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2], width: 96, height: 72 };
    const orthophoto = (shade: number) => {
      const info: RasterInfo = { width: 96, height: 72, bandCount: 3, sampleType: 'uint8', epsg: 4549, proj4: crsDefinition(4549), geoTransform: grid.geoTransform, nodata: null };
      const data = Uint8Array.from({ length: 96 * 72 * 3 }, (_, i) => (shade + ((i * 7919) % 97)) % 256);
      return memorySource(info, { width: 96, height: 72, bandCount: 3, data });
    };
    const tiles = planTiles(grid, { tileSize: 32, overlap: 8 });
    const tileRows = [...new Set(tiles.map((tile) => tile.row))];
    expect(tileRows.length).toBeGreaterThanOrEqual(3);
    // row by row in batches of 3 (two batches a row), with and without reading ahead
    const run = async (ahead: boolean) => {
      const rows = probabilityRows(grid.width, 32, 8);
      const readers = tileReaders({ before: orthophoto(10), after: orthophoto(60) }, { before: grid, after: grid }, tiles);
      const found: boolean[] = [];
      for (const row of tileRows) {
        const these = tiles.filter((tile) => tile.row === row);
        const following = ahead ? tiles.filter((tile) => tile.row === row + 1) : [];
        found.push(readers.ahead?.first === these[0]);
        await inferTiles(model, readers, these, rows, { readMs: 0, inferMs: 0 }, following, 3);
      }
      return { taken: rows.take(0, grid.height), found };
    };
    const alone = await run(false);
    const ahead = await run(true);
    await model.close();
    expect(alone.found.every((f) => !f)).toBe(true);
    expect(ahead.found).toEqual(tileRows.map((_, i) => i > 0));
    expect(ahead.taken.probability).toEqual(alone.taken.probability);
    expect(ahead.taken.greenness).toEqual(alone.taken.greenness);
    expect(alone.taken.probability.every((p) => Number.isFinite(p))).toBe(true);
  });
});
