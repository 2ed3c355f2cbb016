import { describe, expect, it } from 'vitest';
import { crsDefinition } from '../geo/crs.js';
import { memorySource } from '../raster/memory-source.js';
import { allocateSamples } from '../raster/resample.js';
import type { RasterInfo, RasterSource } from '../raster/types.js';
import { planTiles, skipEmptyTiles } from './tile-plan.js';
import type { AnalysisGrid } from './types.js';

function grid(width: number, height: number): AnalysisGrid {
  return { crs: crsDefinition(4549), epsg: 4549, geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2], width, height };
}

/** A raster over the grid's area at `pixel` m whose pixels east of `dataEastOf` m have no data. */
function halfEmpty(name: string, kind: 'dsm' | 'rgba', pixel: number, widthM: number, heightM: number, dataEastOf: number): RasterSource {
  const width = Math.round(widthM / pixel);
  const height = Math.round(heightM / pixel);
  const bandCount = kind === 'dsm' ? 1 : 4;
  const info: RasterInfo = {
    width, height, bandCount, sampleType: kind === 'dsm' ? 'float32' : 'uint8', epsg: 4549, proj4: crsDefinition(4549),
    geoTransform: [500000, pixel, 0, 3350000, 0, -pixel], nodata: kind === 'dsm' ? -9999 : null,
  };
  const data = allocateSamples(info.sampleType, width * height * bandCount);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const hasData = (col + 0.5) * pixel < dataEastOf;
      const p = (row * width + col) * bandCount;
      if (kind === 'dsm') data[p] = hasData ? 20 : -9999;
      else data.set(hasData ? [90, 90, 90, 255] : [0, 0, 0, 0], p);
    }
  }
  return memorySource(info, { width, height, bandCount, data }, name);
}

describe('planTiles', () => {
  it('lists tile-sized windows in row-major order whose cores partition the grid exactly', () => {
    for (const [width, height, tileSize, overlap] of [[100, 70, 32, 8], [97, 33, 16, 7], [64, 64, 32, 0], [10, 5, 32, 8]]) {
      const g = grid(width, height);
      const tiles = planTiles(g, { tileSize, overlap });
      const covered = new Uint8Array(width * height);
      tiles.forEach((tile, i) => {
        if (i > 0) {
          const previous = tiles[i - 1];
          expect(tile.row > previous.row || (tile.row === previous.row && tile.column === previous.column + 1)).toBe(true);
        }
        expect([tile.window.width, tile.window.height]).toEqual([tileSize, tileSize]);
        const { core, window } = tile;
        expect(core.x).toBeGreaterThanOrEqual(window.x);
        expect(core.y).toBeGreaterThanOrEqual(window.y);
        expect(core.x + core.width).toBeLessThanOrEqual(window.x + window.width);
        expect(core.y + core.height).toBeLessThanOrEqual(window.y + window.height);
        for (let y = core.y; y < core.y + core.height; y++) {
          for (let x = core.x; x < core.x + core.width; x++) covered[y * width + x]++;
        }
      });
      expect(covered.every((n) => n === 1)).toBe(true);
    }
  });

  it('leaves half the overlap of context on each side of an inner core', () => {
    const tiles = planTiles(grid(200, 200), { tileSize: 64, overlap: 16 });
    const inner = tiles.find((t) => t.column === 1 && t.row === 1)!;
    expect(inner.window).toEqual({ x: 40, y: 40, width: 64, height: 64 });
    expect(inner.core).toEqual({ x: 48, y: 48, width: 48, height: 48 });
  });

  it('rejects an overlap as large as the tile', () => {
    expect(() => planTiles(grid(10, 10), { tileSize: 16, overlap: 16 })).toThrow(/0 <= overlap < tile size/);
  });
});

describe('skipEmptyTiles', () => {
  // 128 x 64 px at 0.2 m: 25.6 m x 12.8 m; tile cores are 24 px wide.
  const g = grid(128, 64);
  const tiles = planTiles(g, { tileSize: 32, overlap: 8 });

  it('drops tiles whose core is nodata in the before DSM, keeping those that touch its data', async () => {
    const sources = {
      beforeDsm: halfEmpty('before/dsm.tif', 'dsm', 0.4, 25.6, 12.8, 12.8), // data west of grid column 64
      afterDsm: halfEmpty('after/dsm.tif', 'dsm', 0.4, 25.6, 12.8, 25.6),
    };
    const kept = await skipEmptyTiles(tiles, g, sources);
    expect(tiles.length).toBe(18);
    expect(kept.map((t) => t.column)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('drops tiles where the after orthophoto is transparent, whatever the before epoch holds', async () => {
    const sources = {
      beforeOrtho: halfEmpty('before/ortho.tif', 'rgba', 0.1, 25.6, 12.8, 25.6),
      afterOrtho: halfEmpty('after/ortho.tif', 'rgba', 0.1, 25.6, 12.8, 12.8),
    };
    const kept = await skipEmptyTiles(tiles, g, sources);
    expect(kept.map((t) => t.column)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('keeps a tile when either the orthophoto or the DSM of each epoch has data there', async () => {
    const sources = {
      beforeOrtho: halfEmpty('before/ortho.tif', 'rgba', 0.1, 25.6, 12.8, 0),
      beforeDsm: halfEmpty('before/dsm.tif', 'dsm', 0.4, 25.6, 12.8, 25.6),
      afterOrtho: halfEmpty('after/ortho.tif', 'rgba', 0.1, 25.6, 12.8, 25.6),
      afterDsm: halfEmpty('after/dsm.tif', 'dsm', 0.4, 25.6, 12.8, 0),
    };
    expect((await skipEmptyTiles(tiles, g, sources)).length).toBe(18);
  });
});
