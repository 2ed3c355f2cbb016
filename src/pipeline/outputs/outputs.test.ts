import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../errors.js';
import { crsTransform } from '../../geo/crs.js';
import { readPolygonCollection, transformPolygons } from '../../geo/geojson.js';
import { readGeoPackage } from '../../geo/geopackage.js';
import { polygonsArea } from '../../geo/measure.js';
import { signedArea } from '../../geo/polygonize.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import type { RasterSource } from '../../raster/types.js';
import type { Candidate } from '../candidate.js';
import { ingest } from '../ingest.js';
import { checkIds, detectOutputFolder, evidenceAsFound, writeEvidence, writeResults } from './index.js';
import { replaceFolder } from '../../files.js';
import type { EvidenceSources } from './evidence.js';
import type { ChangeKind } from '../../vocabulary.js';
import type { AnalysisGrid } from '../../raster/types.js';

let grid: AnalysisGrid;
let afterOrtho: RasterSource;
let beforeOrtho: RasterSource;
let truthCandidates: Candidate[];
let dir: string;

/** A candidate with the measurements of a small shed. */
function candidate(id: string, polygons: [number, number][][][], overrides: Partial<Candidate> = {}): Candidate {
  return { id, changeKind: 'ground_structure', polygons, areaM2: polygonsArea(polygons), heightChangeM: 3.14159, heightChangeMaxM: 3.456, heightAfterM: 3.0049, confidence: 0.87654, reason: 'rose 3 m on bare ground', ...overrides };
}

beforeAll(async () => {
  [beforeOrtho, afterOrtho] = await Promise.all([openGeoTiff('fixtures/scene/before/ortho.tif'), openGeoTiff('fixtures/scene/after/ortho.tif')]);
  grid = (await ingest({ beforeOrtho, afterOrtho }, { gsd: 0.2 })).grid;
  const truth = await readPolygonCollection('fixtures/scene/truth.geojson');
  const toGrid = crsTransform(4326, 4549);
  truthCandidates = truth.features.map((f) => candidate(String(f.properties.id), transformPolygons(f.polygons, toGrid), { changeKind: f.properties.change_kind as ChangeKind }));
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-outputs-'));
});

afterAll(async () => {
  await Promise.all([beforeOrtho.close(), afterOrtho.close()]);
  await rm(dir, { recursive: true, force: true });
});

type Feature = { type: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: [number, number][][] } };
type Collection = { type: string; crs_source: string; features: Feature[] };

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** A source whose reads fail, as a corrupt tile would. */
function failingSource(source: RasterSource): RasterSource {
  return { ...source, name: 'broken.tif', readWindow: async () => Promise.reject(new Error('broken.tif: bad tile')) };
}

/** The output stages of a run without an overlay, as `runDetect` runs them: evidence, then results, swapped in whole. */
async function writeDetectOutputs(out: string, { candidates, summary, evidence }: { grid: AnalysisGrid; candidates: Candidate[]; summary: Record<string, unknown>; evidence?: EvidenceSources }): Promise<void> {
  checkIds(candidates);
  await replaceFolder(out, detectOutputFolder, async (folder) => {
    const paths = await writeEvidence(folder, grid, candidates, evidence);
    await writeResults(folder, { grid, candidates, evidence: paths, summary });
  });
}

