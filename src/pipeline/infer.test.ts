import { describe, expect, it } from 'vitest';
import { probabilityRows } from './infer.js';
import { planTiles } from './tile-plan.js';

describe('probabilityRows', () => {
  const grid = { crs: '', epsg: 4549, geoTransform: [0, 0.2, 0, 0, 0, -0.2] as [number, number, number, number, number, number], width: 56, height: 32 };
  const tiles = planTiles(grid, { tileSize: 32, overlap: 8 });

  it('gives each tile its own value in its middle and blends where tiles overlap', () => {
    const rows = probabilityRows(grid.width, 32, 8);
    const [first, second] = tiles.filter((tile) => tile.row === 0);
    rows.add(first, new Float32Array(32 * 32).fill(0.2));
    rows.add(second, new Float32Array(32 * 32).fill(0.8));
    const row = rows.take(10, 11);
    expect(row[5]).toBeCloseTo(0.2, 6);
    expect(row[40]).toBeCloseTo(0.8, 6);
    const seam = row[24];
    expect(seam).toBeGreaterThan(0.3);
    expect(seam).toBeLessThan(0.7);
    for (let x = 1; x < 48; x++) expect(row[x]).toBeGreaterThanOrEqual(row[x - 1] - 1e-6);
  });

  it('returns NaN where no tile ran, and forgets rows once taken', () => {
    const rows = probabilityRows(grid.width, 32, 8);
    rows.add(tiles[0], new Float32Array(32 * 32).fill(1));
    expect(rows.take(0, 1)[0]).toBe(1);
    expect(Number.isNaN(rows.take(0, 1)[0])).toBe(true);
    expect(Number.isNaN(rows.take(5, 6)[50])).toBe(true);
  });
});
