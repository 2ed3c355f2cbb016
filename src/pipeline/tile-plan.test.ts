import { describe, expect, it } from 'vitest';
import { crsDefinition } from '../geo/crs.js';
import { planTiles } from './tile-plan.js';
import type { AnalysisGrid } from '../raster/types.js';

function grid(width: number, height: number): AnalysisGrid {
  return { crs: crsDefinition(4549), epsg: 4549, geoTransform: [500000, 0.2, 0, 3350000, 0, -0.2], width, height };
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
