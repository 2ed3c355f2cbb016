import { describe, expect, it } from 'vitest';
import { grid, noise, raster, shiftedOrigins } from '../test-support/rasters.js';
import { readAligned } from './read-aligned.js';
import { alignedRows } from './read-rows.js';

describe('alignedRows', () => {
  // rows of 40 px tiles overlapping by 8 (corners 32 px apart, two lattice steps), the first
  // reaching 4 px past the grid's top and left, the last column past the raster
  const tiles = (rows: number[]) => rows.flatMap((r) => Array.from({ length: 7 }, (_, c) => ({ x: c * 32 - 4, y: r * 32 - 4, width: 40, height: 40 })));
  const span = { x0: -4, x1: 6 * 32 + 36, y0: -4 };
  const read = { resample: 'bilinear' as const, bands: [0, 1, 2] };

  it('cuts tiles from rows aligned once into the pixels readAligned gives each, to the last bit, from any first row of tiles', async () => {
    // RGBA (alpha 0 in the west), on the raster's grid and on one moved by a fraction of a pixel
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 400, height: 300, bands: 4, type: 'uint8', value: noise });
    for (const origin of shiftedOrigins.slice(0, 2)) {
      const g = grid(4549, origin, 0.2, 200, 150);
      // a whole run from the first row of tiles, and a queued batch's from the third
      for (const rows of [[0, 1, 2, 3, 4], [2, 3]]) {
        const reader = alignedRows(source, g, span, read);
        for (const window of tiles(rows)) {
          const tile = await reader.read(window);
          const alone = await readAligned(source, g, window, read);
          expect(tile.data).toEqual(alone.data);
          expect(tile.valid).toEqual(alone.valid);
        }
      }
    }
  });

  it('forgets the rows above the last window read', async () => {
    const source = raster({ epsg: 4549, origin: [500000, 3350000], pixel: 0.1, width: 400, height: 300, bands: 3, type: 'uint8', value: noise });
    const reader = alignedRows(source, grid(4549, shiftedOrigins[1], 0.2, 200, 150), span, read);
    const [first, below] = [tiles([0])[0], tiles([2])[0]];
    await reader.read(below);
    await expect(reader.read(first)).rejects.toThrow(/not in the aligned rows/);
  });
});
