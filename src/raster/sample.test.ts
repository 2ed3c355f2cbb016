import { describe, expect, it } from 'vitest';
import { sample, sampleMasked, sampleMaskedRow, type SampleSource } from './sample.js';
import type { SampleArray } from './types.js';

/** A source of `width` pixels per row with the given values (pixel-interleaved), by default a raster's top-left window. */
function source(width: number, bandCount: number, values: number[], options: Partial<SampleSource> = {}): SampleSource {
  const height = values.length / width / bandCount;
  return { width, height, bandCount, values: Float32Array.from(values), x0: 0, y0: 0, block: 1, nodata: Number.NaN, valid: null, ...options };
}

interface AtOptions {
  bandCount?: number;
  /** The kind of array sampled into (Float64Array by default). */
  values?: (length: number) => SampleArray;
  /** What `values` holds before sampling. */
  before?: number;
}

/** Samples `src` at the points into a fresh array. */
function at(src: SampleSource, points: [number, number][], resample: 'nearest' | 'bilinear', options: AtOptions = {}) {
  const bandCount = options.bandCount ?? src.bandCount;
  const values = (options.values ?? ((n) => new Float64Array(n)))(points.length * bandCount).fill(options.before ?? -1);
  const valid = new Uint8Array(points.length);
  const positions = { x: Float64Array.from(points, (p) => p[0]), y: Float64Array.from(points, (p) => p[1]) };
  sample(src, positions, { bandCount, values, valid }, resample);
  return { values: Array.from(values), valid: Array.from(valid) };
}

