import { describe, expect, it } from 'vitest';
import { signedArea } from '../geo/polygonize.js';
import type { AnalysisGrid } from '../raster/types.js';
import type { ChangeRegion, ChangeStrip } from './types.js';
import { createVectorizer, regionMeasurements } from './vectorize.js';

/** Per-pixel rasters of a scene, by grid index; NaN where a function is not given. */
interface Values {
  heightChange?: (i: number) => number;
  heightBefore?: (i: number) => number;
  heightAfter?: (i: number) => number;
  probability?: (i: number) => number;
  roughness?: (i: number) => number;
  topSurface?: (i: number) => number;
  greenness?: (i: number) => number;
}

/** A grid of rows of '#' (changed) and '.', 0.5 m pixels, origin (1000, 2000). */
function gridOf(rows: string[]): AnalysisGrid {
  return { crs: '+proj=utm +zone=50 +datum=WGS84', epsg: 32650, geoTransform: [1000, 0.5, 0, 2000, 0, -0.5], width: rows[0].length, height: rows.length };
}

/** The scene cut into strips starting at the given rows (besides row 0). */
function stripsOf(rows: string[], cuts: number[], values: Values = {}): ChangeStrip[] {
  const width = rows[0].length;
  const starts = [0, ...cuts, rows.length];
  const raster = (f: ((i: number) => number) | undefined, from: number, size: number) =>
    Float32Array.from({ length: size }, (_, k) => (f ? f(from + k) : Number.NaN));
  return starts.slice(0, -1).map((y0, s) => {
    const height = starts[s + 1] - y0;
    const from = y0 * width;
    const size = height * width;
    return {
      y0,
      width,
      height,
      change: Uint8Array.from(rows.slice(y0, y0 + height).join(''), (c) => (c === '#' ? 1 : 0)),
      heightChange: raster(values.heightChange, from, size),
      heightBefore: raster(values.heightBefore, from, size),
      heightAfter: raster(values.heightAfter, from, size),
      nearBuilding: Uint8Array.from(raster(values.heightBefore, from, size), (h) => (h > 2.5 ? 1 : 0)),
      probability: raster(values.probability, from, size),
      roughness: raster(values.roughness, from, size),
      topSurface: raster(values.topSurface, from, size),
      greenness: raster(values.greenness, from, size),
    };
  });
}

/** The regions in scan order of their first pixel, and the area totals. */
function vectorize(rows: string[], cuts: number[], values: Values = {}, simplifyTolerancePx = 0.75) {
  const found: { region: ChangeRegion; first: number }[] = [];
  const vectorizer = createVectorizer(gridOf(rows), { simplifyTolerancePx, onRegion: (region, first) => found.push({ region, first }) });
  for (const strip of stripsOf(rows, cuts, values)) vectorizer.addStrip(strip);
  const totals = vectorizer.finish();
  return { ...totals, regions: found.sort((a, b) => a.first - b.first).map(({ region }) => region) };
}

const rectangle = ['......', '.####.', '.####.', '.####.', '.####.', '......'];
/** A building of height 6 m beside the rectangle's right edge, columns 5. */
const rectangleValues: Values = {
  heightChange: () => 3,
  heightBefore: (i) => (i % 6 === 5 ? 6 : 0),
  heightAfter: () => 3,
  probability: () => 0.8,
};

