import { describe, expect, it } from 'vitest';
import { crsDefinition } from '../../geo/crs.js';
import { polygonsArea } from '../../geo/measure.js';
import { memorySource } from '../../raster/memory-source.js';
import type { AnalysisGrid, RasterSource } from '../../raster/types.js';
import { groundSurface } from '../ground.js';
import type { ProgressFactory } from '../types.js';
import { defaultSurveyThresholds, type SurveyThresholds } from './building.js';
import { findBuildings, type SurveyFindings } from './find-buildings.js';

const gsd = 0.2;
const origin = [500000, 3350000] as const;
const groundM = 50;
const progress: ProgressFactory = () => ({ tick() {}, done() {} });

/** A scene painted in metres from the grid's top-left corner (x east, y south). */
interface Scene {
  width: number;
  height: number;
  /** Height above ground (m) at a point, 0 on open ground. */
  heightAt(x: number, y: number): number;
  /** True where the orthophoto shows leaves. */
  greenAt?(x: number, y: number): boolean;
}

/** A box of `w` × `d` metres centred at (cx, cy), turned `turnDeg` clockwise; local coordinates (u along w, v along d) or null outside. */
function box(cx: number, cy: number, w: number, d: number, turnDeg = 0) {
  const a = (turnDeg * Math.PI) / 180;
  return (x: number, y: number): [number, number] | null => {
    const u = (x - cx) * Math.cos(a) + (y - cy) * Math.sin(a);
    const v = -(x - cx) * Math.sin(a) + (y - cy) * Math.cos(a);
    return Math.abs(u) <= w / 2 && Math.abs(v) <= d / 2 ? [u, v] : null;
  };
}

/** Grid, DSM and DTM (and orthophoto) of a scene, as in-memory rasters in EPSG:4549. */
function rasters(scene: Scene, withOrtho = false) {
  const width = Math.round(scene.width / gsd);
  const height = Math.round(scene.height / gsd);
  const geoTransform = [origin[0], gsd, 0, origin[1], 0, -gsd] as [number, number, number, number, number, number];
  const info = (bandCount: number, sampleType: 'float32' | 'uint8') =>
    ({ width, height, bandCount, sampleType, epsg: 4549, proj4: crsDefinition(4549), geoTransform, nodata: sampleType === 'float32' ? -9999 : null });
  const dsm = new Float32Array(width * height);
  const rgb = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const [x, y] = [(col + 0.5) * gsd, (row + 0.5) * gsd];
      dsm[row * width + col] = groundM + scene.heightAt(x, y);
      rgb.set(scene.greenAt?.(x, y) ? [70, 140, 50] : [150, 148, 145], (row * width + col) * 3);
    }
  }
  const grid: AnalysisGrid = { crs: crsDefinition(4549), epsg: 4549, geoTransform, width, height };
  const source = (data: Float32Array, name: string): RasterSource => memorySource(info(1, 'float32'), { width, height, bandCount: 1, data }, name);
  return {
    grid,
    dsm: source(dsm, 'dsm.tif'),
    dtm: source(new Float32Array(width * height).fill(groundM), 'dtm.tif'),
    ortho: withOrtho ? memorySource(info(3, 'uint8'), { width, height, bandCount: 3, data: rgb }, 'ortho.tif') : undefined,
  };
}

async function survey(scene: Scene, options: { withOrtho?: boolean; thresholds?: Partial<SurveyThresholds> } = {}): Promise<SurveyFindings> {
  const { grid, dsm, dtm, ortho } = rasters(scene, options.withOrtho);
  return findBuildings({ grid, dsm, dtm, ortho, ground: null }, { ...defaultSurveyThresholds, ...options.thresholds }, progress);
}

/** Interior angles (degrees) of a closed ring. */
function corners(ring: [number, number][]): number[] {
  const n = ring.length - 1;
  return ring.slice(0, n).map((p, i) => {
    const a = ring[(i + n - 1) % n];
    const b = ring[(i + 1) % n];
    const turn = Math.atan2(b[1] - p[1], b[0] - p[0]) - Math.atan2(p[1] - a[1], p[0] - a[0]);
    return 180 - Math.abs((((turn * 180) / Math.PI + 540) % 360) - 180);
  });
}