describe('sample', () => {
  // 3 x 2: 10 20 40 / 30 50 90
  const grid = source(3, 1, [10, 20, 40, 30, 50, 90]);

  it('takes the pixel under a position with nearest, and blends the four around it with bilinear', () => {
    expect(at(grid, [[1.9, 0.1], [0.5, 1.5]], 'nearest').values).toEqual([20, 30]);
    // halfway between the centres of the top-left 2 x 2: their mean; a quarter of the way: 9:3:3:1
    expect(at(grid, [[1, 1]], 'bilinear').values).toEqual([(10 + 20 + 30 + 50) / 4]);
    expect(at(grid, [[0.75, 0.75]], 'bilinear').values).toEqual([(9 * 10 + 3 * 20 + 3 * 30 + 50) / 16]);
    // on a pixel centre, that pixel alone
    expect(at(grid, [[2.5, 0.5]], 'bilinear').values).toEqual([40]);
  });

  it('takes positions in the pixels of the raster the source is a window of, reduced or not', () => {
    // the same pixels as a window from raster pixel (10, 4), and as one read at half resolution from (10, 4)
    const window = source(3, 1, [10, 20, 40, 30, 50, 90], { x0: 10, y0: 4 });
    expect(at(window, [[11, 5], [12.5, 4.5]], 'bilinear').values).toEqual([(10 + 20 + 30 + 50) / 4, 40]);
    const reduced = source(3, 1, [10, 20, 40, 30, 50, 90], { x0: 10, y0: 4, block: 2 });
    expect(at(reduced, [[12, 6], [15, 5], [9.9, 5]], 'bilinear').values).toEqual([(10 + 20 + 30 + 50) / 4, 40, -1]);
  });

  it('rounds into an integer array and keeps fractions in a float array', () => {
    const point: [number, number][] = [[0.75, 0.5]]; // 10 * 0.75 + 20 * 0.25 = 12.5
    expect(at(grid, point, 'bilinear').values).toEqual([12.5]);
    expect(at(grid, point, 'bilinear', { values: (n) => new Uint8Array(n) }).values).toEqual([13]);
  });

  it('leaves positions off the source (and NaN) as they are, with valid 0', () => {
    const off: [number, number][] = [[-0.01, 0.5], [3, 0.5], [1, 2], [1, -1e-9], [Number.NaN, 1]];
    for (const resample of ['nearest', 'bilinear'] as const) {
      expect(at(grid, off, resample, { before: 7 })).toEqual({ values: [7, 7, 7, 7, 7], valid: [0, 0, 0, 0, 0] });
    }
  });

  it('leaves neighbours off the source out of the blend, so that past the edge centres the edge repeats', () => {
    // right of the last column's centres: only that column counts, blended down the rows
    expect(at(grid, [[2.9, 1]], 'bilinear')).toEqual({ values: [(40 + 90) / 2], valid: [1] });
    // in a corner: the corner pixel alone
    expect(at(grid, [[0.1, 0.2]], 'bilinear').values).toEqual([10]);
    // the same as a position clamped to the edge pixels' centres (how map tiles repeat the edge)
    const [clamped] = at(grid, [[2.5, 1]], 'bilinear').values;
    expect(at(grid, [[2.9, 1]], 'bilinear').values[0]).toBeCloseTo(clamped, 12);
  });

  it('leaves neighbours at nodata or NaN out of the blend and never lets a nodata area grow or shrink', () => {
    // 10 -9999 / NaN 40
    const holes = source(2, 1, [10, -9999, Number.NaN, 40], { nodata: -9999 });
    // nearest has data: the blend of the neighbours with data only (10 and 40, by their weights 9 and 1)
    expect(at(holes, [[0.75, 0.75]], 'bilinear')).toEqual({ values: [(9 * 10 + 40) / 10], valid: [1] });
    expect(at(holes, [[1.25, 1.25]], 'bilinear')).toEqual({ values: [(10 + 9 * 40) / 10], valid: [1] });
    // nearest has none: that pixel's own value (nodata stays nodata), valid 0, with either kernel
    for (const resample of ['nearest', 'bilinear'] as const) {
      expect(at(holes, [[1.25, 0.75], [0.75, 1.25]], resample)).toEqual({ values: [-9999, Number.NaN], valid: [0, 0] });
    }
  });

  it('leaves a pixel whose mask is 0 out of every band, whatever its values', () => {
    // two bands; the middle pixel is masked (say alpha 0) though its values look like data
    const masked = source(3, 2, [10, 100, 30, 200, 50, 300], { valid: Uint8Array.from([1, 0, 1]) });
    expect(at(masked, [[0.75, 0.5], [2.25, 0.5]], 'bilinear')).toEqual({ values: [10, 100, 50, 300], valid: [1, 1] });
    expect(at(masked, [[1.5, 0.5]], 'bilinear')).toEqual({ values: [30, 200], valid: [0] });
    // only the first bands asked for are sampled
    expect(at(masked, [[0.5, 0.5]], 'nearest', { bandCount: 1 })).toEqual({ values: [10], valid: [1] });
  });

  it('gives each band its own nodata: a value at nodata is left out of its band only', () => {
    // two pixels of two bands; the right pixel is nodata (0) in band 0 only
    const bands = source(2, 2, [10, 100, 0, 200], { nodata: 0 });
    expect(at(bands, [[0.75, 0.5]], 'bilinear')).toEqual({ values: [10, 0.75 * 100 + 0.25 * 200], valid: [1] });
    // nearest is nodata in band 0: that band keeps it, the other blends, and the pixel has data
    expect(at(bands, [[1.25, 0.5]], 'bilinear')).toEqual({ values: [0, 0.25 * 100 + 0.75 * 200], valid: [1] });
    // nodata in every band: no data
    const empty = source(1, 2, [0, 0], { nodata: 0 });
    expect(at(empty, [[0.5, 0.5]], 'bilinear').valid).toEqual([0]);
  });
});