describe('detect outputs', () => {
  it('writes RFC 7946 GeoJSON in WGS84 near 120°E 30°N whose areas round-trip within 0.5%', async () => {
    const [x, y] = [grid.geoTransform[0] + 50, grid.geoTransform[3] - 50];
    // clockwise outer ring with a counterclockwise hole: the writer must turn both
    const holed = candidate('HOLE', [[[[x, y], [x, y + 10], [x + 10, y + 10], [x + 10, y], [x, y]], [[x + 2, y + 2], [x + 4, y + 2], [x + 4, y + 4], [x + 2, y + 4], [x + 2, y + 2]]]]);
    const out = join(dir, 'geojson');
    await writeDetectOutputs(out, { grid, candidates: [...truthCandidates, holed], summary: {} });
    const collection = await readJson<Collection>(join(out, 'candidates.geojson'));
    expect(Object.keys(collection).sort()).toEqual(['crs_source', 'features', 'type']);
    expect([collection.type, collection.crs_source, collection.features.length]).toEqual(['FeatureCollection', 'EPSG:4549', 16]);
    const toGrid = crsTransform(4326, 4549);
    for (const feature of collection.features) {
      expect([feature.type, feature.geometry.type]).toEqual(['Feature', 'Polygon']);
      feature.geometry.coordinates.forEach((ring, i) => {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[0]).toEqual(ring[ring.length - 1]);
        expect(Math.sign(signedArea(ring))).toBe(i === 0 ? 1 : -1);
        for (const [lon, lat] of ring) {
          expect(lon).toBeGreaterThan(119.9);
          expect(lon).toBeLessThan(120.1);
          expect(lat).toBeGreaterThan(30.2);
          expect(lat).toBeLessThan(30.4);
          expect(Math.abs(lon * 1e7 - Math.round(lon * 1e7))).toBeLessThan(1e-3);
        }
      });
      // against the unrounded area: a 6.7 m² rooftop addition loses up to 0.7% to rounding alone
      const written = [...truthCandidates, holed].find((c) => c.id === feature.properties.id) as Candidate;
      const area = polygonsArea(transformPolygons([feature.geometry.coordinates], toGrid));
      expect(Math.abs(area / written.areaM2 - 1)).toBeLessThan(0.005);
    }
    expect(collection.features[15].properties.area_m2).toBe(96);
  });

  it('gives each feature exactly the agreed properties, rounded, with its chips listed', async () => {
    const out = join(dir, 'properties');
    const shed = { ...truthCandidates[0], confidence: null };
    await writeDetectOutputs(out, { grid, candidates: [shed], summary: {}, evidence: { beforeOrtho, afterOrtho } });
    const [feature] = (await readJson<Collection>(join(out, 'candidates.geojson'))).features;
    expect(feature.properties).toEqual({
      id: 'C0001',
      change_kind: 'ground_structure',
      area_m2: Math.round(shed.areaM2 * 10) / 10,
      height_change_m: 3.14,
      height_change_max_m: 3.46,
      height_after_m: 3,
      confidence: null,
      reason: 'rose 3 m on bare ground',
      evidence: ['evidence/C0001/before.jpg', 'evidence/C0001/after.jpg'],
    });
    expect((await readdir(join(out, 'evidence', 'C0001'))).sort()).toEqual(['after.jpg', 'before.jpg']);
  });

  it('writes results.gpkg in the project CRS the overlay stored the candidates in, when it is not the grid\'s', async () => {
    const folder = join(dir, 'gpkg');
    await mkdir(folder);
    const [first] = truthCandidates;
    // EPSG:32651 (UTM 51N) as a project CRS that plans imported first could have set
    await writeResults(folder, { grid, candidates: [first], evidence: new Map(), projectEpsg: 32651, summary: {} });
    const [table] = await readGeoPackage(join(folder, 'results.gpkg'));
    expect(table.srs?.code).toBe(32651);
    const [[[x, y]]] = table.features[0].polygons;
    const [[[gx, gy]]] = transformPolygons(first.polygons, crsTransform(4549, 32651));
    expect([x, y]).toEqual([gx, gy]);
    expect(polygonsArea(table.features[0].polygons)).toBeCloseTo(first.areaM2, 0);
  });

  it("adds counts and area by change kind to the caller's summary, keeping its keys", async () => {
    const out = join(dir, 'summary');
    await writeDetectOutputs(out, { grid, candidates: truthCandidates, summary: { mode: 'ortho', candidates: 15 } });
    type Totals = { count: number; area_m2: number };
    const summary = await readJson<{ mode: string; candidates: number; candidate_totals: Totals & { by_kind: Record<ChangeKind, Totals> } }>(join(out, 'summary.json'));
    expect([summary.mode, summary.candidates, summary.candidate_totals.count]).toEqual(['ortho', 15, 15]);
    expect(summary.candidate_totals.by_kind.new_building.count).toBe(5);
    expect(summary.candidate_totals.by_kind.demolition.count).toBe(1);
    expect(summary.candidate_totals.area_m2).toBeCloseTo(truthCandidates.reduce((sum, c) => sum + c.areaM2, 0), 0);
  });

  it('leaves no output folder and no temporary folder when an evidence read fails', async () => {
    const parent = join(dir, 'failing');
    await mkdir(parent);
    const evidence = { beforeOrtho, afterOrtho: failingSource(afterOrtho) };
    const run = writeDetectOutputs(join(parent, 'out'), { grid, candidates: truthCandidates.slice(0, 2), summary: {}, evidence });
    await expect(run).rejects.toThrow('bad tile');
    expect(await readdir(parent)).toEqual([]);
  });

  it('writes chips as candidates are found and files them under the ids given at the end, as writeEvidence does', async () => {
    const [first, second, third] = truthCandidates;
    const expected = join(dir, 'evidence-by-id');
    const byId = await writeEvidence(expected, grid, [first, second, third], { beforeOrtho, afterOrtho });
    const folder = join(dir, 'evidence-as-found');
    const found = evidenceAsFound(folder, grid, { beforeOrtho, afterOrtho });
    // found in another order than their ids', and numbered copies (as regionJudge gives them)
    for (const c of [third, first, second]) found.add({ polygons: c.polygons });
    const paths = await found.finish([first, second, third].map((c) => ({ ...c })));
    expect(paths).toEqual(byId);
    expect((await readdir(join(folder, 'evidence'))).sort()).toEqual([first.id, second.id, third.id].sort());
    for (const c of [first, second, third]) {
      for (const name of ['before.jpg', 'after.jpg']) expect(await readFile(join(folder, 'evidence', c.id, name))).toEqual(await readFile(join(expected, 'evidence', c.id, name)));
    }
  });

  it('lets every chip of candidates found so far end before a failed run is given up', async () => {
    const folder = join(dir, 'evidence-failing');
    const found = evidenceAsFound(folder, grid, { beforeOrtho, afterOrtho: failingSource(afterOrtho) });
    for (const c of truthCandidates.slice(0, 6)) found.add(c);
    await found.settled();
    await rm(folder, { recursive: true, force: true });
    // nothing is written after settled: the folder stays removed
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(readdir(folder)).rejects.toThrow('ENOENT');
    await expect(found.finish(truthCandidates.slice(0, 6))).rejects.toThrow('bad tile');
  });

  it('keeps an earlier output folder when a re-run fails and replaces it when a re-run succeeds', async () => {
    const parent = join(dir, 'rerun');
    const out = join(parent, 'out');
    await writeDetectOutputs(out, { grid, candidates: truthCandidates.slice(0, 1), summary: { run: 1 } });
    const evidence = { afterOrtho: failingSource(afterOrtho) };
    await expect(writeDetectOutputs(out, { grid, candidates: truthCandidates, summary: { run: 2 }, evidence })).rejects.toThrow();
    expect(await readdir(parent)).toEqual(['out']);
    expect((await readJson<Record<string, unknown>>(join(out, 'summary.json'))).run).toBe(1);
    await writeDetectOutputs(`${out}/`, { grid, candidates: truthCandidates.slice(0, 3), summary: { run: 3 } });
    expect(await readdir(parent)).toEqual(['out']);
    expect((await readJson<Collection>(join(out, 'candidates.geojson'))).features).toHaveLength(3);
  });

  it('refuses to replace a folder that holds something other than an earlier output', async () => {
    const out = join(dir, 'precious');
    await mkdir(out);
    await writeFile(join(out, 'thesis.docx'), 'years of work');
    await expect(writeDetectOutputs(out, { grid, candidates: [], summary: {} })).rejects.toBeInstanceOf(ConflictError);
    expect(await readdir(out)).toEqual(['thesis.docx']);
  });

  it('rejects candidate ids that are repeated or are not folder names', async () => {
    const [first] = truthCandidates;
    await expect(writeDetectOutputs(join(dir, 'ids'), { grid, candidates: [first, first], summary: {} })).rejects.toThrow('used twice');
    await expect(writeDetectOutputs(join(dir, 'ids'), { grid, candidates: [{ ...first, id: '../x' }], summary: {} })).rejects.toThrow('folder name');
  });
});
