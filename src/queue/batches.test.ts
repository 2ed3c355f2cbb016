import { describe, expect, it } from 'vitest';
import { fusionSegments } from '../pipeline/run/plan-detect.js';
import type { AnalysisGrid } from '../raster/types.js';
import { stripBatches } from './batches.js';

const grid = (width: number, height: number): AnalysisGrid => ({ crs: '+proj=utm +zone=50 +datum=WGS84', epsg: 32650, geoTransform: [0, 0.2, 0, 0, 0, -0.2], width, height });
const model = { name: 'm', version: '1', tileSize: 256, overlap: 32 };

describe('strip batches', () => {
  it('cuts a model run at the tops of tile rows, one segment per row of tiles, covering the grid without gaps', () => {
    const segments = fusionSegments({ grid: grid(300, 1024), model });
    // tile rows start every 224 px, their windows 16 px above their cores
    expect(segments).toEqual([{ y0: 0, y1: 208 }, { y0: 208, y1: 432 }, { y0: 432, y1: 656 }, { y0: 656, y1: 880 }, { y0: 880, y1: 1024 }]);
  });

  it('groups whole tile rows into batches of about the rows asked for, the last one shorter', () => {
    const segments = fusionSegments({ grid: grid(300, 4096), model });
    const batches = stripBatches(segments, 1024);
    expect(batches.map((b) => b.to - b.from)).toEqual([5, 5, 5, 4]);
    expect(batches[0]).toEqual({ batch: 0, from: 0, to: 5, y0: 0, y1: segments[4].y1 });
    for (let n = 1; n < batches.length; n++) expect(batches[n].y0).toBe(batches[n - 1].y1);
    expect(batches.at(-1)!.y1).toBe(4096);
    // fewer rows than a tile row still make a batch of one row of tiles
    expect(stripBatches(segments, 10)).toHaveLength(segments.length);
  });

  it('cuts a DSM-only run into strips of 256 rows', () => {
    const batches = stripBatches(fusionSegments({ grid: grid(300, 1000), model: null }), 512);
    expect(batches.map(({ y0, y1, from, to }) => [y0, y1, from, to])).toEqual([[0, 512, 0, 2], [512, 1000, 2, 4]]);
  });

  it('refuses a batch size that is not a whole number of rows', () => {
    expect(() => stripBatches([{ y0: 0, y1: 10 }], 0)).toThrow(/batch rows must be a whole number of at least 1, got 0/);
  });
});
