import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { requireTool } from '../test-support/tools.js';
import { buildScene, generateScene, validateSceneOptions } from './index.js';
import { pointInPolygon, signedArea } from './geometry.js';

interface Feature {
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: [number, number][][] };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zhiwei-synth-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function digests(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

async function features(dir: string, name: string): Promise<Feature[]> {
  const collection = JSON.parse(await readFile(join(dir, name), 'utf8'));
  expect(collection.crs_source).toBe('EPSG:4549');
  return collection.features;
}

describe('synthetic scene', () => {
  let dir: string;
  let scene: Awaited<ReturnType<typeof generateScene>>['scene'];

  beforeAll(async () => {
    dir = await tempDir();
    ({ scene } = await generateScene({ outDir: dir, seed: 3, size: 768, preview: true }));
  }, 60_000);

  it('writes the same bytes for the same seed', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await generateScene({ outDir: a, seed: 11, size: 256 });
    await generateScene({ outDir: b, seed: 11, size: 256 });
    const [da, db] = [await digests(a), await digests(b)];
    expect(Object.keys(da).sort()).toEqual([
      'after/dsm.tif', 'after/ortho.tif', 'before/dsm.tif', 'before/dtm.tif', 'before/ortho.tif', 'building-plans.geojson', 'buildings.geojson', 'grids.geojson', 'plans.geojson',
      'rooftop-structures.geojson', 'scene.json', 'truth.geojson', 'zones.geojson',
    ]);
    expect(da).toEqual(db);
  }, 60_000);

  it('renders the same pixels whatever the block size, so blocks agree at their borders', async () => {
    const small = await tempDir();
    await generateScene({ outDir: small, seed: 3, size: 768, blockSize: 512 });
    const pixels = async (path: string) => (await (await fromFile(path)).getImage()).readRasters({ interleave: true });
    for (const path of ['before/ortho.tif', 'after/ortho.tif', 'before/dsm.tif', 'after/dsm.tif', 'before/dtm.tif']) {
      const [a, b] = [await pixels(join(dir, path)), await pixels(join(small, path))];
      let differing = 0;
      let largest = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        differing++;
        largest = Math.max(largest, Math.abs(Number(a[i]) - Number(b[i])));
      }
      // Shadow sweeps round differently in differently sized blocks: a few values may differ by 1.
      expect(largest, path).toBeLessThanOrEqual(path.endsWith('ortho.tif') ? 1 : 0);
      expect(differing / a.length, path).toBeLessThan(1e-4);
    }
  }, 60_000);

  it('writes RFC 7946 polygons in WGS84 near 120°E 30°N, outer rings counter-clockwise', async () => {
    for (const name of ['plans.geojson', 'grids.geojson', 'zones.geojson', 'truth.geojson']) {
      const list = await features(dir, name);
      expect(list.length, name).toBeGreaterThan(0);
      for (const f of list) {
        expect(f.geometry.type).toBe('Polygon');
        const [outer, ...holes] = f.geometry.coordinates;
        expect(outer[0]).toEqual(outer[outer.length - 1]);
        expect(signedArea(outer)).toBeGreaterThan(0);
        for (const hole of holes) expect(signedArea(hole)).toBeLessThan(0);
        for (const [lon, lat] of outer) {
          expect(lon).toBeGreaterThan(119.7);
          expect(lon).toBeLessThan(120.3);
          expect(lat).toBeGreaterThan(29.9);
          expect(lat).toBeLessThan(30.5);
        }
      }
    }
  });

  it('gives every truth polygon a kind, a violation and measurements', async () => {
    const kinds = ['new_building', 'extension', 'rooftop_addition', 'height_increase', 'demolition', 'ground_structure'];
    const violations = ['no_permit', 'outside_permitted_footprint', 'exceeds_permitted_height', 'permit_expired', 'none'];
    const truth = await features(dir, 'truth.geojson');
    expect(truth.length).toBe(scene.changes.length);
    for (const { properties: p } of truth) {
      expect(kinds).toContain(p.change_kind);
      expect(violations).toContain(p.violation);
      expect(p.area_m2).toBeGreaterThan(0);
      if (p.change_kind === 'demolition') expect(p.height_change_m).toBeLessThan(0);
      else expect(p.height_change_m).toBeGreaterThan(0);
    }
  });

  it('measures the truth height changes on the DSMs, after removing the vertical offset and tilt', async () => {
    const read = async (path: string) => {
      const image = await (await fromFile(path)).getImage();
      return { data: (await image.readRasters({ interleave: true })) as unknown as Float32Array, width: image.getWidth(), origin: image.getOrigin(), res: image.getResolution() };
    };
    const before = await read(join(dir, 'before/dsm.tif'));
    const after = await read(join(dir, 'after/dsm.tif'));
    const flight = scene.flights.after;
    const [e0, n0] = scene.origin;
    const centre = scene.extent / 2;
    const project = (await import('../geo/crs.js')).crsTransform(4326, 4549);
    let checked = 0;
    for (const f of await features(dir, 'truth.geojson')) {
      const ring = f.geometry.coordinates[0].map((p) => project(p));
      const xs = ring.map((p) => p[0]);
      const ys = ring.map((p) => p[1]);
      const deltas: number[] = [];
      for (let x = Math.min(...xs); x < Math.max(...xs); x += 0.2) {
        for (let y = Math.min(...ys); y < Math.max(...ys); y += 0.2) {
          // Only points a metre inside the polygon: edges are smoothed and the epochs misregistered.
          if (![[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].every(([dx, dy]) => pointInPolygon([ring], x + dx, y + dy))) continue;
          const col = Math.floor((x - before.origin[0]) / before.res[0]);
          const row = Math.floor((y - before.origin[1]) / before.res[1]);
          const a = after.data[row * after.width + col];
          const b = before.data[row * before.width + col];
          if (a === -9999 || b === -9999) continue;
          const tilt = flight.dsmTilt[0] * (x - e0 - centre) + flight.dsmTilt[1] * (y - n0 - centre);
          deltas.push(a - flight.dsmOffset - tilt - b);
        }
      }
      if (deltas.length < 20) continue;
      const measured = deltas.reduce((s, d) => s + d, 0) / deltas.length;
      const truth = f.properties.height_change_m as number;
      expect(Math.abs(measured - truth), `${f.properties.id} ${f.properties.change_kind}: DSM ${measured.toFixed(2)} m, truth ${truth} m`).toBeLessThan(Math.max(1, 0.3 * Math.abs(truth)));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('puts each permitted new building inside its plan polygon', () => {
    const permitted = buildScene({ seed: 5, size: 4096 });
    // Those legal by their permit (not by lying in an exempt zone).
    const changes = permitted.changes.filter((c) => c.changeKind === 'new_building' && c.violation === 'none' && c.permitNo !== null);
    expect(changes.length).toBeGreaterThan(0);
    const [sx, sy] = permitted.flights.after.shift;
    for (const change of changes) {
      const plan = permitted.plans.find((p) => p.permitNo === change.permitNo);
      expect(plan?.kind).toBe('new_building');
      expect(plan && plan.validFrom <= permitted.flights.after.date.slice(0, 10)).toBe(true);
      for (const [x, y] of change.rings[0]) expect(pointInPolygon([plan?.rings[0] ?? []], x + sx, y + sy)).toBe(true);
    }
  });

  it('makes every change kind and violation type in a larger scene', () => {
    const model = buildScene({ seed: 2, size: 4096 });
    const kinds = new Set(model.changes.map((c) => c.changeKind));
    const violations = new Set(model.changes.map((c) => c.violation));
    expect([...kinds].sort()).toEqual(['demolition', 'extension', 'ground_structure', 'height_increase', 'new_building', 'rooftop_addition']);
    expect([...violations].sort()).toEqual(['exceeds_permitted_height', 'no_permit', 'none', 'outside_permitted_footprint', 'permit_expired']);
    const expired = model.changes.filter((c) => c.violation === 'permit_expired');
    for (const change of expired) {
      const plan = model.plans.find((p) => p.permitNo === change.permitNo);
      expect(plan?.validTo && plan.validTo < model.flights.after.date.slice(0, 10)).toBe(true);
    }
  });

  it('writes GeoTIFFs that GDAL reads as EPSG:4549 with nodata -9999 on the heights', () => {
    if (!requireTool('gdalinfo')) return;
    const info = (path: string) => JSON.parse(execFileSync('gdalinfo', ['-json', join(dir, path)], { encoding: 'utf8' }));
    const ortho = info('after/ortho.tif');
    expect(ortho.size).toEqual([768, 768]);
    expect(ortho.bands.map((b: { type: string }) => b.type)).toEqual(['Byte', 'Byte', 'Byte']);
    expect(ortho.coordinateSystem.wkt).toMatch(/ID\["EPSG",4549\]\]$/);
    for (const path of ['before/dsm.tif', 'after/dsm.tif', 'before/dtm.tif']) {
      const dsm = info(path);
      expect(dsm.size).toEqual([384, 384]);
      expect(dsm.bands[0].type).toBe('Float32');
      expect(dsm.bands[0].noDataValue).toBe(-9999);
      expect(dsm.geoTransform[1]).toBeCloseTo(0.2);
    }
  });

  it('rejects a size that is not a multiple of 256, and a negative seed', () => {
    expect(() => validateSceneOptions({ seed: 1, size: 1000 })).toThrow(BadInputError);
    expect(() => validateSceneOptions({ seed: -1, size: 1024 })).toThrow(/seed -1/);
    expect(() => validateSceneOptions({ seed: 1, size: 1024, gsd: 0 })).toThrow(/gsd 0/);
  });
});
