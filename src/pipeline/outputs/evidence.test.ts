import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsTransform } from '../../geo/crs.js';
import { readPolygonCollection, transformPolygons } from '../../geo/geojson.js';
import { polygonsArea, polygonsBounds } from '../../geo/measure.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import type { Candidate } from '../candidate.js';
import { chipGrid, writeCandidateEvidence, type EvidenceSources } from './evidence.js';
import { ingest } from '../ingest.js';
import type { ChangeKind } from '../../vocabulary.js';
import type { AnalysisGrid } from '../../raster/types.js';

let grid: AnalysisGrid;
let sources: Required<Omit<EvidenceSources, 'verticalOffset'>>;
let candidate: Candidate;
let dir: string;

beforeAll(async () => {
  const open = (file: string) => openGeoTiff(`fixtures/scene/${file}.tif`);
  sources = { beforeOrtho: await open('before/ortho'), afterOrtho: await open('after/ortho'), beforeDsm: await open('before/dsm'), afterDsm: await open('after/dsm') };
  grid = (await ingest(sources, { gsd: 0.2 })).grid;
  const truth = await readPolygonCollection('fixtures/scene/truth.geojson');
  // C0007: a new building 10.4 m tall, 61 m²
  const feature = truth.features.find((f) => f.properties.id === 'C0007');
  const polygons = transformPolygons(feature?.polygons ?? [], crsTransform(4326, 4549));
  candidate = { id: 'C0007', changeKind: feature?.properties.change_kind as ChangeKind, polygons, areaM2: polygonsArea(polygons), heightChangeM: 10.38, heightChangeMaxM: 12.1, heightAfterM: 10.38, confidence: 0.9, reason: 'rose 10 m on bare ground' };
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-evidence-'));
});

afterAll(async () => {
  await Promise.all(Object.values(sources).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

/** RGB pixels of an image file. */
async function pixels(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

describe('chipGrid', () => {
  it('is square at the grid GSD with at least 5 m around the candidate, on grid pixel corners', () => {
    const chip = chipGrid(grid, candidate.polygons);
    const [minX, minY, maxX, maxY] = polygonsBounds(candidate.polygons);
    const [x0, gsd, , y0] = chip.geoTransform;
    expect(chip.width).toBe(chip.height);
    expect(gsd).toBe(0.2);
    expect(minX - x0).toBeGreaterThanOrEqual(5);
    expect(y0 - maxY).toBeGreaterThanOrEqual(5);
    expect(x0 + chip.width * gsd - maxX).toBeGreaterThanOrEqual(5);
    expect(minY - (y0 - chip.height * gsd)).toBeGreaterThanOrEqual(5);
    expect(chip.width * gsd).toBeLessThan(Math.max(maxX - minX, maxY - minY) + 10 + 0.6);
    const col = (x0 - grid.geoTransform[0]) / 0.2;
    expect(Math.abs(col - Math.round(col))).toBeLessThan(1e-6);
  });

  it('coarsens the chip of a 300 m candidate to at most 512 px at a multiple of the GSD', () => {
    const [x, y] = [grid.geoTransform[0], grid.geoTransform[3]];
    const chip = chipGrid(grid, [[[[x, y], [x + 300, y], [x + 300, y + 100], [x, y + 100], [x, y]]]]);
    expect(chip.width).toBeLessThanOrEqual(512);
    expect(chip.width).toBeGreaterThan(400);
    const step = chip.geoTransform[1] / 0.2;
    expect(Math.abs(step - Math.round(step))).toBeLessThan(1e-9);
    expect(chip.width * chip.geoTransform[1]).toBeGreaterThanOrEqual(300 + 2 * 90);
  });
});

describe('writeCandidateEvidence', () => {
  it('writes before and after JPEGs and a height-change PNG of the chip size for a truth candidate', async () => {
    const out = join(dir, 'all');
    const names = await writeCandidateEvidence(out, grid, candidate, sources);
    expect(names).toEqual(['before.jpg', 'after.jpg', 'height-change.png']);
    expect((await readdir(out)).sort()).toEqual(['after.jpg', 'before.jpg', 'height-change.png']);
    const chip = chipGrid(grid, candidate.polygons);
    for (const name of names) {
      const meta = await sharp(join(out, name)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([name.endsWith('.png') ? 'png' : 'jpeg', chip.width, chip.height]);
    }
  });

  it('shows the new building red on the height chip and its outline red on the after chip only', async () => {
    const out = join(dir, 'all');
    const height = await pixels(join(out, 'height-change.png'));
    const chip = chipGrid(grid, candidate.polygons);
    const [minX, minY, maxX, maxY] = polygonsBounds(candidate.polygons);
    const col = Math.floor(((minX + maxX) / 2 - chip.geoTransform[0]) / 0.2);
    const row = Math.floor((chip.geoTransform[3] - (minY + maxY) / 2) / 0.2);
    const centre = (row * height.width + col) * 3;
    // a rise of about 10 m, the end of the ramp: red
    const [r, g, b] = height.data.subarray(centre, centre + 3);
    expect(r).toBe(255);
    expect(Math.max(g, b)).toBeLessThan(40);
    const reddish = async (name: string) => {
      const { data } = await pixels(join(out, name));
      let count = 0;
      for (let p = 0; p < data.length; p += 3) if (data[p] > 180 && data[p + 1] < 90 && data[p + 2] < 90) count++;
      return count;
    };
    // the outline of a 60 m² building is about 32 m = 160 px long, 2 px wide
    expect(await reddish('after.jpg')).toBeGreaterThan(200);
    expect(await reddish('before.jpg')).toBeLessThan(20);
  });

  it('writes only the height chip from DSMs, only the orthophoto chips from orthophotos', async () => {
    const { beforeOrtho, afterOrtho, beforeDsm, afterDsm } = sources;
    expect(await writeCandidateEvidence(join(dir, 'dsm'), grid, candidate, { beforeDsm, afterDsm })).toEqual(['height-change.png']);
    expect(await readdir(join(dir, 'dsm'))).toEqual(['height-change.png']);
    expect(await writeCandidateEvidence(join(dir, 'ortho'), grid, candidate, { beforeOrtho, afterOrtho })).toEqual(['before.jpg', 'after.jpg']);
    expect(await writeCandidateEvidence(join(dir, 'none'), grid, candidate, {})).toEqual([]);
  });

  it('removes the vertical offset before colouring the height change', async () => {
    const { beforeDsm, afterDsm } = sources;
    const out = join(dir, 'offset');
    await writeCandidateEvidence(out, grid, candidate, { beforeDsm, afterDsm, verticalOffset: () => 30 });
    const height = await pixels(join(out, 'height-change.png'));
    const centre = ((height.height >> 1) * height.width + (height.width >> 1)) * 3;
    // a 10 m rise less a 30 m offset is a fall of over 10 m: full blue
    expect(Array.from(height.data.subarray(centre, centre + 3))).toEqual([0, 0, 255]);
  });
});