describe('findBuildings', () => {
  it('finds a flat-roofed building with its height, floors, roof form and footprint', async () => {
    const house = box(15, 15, 10, 8);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (house(x, y) ? 9.2 : 0) });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    expect(b.id).toBe('b00001');
    expect(b.roofHeightM).toBeCloseTo(9.2, 2);
    expect(b.roofHeightMaxM).toBeCloseTo(9.2, 2);
    expect(b.floors).toBe(3);
    expect(b.roofForm).toBe('flat');
    expect(b.rooftopStructures).toEqual([]);
    expect(b.areaM2).toBeGreaterThan(80 * 0.98);
    expect(b.areaM2).toBeLessThan(80 * 1.02);
    expect(found.regularisation.pixelAreaM2).toBeCloseTo(b.pixelAreaM2, 6);
  });

  it('counts floors with the storey height given', async () => {
    const house = box(15, 15, 10, 8);
    const scene = { width: 30, height: 30, heightAt: (x: number, y: number) => (house(x, y) ? 15.1 : 0) };
    expect((await survey(scene)).buildings[0].floors).toBe(5);
    expect((await survey(scene, { thresholds: { storeyHeightM: 3.6 } })).buildings[0].floors).toBe(4);
  });

  it('finds a gable-roofed building pitched, its median height halfway up the roof and its maximum at the ridge', async () => {
    const house = box(15, 15, 12, 8);
    // eaves at 4 m, ridge at 6.4 m along the long side
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => { const uv = house(x, y); return uv ? 4 + 2.4 * (1 - Math.abs(uv[1]) / 4) : 0; } });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    expect(b.roofForm).toBe('pitched');
    expect(b.roofHeightM).toBeGreaterThan(5);
    expect(b.roofHeightM).toBeLessThan(5.4);
    expect(b.roofHeightMaxM).toBeGreaterThan(6.2);
    // floors stand below the eaves (4 m): one, though the median height would make two
    expect(b.floors).toBe(1);
    expect(b.rooftopStructures).toEqual([]);
  });

  it('splits two touching buildings whose roofs differ in height, and numbers them in scan order', async () => {
    const low = box(10, 16, 8, 10);
    const high = box(19, 14, 10, 10);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (high(x, y) ? 12.3 : low(x, y) ? 6.1 : 0) });
    expect(found.buildings.map((b) => [b.id, b.floors])).toEqual([['b00001', 4], ['b00002', 2]]);
    expect(found.buildings[0].areaM2).toBeGreaterThan(95);
    expect(found.buildings[0].areaM2).toBeLessThan(105);
    expect(found.buildings[1].areaM2).toBeGreaterThan(75);
    expect(found.buildings[1].areaM2).toBeLessThan(85);
  });

  it('finds a stair room on a roof as a rooftop structure of its building', async () => {
    const house = box(15, 15, 12, 9.2);
    // flush with the house's east wall, as stair rooms often are
    const stairs = box(19.5, 13, 3, 3.5);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (stairs(x, y) ? 12.3 : house(x, y) ? 9.5 : 0) });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    expect(b.roofHeightM).toBeCloseTo(9.5, 2);
    expect(b.floors).toBe(3);
    expect(b.areaM2).toBeGreaterThan(110.4 * 0.98);
    expect(b.areaM2).toBeLessThan(110.4 * 1.02);
    expect(b.rooftopStructures).toHaveLength(1);
    const [s] = b.rooftopStructures;
    expect(s.id).toBe('b00001-r1');
    expect(s.heightM).toBeCloseTo(12.3, 2);
    expect(s.heightAboveRoofM).toBeCloseTo(2.8, 2);
    expect(s.areaM2).toBeGreaterThan(9);
    expect(s.areaM2).toBeLessThan(12);
  });

  it('finds a stair room a third the size of its roof, in a corner flush with two walls, as a rooftop structure', async () => {
    // a small house, 8 m × 7 m: the stair room takes 4 m × 3.5 m of its north-east corner
    const house = box(15, 15, 8, 7);
    const stairs = box(17, 13.25, 4, 3.5);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (stairs(x, y) ? 12.6 : house(x, y) ? 9.6 : 0) });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    expect(b.roofHeightM).toBeCloseTo(9.6, 2);
    expect(b.areaM2).toBeGreaterThan(56 * 0.97);
    expect(b.areaM2).toBeLessThan(56 * 1.03);
    expect(b.rooftopStructures.map((s) => Math.round(s.heightAboveRoofM * 10) / 10)).toEqual([3]);
  });

  it('splits a taller house from a lower one it shares one wall with, however small', async () => {
    const low = box(11, 15, 10, 8);
    const high = box(18.5, 15, 5, 6);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (high(x, y) ? 9.4 : low(x, y) ? 6.3 : 0) });
    expect(found.buildings.map((b) => [b.floors, b.rooftopStructures.length])).toEqual([[2, 0], [3, 0]]);
  });

  it('leaves a structure less than the rooftop height above the roof in the roof', async () => {
    const house = box(15, 15, 12, 9);
    const parapetRoom = box(15, 15, 3, 3);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (parapetRoom(x, y) ? 10.5 : house(x, y) ? 9.5 : 0) });
    expect(found.buildings).toHaveLength(1);
    expect(found.buildings[0].rooftopStructures).toEqual([]);
  });

  it('rejects a tree crown, rough and green, as vegetation', async () => {
    const crown = (x: number, y: number) => Math.hypot(x - 15, y - 15) <= 4;
    // a dome of leaves, bumpy at half a metre
    const heightAt = (x: number, y: number) => (crown(x, y) ? 7 - 0.2 * Math.hypot(x - 15, y - 15) ** 2 + 0.8 * Math.sin(x * 11) * Math.cos(y * 13) : 0);
    const found = await survey({ width: 30, height: 30, heightAt, greenAt: crown }, { withOrtho: true });
    expect(found.buildings).toEqual([]);
    expect(found.rejected).toEqual({ 'vegetation: a rough surface, a tree crown?': 1 });
  });

  /** A crown as photogrammetry smooths some: a dome 2.5 m high on 3 m, bumps of 0.3 m a few metres apart, too smooth over a metre to be rough. */
  const smoothCrown = {
    width: 30,
    height: 30,
    heightAt(x: number, y: number) {
      const r2 = ((x - 15) ** 2 + (y - 15) ** 2) / 2.8 ** 2;
      return r2 <= 1 ? 3 + 2.5 * Math.sqrt(1 - r2) + 0.3 * Math.sin(x * 2.3) * Math.cos(y * 2.9) : 0;
    },
    greenAt: (x: number, y: number) => Math.hypot(x - 15, y - 15) <= 2.8,
  };
  /** A small house with a gable roof of green steel: eaves at 3.2 m, the ridge 1.2 m higher along its 5 m side. */
  const greenGableHouse = {
    width: 30,
    height: 30,
    heightAt(x: number, y: number) {
      const uv = box(15, 15, 5, 4, 20)(x, y);
      return uv ? 3.2 + 1.2 * (1 - Math.abs(uv[1]) / 2) : 0;
    },
    greenAt: (x: number, y: number) => box(15, 15, 5, 4, 20)(x, y) !== null,
  };

  it('rejects a crown smoothed into a dome, green and fitting no roof faces, and without the orthophoto for its size', async () => {
    const green = await survey(smoothCrown, { withOrtho: true });
    expect(green.buildings).toEqual([]);
    expect(green.rejected).toEqual({ 'vegetation: green and no roof faces, a tree crown?': 1 });
    const dsmOnly = await survey(smoothCrown);
    expect(dsmOnly.buildings).toEqual([]);
    expect(dsmOnly.rejected).toEqual({ 'vegetation: small and no roof faces, a tree crown?': 1 });
  });

  it('keeps a small green-roofed gable house, its faces planes, with and without the orthophoto', async () => {
    for (const withOrtho of [true, false]) {
      const found = await survey(greenGableHouse, { withOrtho });
      expect(found.buildings.map((b) => b.roofForm)).toEqual(['pitched']);
      expect(found.buildings[0].areaM2).toBeGreaterThan(18);
      expect(found.buildings[0].areaM2).toBeLessThan(22);
    }
  });

  it('keeps a small hip roof, its four faces planes, without the orthophoto', async () => {
    // 5 m × 4 m, eaves at 3 m, faces rising 0.7 m per metre (35°) to a ridge 1.4 m higher
    const hip = box(15, 15, 5, 4, -12);
    const heightAt = (x: number, y: number) => {
      const uv = hip(x, y);
      return uv ? 3 + 0.7 * Math.min(2.5 - Math.abs(uv[0]), 2 - Math.abs(uv[1])) : 0;
    };
    const found = await survey({ width: 30, height: 30, heightAt });
    expect(found.buildings.map((b) => b.roofForm)).toEqual(['pitched']);
  });

  it('regularises a rotated rectangle to right angles within 2 % of its true area', async () => {
    const house = box(15, 15, 12, 7, 28);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (house(x, y) ? 6.5 : 0) });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    const outer = b.polygons[0][0];
    expect(outer).toHaveLength(5);
    for (const angle of corners(outer)) expect(Math.abs(angle - 90)).toBeLessThan(1);
    expect(Math.abs(polygonsArea(b.polygons) - 84) / 84).toBeLessThan(0.02);
    // the first edge runs along the building's sides, 28° or 118° from east, as the outline does
    const [[x0, y0], [x1, y1]] = outer;
    const direction = ((Math.atan2(y0 - y1, x1 - x0) * 180) / Math.PI + 180) % 90;
    expect(Math.min(Math.abs(direction - 62), Math.abs(direction - 28))).toBeLessThan(1);
  });

  it('keeps the right angles of an L-shaped outline, turned', async () => {
    const frame = box(13, 12, 100, 100, 15);
    // a wing 12 m × 5 m and a side wing 5 m wide, flush with its east end, reaching 6 m further south
    const inside = (x: number, y: number) => {
      const [u, v] = frame(x, y)!;
      return Math.abs(u) <= 6 && v >= -2.5 && v <= 8.5 && (v <= 2.5 || u >= 1);
    };
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (inside(x, y) ? 6.5 : 0) });
    expect(found.buildings).toHaveLength(1);
    const [b] = found.buildings;
    const outer = b.polygons[0][0];
    expect(outer).toHaveLength(7);
    for (const angle of corners(outer)) expect(Math.abs(angle - 90)).toBeLessThan(1);
    expect(Math.abs(b.areaM2 - b.pixelAreaM2) / b.pixelAreaM2).toBeLessThan(0.02);
  });

  it('measures a building across a strip border once', async () => {
    // strips are 256 rows (51.2 m): the building spans rows 230-280
    const house = box(20, 51, 10, 10);
    const found = await survey({ width: 40, height: 70, heightAt: (x, y) => (house(x, y) ? 6.2 : 0) });
    expect(found.buildings).toHaveLength(1);
    expect(found.buildings[0].pixelAreaM2).toBeCloseTo(100, 0);
  });

  it('works with an estimated ground surface instead of a DTM', async () => {
    const house = box(15, 15, 10, 8);
    const { grid, dsm } = rasters({ width: 30, height: 30, heightAt: (x, y) => (house(x, y) ? 6.2 : 0) });
    // a coarse ground of 2 m pixels, as the coarse pass gives
    const ground = groundSurface({ width: 15, height: 15, values: new Float32Array(225).fill(groundM), scale: gsd / 2 });
    const found = await findBuildings({ grid, dsm, ground }, defaultSurveyThresholds, progress);
    expect(found.buildings.map((b) => [b.floors, b.roofForm])).toEqual([[2, 'flat']]);
  });

  it('rejects structures under the least area, and nothing under the least height', async () => {
    const shed = box(8, 8, 2, 2.5);
    const wall = box(20, 20, 10, 8);
    const found = await survey({ width: 30, height: 30, heightAt: (x, y) => (shed(x, y) ? 3 : wall(x, y) ? 2 : 0) });
    expect(found.buildings).toEqual([]);
    expect(found.rejected).toEqual({ 'smaller than 6 m²': 1 });
  });
});