describe('vectorize', () => {
  it('merges a rectangle split across two strips into one region with the sums of the whole', () => {
    const whole = vectorize(rectangle, [], rectangleValues);
    const split = vectorize(rectangle, [3], rectangleValues);
    expect(split.regions).toHaveLength(1);
    expect(split.regions[0].sums).toEqual(whole.regions[0].sums);
    expect(split.regions[0].sums).toMatchObject({ pixels: 16, heightPixels: 16, sumHeightChange: 48, ringPixels: 16, ringOnBuilding: 4 });
    expect(split.regions[0].polygons).toEqual(whole.regions[0].polygons);
    expect(split.regions[0].polygons[0]).toHaveLength(1);
    expect(split.regions[0].polygons[0][0]).toHaveLength(5);
  });

  it('merges a rectangle split across three strips, ring pixels across the borders included', () => {
    const whole = vectorize(rectangle, [], rectangleValues);
    const split = vectorize(rectangle, [2, 4], rectangleValues);
    expect(split.regions).toHaveLength(1);
    expect(split.regions[0].sums).toEqual(whole.regions[0].sums);
    expect(split.regions[0].pixelAreaM2).toBe(4);
    expect(split.regions[0].areaM2).toBe(4);
    expect(split.regions[0].polygons[0][0]).toHaveLength(5);
  });

  it('keeps two separate buildings as two regions, ordered by their top-left pixel', () => {
    const rows = ['.....##', '##...##', '##.....', '##.....'];
    const { regions } = vectorize(rows, [2]);
    expect(regions.map((r) => r.sums.pixels)).toEqual([4, 6]);
  });

  it('keeps a courtyard spanning a strip border as a hole', () => {
    const rows = ['######', '#....#', '#....#', '#....#', '######'];
    const { regions } = vectorize(rows, [2]);
    expect(regions).toHaveLength(1);
    const [polygon] = regions[0].polygons;
    expect(regions[0].polygons).toHaveLength(1);
    expect(polygon).toHaveLength(2);
    expect(regions[0].sums.pixels).toBe(18);
    expect(regions[0].areaM2).toBe(18 * 0.25);
  });

  it('merges a U whose arms meet only in a later strip into one region', () => {
    const rows = ['#..#', '#..#', '#..#', '#..#', '####'];
    const { regions } = vectorize(rows, [2, 4]);
    expect(regions).toHaveLength(1);
    expect(regions[0].sums.pixels).toBe(12);
    expect(regions[0].polygons).toHaveLength(1);
    expect(regions[0].polygons[0]).toHaveLength(1);
    expect(regions[0].polygons[0][0]).toHaveLength(9);
  });

  it('merges pieces joined through several strips in a zigzag', () => {
    const rows = ['#...', '#...', '###.', '..#.', '..##', '...#'];
    const { regions } = vectorize(rows, [1, 3, 5]);
    expect(regions).toHaveLength(1);
    expect(regions[0].sums.pixels).toBe(9);
    expect(regions[0].areaM2).toBe(9 * 0.25);
  });

  it('keeps pixels that touch only diagonally across a border apart', () => {
    const rows = ['##..', '##..', '..##', '..##'];
    const { regions } = vectorize(rows, [2]);
    expect(regions.map((r) => r.sums.pixels)).toEqual([4, 4]);
  });

  it('sums only finite values, heights above ground apart from the height change', () => {
    const rows = ['####'];
    const { regions } = vectorize(rows, [], {
      heightChange: (i) => [2, Number.NaN, -5, 4][i],
      heightBefore: (i) => [1, 1, Number.NaN, 1][i],
      heightAfter: (i) => [3, 3, 3, Number.NaN][i],
    });
    expect(regions[0].sums).toMatchObject({ heightPixels: 3, sumHeightChange: 1, extremeHeightChange: -5, groundPixels: 2, sumHeightBefore: 2, sumHeightAfter: 6 });
    expect(regionMeasurements(regions[0])).toEqual({
      areaM2: 1,
      heightChangeM: 1 / 3,
      heightChangeMaxM: -5,
      heightBeforeM: 1,
      heightAfterM: 3,
      confidence: null,
      attachedShare: 0,
      roughShare: null,
      greenShare: null,
      lengthM: 2,
      widthM: 0.5,
      topPlaneResidualM: null,
    });
  });

  it('measures nothing but area and confidence without heights', () => {
    const { regions } = vectorize(['##'], [], { probability: () => 0.6 });
    const measured = regionMeasurements(regions[0]);
    expect(measured).toMatchObject({ heightChangeM: null, heightChangeMaxM: null, heightBeforeM: null, heightAfterM: null });
    expect(measured.confidence).toBeCloseTo(0.6, 6);
  });

  it('reports the area change of simplifying a staircase diagonal', () => {
    const rows = ['#.....', '##....', '###...', '####..', '#####.', '######'];
    const result = vectorize(rows, [3]);
    expect(result.pixelAreaM2).toBe(21 * 0.25);
    expect(result.simplifiedAreaM2).not.toBe(result.pixelAreaM2);
    expect(result.regions[0].polygons[0][0].length).toBeLessThan(14);
  });

  it('keeps rectangles exact when simplifying', () => {
    const result = vectorize(rectangle, [3], {}, 2);
    expect(result.simplifiedAreaM2).toBe(result.pixelAreaM2);
  });

  it('gives polygons in map coordinates, outer rings counterclockwise and holes clockwise', () => {
    const [outer] = vectorize(rectangle, [3]).regions[0].polygons[0];
    const xs = outer.map(([x]) => x);
    const ys = outer.map(([, y]) => y);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([1000.5, 1002.5, 1997.5, 1999.5]);
    expect(signedArea(outer)).toBeGreaterThan(0);
    const [courtyardOuter, hole] = vectorize(['####', '#..#', '#..#', '####'], [2]).regions[0].polygons[0];
    expect(signedArea(courtyardOuter)).toBeGreaterThan(0);
    expect(signedArea(hole)).toBeLessThan(0);
  });

  it('measures heights on the interior, away from the soft DSM edges of a structure', () => {
    const block = ['...........', ...Array(7).fill('.#########.'), '...........'];
    // 6 m inside, 2 m on the outline pixels: a DSM's soft edge
    const edge = (i: number) => {
      const x = i % 11;
      const y = Math.floor(i / 11);
      return x === 1 || x === 9 || y === 1 || y === 7 ? 2 : 6;
    };
    const [region] = vectorize(block, [], { heightChange: edge, heightBefore: () => 0, heightAfter: edge }).regions;
    const m = regionMeasurements(region);
    expect(m.heightChangeM).toBe(6);
    expect(m.heightAfterM).toBe(6);
    expect(region.sums.sumHeightChange / region.sums.heightPixels).toBeLessThan(4.5);
  });

  it('gives the same regions and sums however random masks are cut into strips', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let scene = 0; scene < 40; scene++) {
      const width = 3 + Math.floor(random() * 10);
      const rows = Array.from({ length: 3 + Math.floor(random() * 10) }, () =>
        Array.from({ length: width }, () => (random() < 0.5 ? '#' : '.')).join(''),
      );
      const heights = Array.from({ length: width * rows.length }, () => Math.round(random() * 60) / 10);
      const values: Values = { heightChange: (i) => heights[i] - 3, heightBefore: (i) => heights[i], heightAfter: (i) => heights[i] };
      const cuts = [...new Set(rows.map(() => 1 + Math.floor(random() * (rows.length - 1))))].sort((a, b) => a - b);
      const whole = vectorize(rows, [], values, 0);
      const split = vectorize(rows, cuts, values, 0);
      expect(split.regions.map((r) => r.pixelAreaM2)).toEqual(whole.regions.map((r) => r.pixelAreaM2));
      expect(split.regions.map((r) => r.areaM2)).toEqual(whole.regions.map((r) => r.pixelAreaM2));
      split.regions.forEach(({ sums }, k) => {
        const expected = whole.regions[k].sums;
        // the interior is judged within each strip, so it may differ near strip borders
        const exact = (t: typeof sums) => ({
          ...t,
          sumHeightChange: 0,
          sumHeightBefore: 0,
          sumHeightAfter: 0,
          interiorHeightPixels: 0,
          sumInteriorHeightChange: 0,
          interiorGroundPixels: 0,
          sumInteriorHeightBefore: 0,
          sumInteriorHeightAfter: 0,
        });
        expect(exact(sums)).toEqual(exact(expected));
        expect(sums.sumHeightChange).toBeCloseTo(expected.sumHeightChange, 6);
      });
    }
  });

  it('rejects strips out of order and a grid left uncovered', () => {
    const vectorizer = createVectorizer(gridOf(rectangle), { simplifyTolerancePx: 0.75, onRegion: () => {} });
    const [first, second] = stripsOf(rectangle, [3]);
    expect(() => vectorizer.addStrip(second)).toThrow('strip starts at row 3, expected row 0');
    vectorizer.addStrip(first);
    expect(() => vectorizer.finish()).toThrow("strips cover 3 of the grid's 6 rows");
  });
});
