import { describe, expect, it } from 'vitest';
import { crsDefinition } from '../geo/crs.js';
import { TILE_SIZE, tileBounds } from '../geo/web-mercator.js';
import { memorySource } from '../raster/memory-source.js';
import { readAligned } from '../raster/read-aligned.js';
import type { AnalysisGrid } from '../raster/types.js';
import { tilePositions } from './positions.js';
import { sampleTile } from './sample.js';

describe('map tiles and the detect grid', () => {
  it('sample one raster to the same values and the same nodata pixel for pixel', async () => {
    // A zoom-19 tile, and a Web Mercator DSM with the tile's pixel size but shifted by a quarter
    // pixel, so that every value is a bilinear blend; it has nodata holes (-9999 and NaN) and covers
    // part of the tile. At its edges the grid leaves the neighbours off it out and the tile repeats
    // the edge, which for a bilinear blend comes to the same.
    const tile = { z: 19, x: 427_000, y: 220_000 };
    const [minX, , maxX, maxY] = tileBounds(tile);
    const pixel = (maxX - minX) / TILE_SIZE;
    const crs = crsDefinition(3857);
    const width = 180;
    const height = 150;
    const data = new Float32Array(width * height);
    for (let k = 0; k < data.length; k++) data[k] = 20 + ((k * 7919) % 1000) / 37; // no plane: every weight shows
    for (let row = 40; row < 60; row++) for (let column = 50; column < 80; column++) data[row * width + column] = -9999;
    for (let row = 100; row < 104; row++) for (let column = 10; column < 170; column++) data[row * width + column] = Number.NaN;
    const info = {
      width, height, bandCount: 1, sampleType: 'float32' as const, epsg: 3857, proj4: crs, nodata: -9999,
      geoTransform: [minX + 40.25 * pixel, pixel, 0, maxY - 30.25 * pixel, 0, -pixel] as [number, number, number, number, number, number],
    };
    const source = memorySource(info, { width, height, bandCount: 1, data });

    // the detect grid whose pixels are the tile's
    const grid: AnalysisGrid = { crs, epsg: 3857, geoTransform: [minX, pixel, 0, maxY, 0, -pixel], width: TILE_SIZE, height: TILE_SIZE };
    const aligned = await readAligned(source, grid, { x: 0, y: 0, width: TILE_SIZE, height: TILE_SIZE }, { resample: 'bilinear' });
    const tiled = (await sampleTile({ info, levelFor: async () => source }, tilePositions(tile, crs), [0]))!;

    const differentMask: number[] = [];
    let worst = 0;
    let withData = 0;
    for (let k = 0; k < TILE_SIZE * TILE_SIZE; k++) {
      if (tiled.valid[k] !== aligned.valid[k]) differentMask.push(k);
      if (!aligned.valid[k]) continue;
      withData++;
      worst = Math.max(worst, Math.abs(tiled.values[k] - aligned.data[k]));
    }
    expect(differentMask).toEqual([]);
    // each tile pixel's nearest raster pixel is one of its own: the raster less its holes
    expect(withData).toBe(width * height - 20 * 30 - 4 * 160);
    // the tile's positions pass through proj4 and a lattice, a billionth of a pixel off the grid's
    expect(worst).toBeLessThan(1e-4);
  });
});