describe('sampleMasked', () => {
  it('gives what sample gives on a masked source, to the last bit, also through a window of a larger image', () => {
    // 12 x 9 pixels of 2 bands with a few pixels masked; the window is its 8 x 6 pixels from (3, 2), block 2 from (100, 50)
    const width = 12, height = 9, bandCount = 2;
    const values = Float64Array.from({ length: width * height * bandCount }, (_, i) => ((i * 7919) % 251) + (i % 4) / 2);
    const valid = Uint8Array.from({ length: width * height }, (_, p) => (p % 11 === 3 ? 0 : 1));
    const window = { x: 3, y: 2, width: 8, height: 6 };
    const cut = (array: ArrayLike<number>, n: number) =>
      Array.from({ length: window.height }, (_, j) => Array.from(array).slice(((window.y + j) * width + window.x) * n, ((window.y + j) * width + window.x + window.width) * n)).flat();
    const placed = { x0: 100, y0: 50, block: 2 };
    const alone: SampleSource = { ...window, ...placed, bandCount, values: Float64Array.from(cut(values, bandCount)), nodata: Number.NaN, valid: Uint8Array.from(cut(valid, 1)) };
    const inside = { ...window, ...placed, bandCount, values, valid, first: window.y * width + window.x, stride: width };
    // positions all over the window and past its edges, at pixel centres give or take a last bit, and between them
    const points = Array.from({ length: 400 }, (_, k) => [100 + (k % 20) * 0.9 - 1 + (k % 3) * 1e-12, 50 + Math.floor(k / 20) * 0.7 - 1 - (k % 5) * 1e-12]);
    for (const resample of ['nearest', 'bilinear'] as const) {
      for (const kind of [(n: number) => new Float32Array(n), (n: number) => new Uint8Array(n)]) {
        const out = (f: typeof sample | typeof sampleMasked, src: SampleSource | typeof inside) => {
          const samples = { bandCount, values: kind(points.length * bandCount).fill(7), valid: new Uint8Array(points.length).fill(2) };
          f(src as never, { x: Float64Array.from(points, (p) => p[0]), y: Float64Array.from(points, (p) => p[1]) }, samples, resample);
          return samples;
        };
        const expected = out(sample, alone);
        expect(out(sampleMasked, inside)).toEqual(expected);
        expect(expected.valid.includes(0) && expected.valid.includes(1) && expected.valid.includes(2)).toBe(true);
      }
    }
  });

  it('samples a position alike through any window holding it, whatever its block', () => {
    // 30 x 20 pixels of 3 x 3 blocks from the raster's origin, and windows of it from blocks (3, 2) and (6, 5)
    const width = 30, height = 20;
    const values = Float64Array.from({ length: width * height }, (_, i) => ((i * 7919) % 251) + (i % 4) / 2);
    const valid = new Uint8Array(width * height).fill(1);
    const window = (bx: number, by: number) => ({ width: width - bx, height: height - by, bandCount: 1, values, valid, x0: bx * 3, y0: by * 3, block: 3, first: by * width + bx, stride: width });
    const points = Array.from({ length: 200 }, (_, k) => [20 + (k % 20) * 1.37 + 1e-9 * k, 17 + Math.floor(k / 20) * 2.11]);
    const positions = { x: Float64Array.from(points, (p) => p[0]), y: Float64Array.from(points, (p) => p[1]) };
    const at = (source: ReturnType<typeof window>) => {
      const out = { bandCount: 1, values: new Float64Array(points.length), valid: new Uint8Array(points.length) };
      sampleMasked(source, positions, out, 'bilinear');
      return out;
    };
    const a = at(window(3, 2));
    expect(a.valid.every((v) => v === 1)).toBe(true);
    expect(at(window(6, 5))).toEqual(a);
  });
});

describe('sampleMaskedRow', () => {
  it('gives what sampleMasked gives along a row of positions one block apart, off the window and on pixel centres too', () => {
    // 12 x 9 pixels of 2 bands with a few masked; the window is its 8 x 6 pixels from (3, 2), block 2 from (100, 50), so blocks (50, 25) on
    const width = 12, height = 9, bandCount = 2;
    const values = Float64Array.from({ length: width * height * bandCount }, (_, i) => ((i * 7919) % 251) + (i % 4) / 2);
    const valid = Uint8Array.from({ length: width * height }, (_, p) => (p % 11 === 3 ? 0 : 1));
    const window = { x: 3, y: 2, width: 8, height: 6, bandCount, values, valid, x0: 100, y0: 50, block: 2, first: 2 * width + 3, stride: width };
    let compared = 0;
    // fractions that are sums of powers of two, so that sampleMasked's positions (in source pixels) are exact
    for (const fraction of [[0.5, 0.5], [0.25, 0.75], [0.875, 0.5], [0, 0.125]] as [number, number][]) {
      for (let row = 23; row <= 32; row++) {
        for (const column of [46, 50, 53]) {
          for (const resample of ['nearest', 'bilinear'] as const) {
            for (const kind of [(n: number) => new Float32Array(n), (n: number) => new Uint8Array(n)]) {
              const count = 9;
              const fresh = () => ({ bandCount, values: kind(count * bandCount).fill(7), valid: new Uint8Array(count).fill(2) });
              const positions = {
                x: Float64Array.from({ length: count }, (_, p) => (column + p + fraction[0]) * 2),
                y: new Float64Array(count).fill((row + fraction[1]) * 2),
              };
              const expected = fresh();
              sampleMasked(window, positions, expected, resample);
              const out = fresh();
              sampleMaskedRow(window, column, row, fraction, out, resample);
              expect(out).toEqual(expected);
              compared += expected.valid.filter((v) => v !== 2).length;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
